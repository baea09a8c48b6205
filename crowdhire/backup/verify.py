"""`backup verify`: every file's checksum, every manifest and record, and the oplog chain's
continuity, without the encryption key (checksums cover the bytes as stored)."""

from __future__ import annotations

from dataclasses import dataclass, field

from crowdhire.backup.archive import Archive
from crowdhire.backup.errors import BackupError
from crowdhire.backup.files import file_sha256
from crowdhire.backup.times import wall_to_json


@dataclass
class Report:
    """What verify found: `problems` fail it, `warnings` (recorded gaps) do not."""

    checked: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """No corrupt, missing or unexplained discontinuous part."""
        return not self.problems


def verify(archive: Archive) -> Report:
    """Check the whole archive."""
    report = Report()
    try:
        archive.require()
        snapshots, segments = archive.snapshots(), archive.segments()
    except BackupError as error:
        report.problems.append(str(error))
        return report
    if not snapshots:
        report.problems.append(f"no snapshot in {archive.root}")
    for snapshot in snapshots:
        files = snapshot.manifest.collections
        for name, collection in files.items():
            path = snapshot.path / collection.file
            if not path.exists():
                report.problems.append(f"snapshot {snapshot.name}: {collection.file} is missing")
            elif file_sha256(path) != collection.sha256:
                report.problems.append(f"snapshot {snapshot.name}: {name} is corrupt"
                                       " (SHA-256 mismatch)")  # fmt: skip
        documents = sum(c.count for c in files.values())
        report.checked.append(f"snapshot {snapshot.name}: {len(files)} collections,"
                              f" {documents} documents")  # fmt: skip
    previous = None
    for segment in segments:
        path = archive.oplog_dir / segment.file
        if not path.exists():
            report.problems.append(f"oplog segment {segment.file} is missing")
        elif file_sha256(path) != segment.sha256:
            report.problems.append(f"oplog segment {segment.file} is corrupt (SHA-256 mismatch)")
        if segment.gap_since is not None:
            report.warnings.append(
                f"GAP in the oplog archive from {wall_to_json(segment.gap_since)} to the start"
                f" of {segment.file}: the oplog had rolled past the follower; no point-in-time"
                " restore across it"
            )
        elif previous is not None and segment.after != previous.last:
            report.problems.append(f"oplog segment {segment.file} does not continue"
                                   f" {previous.file} (entries missing)")  # fmt: skip
        previous = segment
    entries = sum(s.count for s in segments)
    report.checked.append(f"oplog: {len(segments)} segments, {entries} entries")
    return report
