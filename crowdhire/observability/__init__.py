"""Operations: per-request counters, Prometheus metrics, JSON logs and their hooks.

`stats` has no crowdhire imports, so any layer (cache, auth, payments) may report external
calls through it; the middleware, the Strawberry extension and the MongoDB listener read it.
"""
