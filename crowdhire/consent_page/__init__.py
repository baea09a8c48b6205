"""The page a consent email links to: the person grants, declines, withdraws or erases there.

Server-rendered, no JavaScript, a strict CSP, and nothing about the person beyond their first
name. Decisions are POSTs carrying a same-site form token (`csrf`).
"""

from crowdhire.consent_page.routes import consent_routes

__all__ = ["consent_routes"]
