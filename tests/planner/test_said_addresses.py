"""A pronoun after the one address the request gives is that address ("save ana, ana@x, then
email her …"); "email X the link to <something on screen>" sends its address. Templates and
the real plugins, no model."""

from __future__ import annotations

from actions import Entity, Provenance
from actions.entities import Scope
from assistant.planner.antecedent import address_before
from assistant.runtime import Runtime
from assistant.session import Session


def test_the_address_given_before_a_pronoun() -> None:
    request = "store pia lund, pia@fjell.example, then mail her the map"
    assert address_before(request, "her") == "pia@fjell.example"
    assert address_before("mail her at pia@fjell.example", "her") is None  # after it
    assert address_before("a@b.example or c@d.example: mail her", "her") is None
    assert address_before(request, "the map") is None


def test_a_new_contact_then_a_mail_to_them(runtime: Runtime) -> None:
    runtime.model_factories = {1: lambda: None, 2: lambda: None}
    proposal = Session(runtime).propose(
        "save pia lund, pia@fjell.example, then email her that the cabin is booked")
    assert [s.action for s in proposal.plan.steps] == ["add_contact", "send_email"]
    assert proposal.plan.steps[1].args["to"] == "pia@fjell.example"


def test_the_link_to_a_thing_on_screen_is_its_address(runtime: Runtime) -> None:
    runtime.model_factories = {1: lambda: None, 2: lambda: None}
    session = Session(runtime)
    session.table.publish([Entity(
        id="link:1", type="link", label="Ferry timetable", ordinal=1, scope=Scope.SCREEN,
        attributes={"url": "https://ferry.example/times"},
        provenance=Provenance(trusted=False, source="web"))])
    proposal = session.propose("email pia@fjell.example the link to the first link")
    step = proposal.plan.steps[0]
    assert step.action == "send_email" and step.args["body"] == "https://ferry.example/times"


def test_a_known_site_the_model_spelled_its_own_way(runtime: Runtime) -> None:
    from tests.planner.test_escalation import Scripted

    hyphened = {"steps": [{"action": "open_url", "args": {"url": "hacker-news"}}]}
    runtime.model_factories = {1: lambda: Scripted(hyphened), 2: lambda: None}
    proposal = Session(runtime).propose("yo pull up hacker news for me")
    assert [s.args.get("url") for s in proposal.plan.steps] == ["https://news.ycombinator.com/"]


def test_a_link_the_request_names_and_the_plan_leaves_aside(runtime: Runtime) -> None:
    from tests.planner.test_escalation import Scripted

    back = {"steps": [{"action": "go_back", "args": {}}]}
    opened = {"steps": [{"action": "open_link", "args": {"link": "link:2"}}]}
    tier1 = Scripted(back, opened)
    runtime.model_factories = {1: lambda: tier1, 2: lambda: None}
    session = Session(runtime)
    session.table.publish([
        Entity(id=f"link:{n}", type="link", label=label, ordinal=n, scope=Scope.SCREEN,
               attributes={"url": f"https://shop.example/{n}"},
               provenance=Provenance(trusted=False, source="web"))
        for n, label in ((1, "Home"), (2, "Pricing plans"), (3, "Blog"))])
    proposal = session.propose("take me to pricing")
    assert [s.args.get("link") for s in proposal.plan.steps] == ["link:2"]
    assert "link" in str(tier1.allowed[-1])
