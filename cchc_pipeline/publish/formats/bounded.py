"""External processes with a time and a memory limit, so that no input can hang or abort a build.

A converter that runs out of its limit is told as :class:`~cchc_pipeline.errors.LimitExceeded`
naming what it was doing; the memory limit is the address-space limit of the child (POSIX),
set in the child before it runs (``preexec_fn``), and pandoc's own heap limit where it takes
one. Windows has no such limit: the time limit still applies there.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from ...errors import LimitExceeded

# what a process killed by its memory limit says (pandoc's runtime; Rust's allocator aborts)
OUT_OF_MEMORY_TEXTS = ("heap exhausted", "out of memory", "memory allocation of", "memoryerror")
# SIGABRT (an allocation refused under the limit), SIGSEGV; a SIGKILL comes from outside (the
# system's OOM killer, a user) and is told as such by errors.check_machine, not as our limit
MEMORY_SIGNALS = (-6, -11)


def address_space_limit(megabytes: int) -> Callable[[], None] | None:
    """A ``preexec_fn`` capping the child's address space, or None where there is no such cap."""
    if sys.platform == "win32":
        return None
    import resource

    limit = megabytes * 2**20

    def apply() -> None:  # runs in the child between fork and exec: one system call only
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    return apply


def past_time_limit(what: str, seconds: int) -> LimitExceeded:
    """What a converter stopped at its time limit is told as."""
    return LimitExceeded(
        f"{what}: quá giới hạn thời gian {seconds} giây, đã dừng.",
        "Nội dung quá dài hoặc quá phức tạp: chia nhỏ hoặc rút gọn; nếu nội dung đúng, "
        "tăng giới hạn trong mục [limits] của config.toml.",
    )


def run_bounded(
    command: Sequence[str],
    *,
    what: str,
    seconds: int,
    megabytes: int,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    limit_in_child: bool = True,
) -> subprocess.CompletedProcess[bytes]:
    """Run ``command``; raise LimitExceeded (saying ``what`` ran out) past either limit.

    ``limit_in_child`` False leaves the memory limit to the command itself (a worker that
    sets its own)."""
    try:
        result = subprocess.run(
            list(command),
            capture_output=True,
            cwd=cwd,
            env=env,
            timeout=seconds,
            preexec_fn=address_space_limit(megabytes) if limit_in_child else None,
        )
    except subprocess.TimeoutExpired:
        raise past_time_limit(what, seconds) from None
    if out_of_memory(result.returncode, result.stderr.decode("utf-8", "replace")):
        raise past_memory_limit(what, megabytes)
    return result


def out_of_memory(returncode: int, stderr: str) -> bool:
    """Whether a converter that ended with ``returncode`` ran out of its memory limit."""
    text = stderr.lower()
    return returncode != 0 and (
        returncode in MEMORY_SIGNALS or any(s in text for s in OUT_OF_MEMORY_TEXTS)
    )


def past_memory_limit(what: str, megabytes: int) -> LimitExceeded:
    """What a converter stopped at its memory limit is told as."""
    return LimitExceeded(
        f"{what}: quá giới hạn bộ nhớ {megabytes} MB, đã dừng.",
        "Nội dung hoặc hình ảnh quá lớn: giảm kích thước; nếu nội dung đúng, tăng giới "
        "hạn trong mục [limits] của config.toml.",
    )
