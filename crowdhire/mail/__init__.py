"""Outgoing email: an SMTP sender and the messages crowdhire sends from background tasks."""
