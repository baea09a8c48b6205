"""Backups: consistent snapshots, a continuous oplog archive, point-in-time restore.

A backup directory holds
    snapshots/<name>/manifest.json + <collection>.bson.gz[.enc]   (crowdhire.backup.snapshot)
    oplog/<first ts>.bson.gz[.enc] + <first ts>.json, position.json (crowdhire.backup.oplog)
and `crowdhire backup create|follow|restore|verify` (crowdhire.backup.cli) reads and writes it.
"""
