"""Slot filling of template plans: "it" in a later step of one request, fixed template values
typed, a page named in a text slot."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from actions import ActionResult, ActionSpec, Entity, EntityRef, LongText, Provenance, Step
from actions.plan import ValueSource
from assistant.context import EntityTable
from assistant.planner.slots import SlotFiller

TZ = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 24, 10, 15, tzinfo=TZ)


def read_mail(ctx: object, email: EntityRef("email")) -> ActionResult:  # type: ignore[valid-type]
    """Read an email."""
    raise NotImplementedError


def forward_mail(ctx: object, email: EntityRef("email"),  # type: ignore[valid-type]
                 to: str) -> ActionResult:
    """Forward an email."""
    raise NotImplementedError


def list_mail(ctx: object, unread: bool = False, limit: int = 10) -> ActionResult:
    """List emails."""
    raise NotImplementedError


def note(ctx: object, body: LongText) -> ActionResult:
    """Write a note."""
    raise NotImplementedError


SPECS = {s.name: s for s in [
    ActionSpec.from_function(read_mail, consumes=["email"]),  # type: ignore[arg-type]
    ActionSpec.from_function(forward_mail, consumes=["email"]),  # type: ignore[arg-type]
    ActionSpec.from_function(list_mail, produces=["email"]),  # type: ignore[arg-type]
    ActionSpec.from_function(note),  # type: ignore[arg-type]
]}


def mail(n: int, sender: str) -> Entity:
    return Entity(id=f"email:{n}", type="email", label=f"From {sender}", ordinal=n,
                  provenance=Provenance.untrusted(f"email from {sender}"),
                  attributes={"from": sender})


@pytest.fixture
def table() -> EntityTable:
    t = EntityTable()
    t.publish([mail(1, "Bob"), mail(2, "Alice")])
    return t


def template_step(action: str, **slots: str) -> Step:
    """A step as the template tier proposes it: the slot text, as the user's words."""
    return Step(action=action, args=dict(slots),
                sources={k: ValueSource(kind="user_text", text=v) for k, v in slots.items()})


def fill(table: EntityTable, request: str, *steps: Step) -> list[Step]:
    filler = SlotFiller(table=table, now=NOW, tz=TZ, request=request)
    filled, question = filler.fill(list(steps), SPECS)
    assert question is None, question.question
    return filled


@pytest.mark.parametrize("pronoun", ["it", "that", "this"])
def test_it_in_a_later_step_is_the_entity_the_earlier_step_acts_on(
        table: EntityTable, pronoun: str) -> None:
    first, second = fill(table, f"read the second email and forward {pronoun} to Dave",
                         template_step("read_mail", email="the second email"),
                         template_step("forward_mail", email=pronoun, to="Dave"))
    assert first.args["email"] == "email:2"
    assert second.args["email"] == "email:2"
    source = second.sources["email"]
    assert source.kind == "entity" and source.entity_id == "email:2"
    assert source.text == pronoun
    # The same provenance as the earlier step's value: an email is the sender's content.
    assert source.provenance == first.sources["email"].provenance
    assert not source.provenance.trusted
    assert source.describe().startswith(f"from '{pronoun}' = the email of step 1")


def test_it_copies_a_deferred_reference_of_the_earlier_step(table: EntityTable) -> None:
    steps = fill(table, "list my emails and read the first one and forward it to Dave",
                 template_step("list_mail"),
                 template_step("read_mail", email="the first one"),
                 template_step("forward_mail", email="it", to="Dave"))
    ref = {"$step": 0, "mention": "the first one", "type": "email"}
    assert steps[1].args["email"] == ref and steps[2].args["email"] == ref
    assert steps[2].sources["email"].kind == "step_output"


def test_it_for_what_an_earlier_step_produces_is_still_deferred(table: EntityTable) -> None:
    _, second = fill(table, "list my emails and read it",
                     template_step("list_mail"), template_step("read_mail", email="it"))
    assert second.args["email"] == {"$step": 0, "mention": "it", "type": "email"}


def test_a_template_fixed_value_gets_its_parameter_type(table: EntityTable) -> None:
    (step,) = fill(table, "show my unread emails", template_step("list_mail", unread="true"))
    assert step.args == {"unread": True}
    assert step.sources["unread"].note == "set by the sentence template"
    (step,) = fill(table, "show 5 emails", template_step("list_mail", limit="5"))
    assert step.args == {"limit": 5} and step.sources["limit"].text == "5"


def test_a_page_named_in_a_text_slot_is_its_address(table: EntityTable) -> None:
    table.publish([Entity(id="page", type="page", label="News", ordinal=1,
                          provenance=Provenance.untrusted("page https://news.example/"),
                          attributes={"url": "https://news.example/"})])
    (step,) = fill(table, "note this page", template_step("note", body="this page"))
    assert step.args == {"body": "https://news.example/"}
    assert step.sources["body"].entity_id == "page"
    assert not step.sources["body"].provenance.trusted
