"""The blind split's adapter (bench/evaluation/blind.py): blind job attributes are mapped onto
the golden runner's words, the file loads as split ``blind``, and a mapped job lands in the
scheduler's store with the mapped state. No model; the cases' requests are not looked at."""

from __future__ import annotations

from typing import Any

import pytest

from bench.evaluation.blind import BLIND_PATH, adapt_case
from bench.evaluation.golden import Case, GoldenRunner, load_cases


def _job_case(status: str, every: str | None) -> dict[str, Any]:
    return {
        "id": "adapter-1", "split": "blind", "domain": "scheduler", "categories": ["plain"],
        "request": "what is on my list", "expect": {"kind": "no_action"},
        "context": {"now": "2026-12-01T10:00:00+01:00", "tz": "Europe/Berlin", "contacts": [],
                    "entities": [{"id": "job:7", "type": "job", "label": "water plants",
                                  "scope": "background", "ordinal": None,
                                  "provenance": {"trusted": True, "source": "user"},
                                  "attributes": {"kind": "reminder", "text": "water plants",
                                                 "next_run": "2026-12-02T08:00:00+01:00",
                                                 "every": every, "status": status}}]}}


def test_job_attributes_are_renamed_and_status_mapped() -> None:
    attrs = adapt_case(_job_case("scheduled", "FREQ=DAILY"))["context"]["entities"][0][
        "attributes"]
    assert attrs == {"kind": "reminder", "text": "water plants",
                     "next": "2026-12-02T08:00:00+01:00", "rule": "FREQ=DAILY",
                     "state": "active"}
    fired = adapt_case(_job_case("fired", None))["context"]["entities"][0]["attributes"]
    assert fired["state"] == "done" and fired["rule"] is None


def test_runner_format_passes_unchanged() -> None:
    raw = _job_case("scheduled", None)
    once = adapt_case(raw)
    assert adapt_case(once) == once


def test_unknown_status_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match=r"adapter-1.*'paused'.*expected one of"):
        adapt_case(_job_case("paused", None))


def test_blind_file_loads_as_blind_split() -> None:
    cases = load_cases(BLIND_PATH, split="blind")
    assert len(cases) >= 150
    assert {c.split for c in cases} == {"blind"}
    jobs = [e for c in cases for e in c.context.entities if e.type == "job"]
    assert jobs and all({"next", "rule", "state"} <= set(e.attributes) for e in jobs)


def test_dev_split_holds_the_old_test_labels_too() -> None:
    dev = load_cases(split="dev")
    assert {c.split for c in dev} == {"dev", "test"}
    assert len(dev) == len(load_cases(split="old-dev")) + len(load_cases(split="old-test"))
    with pytest.raises(ValueError, match="unknown split"):
        load_cases(split="tset")


def test_mapped_job_is_stored_with_its_state() -> None:
    case = Case.model_validate(adapt_case(_job_case("cancelled", "FREQ=WEEKLY;BYDAY=MO")))
    with GoldenRunner(model="none") as runner:
        rt, _session = runner.build(case)
        try:
            store = rt.loaded.plugins["scheduler"].store  # type: ignore[attr-defined]
            (job,) = store.jobs(("active", "done", "cancelled"))
            assert (job.id, job.state, job.rule) == ("job:7", "cancelled",
                                                      "FREQ=WEEKLY;BYDAY=MO")
        finally:
            rt.close()
