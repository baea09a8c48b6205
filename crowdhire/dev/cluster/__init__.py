"""A whole crowdhire deployment on loopback: replica set, memcached pool, app instances, nginx.

`crowdhire cluster up|status|down` (its `command` module) drives it; `drills` kills parts of
it under load and checks what users would see.
"""
