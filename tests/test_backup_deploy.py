"""The compose backup service runs `backup follow` with valid settings on its own volume."""

from __future__ import annotations

from crowdhire.settings import Settings
from tests.test_deploy_files import COMPOSE, DOCKERFILE, SERVICES, _environment


def test_compose_runs_the_backup_follower_with_valid_settings() -> None:
    backup = SERVICES["backup"]
    assert backup["command"][:3] == ["crowdhire", "backup", "follow"]
    directory = backup["command"][backup["command"].index("--to") + 1]
    env = _environment("backup")
    assert {"BACKUP_SNAPSHOT_HOURS", "BACKUP_KEEP_DAYS", "BACKUP_ENCRYPTION_KEY"} <= set(env)
    env["BACKUP_ENCRYPTION_KEY"] = "ab" * 32  # the operator's `openssl rand -hex 32`
    settings = Settings.model_validate({name.lower(): value for name, value in env.items()})
    assert (
        settings.backup_key is not None
        and settings.mongodb_uri == _environment("crowdhire1")["MONGODB_URI"]
    )
    assert any(volume.endswith(f":{directory}") for volume in backup["volumes"])
    assert "backups" in COMPOSE["volumes"]
    assert f"-o crowdhire -g crowdhire -m 0700 {directory}" in DOCKERFILE
