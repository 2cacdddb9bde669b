"""An optional value the model wrote that is not in the request is dropped (left to the
default), unless the request says what belongs there: the one allowed value it names as a
word, or a known person whose name it says (the model wrote their full name)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo

import pytest

from actions import ActionResult, ActionSpec, Entity, Provenance, Step
from actions.entities import Scope
from actions.plan import ValueSource
from assistant.context import EntityTable
from assistant.planner.slots import SlotFiller

TZ = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 24, 10, 15, tzinfo=TZ)


def pan(ctx: object, side: Literal["left", "right", "far left"] = "left") -> ActionResult:
    """Pan the camera."""
    raise NotImplementedError


def find_notes(ctx: object, author: str = "", tag: str = "") -> ActionResult:
    """List notes, optionally filtered.

    Args:
        author: only notes by this person (contact id, name or address)
        tag: only notes with this tag
    """
    raise NotImplementedError


SPECS = {s.name: s for s in (ActionSpec.from_function(pan),  # type: ignore[arg-type]
                             ActionSpec.from_function(find_notes))}  # type: ignore[arg-type]


def model_step(action: str, **args: str) -> Step:
    model = Provenance(trusted=True, source="model")
    return Step(action=action, args=args,
                sources={k: ValueSource(kind="model", text=v, provenance=model)
                         for k, v in args.items()})


def people() -> EntityTable:
    table = EntityTable()
    table.publish([Entity(id="contact:nina-ross", type="contact", label="Nina Ross",
                          attributes={"email": "nina@ross.example"},
                          provenance=Provenance.user(), scope=Scope.BACKGROUND)])
    return table


@pytest.mark.parametrize(("request_text", "model_value", "expected"), [
    ("swing the view right round please", "left", "right"),
    ("pan all the way to the far left", "right", "far left"),
    ("pan a little", "right", None),  # says none: the model's value is made up
    ("pan left, no, right", "far left", None),  # says two: not decided by code
])
def test_the_allowed_value_the_request_names_replaces_the_models(
        request_text: str, model_value: str, expected: str | None) -> None:
    filler = SlotFiller(table=EntityTable(), now=NOW, tz=TZ, request=request_text)
    filled, question = filler.fill([model_step("pan", side=model_value)], SPECS)
    assert question is None
    assert filled[0].args.get("side") == expected


def test_a_known_persons_full_name_is_kept_when_the_request_says_their_name() -> None:
    filler = SlotFiller(table=people(), now=NOW, tz=TZ, request="any notes from nina?")
    filled, question = filler.fill([model_step("find_notes", author="Nina Ross")], SPECS)
    assert question is None and filled[0].args["author"] == "Nina Ross"
    made_up = SlotFiller(table=people(), now=NOW, tz=TZ, request="any notes from yesterday?")
    filled, _ = made_up.fill([model_step("find_notes", author="Nina Ross")], SPECS)
    assert "author" not in filled[0].args
    tagged = SlotFiller(table=people(), now=NOW, tz=TZ, request="any notes from nina?")
    filled, _ = tagged.fill([model_step("find_notes", tag="Nina Ross")], SPECS)
    assert filled[0].args["tag"] == "Nina Ross"  # the person it names, in any string slot
