"""Things on screen named by what they are about: "the budget email", "nadia's email", "reply
to grandpa" (the sender's relation), "open the lentil one" (a link's words). Every describing
word must fit, several fits are a question, and an `open_url` of a described link becomes
`open_link` of it."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from actions import ActionSpec, Provenance, Step
from actions.entities import Entity, Scope
from actions.plan import ValueSource
from assistant.context import EntityTable
from assistant.planner.slots import SlotFiller
from assistant.resolve import match_by_description

TZ = ZoneInfo("Europe/Lisbon")
NOW = datetime(2027, 2, 3, 9, 0, tzinfo=TZ)
PAGE = Provenance(trusted=False, source="page https://food.example/")

EMAILS = [
    Entity(id="email:1", type="email", label="Quarterly budget draft", ordinal=1,
           attributes={"from": "Ilse Brandt <ilse@kontor.example>",
                       "subject": "Quarterly budget draft"}),
    Entity(id="email:2", type="email", label="Chess on Sunday?", ordinal=2,
           attributes={"from": "nadia.k@schach.example", "subject": "Chess on Sunday?"}),
    Entity(id="email:3", type="email", label="Garden plans", ordinal=3,
           attributes={"from": "opa.ruben@mail.example", "subject": "Garden plans"}),
]
PEOPLE = [
    Entity(id="contact:ruben", type="contact", label="Ruben Costa", scope=Scope.BACKGROUND,
           attributes={"email": "opa.ruben@mail.example", "emails": ["opa.ruben@mail.example"],
                       "nicknames": [], "relation": "grandpa"}),
]
LINKS = [
    Entity(id="link1", type="link", label="Red lentil dal", ordinal=1, provenance=PAGE,
           attributes={"url": "https://food.example/dal", "text": "Red lentil dal"}),
    Entity(id="link2", type="link", label="Green lentil salad", ordinal=2, provenance=PAGE,
           attributes={"url": "https://food.example/salad", "text": "Green lentil salad"}),
    Entity(id="link3", type="link", label="Deutsch", ordinal=3, provenance=PAGE,
           attributes={"url": "https://food.example/de/", "text": "Deutsch"}),
]


@pytest.mark.parametrize(("phrase", "expected"), [
    ("the budget email", ["email:1"]),
    ("nadia's email", ["email:2"]),
    ("grandpa", ["email:3"]),
    ("the mail from ilse about the budget", ["email:1"]),
    ("the email about taxes", []),
    ("the email", []),
])
def test_an_email_is_found_by_its_subject_sender_or_the_senders_contact(
        phrase: str, expected: list[str]) -> None:
    assert [e.id for e in match_by_description(phrase, EMAILS, PEOPLE)] == expected


def test_every_describing_word_must_fit_and_several_fits_stay_several() -> None:
    assert [e.id for e in match_by_description("the lentil one", LINKS)] == ["link1", "link2"]
    assert [e.id for e in match_by_description("the green lentil one", LINKS)] == ["link2"]
    assert match_by_description("the green soup one", LINKS) == []


@pytest.fixture(scope="module")
def specs(live_specs: dict[str, ActionSpec]) -> dict[str, ActionSpec]:
    return live_specs


def _filler(request: str) -> SlotFiller:
    table = EntityTable()
    table.publish(EMAILS + LINKS)
    table.set_background(PEOPLE)
    return SlotFiller(table=table, now=NOW, tz=TZ, request=request)


def _model_step(action: str, **args: str) -> Step:
    model = Provenance(trusted=True, source="model")
    return Step(action=action, args=args,
                sources={k: ValueSource(kind="model", text=v, provenance=model)
                         for k, v in args.items()})


def test_a_described_email_fills_the_slot(specs: dict[str, ActionSpec]) -> None:
    filled, question = _filler("mark the budget email as read").fill(
        [_model_step("mark_read", email="the budget email")], specs)
    assert question is None
    assert filled[0].args["email"] == "email:1"


def test_two_described_links_are_a_question(specs: dict[str, ActionSpec]) -> None:
    _, question = _filler("open the lentil one").fill(
        [_model_step("open_url", url="the lentil one")], specs)
    assert question is not None


@pytest.mark.parametrize(("words", "link"), [("the green lentil one", "link2"),
                                             ("Deutsch", "link3")])
def test_open_url_of_a_described_link_is_open_link(specs: dict[str, ActionSpec], words: str,
                                                   link: str) -> None:
    filled, question = _filler(f"open {words}").fill(
        [_model_step("open_url", url=words)], specs)
    assert question is None
    assert (filled[0].action, filled[0].args) == ("open_link", {"link": link})
    assert filled[0].sources["link"].provenance == PAGE
