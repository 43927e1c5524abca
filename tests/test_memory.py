"""The memory ledger: conversion steps wait for room, idle workers make way, nothing waits
for ever."""

from __future__ import annotations

import threading

from cchc_pipeline.memory import PANDOC_MB, PANDOC_MORE_MB, Ledger, typst_estimate


def _in_thread(ledger: Ledger, kind: str, mb: int, started: threading.Event) -> threading.Thread:
    def run() -> None:
        with ledger.step(kind, mb):
            started.set()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def test_a_step_that_does_not_fit_waits_for_the_running_one() -> None:
    ledger = Ledger(budget_mb=200)
    started = threading.Event()
    with ledger.step("typst", 150):
        thread = _in_thread(ledger, "pandoc", PANDOC_MB, started)
        assert not started.wait(0.3)  # 150 + 125 > 200: it waits
    assert started.wait(5)  # the typst step ended: it runs
    thread.join(5)


def test_pandocs_side_by_side_share_their_code() -> None:
    ledger = Ledger(budget_mb=PANDOC_MB + PANDOC_MORE_MB)
    started = threading.Event()
    with ledger.step("pandoc", PANDOC_MB):
        thread = _in_thread(ledger, "pandoc", PANDOC_MB, started)
        assert started.wait(5)  # the second counts 40 MB only
    thread.join(5)
    # once the first pandoc ended, the one left counts in full again
    with ledger.step("pandoc", PANDOC_MB):
        late = threading.Event()
        typst = _in_thread(ledger, "typst", PANDOC_MORE_MB + 10, late)
        assert not late.wait(0.3)
    assert late.wait(5)
    typst.join(5)


def test_an_idle_worker_is_stopped_to_make_room() -> None:
    ledger = Ledger(budget_mb=200)
    stopped: list[str] = []
    ledger.hold("idle", 100, lambda: stopped.append("idle"))
    with ledger.step("pandoc", PANDOC_MB):  # 100 + 125 > 200: the idle worker goes
        assert stopped == ["idle"]
    ledger.hold("kept", 100)  # not stoppable: stays, and a step alone still runs
    with ledger.step("typst", 150):
        pass


def test_an_idle_pandoc_counts_as_a_pandoc_and_its_own_step_reuses_it() -> None:
    ledger = Ledger(budget_mb=PANDOC_MB + PANDOC_MORE_MB)
    stopped: list[str] = []
    ledger.hold("pandoc 1", PANDOC_MB, lambda: stopped.append("pandoc 1"), kind="pandoc")
    with ledger.step("pandoc", PANDOC_MB):  # beside the idle one: its code is shared
        assert stopped == []
    ledger.hold("pandoc 2", PANDOC_MB, lambda: stopped.append("pandoc 2"), kind="pandoc")
    with ledger.step("pandoc", PANDOC_MB, reuse="pandoc 1"):  # runs in pandoc 1: not stopped
        assert stopped == []
    assert ledger._used() == PANDOC_MB  # pandoc 1 was taken: only pandoc 2 is kept
    with ledger.step("typst", 100):  # 125 + 100 > 165: the idle pandoc makes way
        assert stopped == ["pandoc 2"]
    assert ledger._used() == 0


def test_a_step_alone_never_waits_however_large() -> None:
    ledger = Ledger(budget_mb=100)
    ledger.hold("charts", 90)  # not stoppable
    started = threading.Event()
    _in_thread(ledger, "typst", 500, started).join(5)
    assert started.is_set()


def test_released_holders_free_their_room() -> None:
    ledger = Ledger(budget_mb=200)
    ledger.hold("charts", 90)
    started = threading.Event()
    with ledger.step("typst", 60):
        thread = _in_thread(ledger, "pandoc", PANDOC_MB, started)
        assert not started.wait(0.3)  # 90 + 60 + 125 > 200
        ledger.release("charts")
        assert started.wait(5)  # 60 + 125 fits
    thread.join(5)


def test_typst_estimate_grows_with_the_source_and_the_worker(tmp_path) -> None:
    small, large = tmp_path / "small.typ", tmp_path / "large.typ"
    small.write_bytes(b"x" * 10_000)
    large.write_bytes(b"x" * 120_000)
    assert typst_estimate(small) < typst_estimate(large)
    assert typst_estimate(small, resident_mb=90) > typst_estimate(small)
    assert typst_estimate(tmp_path / "missing.typ") > 0
