"""crowdhire: the GraphQL API of a crowdsourced recruiting platform."""

__version__ = "0.1.0"
