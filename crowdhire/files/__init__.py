"""Candidate files below the request path: the store interface, type sniffing, intake, text."""
