"""Durable background work: a MongoDB-backed queue and the worker that drains it.

Enqueue inside the transaction that causes the work (pass its session), so the task exists
exactly when the change does; every instance runs a worker, and atomic claims share the load.
"""
