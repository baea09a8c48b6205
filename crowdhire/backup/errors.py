"""The one error a backup command reports to its user: a sentence, never a traceback."""


class BackupError(Exception):
    """Something about the archive, the key or the target stops the command; nothing was written."""
