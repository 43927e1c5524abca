"""Where the portal keeps its data and what ``[portal]`` of config.toml says about it."""

from __future__ import annotations

import datetime as dt
import os
import secrets
import threading
from dataclasses import dataclass, field
from pathlib import Path

from ..config import ReportConfig, load_config

PORTAL_DIR = ".cchc-portal"  # in the project folder, git-ignored like the cache
SQLITE_NAME = "portal.sqlite3"
MB = 2**20


@dataclass(frozen=True)
class PortalSettings:
    """The portal's settings of one project (defaults where ``[portal]`` says nothing)."""

    folder: Path
    database: str
    deadline: dt.date | None = None
    deadlines: dict[str, dt.date] = field(default_factory=dict)
    secure_cookies: bool = False
    lockout: int = 5
    upload_bytes: int = 64 * MB

    @property
    def blobs(self) -> Path:
        return self.folder / "blobs"

    def deadline_of(self, section: str) -> dt.date | None:
        """A section's own deadline, else the common one."""
        return self.deadlines.get(section, self.deadline)


def settings_of(config: ReportConfig) -> PortalSettings:
    """The portal's settings for ``config``; the folder is made on first use."""
    given = dict(getattr(config, "portal", None) or {})
    folder = config.project_dir / PORTAL_DIR
    folder.mkdir(exist_ok=True)
    database = (given.get("database") or "").strip()
    if not database:
        database = f"sqlite:///{(folder / SQLITE_NAME).as_posix()}"
    return PortalSettings(
        folder=folder,
        database=database,
        deadline=given.get("deadline"),
        deadlines=dict(given.get("deadlines") or {}),
        secure_cookies=bool(given.get("secure_cookies")),
        lockout=int(given.get("lockout") or 5),
        upload_bytes=int(given.get("upload_mb") or 64) * MB,
    )


def secret_key(settings: PortalSettings) -> bytes:
    """The key signing session cookies: made once, kept private in the portal folder, so
    that sessions survive a restart of the server."""
    path = settings.folder / "secret-key"
    if not path.exists():
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="ascii") as handle:
            handle.write(secrets.token_hex(32))
    return path.read_text(encoding="ascii").strip().encode("ascii")


_LOADED: dict[Path, tuple[tuple[int, int], ReportConfig]] = {}
_LOADING = threading.Lock()


def current_config(path: Path) -> ReportConfig:
    """``load_config(path)``, read again only when the file changed (every request needs it;
    reading and checking it each time would cost more than the page)."""
    path = Path(path).absolute()
    stat = path.stat()
    state = (stat.st_mtime_ns, stat.st_size)
    with _LOADING:
        kept = _LOADED.get(path)
        if kept is not None and kept[0] == state:
            return kept[1]
    config = load_config(path)
    with _LOADING:
        _LOADED[path] = (state, config)
    return config
