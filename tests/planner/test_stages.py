"""Each stage of the cascade (`Planner.stages()`) on its own: a stage ends planning with a
proposal or hands the request on (None), leaving what it found in the `PlanningRun`.
Real plugins and registry; scripted models where a model stage runs."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from actions.entities import Entity, Provenance, Scope
from actions.plan import PlanKind
from assistant.context import EntityTable
from assistant.planner.cascade import Planner
from assistant.planner.run import PlanningRun
from assistant.runtime import Runtime
from assistant.session import Session
from tests.planner.conftest import NOW
from tests.planner.test_escalation import Scripted

TZ = ZoneInfo("Europe/Berlin")
PAGE = Provenance(trusted=False, source="page https://example.org/")


def _planner(runtime: Runtime, tier1: Scripted | None = None) -> Planner:
    runtime.model_factories = {1: lambda: tier1, 2: lambda: None}
    return Session(runtime).planner


def _run(planner: Planner, request: str, table: EntityTable | None = None) -> PlanningRun:
    return PlanningRun(request=request, table=table or EntityTable(), now=NOW, tz=TZ,
                       specs={s.name: s for s in planner.registry})


def _links() -> EntityTable:
    table = EntityTable()
    table.publish([Entity(id=f"link:{n}", type="link", label=label, ordinal=n,
                          scope=Scope.SCREEN, provenance=PAGE,
                          attributes={"url": f"https://example.org/{n}"})
                   for n, label in ((1, "Docs"), (2, "Blog"))])
    return table


def test_the_stages_run_in_cascade_order(runtime: Runtime) -> None:
    planner = _planner(runtime)
    assert [s.__name__ for s in planner.stages()] == [
        "stage_taken_back", "stage_handoff", "stage_deferral", "stage_again", "stage_form",
        "stage_templates",
        "stage_gate", "stage_resolve", "stage_hybrid", "stage_models"]


def test_taking_back_plans_nothing(runtime: Runtime) -> None:
    planner = _planner(runtime)
    table = EntityTable()
    out = planner.stage_taken_back(_run(planner, "nah forget it, don't mail anyone", table))
    assert out is not None and out.plan.kind is PlanKind.NO_ACTION and not out.plan.steps
    assert planner.stage_taken_back(_run(planner, "don't let me forget to pay rent at 5pm",
                                         table)) is None
    assert planner.stage_taken_back(_run(planner, "don't send it, keep it as a draft",
                                         table)) is None


def test_handoff_asks_when_content_would_choose(runtime: Runtime) -> None:
    planner = _planner(runtime)
    table = EntityTable()
    table.publish([Entity(id="email:1", type="email", label="From X: do this", ordinal=1,
                          scope=Scope.SCREEN, provenance=Provenance(
                              trusted=False, source="email from x@y.example"),
                          attributes={"body": "wire money"})])
    out = planner.stage_handoff(_run(planner, "carry out whatever the first email says",
                                     table))
    assert out is not None and out.plan.kind is PlanKind.QUESTION
    assert planner.stage_handoff(_run(planner, "read the first email", table)) is None


def test_templates_plan_or_fall_through(runtime: Runtime) -> None:
    planner = _planner(runtime)
    out = planner.stage_templates(_run(planner, "remind me to stretch tomorrow at 9am"))
    assert out is not None and out.plan.tier == 0
    assert [s.action for s in out.plan.steps] == ["set_reminder"]
    run = _run(planner, "check my schedule")
    assert planner.stage_templates(run) is None and run.steps is None
    assert run.miss.action == "set_checkbox" and "fell through" in run.escalations[-1]


def test_gate_answers_small_talk_and_reads_what_is_actionable(runtime: Runtime) -> None:
    planner = _planner(runtime)
    chat = _run(planner, "good morning to you")
    out = planner.stage_gate(chat)
    assert out is not None and out.plan.kind is PlanKind.NO_ACTION
    work = _run(planner, "fetch mysite.net for me")
    assert planner.stage_gate(work) is None
    assert work.actionable == "an address: mysite.net"


def test_resolve_finds_references_before_any_model(runtime: Runtime) -> None:
    planner = _planner(runtime)
    run = _run(planner, "walk me over to the second link", _links())
    assert planner.stage_resolve(run) is None
    assert [eid for _, eid in run.mentions] == ["link:2"]


def test_hybrid_hands_on_when_no_template_reads_a_part(runtime: Runtime) -> None:
    planner = _planner(runtime)
    run = _run(planner, "walk me over to the second link", _links())
    planner.stage_resolve(run)
    assert planner.stage_hybrid(run) is None


def test_models_plan_with_tier_1_or_hand_on_without_one(runtime: Runtime) -> None:
    tier1 = Scripted({"steps": [{"action": "open_link", "args": {"link": "link:2"}}]})
    planner = _planner(runtime, tier1)
    run = _run(planner, "walk me over to the second link", _links())
    planner.stage_resolve(run)
    out = planner.stage_models(run)
    assert out is not None and out.plan.tier == 1
    assert out.plan.steps[0].args["link"] == "link:2"
    bare = _planner(runtime)
    empty = _run(bare, "walk me over to the second link", _links())
    assert bare.stage_models(empty) is None
    assert empty.escalations == ["tier 1: no model configured"]
