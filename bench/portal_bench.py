"""The portal's measurements for ``bench/run.py``: a real ``cchc serve`` on 127.0.0.1 and
HTTP sessions that log in and upload the filled Excel form the way a browser does.

- upload to findings: the POST of one filled form until the department's page with its
  findings has arrived (the redirect followed), one session, one value changed each run;
- 20 sessions uploading at once (spread over the six department accounts): every one must
  get its page back, p95 of their times;
- the server process's memory (RSS) while idle, after the load.
Every loop is bounded; the server listens on 127.0.0.1 only and is stopped at the end.
"""

from __future__ import annotations

import concurrent.futures
import http.cookiejar
import io
import math
import re
import socket
import subprocess
import threading
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

PASSWORD = "mat-khau-do-hieu-nang"
DEPARTMENTS = ("stp", "vp", "snv", "stc", "stttt", "skhcn")
SESSIONS = 20


class Session:
    """One browser: cookies, CSRF tokens, multipart uploads."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=120) as reply:
            return reply.read().decode("utf-8")

    def get_bytes(self, path: str) -> bytes:
        with self.opener.open(self.base + path, timeout=120) as reply:
            return reply.read()

    def token(self, path: str) -> str:
        return re.search(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"',
                         self.get(path)).group(1)  # fmt: skip

    def post(self, path: str, fields: dict[str, str], token_from: str | None = None) -> str:
        fields = {"csrf_token": self.token(token_from or path), **fields}
        data = urllib.parse.urlencode(fields).encode()
        with self.opener.open(self.base + path, data=data, timeout=120) as reply:
            return reply.read().decode("utf-8")

    def upload(self, section: str, token: str, content: bytes, name: str) -> str:
        boundary = uuid.uuid4().hex
        body = io.BytesIO()
        body.write(f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n'
                   f"{token}\r\n".encode())  # fmt: skip
        part = (f'--{boundary}\r\nContent-Disposition: form-data; name="files"; '
                f'filename="{name}"\r\nContent-Type: application/octet-stream\r\n\r\n')  # fmt: skip
        body.write(part.encode())
        body.write(content + f"\r\n--{boundary}--\r\n".encode())
        request = urllib.request.Request(
            f"{self.base}/don-vi/{section}/tai-len", data=body.getvalue(),
            headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
        )  # fmt: skip
        with self.opener.open(request, timeout=120) as reply:  # follows the 303 to the page
            return reply.read().decode("utf-8")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _add_account(cchc: list[str], project: Path, name: str, *options: str) -> str:
    out = subprocess.run([*cchc, "users", "add", name, *options], cwd=project, check=True,
                         capture_output=True, text=True).stdout  # fmt: skip
    return re.search(r"Mật khẩu một lần: (\S+)", out).group(1)


def _filled(form: bytes, plugin: str, value: int, sample: Path) -> bytes:
    """The downloaded form with the sample's figures typed in, one cell set to ``value``."""
    import csv

    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(form))
    sheet = book["Số liệu"]
    start = next(r[0].row for r in sheet.iter_rows() if r[0].value == "ma_chi_tieu")
    rows = {r[0].value: r[0].row for r in sheet.iter_rows(min_row=start + 1) if r[0].value}
    years = {c.value: c.column_letter for c in sheet[start] if isinstance(c.value, int)}
    with (sample / "submissions" / plugin / "so-lieu.csv").open(encoding="utf-8") as handle:
        header, *lines = list(csv.reader(handle))
    for line in lines:
        for year, text in zip(header[3:], line[3:], strict=True):
            if text:
                number = float(text.replace(".", "").replace(",", "."))
                sheet[f"{years[int(year)]}{rows[line[0]]}"] = (
                    int(number) if number.is_integer() else number
                )
    first = next(iter(rows))
    sheet[f"{years[max(years)]}{rows[first]}"] = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def measure(cchc: list[str], project: Path, repeat: int, log) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """Walls of the single uploads, of the concurrent ones, and the idle RSS (KiB)."""
    from cchc_pipeline import resources

    one_time = {name: _add_account(cchc, project, name, "--department", name)
                for name in DEPARTMENTS}  # fmt: skip
    port = _free_port()
    errors = (project / "serve.log").open("wb")  # read when something fails
    server = subprocess.Popen([*cchc, "serve", "--port", str(port)], cwd=project,
                              stdout=errors, stderr=errors)  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):  # at most a minute for the server to listen
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                time.sleep(0.2)
        started_kib = _rss_kib(server.pid)
        sessions = []
        forms = {}
        for index in range(SESSIONS):
            name = DEPARTMENTS[index % len(DEPARTMENTS)]
            session = Session(base)
            if index < len(DEPARTMENTS):  # first login: the account's own password
                session.post("/dang-nhap", {"name": name, "password": one_time[name]})
                session.post("/doi-mat-khau", {"current": one_time[name], "new": PASSWORD,
                                               "again": PASSWORD})  # fmt: skip
                forms[name] = session.get_bytes(f"/don-vi/{name}/mau/so-lieu")
            else:
                session.post("/dang-nhap", {"name": name, "password": PASSWORD})
            sessions.append((name, session))
        sample = resources.sample_dir()
        single = []
        name, session = sessions[0]
        for i in range(-1, repeat):  # the first (i = -1) is a warm-up
            content = _filled(forms[name], name, 30 + i + 2, sample)
            token = session.token(f"/don-vi/{name}")
            start = time.perf_counter()
            page = session.upload(name, token, content, "so-lieu.xlsx")
            wall = time.perf_counter() - start
            if "Đã nhận phiên bản" not in page or 'id="trang-thai"' not in page:
                raise RuntimeError("the upload did not come back with its findings")
            if i >= 0:
                single.append(wall)
            log(f"  upload to findings: {wall:.2f} s")
        prepared = []
        for index, (name, session) in enumerate(sessions):
            content = _filled(forms[name], name, 60 + index, sample)
            prepared.append((name, session, session.token(f"/don-vi/{name}"), content))
        barrier = threading.Barrier(SESSIONS)

        def one(item) -> float:  # type: ignore[no-untyped-def]
            name, session, token, content = item
            barrier.wait(timeout=60)
            start = time.perf_counter()
            page = session.upload(name, token, content, "so-lieu.xlsx")
            if "Đã nhận phiên bản" not in page:
                raise RuntimeError(f"a concurrent upload of {name} failed")
            return time.perf_counter() - start

        with concurrent.futures.ThreadPoolExecutor(SESSIONS) as pool:
            together = list(pool.map(one, prepared, timeout=600))
        ranked = sorted(together)
        p95 = ranked[math.ceil(0.95 * len(ranked)) - 1]
        log(
            f"  {SESSIONS} sessions at once: all succeeded, p95 {p95:.2f} s, max {ranked[-1]:.2f} s"
        )
        time.sleep(3)
        idle_kib = _rss_kib(server.pid)
        log(f"  server RSS: {started_kib / 1024:.0f} MiB after start, "
            f"{idle_kib / 1024:.0f} MiB idle after the load")  # fmt: skip
        return {"single": single, "together": together, "p95": p95,
                "idle_kib": idle_kib, "started_kib": started_kib}  # fmt: skip
    except Exception:
        errors.flush()
        log((project / "serve.log").read_text(encoding="utf-8", errors="replace")[-3000:])
        raise
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
