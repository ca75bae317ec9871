"""Interrupt bookkeeping without a process to signal (the e2e side: tests/e2e/test_interrupts.py)."""

from __future__ import annotations

import signal

import pytest
from test_verdicts_rules import Report

from harness.plugin import signals
from harness.report.results import PROP_INTERRUPTED, ResultsCollector
from harness.report.results import TestRecord as Record


@pytest.fixture(autouse=True)
def _no_signal_yet():
    signals.forget()
    yield
    signals.forget()


def test_a_test_that_began_but_never_reported_is_listed_interrupted_under_its_items():
    collector = ResultsCollector()
    collector.started("suites/x.py::t", ["wallet-reward"])
    (test,) = [record.to_dict() for record in collector.records.values()]
    assert (test["outcome"], test["checklist"]) == ("interrupted", ["wallet-reward"])
    assert collector.counts()["interrupted"] == 1


def test_a_phase_marked_interrupted_outranks_a_failure():
    record = Record("suites/x.py::t", checklist=["health"])
    message = "interrupted: the run was told to stop (signal 2) while this test ran"
    turned = Report("call", "skipped", ("x.py", 1, message))  # a failure, as the plugin turns it
    turned.user_properties = [(PROP_INTERRUPTED, message)]
    for report in (Report("setup"), turned, Report("teardown")):
        record.absorb(report)  # type: ignore[arg-type]
    assert record.to_dict()["outcome"] == "interrupted"
    assert record.to_dict()["message"] == message


def test_during_cleanup_the_first_signal_waits_and_a_second_one_is_raised():
    told: list[int] = []
    signals._on_held[:] = [told.append]  # not install(): this process's Ctrl-C stays pytest's
    with signals.holding():
        signals._interrupt(signal.SIGINT, None)  # held: the cleanup goes on
        with pytest.raises(KeyboardInterrupt):
            signals._interrupt(signal.SIGINT, None)  # the person insists
    assert told == [signal.SIGINT]
    assert signals.received() == signal.SIGINT
    with pytest.raises(KeyboardInterrupt):  # outside a cleanup: raised at once
        signals._interrupt(signal.SIGTERM, None)
