"""A recipient the model chose that the request does not name is replaced by the one person
the request names ("email my accountant …" with the accountant a contact's relation), unless
the request names several, names that person inside the message, or a pronoun may mean
someone talked of earlier."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from actions import ActionSpec, Provenance, Step
from actions.entities import Entity, Scope
from actions.plan import ValueSource
from assistant.context import EntityTable
from assistant.planner.slots import SlotFiller

TZ = ZoneInfo("America/Chicago")
NOW = datetime(2027, 3, 2, 14, 0, tzinfo=TZ)


def _contact(slug: str, name: str, relation: str = "") -> Entity:
    address = f"{slug}@people.example"
    return Entity(id=f"contact:{slug}", type="contact", label=name, scope=Scope.BACKGROUND,
                  attributes={"email": address, "emails": [address], "nicknames": [],
                              "relation": relation})


PEOPLE = [_contact("odile", "Odile Marchetti", "accountant"), _contact("perrin", "Perrin Vass"),
          _contact("quill", "Quill Adebayo", "neighbour")]


@pytest.fixture(scope="module")
def specs(live_specs: dict[str, ActionSpec]) -> dict[str, ActionSpec]:
    return live_specs


def _send(request: str, to: str, body: str, specs: dict[str, ActionSpec],
          talked_of: Entity | None = None) -> Step:
    table = EntityTable()
    table.set_background(PEOPLE)
    if talked_of is not None:
        table.publish([talked_of.model_copy(update={"scope": Scope.CONVERSATION})])
    model = Provenance(trusted=True, source="model")
    args = {"to": to, "body": body}
    step = Step(action="send_email", args=args,
                sources={k: ValueSource(kind="model", text=v, provenance=model)
                         for k, v in args.items()})
    filled, question = SlotFiller(table=table, now=NOW, tz=TZ, request=request).fill(
        [step], specs)
    assert question is None
    return filled[0]


def test_the_person_the_request_names_by_relation_replaces_the_models_pick(
        specs: dict[str, ActionSpec]) -> None:
    step = _send("email my accountant asking if they got the receipts", "contact:perrin",
                 "Did you get the receipts?", specs)
    assert step.args["to"] == "contact:odile"
    assert step.sources["to"].provenance.trusted


@pytest.mark.parametrize(("request_text", "body"), [
    ("email my accountant and my neighbour about the fence", "About the fence"),
    ("email my accountant that Quill paid", "Quill paid"),
    ("send a quick note that Quill paid the deposit", "Quill paid the deposit"),
])
def test_no_replacement_when_it_is_not_clear_whom(request_text: str, body: str,
                                                  specs: dict[str, ActionSpec]) -> None:
    step = _send(request_text, "contact:perrin", body, specs)
    assert step.args["to"] == "contact:perrin"
    assert not step.sources["to"].provenance.trusted  # shown as the model's choice


def test_a_pronoun_may_mean_someone_talked_of(specs: dict[str, ActionSpec]) -> None:
    step = _send("tell her my accountant called", "contact:perrin", "your accountant called",
                 specs, talked_of=PEOPLE[1])
    assert step.args["to"] == "contact:perrin"
