"""Which reader takes a request about the page: page grounding only when a live page was read
and its own elements settle the request; otherwise the templates and the planner (a fake page
read stands in for the browser here; test_page_tasks.py does the same through real Chromium)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from actions.entities import Entity, Provenance, Scope
from actions.plan import PlanKind
from actions.violations import ViolationReason
from assistant.observe_loop import PageProposal
from assistant.runtime import Runtime, RuntimeOptions
from assistant.session import Session
from assistant.verify import blocking

URL = "http://shop.test/"


def _entity(eid: str, etype: str, label: str, ordinal: int, **attrs: Any) -> Entity:
    return Entity(id=eid, type=etype, label=label, ordinal=ordinal, scope=Scope.SCREEN,
                  provenance=Provenance.untrusted(f"page {URL}"),
                  attributes={"page_url": URL, "css": f"#{eid}", "css_index": 0, **attrs})


def _page(*rest: Entity) -> list[Entity]:
    return [_entity("page", "page", "Shop", 1, url=URL, title="Shop"), *rest]


LINKS = [_entity(f"link{i}", "link", name, i, url=f"{URL}{name.lower()}", text=name)
         for i, name in enumerate(["Tea", "Coffee", "Cocoa"], start=1)]


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Session]:
    rt = Runtime(RuntimeOptions(home=str(tmp_path / "home")))
    try:
        yield Session(rt)
    finally:
        rt.close()


def _show(session: Session, monkeypatch: pytest.MonkeyPatch, entities: list[Entity]) -> None:
    """The browser plugin reads ``entities`` as the open page from now on."""
    monkeypatch.setattr(session.runtime.loaded.plugins["browser"], "screen_entities",
                        lambda: list(entities))


def test_entities_without_a_live_page_are_left_to_the_templates(session: Session) -> None:
    session.table.publish(_page(*LINKS))  # published earlier (a summary), no page read now
    proposal = session.propose("click the third link")
    assert not isinstance(proposal, PageProposal)
    assert not any(e.startswith("page:") for e in proposal.plan.escalations)
    assert [list(s.args.values()) for s in proposal.plan.steps] == [["link3"]]


def test_words_no_element_fits_are_left_to_the_templates(
        session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    _show(session, monkeypatch, _page(*LINKS))
    proposal = session.propose("click through to the third link")
    assert not isinstance(proposal, PageProposal)
    assert [s.action for s in proposal.plan.steps] == ["open_link"]
    assert proposal.plan.steps[0].args["link"] == "link3"


def test_a_live_page_grounds_and_a_choice_among_fitting_elements_is_asked(
        session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    buttons = [_entity("button1", "button", "Buy", 1, text="Buy"),
               _entity("button2", "button", "Buy", 2, text="Buy")]
    _show(session, monkeypatch, _page(*LINKS, *buttons))
    grounded = session.propose('click the "Cocoa" link')
    assert isinstance(grounded, PageProposal)
    assert [(s.action, s.args) for s in grounded.plan.steps] == [("click", {"target": "link3"})]
    asked = session.propose("press Buy")
    assert asked.plan.kind is PlanKind.QUESTION
    assert "page: asked instead of guessing an element" in asked.plan.escalations


BOXES = [_entity(f"field{i}", "field", name, i, kind="checkbox", name=name.lower())
         for i, name in enumerate(["Ash", "Birch", "Cedar", "Elm", "Fir", "Hazel", "Oak",
                                   "Pine", "Yew"], start=1)]
SUBMIT = _entity("button1", "button", "Submit", 1, text="Submit")


def _too_many(proposal: object) -> bool:
    assert isinstance(proposal, PageProposal)
    return any(v.reason is ViolationReason.TOO_MANY_STEPS for v in proposal.violations)


def test_a_list_the_user_names_may_be_longer_than_max_steps(
        session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    _show(session, monkeypatch, _page(*BOXES, SUBMIT))
    long = session.propose("select Ash, Birch, Cedar, Elm, Fir, Hazel, Oak and Pine, "
                           "then press Submit")
    assert len(long.plan.steps) == 9 > session.verifier.max_steps
    assert not _too_many(long) and not blocking(long.violations)
    # every box on the page: the page, not the user, chose how many; the bound holds
    assert _too_many(session.propose("check all the checkboxes"))
