"""A section's versions: each upload makes a new one from the last, kept whole in the
content-addressed store; the new version is written into the submission folder file by
file atomically (a reader sees the old file or the new one), the previous stays in the
history. Before the first upload, the folder's files as they are make version 1."""

from __future__ import annotations

import threading
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..inputs import file_digest, submission_files
from ..publish.atomic import write_atomically
from . import blobs
from .models import Version, VersionFile
from .uploads import ROLES, Accepted, role

BASELINE_AUTHOR = "(có sẵn trong thư mục bài nộp)"
# One version of a section made at a time: the folder as it was, the version written and
# its check belong together (a caller holds it around all three; re-entrant for
# add_version's own use). Sections do not wait for each other.
_LOCKS: dict[str, threading.RLock] = {}
_GUARD = threading.Lock()


def section_lock(section: str) -> threading.RLock:
    with _GUARD:
        return _LOCKS.setdefault(section, threading.RLock())


def versions(db: Session, section: str) -> list[Version]:
    """Newest first."""
    query = select(Version).where(Version.section == section).order_by(Version.number.desc())
    return list(db.scalars(query))


def latest(db: Session, section: str) -> Version | None:
    query = select(Version).where(Version.section == section).order_by(Version.number.desc())
    return db.scalars(query.limit(1)).first()


def get(db: Session, section: str, number: int) -> Version | None:
    query = select(Version).where(Version.section == section, Version.number == number)
    return db.scalars(query).first()


def _next_number(db: Session, section: str) -> int:
    return (db.scalar(select(func.max(Version.number)).where(Version.section == section)) or 0) + 1


def baseline(db: Session, store: Path, section: str, folder: Path) -> Version | None:
    """Version 1 from the folder's files, when there is no version yet and files are there."""
    if latest(db, section) is not None or not folder.is_dir():
        return None
    files = submission_files(folder)
    if not files:
        return None
    version = Version(section=section, number=1, author=BASELINE_AUTHOR)
    for path in files:
        sha = blobs.store(store, path.read_bytes())
        name = path.relative_to(folder).as_posix()
        version.files.append(VersionFile(name=name, sha256=sha, size=path.stat().st_size,
                                         sent=False))  # fmt: skip
    db.add(version)
    db.commit()
    return version


def add_version(db: Session, store: Path, section: str, folder: Path, author: str,
                accepted: list[Accepted]) -> Version:  # fmt: skip
    """Keep the files sent as a new version (the last one's files, those of a sent role
    replaced) and write it into ``folder``."""
    with section_lock(section):
        previous = latest(db, section) or baseline(db, store, section, folder)
        sent = {a.name: a for a in accepted}  # the last of two files of one name wins
        sent_roles = {role(n) for n in sent if role(n) in ROLES}
        kept = [f for f in (previous.files if previous else [])
                if f.name not in sent and role(f.name) not in sent_roles]  # fmt: skip
        version = Version(section=section, number=_next_number(db, section), author=author)
        for old in kept:
            version.files.append(VersionFile(name=old.name, sha256=old.sha256, size=old.size,
                                             sent=False))  # fmt: skip
        for item in sent.values():
            sha = blobs.store(store, item.data)
            version.files.append(VersionFile(name=item.name, sha256=sha, size=len(item.data),
                                             sent=True))  # fmt: skip
        db.add(version)
        db.flush()
        _write_into(folder, store, version, previous)
        db.commit()
        return version


def _write_into(folder: Path, store: Path, version: Version, previous: Version | None) -> None:
    """The folder made to hold exactly the version's files (only names the portal chose
    are written; files of the previous version no longer in this one are removed)."""
    folder.mkdir(parents=True, exist_ok=True)
    for item in version.files:
        target = folder / item.name
        if target.is_file() and file_digest(target) == item.sha256:
            continue
        data = blobs.load(store, item.sha256)
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(target, lambda tmp, data=data: tmp.write_bytes(data))
    names = {f.name for f in version.files}
    for old in previous.files if previous else []:
        if old.name not in names:
            (folder / old.name).unlink(missing_ok=True)
