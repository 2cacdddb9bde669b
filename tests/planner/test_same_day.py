"""A new hour for a reminder keeps the reminder's own day (assistant/planner/same_day.py).
Tier 0 (the 'move {job} to {when}' template), no model; a real scheduler store."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from assistant.planner.same_day import time_of_day_only
from assistant.runtime import Runtime
from assistant.session import Session
from tests.planner.conftest import NOW

TZ = ZoneInfo("Europe/Berlin")
IN_THREE_DAYS = (NOW + timedelta(days=3)).replace(hour=8, minute=0)


def _with_job(runtime: Runtime) -> Session:
    from plugins.scheduler.store import Job, to_ms

    now_ms = to_ms(NOW)
    runtime.loaded.plugins["scheduler"].store.add(Job(  # type: ignore[attr-defined]
        id="job:gym", kind="reminder", text="gym bag", plan=None, rule=None,
        anchor=to_ms(IN_THREE_DAYS), tz="Europe/Berlin", next_fire=to_ms(IN_THREE_DAYS),
        state="active", created=now_ms, updated=now_ms))
    runtime.model_factories = {1: lambda: None, 2: lambda: None}
    return Session(runtime)


def _when(session: Session, request: str) -> datetime:
    plan = session.propose(request).plan
    assert [s.action for s in plan.steps] == ["reschedule_job"], plan
    return datetime.fromisoformat(plan.steps[0].args["when"])


def test_an_hour_alone_keeps_the_reminders_day(runtime: Runtime) -> None:
    when = _when(_with_job(runtime), "move the gym bag reminder to 6:45pm")
    assert when == IN_THREE_DAYS.replace(hour=18, minute=45)


def test_a_day_the_request_names_still_wins(runtime: Runtime) -> None:
    when = _when(_with_job(runtime), "move the gym bag reminder to tomorrow at 6:45pm")
    assert when == (NOW + timedelta(days=1)).replace(hour=18, minute=45, second=0,
                                                     microsecond=0)


@pytest.mark.parametrize(("phrase", "named_day"), [
    ("5pm", False), ("at 07:10", False), ("noon", False), ("thursday at 5", True),
    ("in 3 hours", True), ("tonight", True), ("the 9th at 10", True)])
def test_only_a_phrase_without_a_day_is_a_time_of_day(phrase: str, named_day: bool) -> None:
    assert (time_of_day_only(phrase, TZ) is None) is named_day


def test_a_new_day_at_the_same_time_keeps_the_reminders_clock_time(runtime: Runtime) -> None:
    """"to saturday, same time": the reminder's own 08:00 on Saturday, not the parser's
    default hour for a day said alone."""
    from assistant.planner.same_day import at_its_own_time

    saturday = datetime(2026, 11, 28, 9, 0, tzinfo=TZ)
    assert at_its_own_time("push it to saturday same time", saturday, IN_THREE_DAYS, NOW,
                           TZ) == datetime(2026, 11, 28, 8, 0, tzinfo=TZ)
    assert at_its_own_time("push it to saturday", saturday, IN_THREE_DAYS, NOW, TZ) is None
    when = _when(_with_job(runtime), "move the gym bag reminder to saturday, same time")
    assert when == datetime(2026, 11, 28, 8, 0, tzinfo=TZ)
