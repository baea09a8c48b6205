"""Placement fees through Stripe: the API gateway, webhook verification and event handling."""
