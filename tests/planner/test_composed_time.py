"""A time phrase the filler puts together from two spans of the request ("an hour before" and
"dec 9 at 2:30pm") is the user's, shown as such (not as the model's wording)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from actions import ActionResult, ActionSpec, Step
from actions.plan import ValueSource
from actions.types import When
from assistant.context import EntityTable
from assistant.planner.slots import SlotFiller

TZ = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 24, 10, 15, tzinfo=TZ)


def ring(ctx: object, text: str, when: When) -> ActionResult:
    """Ring a bell at a time."""
    raise NotImplementedError


SPECS = {"ring": ActionSpec.from_function(ring)}  # type: ignore[arg-type]


def _filled(request: str, when: str) -> Step:
    step = Step(action="ring", args={"text": "bell", "when": when},
                sources={"when": ValueSource(kind="model", text=when)})
    filler = SlotFiller(table=EntityTable(), now=NOW, tz=TZ, request=request)
    steps, question = filler.fill([step], SPECS)
    assert question is None
    return steps[0]


def test_a_time_put_together_from_the_request_is_the_users() -> None:
    step = _filled("the boat leaves on friday at 4pm, ring an hour before", "an hour before")
    assert datetime.fromisoformat(step.args["when"]) == datetime(2026, 11, 27, 15, 0,
                                                                  tzinfo=TZ)
    source = step.sources["when"]
    assert source.text == "an hour before on friday at 4pm"
    assert source.provenance.trusted

