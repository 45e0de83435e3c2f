"""The forked worker's progress messages (verify.deciding.isolation): they travel on a pipe of
their own, read by the parent now and then, and none is lost on the way to ``progress`` or to the
"while ..." of a timeout or a death."""

from __future__ import annotations

import os
import time

from verify.deciding import isolation
from verify.deciding.isolation import run_isolated


def test_every_message_reaches_progress_in_order_before_the_answer() -> None:
    seen: list[str] = []

    def work(report: isolation.Report) -> int:
        for k in range(50):
            report(f"step {k}")
        return 7

    outcome = run_isolated(work, timeout=30, progress=seen.append)
    assert outcome.status == "done" and outcome.value == 7
    assert seen == [f"step {k}" for k in range(50)]
    assert outcome.last == "step 49"


def test_a_timeout_names_the_last_message_written() -> None:
    def work(report: isolation.Report) -> None:
        report("first")
        report("sleeping in the second phase")
        time.sleep(30)

    outcome = run_isolated(work, timeout=0.5)
    assert outcome.status == "timeout"
    assert outcome.last == "sleeping in the second phase"


def test_a_death_right_after_a_message_still_names_it() -> None:
    # The worker is gone before the parent reads anything: the pipe keeps what it wrote.
    def work(report: isolation.Report) -> None:
        report("about to die")
        os._exit(3)

    outcome = run_isolated(work, timeout=30)
    assert outcome.status == "died" and outcome.exitcode == 3
    assert outcome.last == "about to die"


def test_a_message_is_one_line_of_bounded_length() -> None:
    seen: list[str] = []

    def work(report: isolation.Report) -> None:
        report("two\nlines")
        report("x" * 5000)

    run_isolated(work, timeout=30, progress=seen.append)
    assert seen == ["two lines", "x" * 1000]


def test_a_flood_of_messages_never_blocks_the_worker() -> None:
    # Far more than a pipe holds (64 KB) between two reads of the parent: the worker drops what
    # does not fit instead of waiting, and answers.
    def work(report: isolation.Report) -> str:
        for k in range(20000):
            report(f"message number {k} " + "." * 40)
        return "answered"

    seen: list[str] = []
    start = time.perf_counter()
    outcome = run_isolated(work, timeout=30, progress=seen.append)
    assert outcome.status == "done" and outcome.value == "answered"
    assert time.perf_counter() - start < 10
    assert 0 < len(seen) <= 20000
    assert seen[0].startswith("message number 0 ")
