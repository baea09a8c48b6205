"""A whole crowdhire deployment on loopback: replica set, memcached pool, app instances, nginx.

`crowdhire cluster up|status|down` (crowdhire.cluster.command) drives it; crowdhire.cluster.drills
kills parts of it under load and checks what users would see.
"""
