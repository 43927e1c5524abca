"""One build at a time per report project: an advisory lock on ``.cchc-lock`` in its folder.

Two builds of one project would share the cache and the output folder, and each removes the
other's staging folder. ``cchc build``, ``cchc clean``, the preview (and the portal) hold the
lock while they write; a second one waits for it, with a message, up to a bound, then stops
with exit 2 saying who holds it. The lock is the operating system's (``fcntl.flock`` on
POSIX, ``msvcrt.locking`` on Windows), so it goes with the process that held it: a build
killed outright leaves a file that is no longer locked, and the next build takes it over.
The file only says who holds the lock (process, machine, since when), for the message.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from .errors import CchcError, ExitCode

LOCK_NAME = ".cchc-lock"
DEFAULT_WAIT = 300.0  # seconds a second build waits before giving up
POLL = 0.2


class ProjectBusy(CchcError):
    """Another build of the same project holds the lock."""

    exit_code = ExitCode.USAGE


def _try_lock(descriptor: int) -> bool:
    """Take the lock without waiting; False when another process holds it."""
    if sys.platform == "win32":
        import msvcrt

        os.lseek(descriptor, 0, os.SEEK_SET)
        try:
            msvcrt.locking(descriptor, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _unlock(descriptor: int) -> None:
    if sys.platform == "win32":
        import msvcrt

        os.lseek(descriptor, 0, os.SEEK_SET)
        msvcrt.locking(descriptor, msvcrt.LK_UNLCK, 1)
    else:
        import fcntl

        fcntl.flock(descriptor, fcntl.LOCK_UN)


class ProjectLock:
    """The project's build lock, as a context manager: ``with ProjectLock(folder): …``.

    ``wait`` is how long to wait for another holder (0: refuse at once); ``notify`` is told,
    once, that this one is waiting. A folder where no lock file can be made (read-only) or
    whose file system has no locks is used unlocked, after one ``notify``.
    """

    def __init__(
        self,
        project_dir: Path,
        wait: float = DEFAULT_WAIT,
        notify: Callable[[str], None] | None = None,
        purpose: str = "dựng báo cáo",
    ) -> None:
        self.path = Path(project_dir) / LOCK_NAME
        self.wait = max(0.0, wait)
        self.notify = notify or (lambda text: None)
        self.purpose = purpose
        self.taken_over: dict | None = None  # what a killed holder had written
        self._descriptor: int | None = None

    def holder(self) -> dict:
        """Who wrote the lock file last (the holder while it is locked), or {}."""
        try:
            with open(self.path, "rb") as handle:
                handle.seek(1)  # byte 0 is the one locked (Windows locks bytes, not files)
                found = json.loads(handle.read().decode("utf-8") or "{}")
        except (OSError, ValueError, UnicodeError):
            return {}
        return found if isinstance(found, dict) else {}

    def describe(self, holder: dict) -> str:
        if not holder:
            return "một lần dựng khác"
        return (
            f"{holder.get('purpose', 'một lần dựng khác')} của tiến trình {holder.get('pid', '?')}"
            f" trên máy {holder.get('host', '?')}, bắt đầu lúc {holder.get('since', '?')}"
        )

    def acquire(self) -> None:
        """Take the lock, waiting up to ``wait`` seconds; raise :class:`ProjectBusy` after."""
        try:
            descriptor = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError:
            self.notify(
                f"Cảnh báo: không tạo được tệp khóa {self.path}; lần dựng này chạy không khóa "
                "(đừng chạy hai lần dựng cùng lúc)."
            )
            return
        deadline = time.monotonic() + self.wait
        told = False
        try:
            while True:
                try:
                    if _try_lock(descriptor):
                        break
                except OSError:  # a file system without locks (some network drives)
                    self.notify(
                        f"Cảnh báo: ổ đĩa của {self.path.parent} không hỗ trợ khóa tệp; lần "
                        "dựng này chạy không khóa (đừng chạy hai lần dựng cùng lúc)."
                    )
                    os.close(descriptor)
                    return
                holder = self.holder()
                if time.monotonic() >= deadline:
                    raise ProjectBusy(
                        f"Dự án {self.path.parent} đang bận: {self.describe(holder)} đang chạy; "
                        f"lần {self.purpose} này không chạy.",
                        "Chờ lần dựng kia xong rồi chạy lại (hoặc dùng --wait GIÂY để chờ lâu "
                        "hơn). Nếu tiến trình kia đã bị tắt, khóa tự được giải phóng.",
                    )
                if not told:
                    told = True
                    self.notify(
                        f"Đang chờ: {self.describe(holder)} đang chạy trên dự án này; chờ tối "
                        f"đa {self.wait:g} giây…"
                    )
                time.sleep(POLL)
        except BaseException:
            os.close(descriptor)
            raise
        previous = self.holder()
        if previous.get("pid") not in (None, os.getpid()):
            self.taken_over = previous  # its process died holding it: the OS released it
            self.notify(
                f"Lần {self.describe(previous)} đã dừng giữa chừng; đã tiếp quản khóa của dự án."
            )
        import socket  # here: `cchc --help` imports this module and needs no socket

        record = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "since": dt.datetime.now().strftime("%d/%m/%Y %H:%M:%S"),
            "purpose": self.purpose,
        }
        with contextlib.suppress(OSError):  # a waiting build's message is then less precise
            os.ftruncate(descriptor, 0)
            os.lseek(descriptor, 0, os.SEEK_SET)
            os.write(descriptor, b"\n" + json.dumps(record, ensure_ascii=False).encode("utf-8"))
        self._descriptor = descriptor

    def release(self) -> None:
        if self._descriptor is None:
            return
        descriptor, self._descriptor = self._descriptor, None
        with contextlib.suppress(OSError):
            os.ftruncate(descriptor, 0)
        try:
            _unlock(descriptor)
        finally:
            os.close(descriptor)

    def __enter__(self) -> ProjectLock:
        self.acquire()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.release()
