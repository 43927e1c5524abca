"""Office 97-2003 files (and RTF, OpenDocument) made readable: converted to ``.docx`` or
``.xlsx`` by LibreOffice, which is what the readers then read.

Departments still save as ``.doc`` and ``.xls``; asking each of them to save again costs a
phone call per file, so when LibreOffice is installed the coordinator's machine converts them.
A submission is untrusted input, so the conversion runs

- headless, on a copy of the file in a temporary folder (LibreOffice never opens or locks a
  file of the submission folder), with a throw-away profile of its own
  (``-env:UserInstallation``) in which macros are disabled, so no macro of the file runs and
  no setting of the user's LibreOffice is read or changed;
- time-limited (:data:`DEFAULT_TIMEOUT` seconds, ``CCHC_CONVERT_TIMEOUT`` to change it): when
  it runs over, its whole process group is killed.

A converted file is kept in the project's cache under the digest of the original's bytes, so
a rebuild does not convert again. Without LibreOffice the file is refused with a message
saying how to save it as ``.docx``/``.xlsx``; a failed or timed-out conversion is an error
naming the file (:class:`ConversionError`).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from ..cache import Cache, digest
from ..render import vi
from .sniff import Kind

DEFAULT_TIMEOUT = 60.0  # seconds; a 2-page .doc takes 2-5 s, most of it LibreOffice starting
TIMEOUT_ENV = "CCHC_CONVERT_TIMEOUT"
MAX_MEGABYTES = 64  # as a Word narrative: a bigger file is a wrong one, not worth converting
PROGRAMS = ("soffice", "libreoffice")
# LibreOffice's export filters for the formats the readers read
_FILTERS = {Kind.DOCX: "docx:MS Word 2007 XML", Kind.XLSX: "xlsx:Calc MS Excel 2007 XML"}
# Macros off in the throw-away profile: execution disabled, security level "very high"
_PROFILE_SETTINGS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop
 oor:name="DisableMacrosExecution" oor:op="fuse"><value>true</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop
 oor:name="MacroSecurityLevel" oor:op="fuse"><value>3</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Misc"><prop
 oor:name="FirstRun" oor:op="fuse"><value>false</value></prop></item>
</oor:items>
"""


class ConversionError(Exception):
    """A file that could not be made readable: the message and hint name it, in Vietnamese."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


def find_libreoffice() -> str | None:
    """The LibreOffice program on PATH (``soffice`` or ``libreoffice``), or None."""
    for name in PROGRAMS:
        found = shutil.which(name)
        if found:
            return found
    return None


def default_timeout() -> float:
    """The time limit of one conversion: ``CCHC_CONVERT_TIMEOUT`` seconds, else 60."""
    try:
        value = float(os.environ.get(TIMEOUT_ENV, ""))
    except ValueError:
        return DEFAULT_TIMEOUT
    return value if value > 0 else DEFAULT_TIMEOUT


def save_as_hint(target: Kind, *, install: bool = True) -> str:
    """How a clerk saves the file in the format the tool reads (Lưu dưới dạng…); with
    ``install``, also that the coordinator may install LibreOffice instead."""
    if target is Kind.XLSX:
        how = "Mở tệp bằng Excel, chọn Tệp > Lưu dưới dạng (File > Save As), chọn kiểu "
        how += "“Sổ làm việc Excel (*.xlsx)” rồi gửi lại tệp .xlsx"
    else:
        how = "Mở tệp bằng Word, chọn Tệp > Lưu dưới dạng (File > Save As), chọn kiểu "
        how += "“Tài liệu Word (*.docx)” rồi gửi lại tệp .docx"
    if not install:
        return how
    return how + "; hoặc cài LibreOffice trên máy dựng báo cáo để tệp được tự chuyển đổi."


def convert(
    source: Path,
    kind: Kind,
    target: Kind,
    *,
    cache: Cache,
    scratch: Path,
    name: str | None = None,
    timeout: float | None = None,
) -> Path:
    """``source`` (a file of ``kind``) converted to ``target`` (``.docx`` or ``.xlsx``): the path
    of the converted file, named ``name`` (default: the source's stem with the new suffix),
    from the cache when the same bytes were converted before. ``scratch`` holds the result
    when there is no cache. Raises :class:`ConversionError`."""
    name = name or Path(source).stem + target.suffix
    program = find_libreoffice()
    if program is None:
        raise ConversionError(
            f"Tệp {Path(source).name} là {kind.label}; máy này không có LibreOffice để "
            "chuyển đổi nên không đọc được.",
            save_as_hint(target),
        )
    size = Path(source).stat().st_size
    if size > MAX_MEGABYTES * 2**20:
        raise ConversionError(
            f"Tệp {Path(source).name} quá lớn để chuyển đổi "
            f"({vi.number(size / 2**20, 1)} MB; tối đa {MAX_MEGABYTES} MB).",
            "Kiểm tra đã đặt đúng tệp; giảm dung lượng hình ảnh trong tệp rồi lưu lại.",
        )
    data = Path(source).read_bytes()
    binary = Path(program).resolve()
    stat = binary.stat()
    key = digest("office-conversion", data, target.value, name, str(binary),
                 str(stat.st_size), str(stat.st_mtime_ns))  # fmt: skip
    cached = cache.get(key)
    if cached is not None and (cached / name).is_file():
        return cached / name
    with tempfile.TemporaryDirectory(prefix="cchc-office-") as temp:
        converted = _run(program, data, kind, target, Path(temp), Path(source).name, timeout)
        cache.put(key, {name: converted})
        entry = cache.get(key)
        if entry is not None and (entry / name).is_file():
            return entry / name
        kept = Path(tempfile.mkdtemp(prefix="office-", dir=scratch))
        shutil.copyfile(converted, kept / name)
        return kept / name


def _run(
    program: str,
    data: bytes,
    kind: Kind,
    target: Kind,
    temp: Path,
    shown: str,
    timeout: float | None,
) -> Path:
    """One LibreOffice run on a copy of the file: the converted file in ``temp``."""
    inbox, outbox, profile = temp / "in", temp / "out", temp / "profile"
    for folder in (inbox, outbox, profile / "user"):
        folder.mkdir(parents=True)
    (profile / "user" / "registrymodifications.xcu").write_text(_PROFILE_SETTINGS, "utf-8")
    # a plain name: the clerk's file name may hold anything, the copy's never does
    copy = inbox / f"input{kind.suffix}"
    copy.write_bytes(data)
    command = [
        program,
        f"-env:UserInstallation={profile.as_uri()}",
        "--headless",
        "--invisible",
        "--nologo",
        "--nodefault",
        "--norestore",
        "--nolockcheck",
        "--convert-to",
        _FILTERS[target],
        "--outdir",
        str(outbox),
        str(copy),
    ]
    limit = timeout if timeout is not None else default_timeout()
    environment = {**os.environ, "HOME": str(temp), "TMPDIR": str(temp)}
    try:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            cwd=temp,
            env=environment,
            start_new_session=os.name == "posix",  # its own process group, killed as one
        )
    except OSError as exc:
        raise ConversionError(
            f"Không chạy được LibreOffice để chuyển đổi tệp {shown} ({exc.strerror or exc}).",
            save_as_hint(target),
        ) from exc
    try:
        output, _ = process.communicate(timeout=limit)
    except subprocess.TimeoutExpired:
        _kill(process)
        raise ConversionError(
            f"Chuyển đổi tệp {shown} ({kind.label}) bằng LibreOffice quá "
            f"{vi.number(limit)} giây nên đã bị dừng.",
            save_as_hint(target, install=False)
            + f" (hoặc đặt biến môi trường {TIMEOUT_ENV} lớn hơn nếu máy chậm).",
        ) from None
    except BaseException:
        _kill(process)
        raise
    result = outbox / f"input{target.suffix}"
    if process.returncode != 0 or not result.is_file() or result.stat().st_size == 0:
        said = (output or b"").decode("utf-8", "replace").strip().splitlines()[-1:]
        detail = f": {said[0]}" if said else ""
        raise ConversionError(
            f"LibreOffice không chuyển đổi được tệp {shown} ({kind.label}; tệp hỏng hoặc có "
            f"đặt mật khẩu){detail}.",
            save_as_hint(target, install=False) + ".",
        )
    return result


def _kill(process: subprocess.Popen) -> None:
    """Stop LibreOffice and every process it started (its process group on POSIX)."""
    try:
        if os.name == "posix":
            os.killpg(process.pid, signal.SIGKILL)
        else:
            process.kill()
    except (ProcessLookupError, PermissionError):
        pass
    process.wait()
