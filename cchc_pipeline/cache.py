"""A content-addressed build cache: results are stored under the digest of everything that
made them, so a cached result can never be stale, only unused.

A key is a SHA-256 over named parts (file contents, tool versions, the code's own version);
any change to any part is a different key. Entries are folders written under a temporary
name and renamed into place, so a killed build leaves no half entry. ``cchc clean`` removes
the cache; ``cchc build --no-cache`` ignores it.

Trust: the cache travels with a copied project folder, so nothing in it is believed on its
own word. Each entry carries an index of its files' SHA-256, and the index is signed
(HMAC-SHA256) with a key kept per user outside the project (:func:`user_key`), bound to the
entry's kind and key. An entry is used only when the signature and every digest match: an
entry written by another user or machine, edited, truncated or moved under another key is a
miss (removed, then rebuilt), never published and never unpickled. A cache that cannot be
written (read-only folder, full disk) only costs time: one warning, then the build goes on
without it.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import secrets
import shutil
import sys
import tempfile
import threading
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path

from . import __version__

CACHE_DIR = ".cchc-cache"
INDEX = ".index.json"  # the entry's files and their SHA-256
SIGNATURE = ".index.sig"  # HMAC of the index, the entry's kind and key
KEY_FILE = "cache-key"
KEY_DIR_ENV = "CCHC_USER_CACHE"  # the folder of the per-user key (default: the user's cache)


def digest(*parts: bytes | str) -> str:
    """SHA-256 of the parts, each length-prefixed so that no two sequences collide."""
    hasher = hashlib.sha256(f"cchc-pipeline {__version__}".encode())
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        hasher.update(len(data).to_bytes(8, "big"))
        hasher.update(data)
    return hasher.hexdigest()


def tree_digest(folders: Iterable[Path]) -> str:
    """A digest of every file (path and content) under the folders, in a stable order; what
    changes without any edit (hidden files, compiled Python, Office lock files) is left out,
    as for the build's inputs (:func:`~cchc_pipeline.inputs.submission_files`)."""
    from .inputs import submission_files

    parts: list[bytes | str] = []
    for folder in folders:
        if folder.is_dir():
            for path in submission_files(folder):
                parts += [path.relative_to(folder).as_posix(), path.read_bytes()]
    return digest(*parts)


def user_key_folder() -> Path:
    """Where the per-user signing key lives: the user's own cache folder, never a project."""
    override = os.environ.get(KEY_DIR_ENV)
    if override:
        return Path(override)
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
    else:
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "cchc-pipeline"


@lru_cache(maxsize=4)
def _key_in(folder: Path) -> bytes | None:
    path = folder / KEY_FILE
    try:
        data = path.read_bytes()
        if len(data) >= 32:
            return data
    except OSError:
        pass
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        partial = folder / f".{KEY_FILE}.{os.getpid()}.{threading.get_ident()}"
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(secrets.token_bytes(32))
        try:  # the first of two racing processes wins; both then read the same key
            os.link(partial, path)
        except FileExistsError:
            pass
        except OSError:  # no hard links: a rename (the last writer wins, before any use)
            if not path.exists():
                os.replace(partial, path)
        with contextlib.suppress(OSError):
            partial.unlink()
        data = path.read_bytes()
        return data if len(data) >= 32 else None
    except OSError:
        return None


def user_key() -> bytes | None:
    """The current user's secret for signing cache entries (created 0600 on first use), or
    None when it cannot be read or made (then nothing is cached)."""
    return _key_in(user_key_folder())


def sign(*parts: bytes | str) -> str | None:
    """An HMAC of the parts with the user's key (None without a key)."""
    key = user_key()
    if key is None:
        return None
    return hmac.new(key, digest(*parts).encode("ascii"), hashlib.sha256).hexdigest()


def signed(signature: str, *parts: bytes | str) -> bool:
    """Whether ``signature`` is this user's signature of the parts."""
    expected = sign(*parts)
    return expected is not None and hmac.compare_digest(expected, signature)


def file_digest(path: Path) -> str:
    hasher = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            hasher.update(block)
    return hasher.hexdigest()


# -- degrading without a cache -----------------------------------------------------------

_warn: Callable[[str], None] | None = None
_broken: set[Path] = set()  # cache roots found unwritable in this process
_lock = threading.Lock()


def set_warning(warn: Callable[[str], None] | None) -> None:
    """Where the one warning about an unusable cache goes (the build's console); a new
    build tries its cache afresh (the disk may have been freed since)."""
    global _warn
    _warn = warn
    with _lock:
        _broken.clear()


def _give_up(root: Path, reason: str) -> None:
    """Stop writing under ``root`` for this process, with one warning."""
    with _lock:
        if root in _broken:
            return
        _broken.add(root)
    message = (
        f"Cảnh báo: không dùng được bộ nhớ đệm {root} ({reason}); vẫn làm tiếp nhưng không "
        "lưu kết quả trung gian.\n  → Kiểm tra quyền ghi và dung lượng ổ đĩa, hoặc dùng "
        "--no-cache."
    )
    if _warn is not None:
        _warn(message)
    else:
        print(message, file=sys.stderr, flush=True)


def usable_root(root: Path) -> Path | None:
    """``root`` when the cache can be used there (a key exists and the folder is writable),
    else None after one warning: a build never fails for want of its cache."""
    from .errors import describe_os_error

    if user_key() is None:
        _give_up(root, f"không tạo được khóa xác thực trong {user_key_folder()}")
        return None
    try:
        root.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=root, prefix=".probe-"):
            pass
    except OSError as exc:
        _give_up(root, describe_os_error(exc))
        return None
    return root


class Cache:
    """One kind of cached result (``narratives``, ``outputs``…) in the project's cache folder."""

    def __init__(self, root: Path | None, kind: str) -> None:
        self.root = root
        self.kind = kind
        self.folder = None if root is None else root / kind

    @property
    def enabled(self) -> bool:
        return self.folder is not None and user_key() is not None

    def get(self, key: str) -> Path | None:
        """The entry folder for ``key`` when it is whole and signed by this user, else None
        (a damaged or foreign entry is removed, so that it is rebuilt)."""
        if not self.enabled:
            return None
        assert self.folder is not None
        entry = self.folder / key
        if not entry.is_dir():
            return None
        if self._intact(entry, key):
            return entry
        with contextlib.suppress(OSError):
            shutil.rmtree(entry)
        return None

    def _intact(self, entry: Path, key: str) -> bool:
        try:
            index = (entry / INDEX).read_bytes()
            signature = (entry / SIGNATURE).read_text("ascii").strip()
            if not signed(signature, "cache-entry", self.kind, key, index):
                return False
            listed = json.loads(index)
            present = {p.relative_to(entry).as_posix() for p in entry.rglob("*") if p.is_file()}
            present -= {INDEX, SIGNATURE}
            if not isinstance(listed, dict) or set(listed) != present:
                return False
            return all(file_digest(entry / name) == sha for name, sha in listed.items())
        except (OSError, ValueError, UnicodeError):
            return False

    def put(self, key: str, files: dict[str, Path]) -> None:
        """Store copies of ``files`` (name in the entry → source path) under ``key``, with
        their signed index. A cache that cannot be written is given up, with one warning."""
        from .errors import describe_os_error

        if not self.enabled or self.root in _broken:
            return
        assert self.folder is not None and self.root is not None
        if (self.folder / key).is_dir():
            return
        partial: Path | None = None
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            partial = Path(tempfile.mkdtemp(prefix=".partial-", dir=self.folder))
            for name, source in files.items():
                target = partial / name
                target.parent.mkdir(parents=True, exist_ok=True)
                if source.is_dir():
                    shutil.copytree(source, target)
                else:
                    shutil.copyfile(source, target)
            listed = {
                p.relative_to(partial).as_posix(): file_digest(p)
                for p in sorted(partial.rglob("*"))
                if p.is_file()
            }
            index = json.dumps(listed, sort_keys=True).encode("utf-8")
            signature = sign("cache-entry", self.kind, key, index)
            if signature is None:
                return
            (partial / INDEX).write_bytes(index)
            (partial / SIGNATURE).write_text(signature, "ascii")
            os.replace(partial, self.folder / key)
            partial = None
        except OSError as exc:
            if not (self.folder / key).is_dir():  # not a race lost to another build
                _give_up(self.root, describe_os_error(exc))
        finally:
            if partial is not None:
                shutil.rmtree(partial, ignore_errors=True)
