"""User-facing failures and the exit codes the CLI maps them to.

Every error a coordinator or a department can meet is one of these: it carries a Vietnamese
message that names the file and place, a hint saying what to do, and the documented exit
code. Anything else reaching the CLI is a bug and is reported as such.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Exit codes of the ``cchc`` command (documented in the README)."""

    OK = 0
    VALIDATION = 1  # the submissions hold errors a department must fix
    USAGE = 2  # wrong command line or configuration: the coordinator must fix
    BUILD = 3  # a plugin, pandoc or typst failed, or an output could not be written
    INTERRUPTED = 130  # Ctrl-C or SIGTERM


class CchcError(Exception):
    """Base class: a failure with a Vietnamese message and a hint for the user."""

    exit_code: ExitCode = ExitCode.BUILD

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}\n  → {self.hint}"


class ConfigError(CchcError):
    """The configuration file cannot be read, or says something impossible."""

    exit_code = ExitCode.USAGE


class PluginError(CchcError):
    """A plugin cannot be loaded, is misdeclared, or failed in one of its hooks."""

    exit_code = ExitCode.BUILD


class ConversionError(CchcError):
    """Pandoc or typst failed, or an output file could not be written."""

    exit_code = ExitCode.BUILD


class MachineFailure(CchcError):
    """A tool failed for a reason of this machine (memory, a signal, a time limit), not of
    the input: never recorded as a department's error, never cached."""

    exit_code = ExitCode.BUILD


_MACHINE_SIGNS = ("out of memory", "heap exhausted", "cannot allocate memory", "timeout",
                  "timed out", "resource exhausted", "killed")  # fmt: skip


def check_machine(returncode: int, stderr: bytes | str, tool: str) -> None:
    """Raise :class:`MachineFailure` when a tool's failure is the machine's (killed by a
    signal, out of memory), so that the input is not blamed for it."""
    text = stderr.decode("utf-8", "replace") if isinstance(stderr, bytes) else stderr
    if returncode < 0 or any(sign in text.lower() for sign in _MACHINE_SIGNS):
        why = f"bị dừng bởi tín hiệu {-returncode}" if returncode < 0 else "hết bộ nhớ hoặc quá giờ"
        raise MachineFailure(
            f"{tool} {why} (mã {returncode}); đây là lỗi của máy, không phải của bài nộp.",
            "Đóng bớt chương trình đang chạy hoặc chờ máy rảnh rồi dựng lại.",
        )


def machine_os_error(exc: OSError, tool: str) -> MachineFailure:
    """A tool that could not even start (no memory to fork, too many processes)."""
    return MachineFailure(
        f"Không chạy được {tool}: {describe_os_error(exc)}; đây là lỗi của máy, không phải "
        "của bài nộp.",
        "Đóng bớt chương trình đang chạy hoặc chờ máy rảnh rồi dựng lại.",
    )


class ValidationFailed(CchcError):
    """The submissions hold findings of severity error."""

    exit_code = ExitCode.VALIDATION


_OS_REASONS = {
    "ENOSPC": "ổ đĩa đã đầy",
    "EDQUOT": "đã hết hạn mức dung lượng",
    "EACCES": "không có quyền ghi",
    "EPERM": "không được phép ghi",
    "EROFS": "ổ đĩa chỉ cho đọc",
    "EEXIST": "đã có một tệp trùng tên (không phải thư mục)",
    "ENOTDIR": "một phần của đường dẫn là tệp, không phải thư mục",
    "EISDIR": "đường dẫn là một thư mục",
    "ENOENT": "không tìm thấy đường dẫn",
    "ENAMETOOLONG": "tên tệp quá dài",
    "EIO": "lỗi đọc ghi của thiết bị",
    "EBUSY": "tệp đang được chương trình khác dùng",
}


def describe_os_error(exc: OSError) -> str:
    """Why a file operation failed, in Vietnamese (the system's own text is English)."""
    import errno

    name = errno.errorcode.get(exc.errno or -1, "")
    reason = _OS_REASONS.get(name)
    if reason is None:
        return f"lỗi hệ thống {name or type(exc).__name__}"
    return f"{reason} ({name})"


class LimitExceeded(ConversionError):
    """A converter ran out of its time or memory limit: the machine's limit, not the
    department's mistake, so it is never cached as a finding of the submission."""
