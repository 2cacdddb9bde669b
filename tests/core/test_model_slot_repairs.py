"""Repairs of what the model wrote into time slots: a copied part of a longer time phrase
("the 3rd" of "on the 3rd at 10") is replaced by the whole phrase from the request."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from actions import ActionResult, ActionSpec, Provenance, Recurrence, Step, When
from actions.plan import ValueSource
from assistant.context import EntityTable
from assistant.planner.slots import SlotFiller

TZ = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 24, 10, 15, tzinfo=TZ)


def remind(ctx: object, text: str, when: When) -> ActionResult:  # type: ignore[valid-type]
    """Remind the user."""
    raise NotImplementedError


SPECS = {"remind": ActionSpec.from_function(remind)}  # type: ignore[arg-type]


def model_step(text: str, when: str) -> Step:
    model = Provenance(trusted=True, source="model")
    return Step(action="remind", args={"text": text, "when": when},
                sources={k: ValueSource(kind="model", text=v, provenance=model)
                         for k, v in (("text", text), ("when", when))})


@pytest.mark.parametrize(("request_text", "copied", "expected"), [
    ("remind me about the vet on the 3rd at 10am", "the 3rd", datetime(2026, 12, 3, 10, 0)),
    ("remind me to prepare the week sunday at 9pm", "sunday", datetime(2026, 11, 29, 21, 0)),
    ("remind me to stretch tomorrow at 8am", "2026-11-25T09:00:00+01:00",
     datetime(2026, 11, 25, 8, 0)),
])
def test_a_partial_or_computed_time_is_re_read_from_the_request(
        request_text: str, copied: str, expected: datetime) -> None:
    filler = SlotFiller(table=EntityTable(), now=NOW, tz=TZ, request=request_text)
    filled, question = filler.fill([model_step("x", copied)], SPECS)
    assert question is None
    assert datetime.fromisoformat(filled[0].args["when"]) == expected.replace(tzinfo=TZ)


def test_a_whole_phrase_copied_well_is_kept() -> None:
    filler = SlotFiller(table=EntityTable(), now=NOW, tz=TZ,
                        request="remind me to call mum in 2 hours")
    filled, _ = filler.fill([model_step("call mum", "in 2 hours")], SPECS)
    assert datetime.fromisoformat(filled[0].args["when"]) == datetime(2026, 11, 24, 12, 15,
                                                                       tzinfo=TZ)


def remind_every(ctx: object, text: str, when: When,  # type: ignore[valid-type]
                 every: Recurrence | None = None) -> ActionResult:  # type: ignore[valid-type]
    """Remind the user, maybe again and again."""
    raise NotImplementedError


def test_a_partial_recurrence_is_re_read_from_the_request() -> None:
    specs = {"remind_every": ActionSpec.from_function(remind_every)}  # type: ignore[arg-type]
    model = Provenance(trusted=True, source="model")
    args = {"text": "call my parents", "when": "every weekend", "every": "every weekend"}
    step = Step(action="remind_every", args=args,
                sources={k: ValueSource(kind="model", text=v, provenance=model)
                         for k, v in args.items()})
    filler = SlotFiller(table=EntityTable(), now=NOW, tz=TZ,
                        request="please nudge me every weekend at 10am to call my parents")
    filled, question = filler.fill([step], specs)
    assert question is None
    assert "BYHOUR=10" in filled[0].args["every"]


@pytest.mark.parametrize("request_text", ["remind me", "remind me to water the plants"])
def test_a_time_the_request_never_says_is_asked_not_guessed(request_text: str) -> None:
    filler = SlotFiller(table=EntityTable(), now=NOW, tz=TZ, request=request_text)
    _, question = filler.fill([model_step("water the plants", "2026-11-25T09:00:00+01:00")],
                              SPECS)
    assert question is not None and question.param == "when" and question.step == 0
    assert "You did not say a time" in question.question


def test_an_amount_before_nothing_moves_the_requests_other_time() -> None:
    filler = SlotFiller(table=EntityTable(), now=NOW, tz=TZ,
                        request="the dentist is on friday at 2:30pm, remind me an hour before")
    filled, question = filler.fill([model_step("dentist", "friday at 2:30pm")], SPECS)
    assert question is None
    assert datetime.fromisoformat(filled[0].args["when"]) == datetime(2026, 11, 27, 13, 30,
                                                                       tzinfo=TZ)


def test_an_amount_before_a_thing_without_a_time_is_asked() -> None:
    filler = SlotFiller(table=EntityTable(), now=NOW, tz=TZ,
                        request="remind me 15 minutes before the game tonight")
    _, question = filler.fill([model_step("the game", "tonight")], SPECS)
    assert question is not None and question.param == "when"
    assert "what time" in question.question


def test_a_pronoun_copied_with_its_addressee_is_the_earlier_steps_output() -> None:
    from actions.plan import Provenance

    def send(ctx: object, to: str, body: str) -> ActionResult:
        """Send a message."""
        raise NotImplementedError

    def look(ctx: object, query: str) -> ActionResult:
        """Look something up."""
        raise NotImplementedError

    specs = {"send": ActionSpec.from_function(send),  # type: ignore[arg-type]
             "look": ActionSpec.from_function(look)}  # type: ignore[arg-type]
    model = Provenance(trusted=True, source="model")
    steps = [Step(action="look", args={"query": "ferry times"},
                  sources={"query": ValueSource(kind="model", text="ferry times",
                                                provenance=model)}),
             Step(action="send", args={"to": "ana@x.example", "body": "it to Ana"},
                  sources={k: ValueSource(kind="model", text=v, provenance=model)
                           for k, v in (("to", "ana@x.example"), ("body", "it to Ana"))})]
    filler = SlotFiller(table=EntityTable(), now=NOW, tz=TZ,
                        request="look up the ferry times and send it to ana@x.example")
    filled, question = filler.fill(steps, specs)
    assert question is None and filled[1].args["body"] == {"$step": 0}
