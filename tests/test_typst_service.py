"""The typst workers: one process compiles PDF after PDF, as a one-file compilation would."""

from __future__ import annotations

import subprocess
import sys

import pytest

from cchc_pipeline.errors import ConversionError, LimitExceeded
from cchc_pipeline.intake.limits import Limits
from cchc_pipeline.publish.formats import pdf

SOURCE = '#set text(lang: "vi")\n= Báo cáo {n}\n\nCải cách hành chính giai đoạn 2011 - 2020.\n'


def _one_shot(typ, out, root):
    """typst.compile in a fresh interpreter: what each PDF cost before the workers."""
    code = (
        "import datetime as dt, sys, typst; typst.compile(sys.argv[1], output=sys.argv[2], "
        "root=sys.argv[3], timestamp=dt.datetime.fromtimestamp(0, dt.timezone.utc))"
    )
    subprocess.run([sys.executable, "-c", code, str(typ), str(out), str(root)], check=True)


def test_a_worker_compiles_many_pdfs_each_as_a_fresh_process_would(tmp_path):
    pdf.WORKERS.stop()
    for n in range(3):
        typ = tmp_path / f"doc{n}.typ"
        typ.write_text(SOURCE.format(n=n), encoding="utf-8")
        pdf.compile_typst(typ, tmp_path / f"doc{n}.pdf", tmp_path, 0, Limits())
        _one_shot(typ, tmp_path / f"alone{n}.pdf", tmp_path)
        assert (tmp_path / f"doc{n}.pdf").read_bytes() == (tmp_path / f"alone{n}.pdf").read_bytes()
    idle = pdf.WORKERS._idle
    assert idle is not None and idle.jobs == 3  # one process did all three


def test_a_typst_error_leaves_the_worker_usable(tmp_path):
    pdf.WORKERS.stop()
    bad = tmp_path / "bad.typ"
    bad.write_text("= Mục\n\n#khong_co_ham()\n", encoding="utf-8")
    with pytest.raises(ConversionError, match=r"typst thất bại.*khong_co_ham"):
        pdf.compile_typst(bad, tmp_path / "bad.pdf", tmp_path, 0, Limits())
    good = tmp_path / "good.typ"
    good.write_text(SOURCE.format(n=1), encoding="utf-8")
    pdf.compile_typst(good, tmp_path / "good.pdf", tmp_path, 0, Limits())
    assert (tmp_path / "good.pdf").read_bytes().startswith(b"%PDF")


def test_past_its_time_limit_a_worker_is_killed_and_replaced(tmp_path):
    pdf.WORKERS.stop()
    slow = tmp_path / "slow.typ"
    slow.write_text("#for i in range(30000) { for j in range(30000) { } }\n", encoding="utf-8")
    with pytest.raises(LimitExceeded, match="quá giới hạn thời gian 2 giây"):
        pdf.compile_typst(slow, tmp_path / "slow.pdf", tmp_path, 0, Limits(typst_seconds=2))
    assert not pdf.WORKERS._idle  # the killed one is not kept
    good = tmp_path / "good.typ"
    good.write_text(SOURCE.format(n=2), encoding="utf-8")
    pdf.compile_typst(good, tmp_path / "good.pdf", tmp_path, 0, Limits())
    assert (tmp_path / "good.pdf").read_bytes().startswith(b"%PDF")


def test_a_worker_that_ended_while_idle_is_replaced(tmp_path):
    pdf.WORKERS.stop()
    typ = tmp_path / "doc.typ"
    typ.write_text(SOURCE.format(n=3), encoding="utf-8")
    pdf.compile_typst(typ, tmp_path / "a.pdf", tmp_path, 0, Limits())
    worker = pdf.WORKERS._idle
    worker.process.stdin.close()  # as when its idle time ran out: it ends with status 0
    worker.process.wait(timeout=10)
    pdf.compile_typst(typ, tmp_path / "b.pdf", tmp_path, 0, Limits())
    assert (tmp_path / "b.pdf").read_bytes() == (tmp_path / "a.pdf").read_bytes()


def test_out_of_memory_in_a_reused_worker_is_tried_again_in_a_fresh_one(tmp_path, monkeypatch):
    """What earlier PDFs left in a worker must not fail a PDF that a fresh worker (as in
    ``cchc validate``'s check) compiles."""
    pdf.WORKERS.stop()
    typ = tmp_path / "doc.typ"
    typ.write_text(SOURCE.format(n=4), encoding="utf-8")
    pdf.compile_typst(typ, tmp_path / "a.pdf", tmp_path, 0, Limits())
    ask = pdf._Worker.ask

    def full_when_reused(worker, request, seconds):
        if worker.jobs > 0:  # as if what it kept left no room
            worker.jobs += 1
            return b'{"error": "MemoryError"}\n'
        return ask(worker, request, seconds)

    monkeypatch.setattr(pdf._Worker, "ask", full_when_reused)
    pdf.compile_typst(typ, tmp_path / "b.pdf", tmp_path, 0, Limits())
    assert (tmp_path / "b.pdf").read_bytes() == (tmp_path / "a.pdf").read_bytes()
