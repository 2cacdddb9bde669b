"""The cascade: tier 0 templates, tier 1 default model, tier 2 larger model; each plan is
slot-filled, verified, and repaired a bounded number of times. Every plan records its tier and
why planning escalated."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from actions.entities import Entity, Scope
from actions.plan import ACTION_SOURCE, Plan, PlanKind, Step, ValueSource, is_step_ref
from actions.spec import ActionSpec
from actions.violations import Violation, ViolationReason
from assistant.context import PERSON_TYPES, EntityTable
from assistant.planner.again import find_again, repeated
from assistant.planner.antecedent import address_before, named_before, said_to_them
from assistant.planner.choice import template_source
from assistant.planner.copy_person import copy_named_person
from assistant.planner.deferral import OUTWARD, find_deferral, schedule_step, why_not_deferred
from assistant.planner.dictation import undictated
from assistant.planner.doubts import (
    absent_inputs,
    asks_a_question,
    better_fits,
    example_copies,
    invented_value,
    missing_inputs_answer,
    nothing_to_refer_to,
    person_takers,
    plan_doubts,
    question_changes_things,
    time_takers,
    unmet_verb,
    unnamed_people,
    unsaid_contact_details,
    unused_links,
    unused_people,
    unused_reference_types,
    unused_time,
)
from assistant.planner.form_fill import read_form
from assistant.planner.handoff import content_handoff
from assistant.planner.model_tier import ModelTier, PlannerModel
from assistant.planner.negated import takes_back
from assistant.planner.plural import for_each_listed
from assistant.planner.prompt import example_values
from assistant.planner.relevance import ActionVocabulary, stems
from assistant.planner.repeats import drop_repeats
from assistant.planner.rewrites import URLISH, readings, reread
from assistant.planner.run import PlanningRun, Proposal, Tier0Miss
from assistant.planner.slots import (
    ALL_OF_THEM,
    PRONOUNS,
    Clarification,
    SlotFiller,
    address_with_words,
)
from assistant.planner.unasked import drop_unasked_page_steps
from assistant.planner.unavailable import UnavailablePlugins
from assistant.registry import ActionRegistry
from assistant.resolve import (
    NOUN_TYPES,
    Mention,
    find_mentions,
    one_of_any_kind,
    resolve_reference,
)
from assistant.templates import TemplateMatch
from assistant.verify import EMAIL_RE, Verifier, blocking, unsaid
from models.errors import ModelError

__all__ = ["Planner", "Proposal"]

ModelFactory = Callable[[], PlannerModel | None]

_NOTHING_THERE = "tier 0 and tier 1 both read a"


@dataclass
class _Asked:
    """A tier's plan ended in a question from slot filling."""

    proposal: Proposal


@dataclass
class _Ended:
    """A tier's plan was replaced and planning ends with it."""

    proposal: Proposal


_SPLIT = re.compile(r",?\s+and then\s+|,\s*then\s+|\s+and\s+", re.I)
_FIXABLE = {ViolationReason.SCHEMA, ViolationReason.UNKNOWN_ACTION,
            ViolationReason.UNRESOLVED_ENTITY, ViolationReason.MISTYPED_ENTITY,
            ViolationReason.DANGLING_STEP_REF, ViolationReason.TOO_MANY_STEPS}


def planner_fixable(violations: list[Violation]) -> list[Violation]:
    """Blocking violations another plan could avoid (as opposed to facts about the world)."""
    return [v for v in blocking(violations) if v.reason in _FIXABLE]


_TO_THE_USER = frozenset({"me", "us", "myself"})
_ENTITY_ID = re.compile(r"^[a-z_]+:(?!//)[\w.@:/-]+$")


def slot_checks(entity_types: set[str]) -> dict[str, Callable[[str], bool]]:
    """Template slot checks: a URL slot must not be a reference ("the third link"), and an
    entity slot must read as a reference to its type (a mention, an id or a short name)."""
    from assistant.templates import default_slot_checks

    checks = default_slot_checks()
    uri = checks["uri"]

    def is_reference(text: str) -> bool:
        t = text.strip()
        return bool(find_mentions(t)) or t.lower() in PRONOUNS or bool(_ENTITY_ID.match(t))

    def entity_check(etype: str) -> Callable[[str], bool]:
        def check(text: str) -> bool:
            t = text.strip()
            if etype in PERSON_TYPES and (EMAIL_RE.match(t) or address_with_words(t)):
                return True  # a recipient slot also takes a literal address, said with words
            if etype not in PERSON_TYPES and ALL_OF_THEM.match(t):
                return True  # "mark them all as read": each of them, a step each
            if etype in PERSON_TYPES and "," in t:
                return False  # "lachie, subject 'surf'": a name and then something else
            if etype in PERSON_TYPES and t.lower().split()[:1] in (["me"], ["us"], ["myself"]):
                return False  # "ping me about …" is a reminder, never a message to the user
            words = t.lower().split()
            if re.fullmatch(r"\d+", t):
                return False  # "snooze 15": a count, not a thing's name
            if etype not in PERSON_TYPES and words and words[0] in _TO_THE_USER:
                return False  # "show me what's new": "me" is whom to show, not a thing
            named = NOUN_TYPES.get(words[-1]) if len(words) > 1 else None
            if named is not None and not (named == etype or (
                    etype in PERSON_TYPES and named in PERSON_TYPES)):
                return False  # "the Docs link" names a link, whatever else it could be
            if _ENTITY_ID.match(t):
                return t.split(":", 1)[0] == etype or etype in PERSON_TYPES
            mentions = find_mentions(t)
            if mentions:
                # The reference must be the whole slot ("the email from Ann", not "the email
                # from Ann and then file it"), and of the slot's type.
                whole = mentions[0].start == 0 and len(t) - mentions[0].end <= 1
                hints = {m.type_hint for m in mentions} - {None}
                fits = not hints or bool(
                    hints & ({etype, "person"} if etype in PERSON_TYPES else {etype})) \
                    or (etype == "email" and hints == {"person"}) \
                    or one_of_any_kind(mentions[0])  # "reply to her": her mail; "the landlord one"
                return whole and fits
            return is_reference(t) or (not URLISH.search(t) and len(t.split()) <= 4)
        return check

    for etype in entity_types:
        checks[f"x-entity:{etype}"] = entity_check(etype)
    checks["email"] = lambda text: bool(EMAIL_RE.match(text.strip()))
    checks["uri"] = lambda text: not is_reference(text) and uri(text)
    return checks


def _person_names(table: EntityTable) -> frozenset[str]:
    """Words of the names (and nicknames) of the people in the entity table."""
    words: set[str] = set()
    for e in table.all():
        if e.type in PERSON_TYPES:
            for name in (e.label, *(e.attributes.get("nicknames") or [])):
                words.update(w for w in str(name).lower().split() if len(w) > 1)
    return frozenset(words)


def _template_step(request: str, m: TemplateMatch) -> Step:
    """A step a sentence template read: its slots are the user's words, and so is its action."""
    sources = {k: ValueSource(kind="user_text", text=v) for k, v in m.slots.items()}
    sources[ACTION_SOURCE] = template_source(m.template, request[m.span[0]:m.span[1]])
    return Step(action=m.action, args=dict(m.slots), sources=sources)


class Planner:
    def __init__(self, registry: ActionRegistry, verifier: Verifier, *,
                 tier1: ModelFactory | None = None, tier2: ModelFactory | None = None,
                 max_steps: int = 6, max_repairs: int = 2,
                 min_confidence: float = 0.55,
                 unavailable: UnavailablePlugins | None = None) -> None:
        self.registry = registry
        self.unavailable = unavailable
        """What plugins that failed to load would have offered (their requests are answered
        with the reason and the fix, never planned with other plugins' actions)."""
        self._last_templates: list[str] = []
        self.verifier = verifier
        self.tier_factories = {1: tier1, 2: tier2}
        self._tiers: dict[int, ModelTier | None] = {}
        self.max_steps = max_steps
        self.max_repairs = max_repairs
        self.min_confidence = min_confidence
        self._matcher: object | None = None
        self._vocab: ActionVocabulary | None = None

    # -- tiers -----------------------------------------------------------------------------------
    def _template_matches(self, request: str) -> list[Step] | None:
        from assistant.templates import TemplateMatcher

        if self._matcher is None:
            specs = list(self.registry)
            types = {t for spec in specs for t in spec.entity_params().values()}
            self._matcher = TemplateMatcher(specs, strict=False, slot_checks=slot_checks(types))
        matcher = self._matcher
        assert isinstance(matcher, TemplateMatcher)
        seq = matcher.match_sequence(request)
        if not seq:
            return None
        self._last_templates = [m.template for m in seq]
        return [_template_step(request, m) for m in seq]

    def _verb_slip(self, request: str) -> tuple[str, str] | None:
        from assistant.templates import TemplateMatcher

        if self._matcher is None:
            self._template_matches(request)
        matcher = self._matcher
        return matcher.verb_slip(request) if isinstance(matcher, TemplateMatcher) else None

    def _vocabulary(self) -> ActionVocabulary:
        if self._vocab is None:
            self._vocab = ActionVocabulary(list(self.registry))
        return self._vocab

    def _no_action_answer(self) -> str:
        plugins = sorted({s.plugin for s in self.registry if s.plugin})
        return ("I have no action for that. I can act with these plugins: " +
                ", ".join(plugins) + " (`lam actions list` shows every action).")

    def _model_tier(self, tier: int) -> ModelTier | None:
        if tier not in self._tiers:
            factory = self.tier_factories.get(tier)
            model = factory() if factory else None
            self._tiers[tier] = (ModelTier(model, list(self.registry), tier=tier,
                                           max_steps=self.max_steps) if model else None)
        return self._tiers[tier]

    # -- the cascade -----------------------------------------------------------------------------
    def plan(self, request: str, table: EntityTable, now: datetime, tz: ZoneInfo,
             *, on_tier: Callable[[int], None] | None = None) -> Proposal:
        """Plan a request: steps to run, a question back, or an answer saying why not."""
        miss = Tier0Miss()
        said = undictated(request)  # "… comma could you come thursday question mark"
        proposal = self._plan(said, table, now, tz, on_tier, miss)
        if said != request:
            proposal.plan.escalations.insert(0, f"read punctuation said aloud: {said!r}")
        return self._settle(said, proposal, miss)

    def _plan(self, request: str, table: EntityTable, now: datetime, tz: ZoneInfo,
              on_tier: Callable[[int], None] | None, miss: Tier0Miss, *,
              deferrable: bool = True) -> Proposal:
        run = PlanningRun(request=request, table=table, now=now, tz=tz,
                          specs={s.name: s for s in self.registry}, on_tier=on_tier,
                          miss=miss, deferrable=deferrable)
        for stage in self.stages():
            proposal = stage(run)
            if proposal is not None:
                return proposal
        return run.finish(Plan(request=request, kind=PlanKind.NO_ACTION, tier=0,
                               answer="No sentence template matched and no model is "
                                      "available to plan this request."), [])

    def stages(self) -> list[Callable[[PlanningRun], Proposal | None]]:
        """The cascade in order; each stage ends planning with a proposal or hands on."""
        return [self.stage_taken_back, self.stage_handoff, self.stage_deferral,
                self.stage_again, self.stage_form, self.stage_templates, self.stage_gate,
                self.stage_resolve, self.stage_hybrid, self.stage_models]

    # -- the stages ------------------------------------------------------------------------------
    @staticmethod
    def stage_taken_back(run: PlanningRun) -> Proposal | None:
        """A request that only takes something back ("never mind", "don't send anything to
        kai") is answered: nothing is planned, least of all the action it names."""
        if not takes_back(run.request):
            return None
        run.note("the request takes something back and asks for nothing else")
        return run.finish(Plan(request=run.request, kind=PlanKind.NO_ACTION, tier=0,
                               answer="OK, I won't do anything."), [])

    def stage_handoff(self, run: PlanningRun) -> Proposal | None:
        """A request that leaves the choice of action, recipient or target to untrusted
        content is asked back before anything plans it."""
        handoff = content_handoff(run.request, run.table)
        if handoff is None:
            return None
        what = "the action" if handoff.choice == "action" else "a recipient or target"
        run.note(f"the request leaves the choice of {what} to {handoff.source}: asked instead")
        return run.finish(Plan.ask(run.request, handoff.question, tier=0), [])

    def stage_deferral(self, run: PlanningRun) -> Proposal | None:
        """A request to act later ("on monday at 7:30am send …"): the rest is planned like any
        request and, when it acts outward and takes no time itself, scheduled as one
        `schedule_plan` step at the time the request says."""
        if not run.deferrable or "schedule_plan" not in run.specs:
            return None
        found = find_deferral(run.request, run.now, run.tz)
        if found is None or not stems(found.rest) & self._outward_cues():
            return None
        miss = Tier0Miss()
        inner = self._settle(found.rest, self._plan(found.rest, run.table, run.now, run.tz,
                                                    run.on_tier, miss, deferrable=False), miss)
        why = why_not_deferred(inner.plan, run.specs)
        if why is not None:
            run.note(f"{found.phrase!r} as when to act: {why}; planned as said")
            return None
        run.escalations[:0] = inner.plan.escalations
        run.note(f"{found.phrase!r} says when to act: planned {found.rest!r} and scheduled it")
        step = schedule_step(found, inner.plan)
        filled, question = run.filler.fill([step], run.specs)
        if question is not None:
            return run.ask(question, inner.plan.tier or 0, [step])
        plan = Plan(request=run.request, steps=filled, tier=inner.plan.tier,
                    confidence=inner.plan.confidence)
        # The verifier checks the scheduled steps now too (`Verifier._check_nested`).
        return run.finish(plan, self.verifier.verify(plan, run.table.as_mapping(), run.now))

    def stage_again(self, run: PlanningRun) -> Proposal | None:
        """One thing at two times ("… at 5pm and again at 9pm"): the rest is planned like any
        request and, when that is one step at one time, repeated at the other time."""
        found = find_again(run.request, run.now, run.tz)
        if found is None:
            return None
        miss = Tier0Miss()
        inner = self._settle(found.rest, self._plan(found.rest, run.table, run.now, run.tz,
                                                    run.on_tier, miss,
                                                    deferrable=run.deferrable), miss)
        steps = repeated(inner.plan.steps, run.specs, found, run.tz) \
            if inner.plan.kind is PlanKind.ACTIONS and not inner.pending_steps else None
        if steps is None:
            run.note(f"'again {found.phrases[0]}': the rest is not one step at one time; "
                     "planned as said")
            return None
        run.escalations[:0] = inner.plan.escalations
        run.note(f"'again {found.phrases[0]}': planned {found.rest!r}, then the same step "
                 "at that time")
        plan = Plan(request=run.request, steps=steps, tier=inner.plan.tier,
                    confidence=inner.plan.confidence)
        return run.finish(plan, self.verifier.verify(plan, run.table.as_mapping(), run.now))

    def stage_form(self, run: PlanningRun) -> Proposal | None:
        """Several fields of the form on screen filled in one request ("fill the form: name
        …, email …, then submit"): each part paired with the one field its words name."""
        steps = read_form(run.request, run.table)
        if steps is None:
            return None
        run.note("a form filled part by part: each value paired with the field the words name")
        plan = Plan(request=run.request, steps=steps, tier=0, confidence=1.0)
        return run.finish(plan, self.verifier.verify(plan, run.table.as_mapping(), run.now))

    def _outward_cues(self) -> frozenset[str]:
        """The cue words of the actions worth doing later (`deferral.OUTWARD`)."""
        cues = self._vocabulary().cues
        return frozenset(c for s in self.registry if s.effect in OUTWARD
                         for c in cues.get(s.name, ()))

    def stage_templates(self, run: PlanningRun) -> Proposal | None:
        """Tier 0: sentence templates. A plan the verifier takes (or rejects for a reason no
        other plan would fix) ends planning; a slot that names nothing usable falls through;
        a plugin that failed to load answers for its own requests."""
        request, miss = run.request, run.miss
        if run.on_tier:
            run.on_tier(0)
        steps = self._template_matches(request)
        slip = self._verb_slip(request) if steps is None else None
        if slip is not None:  # "rmind me at 5 to …": the template verb it slips from
            steps = self._template_matches(re.sub(re.escape(slip[0]), slip[1], request,
                                                  count=1))
            if steps is not None:
                run.note(f"tier 0: read {slip[0]!r} as {slip[1]!r}")
        ways = readings(run.table, _person_names(run.table), run.now, run.tz)
        for again in reread(request, ways) if steps is None else ():
            steps = self._template_matches(again)  # "the gym reminder - move it to 7"
            if steps is not None:
                run.note(f"tier 0: read the request as {again!r}")
                break
        claim = self.unavailable.by_template(request) if self.unavailable else None
        if claim is not None:
            return self._unavailable_answer(run, claim.plugin, claim.answer())
        filled: list[Step] = []
        if steps is not None:
            filled, question = run.filler.fill(steps, run.specs)
            if question is not None and question.problem and question.step is not None:
                # The template's reading names nothing usable ("check my schedule" read as
                # ticking a field called "my schedule"): not a question, the next tier's turn.
                miss.template = self._last_templates[question.step]
                miss.action = steps[question.step].action
                miss.steps, miss.question = steps, question
                run.note(f"tier 0: {miss.template!r} ({miss.action}) read {question.param} = "
                         f"{steps[question.step].args.get(question.param or '')!r}, "
                         f"but {question.problem}: fell through")
                steps = None
            elif question is not None:
                return run.ask(question, 0, steps)
        run.steps = steps
        if steps is None and self.unavailable:
            claim = self.unavailable.by_words(request)
            if claim is not None:
                return self._unavailable_answer(run, claim.plugin, claim.answer())
        if steps is None:
            return None
        plan = Plan(request=request, steps=filled, tier=0, confidence=1.0)
        violations = self.verifier.verify(plan, run.table.as_mapping(), run.now)
        if not planner_fixable(violations):
            # Fine, or wrong in a way no other plan of the same request would fix (a failed
            # precondition, a time in the past, a denied domain): the user is told why.
            return run.finish(plan, violations)
        run.note("tier 0 plan rejected: " + "; ".join(str(v) for v in blocking(violations)))
        return None

    @staticmethod
    def _unavailable_answer(run: PlanningRun, plugin: str, answer: str) -> Proposal:
        run.note(f"the request needs plugin '{plugin}', which failed to load: answered "
                 "without planning")
        return run.finish(Plan(request=run.request, kind=PlanKind.NO_ACTION, tier=0,
                               answer=answer), [])

    def stage_gate(self, run: PlanningRun) -> Proposal | None:
        """The relevance gate: with no template's reading, a request with nothing an action
        could act on is small talk, answered without a model."""
        # Read once, it parses every span; later stages use it too.
        on_screen = tuple(label for e in run.table.all() if e.scope is Scope.SCREEN
                          for label in (e.label, *_option_names(e)) if label)
        run.actionable = self._vocabulary().why_actionable(run.request, run.now, run.tz,
                                                           _person_names(run.table), on_screen)
        if run.steps is not None:
            return None
        if run.miss.question is None:
            run.note("tier 0: no sentence template matched")
            self._partial(run.request, run.miss)
        if run.actionable is None:
            run.note("no action's words, no reference, address or time in the request: "
                     "answered without a model")
            return run.finish(Plan(request=run.request, kind=PlanKind.NO_ACTION, tier=0,
                                   answer=self._no_action_answer()), [])
        return None

    def stage_resolve(self, run: PlanningRun) -> Proposal | None:
        """References resolved before any model ("the first link" = link:1); a person the
        request refers to who is one of several is asked about."""
        run.mentions = self._pre_resolve(run.request, run.table)
        if run.steps is not None:
            return None
        unclear = self._unclear_person(run.request, run.table)
        if unclear is None:
            return None
        run.note("a person the request refers to is one of several: asked before planning")
        asked_who = run.finish(unclear.plan, [])
        asked_who.candidate_ids = unclear.candidate_ids
        asked_who.question_span = unclear.question_span
        return asked_who

    def stage_hybrid(self, run: PlanningRun) -> Proposal | None:
        """"X and Y" where a template reads one part: tier 1 plans only the other."""
        hybrid = self._hybrid(run.request, run.table, run.mentions, run.filler, run.specs,
                              run.now, run.on_tier)
        if hybrid is None:
            return None
        plan, violations, note = hybrid
        run.note(note)
        if plan.tier == 0:
            run.miss.left_part = ""  # the other part is said inside the step: all done
        return run.finish(plan, violations)

    def stage_models(self, run: PlanningRun) -> Proposal | None:
        """Tiers 1 and 2: each model plans with bounded repairs; code's doubts about tier 1's
        reading re-plan it among the actions that fit, or hand it to tier 2. A plan that still
        writes to someone the request neither names nor refers to is a question."""
        proposal = self._models_plan(run)
        if proposal is None or proposal.plan.kind is not PlanKind.ACTIONS:
            return proposal
        guessed = unnamed_people(run.request, proposal.plan, run.mentions, run.specs,
                                 run.table.as_mapping())
        if not guessed:
            return proposal
        run.note(f"tier {proposal.plan.tier} plan refused: " + "; ".join(guessed))
        return run.finish(Plan.ask(
            run.request, "Whom should I send it to? You did not say, and I will not pick a "
                         "recipient on a guess.", tier=proposal.plan.tier), [])

    def _models_plan(self, run: PlanningRun) -> Proposal | None:
        last: Proposal | None = None
        fallback: Proposal | None = None  # tier 1's answer, kept if tier 2 cannot do better
        for tier in (1, 2):
            if run.on_tier and self.tier_factories.get(tier):
                run.on_tier(tier)  # before loading: the first load takes a moment
            try:
                model_tier = self._model_tier(tier)
            except ModelError as exc:
                if tier == 1:
                    raise
                run.note(f"tier 2 unavailable: {exc}")
                break
            if model_tier is None:
                if tier == 1:
                    run.note("tier 1: no model configured")
                continue
            has_tier2 = tier == 1 and self.tier_factories.get(2) is not None
            outcome = self._propose_with_repairs(run, tier, model_tier)
            if isinstance(outcome, _Ended):
                return outcome.proposal
            if isinstance(outcome, _Asked):
                absent = self._nothing_there(run) if tier == 1 else None
                if absent is not None:
                    return absent
                if (tier == 2 and fallback is not None and fallback.plan.steps
                        and fallback.plan.kind is PlanKind.ACTIONS
                        and not planner_fixable(fallback.violations)
                        and not example_copies(run.request, fallback.plan)
                        and _asks_about_invented(run.request, outcome.proposal)):
                    run.note("tier 2 asked about a value the request does not say: tier 1's "
                             "plan stands")
                    break
                if has_tier2 and run.escalations and \
                        run.escalations[-1].startswith("tier 1 asked "):
                    fallback = outcome.proposal
                    continue
                return outcome.proposal
            last = outcome
            judged = self._judge(run, tier, last, model_tier)
            if isinstance(judged, Proposal):  # a re-plan: no contact's details unasked either
                return self._no_leaked_details(run, tier, judged) or judged
            if judged and has_tier2:
                fallback = last
                continue
            if (tier == 2 and fallback is not None and fallback.plan.kind is PlanKind.QUESTION
                    and last.plan.kind in (PlanKind.NO_ACTION, PlanKind.ANSWER)
                    and (find_mentions(run.request)
                         or not _asks_about_invented(run.request, fallback)
                         or (last.plan.answer or "").strip().lower() in example_values())):
                # A question back beats a canned "no action" for a request worth escalating,
                # unless it is about a value only the model wrote ("an email called 'x'")
                # while the request refers to nothing at all (small talk)
                run.note("tier 2 had no plan: tier 1's question stands")
                break
            return last
        if fallback is not None:
            fallback.plan.escalations = run.escalations
            fallback.seconds = time.perf_counter() - run.started
            return fallback
        return last

    def _propose_with_repairs(self, run: PlanningRun, tier: int, model_tier: ModelTier
                              ) -> Proposal | _Asked | _Ended:
        """One tier's plan: proposed, slot-filled and verified, with violations sent back
        up to ``max_repairs`` times. A question from slot filling is `_Asked`; a person put
        in a slot for something else, re-planned, is `_Ended`."""
        request, table, specs = run.request, run.table, run.specs
        feedback: list[str] = []
        last: Proposal | None = None
        for _attempt in range(self.max_repairs + 1):
            proposal = model_tier.propose(request, table.all(), run.mentions, feedback)
            plan = proposal.plan
            if plan.kind is not PlanKind.ACTIONS:
                return run.finish(plan, [])
            filled, question = run.filler.fill(plan.steps, specs)
            stray = self._stray_step(plan.steps, question, table, specs, request,
                                     self._vocabulary().cues)
            if stray is not None:  # a step on a kind of thing that is nowhere: left out
                run.note(f"tier {tier}: left out {plan.steps[stray].action}, which acts on "
                         "nothing in scope or that the request asks for")
                plan = plan.model_copy(update={
                    "steps": [s for k, s in enumerate(plan.steps) if k != stray]})
                filled, question = run.filler.fill(plan.steps, specs)
            if question is not None:
                misread = self._person_misread(request, plan, run.mentions, table, run.filler,
                                               specs, run.now, run.actionable, model_tier)
                if misread is not None:
                    run.note(f"tier {tier} asked about a person the request names in a slot "
                             "for something else: re-planned among the actions that take "
                             "a person")
                    return _Ended(run.finish(misread.plan, misread.violations))
                asked = run.ask(question, tier, plan.steps)
                if tier == 1:
                    self._note_tier1_question(run, plan, question)
                return _Asked(asked)
            pruned = self._prune(filled, request, table, run.mentions, run.note)
            each = for_each_listed(pruned, request, table, specs)
            if each is not None:
                run.note(f"the request names {len(each)} listed things: one step each")
            plan = plan.model_copy(update={"steps": each or pruned})
            violations = self.verifier.verify(plan, table.as_mapping(), run.now)
            last = run.finish(plan, violations)
            if not planner_fixable(violations):
                break
            feedback = [str(v) for v in planner_fixable(violations)]
            run.note(f"tier {tier} plan rejected: " + "; ".join(feedback))
        assert last is not None
        return last

    @staticmethod
    def _note_tier1_question(run: PlanningRun, plan: Plan, question: Clarification) -> None:
        """Why tier 1's question is worth tier 2's try: it asks about a value the request
        does not say, or about a kind of thing that is not in scope."""
        specs = run.specs
        value = (plan.steps[question.step].args.get(question.param or "")
                 if question.step is not None else None)
        if invented_value(run.request, value):
            run.note(f"tier 1 asked about {value!r}, which the request does not say")
        elif question.step is not None:
            step = plan.steps[question.step]
            etype = (specs[step.action].entity_params().get(question.param or "")
                     if step.action in specs else None)
            if nothing_to_refer_to(etype, {e.type for e in run.table.all()},
                                   [s.action for s in plan.steps[:question.step]], specs):
                run.note(f"tier 1 asked about a {etype}, and none is in scope")
                run.absent_type = etype or ""

    @staticmethod
    def _nothing_there(run: PlanningRun) -> Proposal | None:
        """Tier 0's template and tier 1 both read the request as acting on an existing thing
        of one kind ("move my dentist thing to …": a job), and none is in scope: the answer
        says so. A larger model would only guess another action (a new reminder)."""
        miss = run.miss
        if not run.absent_type or miss.question is None or miss.question.step is None \
                or miss.action not in run.specs:
            return None
        param = miss.question.param or ""
        if run.specs[miss.action].entity_params().get(param) != run.absent_type:
            return None
        phrase = str(miss.steps[miss.question.step].args.get(param, "")).strip()
        verb = miss.action.split("_")[0]
        run.note(f"{_NOTHING_THERE} {run.absent_type} to {verb}, and none is in scope: "
                 "answered without tier 2")
        return run.finish(Plan(
            request=run.request, kind=PlanKind.NO_ACTION, tier=1,
            answer=f"I can't find {phrase!r}: there is no {run.absent_type} to {verb}. "
                   f"Nothing like it is scheduled or on screen."), [])

    def _judge(self, run: PlanningRun, tier: int, last: Proposal, model_tier: ModelTier
               ) -> Proposal | bool:
        """Code's checks of a tier's plan: a proposal that replaces it (a re-plan among the
        actions that fit, a person copied into its slot), True when the plan should go to
        tier 2 (rejected, unsure or doubted), False when it stands."""
        request, table, specs = run.request, run.table, run.specs
        unmet = unmet_verb(request, last.plan, self._vocabulary(), specs)
        if unmet is not None:
            run.note(f"tier {tier} planned a read for a verb no action has for what the "
                     "request names: answered")
            return run.finish(Plan(request=request, kind=PlanKind.NO_ACTION, tier=tier,
                                   answer=unmet), [])
        refused = self._no_leaked_details(run, tier, last)
        if refused is not None:
            return refused
        unsure = (last.plan.confidence is not None and
                  last.plan.confidence < self.min_confidence)
        doubts = plan_doubts(request, last.plan, run.mentions, specs, run.actionable,
                             table.as_mapping(), self._vocabulary()) if tier == 1 else []
        said_time = run.filler.time_in_request() if tier == 1 else None
        if not (said_time and unused_time(said_time, last.plan, specs)):
            said_time = None  # a re-plan for another doubt is among the time takers all the same
        elif not better_fits(request, last.plan, self._vocabulary())[0]:
            doubts.append(f"the request says a time ({said_time!r}), and no step takes one")
        # tier 2's plans are not doubted, but a person it leaves unused is copied all the same
        leaves_person = tier > 1 and last.plan.kind is PlanKind.ACTIONS and bool(
            unused_people(request, last.plan, specs, table.as_mapping()))
        copied = copy_named_person(request, last.plan, specs, table.as_mapping()) \
            if (doubts or leaves_person) and not planner_fixable(last.violations) else None
        if copied is not None:
            checked = self.verifier.verify(copied, table.as_mapping(), run.now)
            if not planner_fixable(checked) and not plan_doubts(
                    request, copied, run.mentions, specs, run.actionable,
                    table.as_mapping()):
                why = doubts or ["it leaves a person the request names unused"]
                run.note(f"tier {tier} plan doubted: " + "; ".join(why) +
                         "; the person copied into the slot that takes one")
                return run.finish(copied, checked)
        if doubts and not planner_fixable(last.violations):
            replanned = self._replan_among(
                self._takers(request, last.plan, run.mentions, table, specs, said_time),
                request, run.mentions, table, run.filler, specs, run.now, run.actionable,
                model_tier)
            if replanned is not None:
                run.note("tier 1 plan doubted: " + "; ".join(doubts) +
                         "; re-planned with the actions that take the reference")
                return run.finish(replanned.plan, replanned.violations)
        misfit = self._state_misfit(run, tier, last, model_tier)
        if misfit is not None:
            return misfit
        absent = absent_inputs(last.plan, specs, table.as_mapping()) \
            if tier > 1 and last.plan.kind is PlanKind.ACTIONS else []
        if absent and not planner_fixable(last.violations):
            replanned = self._replan_among(
                _inputs_there(specs, table), request, run.mentions, table, run.filler, specs,
                run.now, run.actionable, model_tier)
            if replanned is not None:
                run.note(f"tier {tier} plan doubted: " + "; ".join(absent) +
                         "; re-planned among the actions whose inputs are there")
                return run.finish(replanned.plan, replanned.violations)
            run.note(f"tier {tier} plan refused: " + "; ".join(absent))
            return run.finish(Plan(
                request=request, kind=PlanKind.NO_ACTION, tier=tier,
                answer=missing_inputs_answer(last.plan, specs, table.as_mapping())), [])
        changes = question_changes_things(request, last.plan, specs)
        types = {t for step in last.plan.steps if step.action in specs
                 for t in specs[step.action].entity_params().values()} if changes else set()
        readers = _reading_actions(specs, takes=types, makes=types)
        misfits, among = better_fits(request, last.plan, self._vocabulary())
        for why, actions in ((changes, readers), (misfits, among)):
            if not why or planner_fixable(last.violations):
                continue
            replanned = self._replan_among(actions, request, run.mentions, table, run.filler,
                                           specs, run.now, run.actionable, model_tier)
            if replanned is not None:
                run.note(f"tier {tier} plan doubted: " + "; ".join(why) +
                         "; re-planned among " + ", ".join(actions))
                return run.finish(replanned.plan, replanned.violations)
            if tier == 1:
                doubts = [*doubts, *why]
        if not (planner_fixable(last.violations) or unsure or doubts):
            return False
        if unsure:
            run.note(f"tier {tier} unsure (confidence {last.plan.confidence:.2f})")
        if doubts:
            run.note("tier 1 plan doubted: " + "; ".join(doubts))
        return True

    @staticmethod
    def _no_leaked_details(run: PlanningRun, tier: int, proposal: Proposal) -> Proposal | None:
        """A question instead of a plan that types a contact's details the request never
        points at (at any tier, re-plans included); None when the plan has none."""
        if proposal.plan.kind is not PlanKind.ACTIONS:
            return None
        leaked = unsaid_contact_details(run.request, proposal.plan, run.specs,
                                        run.table.as_mapping(), run.mentions)
        if not leaked:
            return None
        run.note(f"tier {tier} plan refused: " + "; ".join(leaked))
        return run.finish(Plan.ask(
            run.request, "Which details should I use? You did not say, and I will not fill in "
                         "someone's details from your contacts on a guess.", tier=tier), [])

    def _state_misfit(self, run: PlanningRun, tier: int, last: Proposal,
                      model_tier: ModelTier) -> Proposal | None:
        """A step on a thing in a state its action does not fit ("bring back the reminder I
        cancelled" planned as cancelling it: already cancelled): re-planned among the other
        actions on that kind of thing, kept only if their conditions hold."""
        misfits = _state_misfits(last.violations)
        failing = {last.plan.steps[v.step].action for v in misfits
                   if v.step is not None and v.step < len(last.plan.steps)}
        if not failing or planner_fixable(last.violations) or last.plan.kind is not \
                PlanKind.ACTIONS:
            return None
        kinds = {t for a in failing if a in run.specs
                 for t in run.specs[a].entity_params().values()}
        among = [s.name for s in run.specs.values() if s.name not in failing
                 and set(s.entity_params().values()) & kinds]
        replanned = self._replan_among(among, run.request, run.mentions, run.table,
                                       run.filler, run.specs, run.now, run.actionable,
                                       model_tier) or self._only_fit(run, last, misfits, among)
        if replanned is None:
            return None
        run.note(f"tier {tier} plan does not fit the state of what it acts on: " + "; ".join(
            v.message for v in misfits) + "; re-planned among "
            + ", ".join(among))
        return run.finish(replanned.plan, replanned.violations)

    def _only_fit(self, run: PlanningRun, last: Proposal, misfits: list[Violation],
                  among: list[str]) -> Proposal | None:
        """One step on a thing in the wrong state, by an action the request has no word of,
        and exactly one other action the request has a word of that needs nothing but that
        thing and whose conditions hold for it ("bring back" a cancelled reminder): that
        action, without asking the model again."""
        if len(last.plan.steps) != 1 or len(misfits) != 1 or misfits[0].param is None:
            return None
        cues = self._vocabulary().cues
        order = [stems(w) for w in run.request.split()]
        said = set().union(*order) if order else set()

        def first(action: str) -> int:
            return next((k for k, w in enumerate(order)
                         if w & cues.get(action, frozenset())), len(order))

        failing = first(last.plan.steps[0].action)
        param = misfits[0].param
        value = last.plan.steps[0].args.get(param)
        source = last.plan.steps[0].sources.get(param)
        etype = run.specs[last.plan.steps[0].action].entity_params().get(param)
        fits = []
        for name in among:
            spec = run.specs[name]
            takes = [p for p, t in spec.entity_params().items() if t == etype]
            if len(takes) != 1 or set(spec.parameters_schema().get("required", [])) - {takes[0]} \
                    or not cues.get(name, frozenset()) & said or first(name) > failing:
                continue  # "cancel X" with X cancelled already is said, not misread
            step = Step(action=name, args={takes[0]: value},
                        sources={takes[0]: source} if source is not None else {})
            plan = last.plan.model_copy(update={"steps": [step]})
            violations = self.verifier.verify(plan, run.table.as_mapping(), run.now)
            if not blocking(violations):
                fits.append(Proposal(plan=plan, violations=violations))
        return fits[0] if len(fits) == 1 else None

    # -- what tier 0 read and could not use --------------------------------------------------
    def _partial(self, request: str, miss: Tier0Miss) -> None:
        """"X and Y" where a template reads X (or Y) and not the other: recorded, so a plan
        that does only X is never taken for the whole request."""
        from assistant.templates import TemplateMatcher

        matcher = self._matcher
        if not isinstance(matcher, TemplateMatcher):
            return
        for sep in _SPLIT.finditer(request):
            parts = [request[:sep.start()].strip(" ,"), request[sep.end():].strip(" ,")]
            if not all(parts):
                continue
            matches = [matcher.recognize(p).best for p in parts]
            if sum(m is not None for m in matches) == 1:
                done = 0 if matches[0] is not None else 1
                found = matches[done]
                assert found is not None
                miss.done_part, miss.left_part = parts[done], parts[1 - done]
                miss.done_action = found.action
                return

    def _unclear_person(self, request: str, table: EntityTable) -> Proposal | None:
        """A person the request refers to ("her") who is one of several in scope: asked,
        naming them, before any model guesses one."""
        for mention in find_mentions(request):
            if mention.kind != "pronoun" or mention.type_hint != "person":
                continue
            res = resolve_reference(mention, table)
            if res.entity is not None or named_before(
                    request, mention.start, table.of_type(*PERSON_TYPES)) is not None \
                    or address_before(request[:mention.end], mention.text) is not None:
                continue  # resolved, or the person (or address) the request gave before
            people = [e for e in res.candidates if e.type in PERSON_TYPES]
            known = table.of_type(*PERSON_TYPES)
            if not people and 1 < len(known) <= 6:
                people = known  # no one in the conversation yet: the people lam knows
            if len(people) > 1:
                question = (res.question if res.candidates else None) or (
                    f"Whom do you mean by '{mention.text}': " +
                    " or ".join(e.label or e.id for e in people) + "?")
                return Proposal(plan=Plan.ask(request, question,
                                              [e.label or e.id for e in people], tier=0),
                                candidate_ids=[e.id for e in people],
                                question_span=(mention.start, mention.end))
        return None

    def _settle(self, request: str, proposal: Proposal, miss: Tier0Miss) -> Proposal:
        """The last word on a proposal: a send step's target nobody said is a question; a
        plan that does only one clause of "X and Y" is not the plan for the request; an
        answer without a plan explains what tier 0 read and could not use."""
        plan = proposal.plan
        notes = list(plan.escalations)
        no_model = self.tier_factories.get(1) is None or (1 in self._tiers
                                                            and self._tiers[1] is None)
        if plan.kind is PlanKind.ACTIONS:
            asked = self._ask_unsaid(proposal)
            if asked is not None:
                return asked
            distinct = {(s.action, repr(sorted(s.args.items()))) for s in plan.steps}
            if (miss.left_part and len(distinct) < 2
                    and {s.action for s in plan.steps} <= {miss.done_action}):
                notes.append(f"the plan does only {miss.done_part!r}: asked")
                out = Proposal(plan=Plan.ask(
                    request, f"I can do '{miss.done_part}', but I found no action for "
                             f"'{miss.left_part}', so I did neither. Should I do only "
                             f"'{miss.done_part}'? Ask for it on its own, or say "
                             f"'{miss.left_part}' another way.", tier=plan.tier),
                    seconds=proposal.seconds)
                out.plan.escalations = notes
                return out
            return proposal
        if plan.kind not in (PlanKind.NO_ACTION, PlanKind.ANSWER) or \
                (notes and notes[-1].startswith(_NOTHING_THERE)):
            return proposal
        question = miss.question
        if question is not None and question.options:
            notes.append(f"no other plan: the question about {miss.action}.{question.param} "
                         "stands")
            out = Proposal(plan=Plan.ask(request, question.question, question.options, tier=0),
                           pending_steps=miss.steps, question_step=question.step,
                           question_param=question.param,
                           candidate_ids=question.candidate_ids, seconds=proposal.seconds)
            out.plan.escalations = notes
            return out
        if question is not None:
            answer = (f"No action fits that. The sentence template {miss.template!r} "
                      f"({miss.action}) reads it, but {question.problem}.")
        elif miss.left_part:
            answer = (f"'{miss.done_part}' fits the action {miss.done_action}, but no action "
                      f"fits '{miss.left_part}', so I did neither. Ask for each part on its "
                      "own, or say it another way.")
        else:
            return proposal
        if no_model:
            answer += " No model is configured to plan it another way."
        out = Proposal(plan=Plan(request=request, kind=PlanKind.NO_ACTION, tier=plan.tier,
                                 answer=answer, escalations=notes), seconds=proposal.seconds)
        return out

    def _ask_unsaid(self, proposal: Proposal) -> Proposal | None:
        """A send step whose target nobody said (the model's words): a question, never run,
        even with --yes. The answer fills that slot."""
        found = [v for v in unsaid(proposal.violations) if v.step is not None and v.param]
        if not found:
            return None
        v = found[0]
        assert v.step is not None and v.param is not None
        plan = proposal.plan
        step = plan.steps[v.step]
        spec = self.registry.get(step.action)
        badge = spec.effect.badge if spec is not None else "side-effect"
        value = step.args.get(v.param)
        question = (f"What should {step.action} use as its {v.param}? You did not say; "
                    f"{value!r} is the model's guess, and a {badge} step never runs on a guess.")
        out = Proposal(plan=Plan.ask(plan.request, question, tier=plan.tier),
                       pending_steps=plan.steps, question_step=v.step, question_param=v.param,
                       seconds=proposal.seconds)
        out.plan.escalations = [*plan.escalations,
                                f"step {v.step + 1} {step.action}.{v.param} = {value!r} is "
                                "the model's wording: asked"]
        return out

    @staticmethod
    def _takers(request: str, plan: Plan, mentions: list[tuple[Mention, str]],
                table: EntityTable, specs: dict[str, ActionSpec],
                said_time: str | None = None) -> list[str]:
        """The actions that take an entity of a type the plan leaves unused, those that take
        a person when the plan leaves a person the request names unused, and those that take
        a time when it leaves the time the request says (``said_time``) unused."""
        types = {e.id: e.type for e in table.all()}
        unused = unused_reference_types(plan, mentions, types, specs)
        out = [s.name for s in specs.values() if set(s.entity_params().values()) & unused]
        if said_time:
            # "push the con ed one to thursday": the actions that take both, when some do
            both = [a for a in out if a in time_takers(specs)]
            out = both or out + [a for a in time_takers(specs) if a not in out]
        if plan.steps and unused_people(request, plan, specs, table.as_mapping()):
            out += [a for a in person_takers(specs) if a not in out]
        if unused_links(request, plan, specs, table.as_mapping()):
            out += [s.name for s in specs.values() if s.name not in out
                    and "link" in s.entity_params().values()]
        if asks_a_question(request):  # "when's my dentist reminder": told, not changed
            out = [a for a in out if not specs[a].effect.has_side_effect]
            out += [a for a in _reading_actions(specs, makes=unused) if a not in out]
        return out

    def _person_misread(self, request: str, plan: Plan, mentions: list[tuple[Mention, str]],
                        table: EntityTable, filler: SlotFiller, specs: dict[str, ActionSpec],
                        now: datetime, actionable: str | None, model_tier: ModelTier
                        ) -> Proposal | None:
        """A plan whose question comes from a person the request names put where something
        else belongs ("mail from Ana" read as an email called 'ana'): planned again among the
        actions that take a person; None when that is not it or does not help."""
        if not unused_people(request, plan, specs, table.as_mapping()):
            return None
        return self._replan_among(person_takers(specs), request, mentions, table, filler,
                                  specs, now, actionable, model_tier)

    def _replan_among(self, among: list[str], request: str,
                      mentions: list[tuple[Mention, str]], table: EntityTable,
                      filler: SlotFiller, specs: dict[str, ActionSpec], now: datetime,
                      actionable: str | None, model_tier: ModelTier) -> Proposal | None:
        """A doubted plan planned again among the actions that fit better (those that take an
        unused reference's type, or whose words the request uses); kept only if code has no
        doubt about it."""
        if not among:
            return None
        proposal = model_tier.propose(request, table.all(), mentions, among=among)
        plan = proposal.plan
        if plan.kind is not PlanKind.ACTIONS or not plan.steps:
            return None
        filled, question = filler.fill(plan.steps, specs)
        if question is not None:
            return None
        plan = plan.model_copy(update={"steps": self._prune(filled, request, table, mentions)})
        violations = self.verifier.verify(plan, table.as_mapping(), now)
        if (planner_fixable(violations) or _state_misfits(violations)
                or plan_doubts(request, plan, mentions, specs, actionable, table.as_mapping())
                or better_fits(request, plan, self._vocabulary())[0]
                or question_changes_things(request, plan, specs)):
            return None
        return Proposal(plan=plan, violations=violations)

    def replan(self, request: str, steps: list[Step], table: EntityTable, now: datetime,
               tz: ZoneInfo, tier: int | None, said: str = "") -> Proposal:
        """Fill and verify given steps again (after the user answered a question; ``said``:
        the answer, which counts as the user's words like the request)."""
        started = time.perf_counter()
        specs = {s.name: s for s in self.registry}
        filler = SlotFiller(table=table, now=now, tz=tz,
                            request=f"{request}\n{said}" if said else request)
        filled, question = filler.fill(steps, specs)
        if question is not None:
            return Proposal(plan=Plan.ask(request, question.question, question.options,
                                          tier=tier),
                            pending_steps=steps, question_step=question.step,
                            question_param=question.param,
                            candidate_ids=question.candidate_ids)
        plan = Plan(request=request, steps=filled, tier=tier)
        proposal = Proposal(plan=plan, violations=self.verifier.verify(plan, table.as_mapping(),
                                                                       now),
                            seconds=time.perf_counter() - started)
        return self._ask_unsaid(proposal) or proposal

    def _hybrid(self, request: str, table: EntityTable, mentions: list[tuple[Mention, str]],
                filler: SlotFiller, specs: dict[str, ActionSpec], now: datetime,
                on_tier: Callable[[int], None] | None,
                ) -> tuple[Plan, list[Violation], str] | None:
        """"X and Y" where a template reads X (or Y) but not the other: the model plans only
        the other part, and the steps are joined in order; when Y only says what to tell X's
        recipient ("… and ask her if …"), it is X's text and no model is needed. With the
        plan: its violations and what happened."""
        from assistant.templates import TemplateMatcher

        matcher = self._matcher
        if not isinstance(matcher, TemplateMatcher) or self.tier_factories.get(1) is None:
            return None
        for sep in _SPLIT.finditer(request):
            parts = [request[:sep.start()].strip(" ,"), request[sep.end():].strip(" ,")]
            if not all(parts):
                continue
            matches = [matcher.recognize(p).best for p in parts]
            if sum(m is not None for m in matches) != 1:
                continue
            head = matches[0]
            folded = said_to_them(parts[1], _template_step(request, head), specs) \
                if head is not None else None
            if folded is not None:  # "forward this to my sister and ask her if …": her note
                filled, question = filler.fill([folded], specs)
                if question is not None:
                    return None
                plan = Plan(request=request, steps=filled, tier=0, confidence=1.0)
                return plan, self.verifier.verify(plan, table.as_mapping(), now), (
                    f"tier 0: {parts[1]!r} says what to tell the recipient of "
                    f"{folded.action}: its text")
            if on_tier:
                on_tier(1)
            model_tier = self._model_tier(1)
            if model_tier is None:
                return None
            steps: list[Step] = []
            confidence = 1.0
            for part, match in zip(parts, matches, strict=True):
                if match is not None:
                    steps.append(_template_step(request, match))
                    continue
                proposal = model_tier.propose(part, table.all(), mentions)
                if proposal.plan.kind is not PlanKind.ACTIONS or len(proposal.plan.steps) != 1:
                    return None
                confidence = min(confidence, proposal.confidence or 0.0)
                steps.append(proposal.plan.steps[0])
            filled, question = filler.fill(steps, specs)
            if question is not None:
                return None
            plan = Plan(request=request, steps=self._prune(filled, request, table, mentions),
                        tier=1,
                        confidence=confidence)
            violations = self.verifier.verify(plan, table.as_mapping(), now)
            if planner_fixable(violations):
                return None
            return plan, violations, "tier 1: planned the part no template matched"
        return None

    def _prune(self, steps: list[Step], request: str, table: EntityTable,
               mentions: list[tuple[Mention, str]],
               note: Callable[[str], None] | None = None) -> list[Step]:
        """Drop a read-only step the model appended that only looks again at what an earlier
        step already used (e.g. reading the email it has just forwarded), a read-only step
        without arguments that no word of the request calls for beside steps that are called
        for, identical read steps repeated though the request asks for no repetition
        (`drop_repeats`), and a step on a web page's thing the request does not ask for
        (`unasked`)."""
        steps = drop_repeats(steps, self.registry.get, request)
        said = stems(request)
        cues = self._vocabulary().cues
        steps, dropped = drop_unasked_page_steps(steps, request, table.as_mapping(),
                                                 {eid for _, eid in mentions}, cues)
        for step in dropped:
            if note is not None:
                note(f"left out {step.action}({', '.join(map(str, step.args.values()))}): "
                     "the request does not ask for it, and it acts on a web page's thing")
        cued = [s for s in steps if cues.get(s.action, frozenset()) & said]
        out: list[Step] = []
        for k, step in enumerate(steps):
            spec = self.registry.get(step.action)
            used_later = any(is_step_ref(v) and v.get("$step") == k
                             for s in steps for v in s.args.values())
            if (cued and step not in cued and not step.args and spec is not None
                    and not spec.effect.has_side_effect and len(steps) > 1 and not used_later):
                continue  # "hit load more" as scroll + click: nothing asked to scroll
            if spec is not None and not spec.effect.has_side_effect and \
                    self._read_before_use(k, steps, said, cues):
                continue  # "reply to hank's email saying …" as read_email + reply_email
            used = {str(v) for s in out for v in s.args.values() if isinstance(v, str)}
            values = [v for v in step.args.values()]
            if (out and spec is not None and not spec.effect.has_side_effect and values
                    and all(isinstance(v, str) and v in used for v in values)
                    and not any(is_step_ref(v) for s in steps for v in s.args.values()
                                if isinstance(v, dict) and v.get("$step") == len(out))):
                continue
            out.append(step)
        return out

    @staticmethod
    def _stray_step(steps: list[Step], question: Clarification | None, table: EntityTable,
                    specs: dict[str, ActionSpec], request: str,
                    cues: dict[str, frozenset[str]]) -> int | None:
        """The step a question is about, beside other steps that do not refer to it, when it
        takes a kind of thing that nothing in scope is and no earlier step makes ("fill field
        '610'" before the reply the request asked for), or when it only reads, its value is no
        value of its kind and no word of the request calls for its action ("email tariq at the
        garage" with a step opening 'garage')."""
        if question is None or question.step is None or question.param is None \
                or len(steps) < 2 or question.step >= len(steps):
            return None
        k, step = question.step, steps[question.step]
        spec = specs.get(step.action)
        etype = spec.entity_params().get(question.param) if spec is not None else None
        in_scope = {e.type for e in table.all()}
        uncalled = bool(question.problem) and spec is not None \
            and not spec.effect.has_side_effect \
            and not (cues.get(step.action, frozenset()) & stems(request))
        if not uncalled and not nothing_to_refer_to(etype, in_scope,
                                                    [s.action for s in steps[:k]], specs):
            return None
        if any(is_step_ref(v) for s in steps for v in s.args.values()):
            return None
        return k

    def _read_before_use(self, k: int, steps: list[Step], said: set[str],
                         cues: dict[str, frozenset[str]]) -> bool:
        """Step ``k`` reads what a later step the request's own words call for ("reply")
        changes or sends (all its arguments reused there), and no word of the request calls
        for the reading beyond the later step's words: the model's extra look, not the
        user's."""
        step = steps[k]
        values = [v for v in step.args.values() if isinstance(v, str)]
        if not values or len(values) != len(step.args) or any(
                is_step_ref(v) for s in steps for v in s.args.values()):
            return False  # (a plan with references is left as it is: they count steps)
        for later in steps[k + 1:]:
            spec = self.registry.get(later.action)
            if spec is None or not spec.effect.has_side_effect or \
                    not set(values) <= {v for v in later.args.values() if isinstance(v, str)}:
                continue
            own = self._vocabulary().distinctive.get(later.action, frozenset())
            if own & said and not (cues.get(step.action, frozenset()) & said) - cues.get(
                    later.action, frozenset()):
                return True
        return False

    @staticmethod
    def _pre_resolve(request: str, table: EntityTable) -> list[tuple[Mention, str]]:
        out = []
        for mention in find_mentions(request):
            res = resolve_reference(mention, table)
            if res.entity is not None:
                out.append((mention, res.entity.id))
        return out


def _reading_actions(specs: dict[str, ActionSpec], *, takes: AbstractSet[str] = frozenset(),
                     makes: AbstractSet[str] = frozenset()) -> list[str]:
    """The actions without effects that take a thing of one of the kinds ``takes`` or list
    things of one of the kinds ``makes`` (a question is answered by them)."""
    return [s.name for s in specs.values() if not s.effect.has_side_effect
            and (takes & set(s.entity_params().values()) or makes & set(s.produces))]


def _option_names(entity: Entity) -> list[str]:
    """A list field's options by their names, without the details that follow them
    ("Express (1-2 days) - €9.90" is "Express")."""
    options = entity.attributes.get("options")
    if not isinstance(options, list):
        return []
    return [re.split(r"\s+[-–(]|\(|\s+-\s+", str(o), maxsplit=1)[0].strip() for o in options]


def _asks_about_invented(request: str, asked: Proposal) -> bool:
    """Whether a question is about a value the model wrote and the request does not say (a
    field called 'to'), rather than a choice the request leaves open."""
    k, param = asked.question_step, asked.question_param
    if k is None or param is None or k >= len(asked.pending_steps):
        return False
    return invented_value(request, asked.pending_steps[k].args.get(param))


def _state_misfits(violations: list[Violation]) -> list[Violation]:
    """Blocking failed preconditions about the state of the thing a step acts on
    (`Condition.about`: a job already cancelled), not about the world (no mail account)."""
    return [v for v in blocking(violations)
            if v.reason is ViolationReason.PRECONDITION and v.param]


def _inputs_there(specs: dict[str, ActionSpec], table: EntityTable) -> list[str]:
    """The actions that act on nothing missing: each one alone has no `absent_inputs`."""
    entities = table.as_mapping()
    return [name for name in specs
            if not absent_inputs(Plan(request="", kind=PlanKind.ACTIONS,
                                      steps=[Step(action=name)]), specs, entities)]
