"""Step 4 of a request: deterministic code turns copied slot text into values — entity ids,
datetimes, recurrence rules, URLs, addresses — and records where each value came from."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from actions.entities import Entity, Provenance, Scope
from actions.plan import ACTION_SOURCE, MODEL_WORDING, Step, ValueSource, is_step_ref
from actions.spec import ActionSpec
from actions.types import entity_type_of, format_of, is_long_text
from assistant.context import PERSON_TYPES, EntityTable
from assistant.normalize import (
    BEFORE_IT,
    AmbiguousRule,
    AmbiguousTime,
    RecurrenceRule,
    TimeParseError,
    TimeParseReason,
    UrlError,
    next_occurrences,
    normalize_url,
    parse_recurrence,
    parse_when,
)
from assistant.planner.antecedent import address_before, named_before
from assistant.planner.choice import action_source
from assistant.planner.doubts import invented_value, name_words
from assistant.planner.event_times import event_time, what_it_is, when_before
from assistant.planner.relevance import ActionVocabulary, known_site_in, stems
from assistant.planner.said_content import about_nothing, content_clause, said_message
from assistant.planner.said_filters import with_said_filters
from assistant.planner.same_day import at_its_own_time, on_its_own_day
from assistant.planner.series_start import series_start
from assistant.relations import kin_words, relation_words, says_relation
from assistant.resolve import (
    EMAIL_ADDRESS_RE,
    NOUN_TYPES,
    Mention,
    Resolution,
    at_organisation,
    find_mentions,
    match_by_description,
    match_by_label,
    named_exactly,
    one_of_any_kind,
    resolve_reference,
)
from assistant.templates import whole_number
from assistant.verify import EMAIL_RE

__all__ = ["ALL_OF_THEM", "Clarification", "SlotFiller", "address_with_words"]

RECURRENCE_CUE = re.compile(r"\b(every|each|daily|weekly|monthly|yearly|annually|hourly|"
                            r"weekdays|weekends|nightly|(mon|tues|wednes|thurs|fri|satur|sun)"
                            r"days)\b", re.I)
"""Words that ask for a repetition ("on Fridays" is every Friday; "on Friday" is one)."""
RESULT_PHRASES = {"the result", "the results", "what you found", "whatever you found",
                  "the answer", "what it says", "the output", "that result"}
FREQUENCY_ADJECTIVE = re.compile(
    r"\b(daily|weekly|monthly|yearly|annual|hourly|nightly|quarterly)\s+(?!(?:to|on|at|in|"
    r"from|until|till|starting|beginning|and|or|for|by|except|but|then|please|around|about|"
    r"through|between|after|before|of|with|except|is|are|reminders?|alarms?|pings?|nudges?|"
    r"alerts?|notifications?|runs?)\b)(?=[a-z])", re.I)
"""A frequency word before a noun describes the thing ("the weekly sync", "my monthly rent"),
it does not ask for a repetition ("remind me weekly to ...", "... weekly on Mondays"); before
a reminder it does ("an hourly reminder to stretch")."""
PRONOUNS = {"it", "this", "that", "them", "her", "him", "this page", "that page", "the page"}
_COPIED_ADDRESSEE = re.compile(r"\s+(?:to|for)\s+.+$", re.IGNORECASE)
"""What a model copies after the pronoun it was to fill in: "it to Niamh" (of "email it to
Niamh") is "it", the earlier step's output."""


@dataclass
class Clarification:
    """A question back to the user instead of a guess."""

    question: str
    options: list[str] = field(default_factory=list)
    step: int | None = None
    param: str | None = None
    candidate_ids: list[str] = field(default_factory=list)
    problem: str = ""
    """Set when the slot's words name nothing lam can use (no such name in scope, not a web
    address): the reading that put them there may be wrong, as opposed to a choice among
    candidates. Says what is wrong, for an answer that is not a question."""


_DANGLING_OFFSET = re.compile(r"((?:\S+\s+){0,3}\S+)\s+(before|after|earlier|later)"
                              r"\s*(?:[,.!?;]|$)", re.IGNORECASE)


@dataclass
class SlotFiller:
    table: EntityTable
    now: datetime
    tz: ZoneInfo
    request: str
    _specs: dict[str, ActionSpec] = field(default_factory=dict)
    _vocab: ActionVocabulary | None = None
    _composed: set[str] = field(default_factory=set)
    """Time phrases put together from two spans of the request ("an hour before" + "dec 9 at
    2:30pm"): the user's words, though no one span."""

    def fill(self, steps: list[Step], specs: dict[str, ActionSpec]) -> tuple[
            list[Step], Clarification | None]:
        self._specs = specs
        out: list[Step] = []
        for i, step in enumerate(steps):
            spec = specs.get(step.action)
            if spec is None:
                out.append(step)
                continue
            step = self._as_forward(_as_submission(step, specs), specs, out)
            step = self._held_back(step, specs)
            spec = specs[step.action]
            for each in self._for_both(step, spec):
                filled, question = self._fill_step(i, each, spec, out)
                if question is None:
                    filled, question = self._not_back_to_its_sender(i, filled)
                if question is not None:
                    return out, question
                out.append(self._as_open_link(filled, specs))
        return out, None

    def _every_one(self, text: str, etype: str) -> list[Entity]:
        """The things "them all" / "all of them" / "each of them" stands for: the ones of
        ``etype`` listed on screen, else those talked of (2 to 10, in the order they came
        up); empty for any other words."""
        if not ALL_OF_THEM.match(text):
            return []
        group = self.table.listed(etype) or sorted(
            (e for e in self.table.of_type(etype)
             if e.scope is Scope.CONVERSATION and self.table.recency(e.id) > 0),
            key=lambda e: self.table.recency(e.id))
        return group if 2 <= len(group) <= 10 else []

    def _held_back(self, step: Step, specs: dict[str, ActionSpec]) -> Step:
        """A message the request says to hold ("…, don't send it yet", "show me before it
        goes out") is a draft, without those words."""
        held = _HOLD.search(self.request)
        if held is None or step.action not in ("send_email", "draft_email") \
                or "draft_email" not in specs:
            return step
        args = dict(step.args)
        body = args.get("body")
        if isinstance(body, str):
            args["body"] = _HOLD_CLAUSE.sub("", body).strip(" ,;-—") or body
        return step.model_copy(update={"action": "draft_email", "args": args, "sources": {
            **step.sources, ACTION_SOURCE: ValueSource(
                kind="user_text", text=held.group(0),
                note=f"'{held.group(0)}': a draft, for you to see first")}})

    def _not_back_to_its_sender(self, i: int, step: Step) -> tuple[Step, Clarification | None]:
        """"forward Siobhan's email to him": "him" is not Siobhan (named just before, so the
        most salient person), whose own mail it is, but the person talked of before her; asked
        when no one else was."""
        source = step.sources.get("to")
        mail = self.table.get(str(step.args.get("email")))
        to = self.table.get(str(step.args.get("to")))
        if step.action != "forward_email" or source is None or mail is None or to is None \
                or _norm(source.text or "") not in ("him", "her", "them") \
                or not _sent_by(mail, to):
            return step, None
        others = [p for p in self.table.of_type(*PERSON_TYPES)
                  if p.id != to.id and self.table.recency(p.id) > 0 and not _sent_by(mail, p)]
        if not others:
            return step, Clarification(
                question=f"Forward it to whom? '{source.text}' would be {to.label}, who sent "
                         "it.", step=i, param="to")
        other = others[0]  # the most recent first
        return step.model_copy(update={
            "args": {**step.args, "to": other.id},
            "sources": {**step.sources, "to": ValueSource(
                kind="entity", text=source.text, entity_id=other.id,
                provenance=other.provenance,
                note=f"'{source.text}' = {other.label}, talked of before {to.label}, "
                     "whose mail it is")}}), None

    def _for_both(self, step: Step, spec: ActionSpec) -> list[Step]:
        """``step`` once for each of two things its one value names ("forward both of rafa's
        emails", "mark both of them read": the two that fit, or the two listed), or as it is."""
        for name, etype in spec.entity_params().items():
            text = step.args.get(name)
            every = self._every_one(text, etype) if isinstance(text, str) else None
            if every:  # "mark them all as read": each of the things just listed
                return _each(step, name, str(text), every, f"one of {len(every)}")
            m = re.match(r"^\s*(?:both|the\s+two)\b\s*(?:of\s+)?(.*)$", text, re.I) \
                if isinstance(text, str) else None
            if m is None:
                continue
            pool = self.table.listed(etype) or self.table.of_type(etype)
            rest = m.group(1).strip()
            group = self._described(rest, pool) if rest and rest.lower() not in PRONOUNS \
                else []
            if not group and len(pool) == 2 and (not rest or rest.lower() in PRONOUNS or
                                                 not self._described(rest, pool, partly=True)):
                group = pool
            if len(group) != 2:
                continue
            # in the order they are listed, or else the order they came up in ("send both
            # drafts": the one written first, first)
            group = sorted(group, key=lambda e: (e.ordinal is None, e.ordinal or 0,
                                                 self.table.recency(e.id)))
            return _each(step, name, str(text), group, "one of the two")
        return [step]

    def _as_forward(self, step: Step, specs: dict[str, ActionSpec], earlier: list[Step]
                    ) -> Step:
        """A message whose whole text is the label of one email in scope ("send the offsite
        agenda over to sam" written as a mail saying "Offsite agenda — Harriet Cole") is that
        email forwarded; so is "it" when the thing talked of last is an email and no earlier
        step of the plan is what "it" is ("send it to ana")."""
        body = step.args.get("body")
        last = self._talked_of_last() if isinstance(body, str) and _norm(body) in _IT \
            and not earlier else None
        if step.action == "send_email" and "forward_email" in specs and last is not None \
                and last.type == "email":  # "send it to ana": the mail talked of, forwarded
            args = {"email": last.id, **({"to": step.args["to"]} if "to" in step.args else {})}
            return Step(action="forward_email", args=args, sources={
                k: v for k, v in step.sources.items() if k in ("to", ACTION_SOURCE)})
        if step.action != "send_email" or "forward_email" not in specs \
                or not isinstance(body, str) or not _norm(body) \
                or re.search(r"\b(?:that|saying|say|tell|ask)\b|:", self.request, re.I):
            return step  # the request says what the message says
        emails = [e for e in self.table.of_type("email") if _norm(e.label) == _norm(body)]
        if len(emails) != 1:
            return step
        args = {"email": emails[0].id, **({"to": step.args["to"]} if "to" in step.args else {})}
        return Step(action="forward_email", args=args,
                    sources={k: v for k, v in step.sources.items() if k in ("to", ACTION_SOURCE)})

    def _as_open_link(self, step: Step, specs: dict[str, ActionSpec]) -> Step:
        """``open_url`` of an address that came from a link on screen is ``open_link`` of that
        link: the plan then says which link the user's words chose. So is a ``click`` of a
        link that points to a web address: following it is all a click does, read-only."""
        param = {"open_url": "url", "click": "target"}.get(step.action)
        source = step.sources.get(param) if param else None
        entity = self.table.get(source.entity_id) if source and source.entity_id else None
        if param is None or "open_link" not in specs or entity is None \
                or entity.type != "link" or "link" not in specs["open_link"].entity_params():
            return step
        if step.action == "click" and (step.args.get("target") != entity.id or not
                                       _WEB_ADDRESS.match(str(entity.attributes.get("url") or ""))):
            return step  # "javascript:…", "#top": a click does more than follow an address
        sources = {k: v for k, v in step.sources.items() if k != param}
        return step.model_copy(update={"action": "open_link", "args": {"link": entity.id},
                                       "sources": {**sources, "link": source}})

    # ------------------------------------------------------------------------------------------
    def _fill_step(self, i: int, step: Step, spec: ActionSpec,
                   earlier: list[Step]) -> tuple[Step, Clarification | None]:
        schema = spec.parameters_schema()
        props: dict[str, Any] = schema.get("properties", {})
        required = set(schema.get("required", []))
        step = with_said_filters(self.request, self._repair_model_times(step, props), spec,
                                 schema)
        step = self._with_said_sender(step, spec, props, required)
        made_up = self._made_up_time(step, props)
        if made_up is not None:
            return step, Clarification(
                question=f"When should I do that? You did not say a time "
                         f"(the model suggested {step.args[made_up]!r}).",
                step=i, param=made_up)
        step, unsaid = self._with_said_content(i, step, spec, props, required)
        if unsaid is not None:
            return step, unsaid
        step = _address_apart(step, props)
        args = dict(step.args)
        sources = dict(step.sources)
        for name, value in list(step.args.items()):
            if (name not in required and isinstance(value, str)
                    and value.strip().lower() in ("it", "this", "that")
                    and "entity id" in str(props.get(name, {}).get("description") or "")):
                thing = self._thing_on_page(value)
                if thing is None:
                    del args[name]  # "submit it": the form, its default, not a thing 'it'
                    sources.pop(name, None)
                else:
                    args[name] = thing.id
                    sources[name] = ValueSource(kind="entity", text=value, entity_id=thing.id,
                                                provenance=thing.provenance,
                                                note=f"'{value}' = {thing.type} {thing.label}")
                continue
            if (name not in required and isinstance(value, str) and len(value.split()) == 1
                    and "entity id" in str(props.get(name, {}).get("description") or "")
                    and stems(value) and stems(value) <= self._vocabulary().cues.get(
                        spec.name, frozenset())):
                del args[name]  # "send it" as submit_form(target="send"): the verb, no thing
                sources.pop(name, None)
                continue
            source_kind = step.sources[name].kind if name in step.sources else ""
            if (source_kind == "model" and name not in required and isinstance(value, str)
                    and not entity_type_of(props.get(name, {}))
                    and not self._in_request(value)):
                said = self._said_instead(value, props.get(name, {}))
                if said is None:
                    del args[name]  # an optional value the model made up: the default
                    sources.pop(name, None)
                    continue
                if said != value:  # the allowed value the request names
                    value, source_kind = said, "user_text"

            prop = props.get(name, {})
            if isinstance(value, list) and entity_type_of(prop.get("items", {})):
                try:  # a list of people ("cc june and my boss"): each resolved like one
                    args[name], sources[name] = self._fill_list(
                        i, name, value, prop["items"], earlier, source_kind,
                        sources.get(name))
                except _Ask as ask:
                    return step, Clarification(question=ask.question, options=ask.options,
                                               step=i, param=name, candidate_ids=ask.ids)
                if not args[name] and name not in required:
                    del args[name]  # only people the model chose alone: the default
                    sources.pop(name, None)
                continue
            person = self._detail_of(value) if isinstance(value, str) and "field" in \
                spec.entity_params().values() and not entity_type_of(prop) else None
            if person is not None:  # "fill the email box with my girlfriend's email"
                args[name] = str(person.attributes["email"])
                sources[name] = ValueSource(kind="entity", text=str(value), entity_id=person.id,
                                            provenance=person.provenance,
                                            note=f"'{value}' = {person.label}'s address")
                continue
            if is_step_ref(value) or not isinstance(value, str):
                if is_step_ref(value):
                    sources.setdefault(name, ValueSource(kind="step_output",
                                                         note=f"output of step "
                                                              f"{value['$step'] + 1}"))
                continue
            try:
                new_value, source = self._fill_value(i, name, value, prop, earlier,
                                                     source_kind)
                if source_kind == "model" and isinstance(new_value, str):
                    self._check_named_ambiguity(new_value)
                    if spec.effect.has_side_effect:
                        self._check_guessed_element(new_value, source)
                    instead = self._named_instead(new_value, step)
                    if instead is not None:
                        new_value, source = instead
                    else:
                        source = self._unnamed_choice(new_value, source)
            except _Ask as ask:
                return step, Clarification(question=ask.question, options=ask.options, step=i,
                                           param=name, candidate_ids=ask.ids,
                                           problem=ask.problem)
            args[name] = new_value
            if source is not None:
                prior = sources.get(name)
                if prior is not None and not prior.provenance.trusted:
                    source = source.model_copy(update={"provenance": prior.provenance})
                sources[name] = source
        self._keep_own_day(spec, props, args, sources)
        for name in set(props) - set(args):  # a repetition's first time, shown
            every = next((args[k] for k, p in props.items()
                          if format_of(p) == "x-recurrence" and isinstance(args.get(k), str)),
                         None)
            if format_of(props.get(name, {})) == "date-time" and every:
                first = next_occurrences(every, self._series_after(), self.tz, 1)
                if first:
                    args[name] = first[0].isoformat()
                    sources[name] = ValueSource(kind="normalized", note="first occurrence")
        sources[ACTION_SOURCE] = action_source(step, spec, self.request, self.table,
                                               self._vocabulary().distinctive.get(
                                                   spec.name, frozenset()))
        return step.model_copy(update={"args": args, "sources": sources}), None

    def _fill_list(self, i: int, name: str, values: list[Any], item: dict[str, Any],
                   earlier: list[Step], source_kind: str, prior: ValueSource | None
                   ) -> tuple[list[Any], ValueSource]:
        """Each item of a list of entities filled like one value, without the people the
        model added that the request never names; the list is as trusted as its least
        trusted item."""
        out: list[Any] = []
        notes: list[str] = []
        provenance = prior.provenance if prior is not None else Provenance.user()
        for value in values:
            if not isinstance(value, str):
                out.append(value)
                continue
            filled, source = self._fill_value(i, name, value, item, earlier, source_kind)
            if source_kind == "model" and isinstance(filled, str):
                self._check_named_ambiguity(filled)
                if source is not None and self._unnamed_choice(filled, source,
                                                               listed=True) != source:
                    continue  # a person the request never names: not added by the model
            out.append(filled)
            if source is not None:
                notes.append(source.note or f"{value!r}")
                if not source.provenance.trusted:
                    provenance = source.provenance
        text = prior.text if prior is not None and prior.text else ", ".join(map(str, values))
        return out, ValueSource(kind="entity", text=text, note="; ".join(notes),
                                provenance=provenance)

    def _vocabulary(self) -> ActionVocabulary:
        if self._vocab is None:
            self._vocab = ActionVocabulary(list(self._specs.values()))
        return self._vocab

    def _with_said_content(self, i: int, step: Step, spec: ActionSpec, props: dict[str, Any],
                           required: set[str]) -> tuple[Step, Clarification | None]:
        """A required text slot the model filled with the instruction and its times only
        ("remind me at 6"): the one other clause of the request that says what it is about,
        or a question (`said_content`)."""
        cues = self._vocabulary().cues.get(spec.name, frozenset())
        to_someone = any(t in PERSON_TYPES for t in spec.entity_params().values())
        unknown = self._unknown_relation() if to_someone else None
        if unknown is not None:  # "email my sister …" and no contact is a sister: never a guess
            return step, Clarification(
                question=f"Who is your {unknown}? No contact has the relation "
                         f"'{unknown}'.",
                step=i, param=next(k for k, t in spec.entity_params().items()
                                   if t in PERSON_TYPES),
                candidate_ids=[p.id for p in self.table.of_type(*PERSON_TYPES)][:6])
        for name in sorted(required):  # "email mum": a message that only names its recipient
            value, prop = step.args.get(name), props.get(name, {})
            if to_someone and isinstance(value, str) and is_long_text(prop) \
                    and self._only_naming(value) and said_message(self.request) is None:
                return step, Clarification(
                    question="What should the message say? Your request does not say.",
                    step=i, param=name)
            if to_someone and isinstance(value, str) and is_long_text(prop) \
                    and _UNSEEN_TALK.match(value.strip()):  # "send aga the thing we discussed"
                return step, Clarification(
                    question=f"What should the message say? I can't see '{value.strip()}'; "
                             "say it in the request, or open it first.", step=i, param=name)
        for name in sorted(required):
            value, prop = step.args.get(name), props.get(name, {})
            source = step.sources.get(name)
            if (not isinstance(value, str) or source is None or source.kind != "model"
                    or prop.get("type") != "string" or format_of(prop) or "enum" in prop
                    or entity_type_of(prop) or not about_nothing(value, cues, self.now,
                                                                 self.tz)):
                continue
            clause = content_clause(self.request, cues, self.now, self.tz)
            if clause is None:
                what = str(prop.get("description") or name).split(", e.g.")[0].rstrip(".")
                return step, Clarification(
                    question=f"What should {spec.name} have as its {name} ({what})? "
                             f"Your request does not say.", step=i, param=name)
            args = {**step.args, name: clause}
            sources = {**step.sources, name: ValueSource(kind="user_text", text=clause,
                                                         note="the request's other clause")}
            step = step.model_copy(update={"args": args, "sources": sources})
        said = said_message(self.request)
        for name in sorted(required):  # a text that is the output of no earlier step: the
            # message the request says
            value, prop = step.args.get(name), props.get(name, {})
            if not (isinstance(value, dict) and is_step_ref(value) and value["$step"] >= i
                    and prop.get("type") == "string" and said is not None
                    and not format_of(prop) and not entity_type_of(prop)):
                continue  # without a said message the verifier sends the plan back
            step = step.model_copy(update={
                "args": {**step.args, name: said},
                "sources": {**step.sources, name: ValueSource(
                    kind="user_text", text=said, note="what the request says it says")}})
        for name in sorted(required):  # a text that is the whole request copied
            value, prop = step.args.get(name), props.get(name, {})
            if (isinstance(value, str) and is_long_text(prop) and said
                    and _norm(value) == _norm(self.request) and _norm(said) != _norm(value)):
                step = step.model_copy(update={
                    "args": {**step.args, name: said},
                    "sources": {**step.sources, name: ValueSource(
                        kind="user_text", text=said, note="what the request says it says")}})
        for name in sorted(required):  # a body that is only the subject again
            value, prop = step.args.get(name), props.get(name, {})
            others = [v for k, v in step.args.items() if k != name and isinstance(v, str)]
            if (isinstance(value, str) and is_long_text(prop) and _norm(value)
                    and _norm(value) in {_norm(v) for v in others} and said
                    and _norm(value) != _norm(said)):
                step = step.model_copy(update={
                    "args": {**step.args, name: said},
                    "sources": {**step.sources, name: ValueSource(
                        kind="user_text", text=said, note="what the request says it says")}})
        return step, None

    def _detail_of(self, text: str) -> Entity | None:
        """The one person in scope whose address ``text`` names ("my girlfriends email",
        "Farah's email address"), when they have one; None otherwise."""
        m = _DETAIL.match(text.strip())
        if m is None:
            return None
        who = m.group("who").lower()
        found = [p for p in self.table.of_type(*PERSON_TYPES) if p.attributes.get("email")
                 and (who in relation_words(str(p.attributes.get("relation") or ""))
                      or who in name_words(p, 1))]
        return found[0] if len(found) == 1 else None

    def _unknown_relation(self) -> str | None:
        """The relation word the request names a person by ("my sister"), before what a
        message says, when no person in scope has that relation; None otherwise."""
        said = said_message(self.request)
        head = self.request[:self.request.lower().find(said.lower())] \
            if said and said.lower() in self.request.lower() else self.request
        kin = kin_words()
        people = self.table.of_type(*PERSON_TYPES)
        for m in re.finditer(r"\bmy\s+([a-z]+)\b", head.lower()):
            word = m.group(1)
            if word in kin and not any(
                    says_relation(str(p.attributes.get("relation") or ""), word)
                    for p in people):
                return word
        return None

    def _only_naming(self, text: str) -> bool:
        """Whether ``text`` says nothing but a person's name or relation ("mum", "to Ravi")."""
        naming = kin_words() | {w for p in self.table.of_type(*PERSON_TYPES)
                                for w in name_words(p, 1)}
        words = re.findall(r"[a-z][a-z']*", text.lower())
        return not [w for w in words if w not in naming and w not in _ADDRESSING]

    def _fill_value(self, i: int, name: str, value: str, prop: dict[str, Any],
                    earlier: list[Step], source_kind: str = "") -> tuple[Any, ValueSource | None]:
        text = value.strip()
        etype = entity_type_of(prop)
        fmt = format_of(prop)
        typed = _typed(text, prop)
        if typed is not None:  # "true" for a boolean, "5" for a count
            if source_kind == "user_text" and not self._in_request(text):
                # Not the request's words: a fixed value of the sentence template that matched
                return typed, ValueSource(kind="normalized",
                                          note="set by the sentence template")
            return typed, ValueSource(kind="normalized", text=text)
        if fmt == "email" and EMAIL_RE.match(text):
            return self._email(text)
        typed_with = address_with_words(text) if fmt == "email" else None
        if typed_with is not None:  # "my adjuster l.gomez@pinecrest.example": that address
            address, source = self._email(typed_with)
            return address, source.model_copy(update={
                "note": f"'{text}' = {typed_with}, the address said with the words for them"})
        given = address_before(self.request, text) if fmt == "email" else None
        if given is not None:  # "save ana, ana@x.example, then email her …"
            address, source = self._email(given)
            return address, source.model_copy(update={
                "note": f"'{text}' = {given}, the address the request gives before it"})
        if etype:
            deferred = self._deferred(text, etype, earlier)
            if deferred is not None:
                return deferred
            entity, note = self._entity(text, etype)
            return entity.id, ValueSource(kind="entity", text=text, entity_id=entity.id,
                                          provenance=entity.provenance, note=note)
        said = _COPIED_ADDRESSEE.sub("", text) if source_kind == "model" else text
        opened = self._address_opened(said, earlier) if is_long_text(prop) else None
        if opened is not None:  # "open X and email chloe the link": X's address
            return opened
        if (said.lower() in PRONOUNS or said.lower() in RESULT_PHRASES) and earlier:
            ref = {"$step": len(earlier) - 1}
            return ref, ValueSource(kind="step_output", text=text,
                                    note=f"output of step {len(earlier)}")
        it = _norm(said) in _IT
        if name == "text" and it and not earlier:  # "remind me about it"
            thing = self._talked_of_last()
            if thing is None:
                raise _Ask(f"What should the reminder say? '{said}' refers to nothing talked "
                           "of so far.")
            return what_it_is(thing), ValueSource(
                kind="entity", text=said, entity_id=thing.id, provenance=thing.provenance,
                note=f"'{said}' = {thing.type} {thing.label}, talked of last")
        if is_long_text(prop) and it:  # "send it to her", nothing to send
            raise _Ask(f"What should I send as '{said}'? Nothing talked of so far is a link, a "
                       "page or an email.")
        if fmt == "date-time":
            whose = Provenance.user() if text in self._composed else \
                self._provenance_of_text(text)
            return self._when(text), ValueSource(kind="normalized", text=text, provenance=whose)
        if fmt == "x-recurrence":
            return self._recurrence(text), ValueSource(kind="normalized", text=text)
        if fmt == "uri":
            deferred = self._deferred(text, "link", earlier)
            if deferred is not None and isinstance(deferred[0], dict):
                return {**deferred[0], "field": "url"}, deferred[1]
            if deferred is not None:  # the link an earlier step acts on: its address
                link = self.table.get(str(deferred[0]))
                if link is not None and link.attributes.get("url"):
                    return str(link.attributes["url"]), deferred[1]
            return self._url(text)
        if fmt == "email":
            return self._email(text)
        if is_long_text(prop):
            text = self._without_addressee(text)  # "jo the link" of "mail jo the link"
        mentions = find_mentions(text)
        if (mentions and mentions[0].kind in ("ordinal", "demonstrative", "description",
                                              "labeled")
                and mentions[0].start == 0 and mentions[0].end >= len(text) - 1):
            # A free-text slot that is wholly a reference ("click the sixth link"): it names
            # an entity, so it is resolved (or asked about) like an entity slot.
            res = resolve_reference(mentions[0], self.table, mentions[0].type_hint)
            if res.entity is None:
                raise _Ask(res.question or f"What do you mean by '{text}'?",
                           candidates=res.candidates[:6])
            if res.entity.attributes.get("url") and (
                    res.entity.type == "page" or is_long_text(prop)):
                # A page is no element to act on, and a message's text holds no element: as
                # text ("email this page to Bob", "mail jo the link") it stands for its
                # address.
                return str(res.entity.attributes["url"]), ValueSource(
                    kind="entity", text=text, entity_id=res.entity.id,
                    provenance=res.entity.provenance, note=res.note)
            return res.entity.id, ValueSource(kind="entity", text=text,
                                              entity_id=res.entity.id,
                                              provenance=res.entity.provenance, note=res.note)
        if name == "target" and _norm(text) in _IT:  # "click it": the element talked of last
            element = self._talked_of_last()
            if element is None or element.type not in _ELEMENT_TYPES:
                raise _Ask(f"What should I press by '{text}'? Nothing on the page was talked "
                           "of last.", candidates=[e for e in self.table.all()
                                                   if e.type in _ELEMENT_TYPES][:6])
            return element.id, ValueSource(kind="entity", text=text, entity_id=element.id,
                                           provenance=element.provenance,
                                           note=f"'{text}' = {element.type} {element.label}, "
                                                "talked of last")
        described = self._one_described_on_screen(text, prop)
        if described is not None:  # "click the one from the coastal weather service"
            return described.id, ValueSource(kind="entity", text=text, entity_id=described.id,
                                             provenance=described.provenance,
                                             note=f"'{text}' = {described.type} "
                                                  f"{described.label}")
        labeled = self._labeled_on_screen(text, prop)
        if labeled is not None:  # "click load more" with a "Load more" button on screen
            return labeled.id, ValueSource(kind="entity", text=text, entity_id=labeled.id,
                                           provenance=self._provenance_of_text(labeled.id),
                                           note=f"'{text}' = {labeled.type} {labeled.label}")
        return value, ValueSource(kind="user_text", text=text,
                                  provenance=self._provenance_of_text(text))

    def _check_guessed_element(self, value: str, source: ValueSource | None) -> None:
        """A thing of a web page the model picked for a step with effects, when the request
        neither refers to it nor names it and the page has others of its kind ("upload
        passport.jpg" with two file fields): asked, never guessed."""
        chosen = self.table.get(value)
        if chosen is None or chosen.provenance.trusted or chosen.provenance.source != "web" \
                or (source is not None and source.kind != "entity") \
                or any(res.entity is not None and res.entity.id == chosen.id
                       for res in (resolve_reference(m, self.table)
                                   for m in find_mentions(self.request))):
            return
        said = set(re.findall(r"[a-z0-9]+", self.request.lower())) - _LABEL_STOP
        if said & set(re.findall(r"[a-z0-9]+", f"{chosen.label} "
                                 f"{chosen.attributes.get('name', '')}".lower())):
            return
        kind = chosen.attributes.get("kind")
        alike = [e for e in self.table.of_type(chosen.type)
                 if e.scope is Scope.SCREEN and e.attributes.get("kind") == kind]
        if len(alike) > 1:
            raise _Ask(f"Which {chosen.type} do you mean: " +
                       " or ".join(repr(e.label) for e in alike[:6]) + "?",
                       candidates=alike[:6])

    def _thing_on_page(self, pronoun: str) -> Entity | None:
        """The thing of a web page in scope that ``pronoun`` refers to, if any."""
        mentions = find_mentions(pronoun)
        res = resolve_reference(mentions[0], self.table) if mentions else None
        found = res.entity if res is not None else None
        return found if found is not None and found.provenance.source == "web" \
            and found.type != "page" else None

    def _one_described_on_screen(self, text: str, prop: dict[str, Any]) -> Entity | None:
        """The one element on screen that "the one from X" / "the X one" describes, for a
        text slot that takes an element's entity id; None otherwise."""
        if "entity id" not in str(prop.get("description") or "") or not re.match(
                r"^(?:the|that|this)\s+(?:one\s+(?:from|about|with|by|for|on|called|titled)"
                r"\s+\S|\S.*\s+one$)", text, re.I):
            return None
        pool = [e for e in self.table.all() if e.scope is Scope.SCREEN
                and e.type in ("link", "button", "field", "tab")]
        found = self._described(text, pool, partly=True)
        return found[0] if len(found) == 1 else None

    def _labeled_on_screen(self, text: str, prop: dict[str, Any]) -> Entity | None:
        """The one thing on screen whose label is ``text``, for a text slot that takes "an
        entity id … or the element's visible text"."""
        if "entity id" not in str(prop.get("description") or "").lower() or not _norm(text):
            return None
        found = [e for e in self.table.all() if e.scope is Scope.SCREEN
                 and _norm(e.label) == _norm(text)]
        return found[0] if len(found) == 1 else None

    def _keep_own_day(self, spec: ActionSpec, props: dict[str, Any], args: dict[str, Any],
                      sources: dict[str, ValueSource]) -> None:
        """A step about a thing with a time of its own (a job's next firing) given a new time
        of day only: that hour on the thing's own day (`same_day.on_its_own_day`)."""
        current = None
        for pname in spec.entity_params():
            entity = self.table.get(str(args.get(pname, "")))
            if entity is not None and isinstance(entity.attributes.get("next"), str):
                current = datetime.fromisoformat(entity.attributes["next"])
        if current is None:
            return
        for name, prop in props.items():
            source = sources.get(name)
            if (format_of(prop) != "date-time" or source is None or not source.text
                    or source.kind != "normalized"):
                continue
            moved = on_its_own_day(source.text, current, self.now, self.tz)
            if moved is not None:
                args[name] = moved.isoformat()
                sources[name] = source.model_copy(update={
                    "note": f"on its own day ({current.astimezone(self.tz):%a %d %b})"})
                continue
            try:
                value = datetime.fromisoformat(str(args.get(name)))
            except ValueError:
                continue
            kept = at_its_own_time(self.request, value, current, self.now, self.tz)
            if kept is not None:
                args[name] = kept.isoformat()
                sources[name] = source.model_copy(update={
                    "note": f"at its own time ({current.astimezone(self.tz):%H:%M})"})

    # -- repairs of what the model wrote ------------------------------------------------------
    def _said_instead(self, value: str, prop: dict[str, Any]) -> str | None:
        """An optional value the model wrote that the request does not say, when the request
        does say what belongs there: the one allowed value it names as a word ("scroll back
        to the top": ``top``, not the model's ``up``), or the person it names ("mail from
        Bob": the model's "Bob Stone" is the contact whose name the request says). None: it
        is made up."""
        words = _WORDS.findall(self.request.lower())
        said, padded = set(words), " " + " ".join(words) + " "
        allowed = [v for v in prop.get("enum") or [] if isinstance(v, str) and v.strip()]
        if allowed:
            spans = {v: " " + " ".join(_WORDS.findall(v.lower())) + " " for v in allowed}
            named = [v for v in allowed if spans[v] in padded]
            # "the far left" names "far left", not also "left"
            named = [v for v in named if not any(spans[v] in spans[o] and spans[v] != spans[o]
                                                 for o in named)]
            return named[0] if len(named) == 1 else None
        for person in self.table.all():
            if person.type not in PERSON_TYPES:
                continue
            names = [str(n) for n in [person.label, *(person.attributes.get("nicknames") or [])]]
            addresses = [str(a) for a in [*(person.attributes.get("emails") or []),
                                          person.attributes.get("email")] if a]
            their_words = {w for n in names for w in _norm(n).split() if len(w) > 2}
            if _norm(value) in {_norm(n) for n in names + addresses} and their_words & said:
                return value
        return None

    def _in_request(self, text: str) -> bool:
        return bool(_norm(text)) and _norm(text) in _norm(self.request)

    def _phrases(self, text: str | None = None) -> list[str]:
        """Word spans of the request (or ``text``), longest first (for re-reading a time)."""
        words = (self.request if text is None else text).split()
        spans = [" ".join(words[a:b]) for a in range(len(words))
                 for b in range(min(len(words), a + 8), a, -1)]
        return sorted(spans, key=len, reverse=True)

    def time_in_request(self) -> str | None:
        """The longest phrase of the request that names a moment, or None."""
        return self._time_in_request()

    def _time_in_request(self) -> str | None:
        for phrase in (p.strip(",.!?") for p in self._phrases()):
            found = parse_when(phrase, self.now, self.tz)
            if isinstance(found, datetime):
                return self._offset_from(phrase) or phrase
            if isinstance(found, TimeParseError) and found.reason is TimeParseReason.NO_ANCHOR:
                return phrase  # "15 minutes before the game": asked, not guessed
            if isinstance(found, AmbiguousTime):
                return phrase  # "on the 9th at 7": asked, never cut to "on the 9th"
        return None

    def _offset_from(self, anchor: str) -> str | None:
        """"the dentist is at 2:30pm, remind me an hour before": an amount said before or
        after nothing, moving the request's one other time (``anchor``)."""
        for m in _DANGLING_OFFSET.finditer(self.request):
            words = m.group(1).split()
            direction = {"earlier": "before", "later": "after"}.get(m.group(2).lower(),
                                                                     m.group(2).lower())
            for k in range(min(4, len(words)), 0, -1):
                phrase = f"{' '.join(words[-k:])} {direction} {anchor}"
                if isinstance(parse_when(phrase, self.now, self.tz), datetime):
                    self._composed.add(phrase)
                    return phrase
        return None

    def _repetition_words(self) -> str:
        """The request without frequency words that describe a thing ("the weekly sync"):
        a recurrence is read only from words that ask for one."""
        return FREQUENCY_ADJECTIVE.sub(" ", self.request)

    def _rule_in_request(self) -> str | None:
        said = self._repetition_words()
        if not RECURRENCE_CUE.search(said):
            return None  # "friday at 5pm" is one Friday, not every Friday
        for phrase in self._phrases(said):
            if not RECURRENCE_CUE.search(phrase):
                continue
            if isinstance(parse_recurrence(phrase.strip(",.!?"), self.now, self.tz),
                          RecurrenceRule | AmbiguousRule):
                return phrase.strip(",.!?")  # an ambiguous one is asked about later
        return None

    def _series_after(self) -> datetime:
        """Where a repetition's first occurrence is looked for: the day the request says it
        starts ("starting next week"), else now."""
        start = series_start(self.request, self.now, self.tz)
        return start - timedelta(microseconds=1) if start is not None else self.now

    def _made_up_time(self, step: Step, props: dict[str, Any]) -> str | None:
        """A time slot the model filled though the request says no time at all: asked, never
        guessed (the model computes dates badly, and here there was nothing to copy)."""
        for name, value in step.args.items():
            source = step.sources.get(name)
            if (isinstance(value, str) and source is not None and source.kind == "model"
                    and format_of(props.get(name, {})) == "date-time"
                    and not self._in_request(value) and self._time_in_request() is None
                    and self._rule_in_request() is None):
                return name
        return None

    def _longer_rule(self, value: str) -> bool:
        """The request's recurrence says more than the model copied ("every weekend" of
        "every weekend at 10")."""
        found = self._rule_in_request()
        return bool(found) and found != value and _norm(value) in _norm(str(found))

    def _repair_model_times(self, step: Step, props: dict[str, Any]) -> Step:
        """The model copies time phrases badly (or computes dates): re-read them from the
        request. A recurrence put into a one-off time slot moves to the recurrence slot."""
        args = dict(step.args)
        sources = dict(step.sources)
        changed = False
        for name, value in step.args.items():
            if not isinstance(value, str) or sources.get(name, ValueSource()).kind != "model":
                continue
            fmt = format_of(props.get(name, {}))
            whole = self._cut_short(value) if fmt in ("date-time", "x-recurrence") else None
            if whole is not None:  # "each monday at" of "each monday at 11"
                args[name] = value = whole
                sources[name] = ValueSource(kind="model", text=whole,
                                            note="re-read from the request")
                changed = True
            if fmt == "date-time":
                every = next((k for k, p in props.items()
                              if format_of(p) == "x-recurrence"), None)
                rule = self._rule_in_request()
                said = self._time_in_request()
                if every and rule and (every not in args or _norm(value) in _norm(rule)
                                       or said is None or _norm(said) in _norm(rule)
                                       or series_start(self.request, self.now, self.tz)):
                    # the repetition's own clock time (copied from the rule's phrase), no
                    # other time said, or a day it starts on: the rule's first occurrence
                    args.setdefault(every, rule)
                    sources.setdefault(every, ValueSource(kind="model", text=rule))
                    parsed = parse_recurrence(rule, self.now, self.tz)
                    first = next_occurrences(str(parsed), self._series_after(), self.tz, 1) \
                        if isinstance(parsed, RecurrenceRule) else []
                    args[name] = first[0].isoformat() if first else value
                    sources[name] = ValueSource(kind="normalized", text=rule,
                                                note="first occurrence")
                    changed = True
                    continue
                found = self._time_in_request()
                if self._in_request(value) and isinstance(
                        parse_when(value, self.now, self.tz), datetime) and not (
                        found and _norm(value) in _norm(found)):
                    continue  # copied well (and not a part of a longer phrase: "the 3rd")
                if found and found != value:
                    args[name] = found
                    sources[name] = ValueSource(kind="model", text=found,
                                                note="re-read from the request")
                    changed = True
            elif fmt == "x-recurrence" and not (
                    self._in_request(value) and
                    _norm(value) in _norm(self._repetition_words()) and
                    isinstance(parse_recurrence(value, self.now, self.tz), RecurrenceRule)
                    and not self._longer_rule(value)):
                found = self._rule_in_request()
                if found:
                    args[name] = found
                    sources[name] = ValueSource(kind="model", text=found,
                                                note="re-read from the request")
                else:
                    del args[name]
                    sources.pop(name, None)
                changed = True
        return step.model_copy(update={"args": args, "sources": sources}) if changed else step

    def _cut_short(self, value: str) -> str | None:
        """``value`` with the request's next word, when the model stopped at a word that
        needs one ("at", "on", "by") and the request goes on after it."""
        if not re.search(r"\b(?:at|on|by|around|about|from|until|till|before|after)$",
                         value.strip(), re.IGNORECASE):
            return None
        m = re.search(re.escape(value.strip()) + r"\s+([\w:.]+(?:\s*(?:am|pm))?)",
                      self.request, re.IGNORECASE)
        return f"{value.strip()} {m.group(1)}" if m else None

    def _with_said_sender(self, step: Step, spec: ActionSpec, props: dict[str, Any],
                          required: set[str]) -> Step:
        """A read step's "only from this person" filter, empty or holding words the request
        does not say, when the request says "from" one person lam knows ("unread mail from my
        mum"): that person."""
        if spec.effect.has_side_effect:
            return step
        for name, prop in props.items():
            description = str(prop.get("description") or "").lower()
            said = step.args.get(name)
            if name in required or (said and not invented_value(self.request, said)) \
                    or prop.get("type") != "string" \
                    or "from" not in description or "person" not in description:
                continue
            m = re.search(r"\bfrom\s+(?:my\s+|the\s+|our\s+)?([\w'.-]+(?:\s+[\w'.-]+)?)",
                          self.request, re.IGNORECASE) or re.search(
                r"\b(?:did|has|have)\s+(?:my\s+|the\s+|our\s+)?([\w'.-]+)\s+(?:ever\s+|already\s+"
                r"|yet\s+)?(?:write|wrote|reply|replied|email|emailed|answer|answered|send|sent|"
                r"get\s+back|got\s+back|mail|mailed)\b", self.request, re.IGNORECASE)
            if m is None:  # "mail from my mum", "did my sister write back"
                continue
            people = self.table.of_type(*PERSON_TYPES)
            for words in (m.group(1), m.group(1).split()[0]):
                found = match_by_label(re.sub(r"'s$", "", words), people, threshold=0.9)
                if len(found) == 1:
                    person = found[0]
                    return step.model_copy(update={
                        "args": {**step.args, name: person.id},
                        "sources": {**step.sources, name: ValueSource(
                            kind="entity", text=m.group(0), entity_id=person.id,
                            provenance=Provenance.user(),
                            note=f"'{m.group(0)}' = {person.label}")}})
        return step

    def _naming(self, person: Entity) -> str | None:
        """How the request names ``person``: its name, a nickname, a word of the name, or its
        relation ("my dentist"); None when it does not."""
        request = self.request.lower()
        words = set(re.findall(r"[a-z]+", request))
        for n in [person.label, *(person.attributes.get("nicknames") or []),
                  str(person.attributes.get("relation") or "")]:
            if n and (n.lower() in request or n.split()[0].lower() in words):
                return n
        return says_relation(request, str(person.attributes.get("relation") or ""))

    def _unnamed_choice(self, entity_id: str, source: ValueSource | None, *,
                        listed: bool = False) -> ValueSource | None:
        """A person the model chose that the request never names (nor refers to by a pronoun;
        for an item of a list of people, ``listed``, by a plural one: "send him …" is one
        person, not the cc list the model filled): not the user's choice, so a recipient
        slot needs confirmation with that shown."""
        chosen = self.table.get(entity_id)
        if chosen is None or chosen.type not in PERSON_TYPES or source is None:
            return source
        if self._naming(chosen) is not None or self._refers_to_someone(plural=listed):
            return source
        return source.model_copy(update={"provenance": Provenance(
            trusted=False, source="chosen by the model; your request names no one")})

    def _refers_to_someone(self, *, plural: bool = False) -> bool:
        words = set(re.findall(r"[a-z]+", self.request.lower()))
        return bool(words & ({"them", "they"} if plural else
                             {"her", "him", "them", "they", "she", "he"}))

    def _named_instead(self, entity_id: str, step: Step) -> tuple[str, ValueSource] | None:
        """The model chose a person the request does not name ("send my dentist …" as someone
        else), and the request names exactly one person lam knows (by name, nickname or
        relation), whom no text of the step mentions by name ("… that Sam is late"), and no pronoun
        may mean someone talked of earlier: that person, by the user's words."""
        chosen = self.table.get(entity_id)
        talked_of = [p for p in self.table.of_type(*PERSON_TYPES) if self.table.recency(p.id) > 0]
        if chosen is None or chosen.type not in PERSON_TYPES or self._naming(chosen) \
                or (talked_of and self._refers_to_someone()):
            return None
        named = {p.id: (p, word) for p in self.table.of_type(*PERSON_TYPES)
                 if (word := self._naming(p)) is not None}
        if len(named) != 1:
            return None
        (person, word), = named.values()
        texts = " ".join(v for v in step.args.values()
                         if isinstance(v, str) and not v.startswith(f"{person.type}:"))
        by_relation = word in relation_words(str(person.attributes.get("relation") or ""))
        if not by_relation and word.split()[0].lower() in re.findall(r"[a-z]+", texts.lower()):
            return None
        return person.id, ValueSource(kind="entity", text=word, entity_id=person.id,
                                      provenance=Provenance.user(),
                                      note=f"'{word}' = {person.label}, the person the "
                                           "request names (the model chose "
                                           f"{chosen.label})")

    def _check_named_ambiguity(self, entity_id: str) -> None:
        """The model picked one of several people the request's words fit ("Alice" with Alice
        Chen and Alice Park in scope): ask instead of guessing."""
        chosen = self.table.get(entity_id)
        if chosen is None or chosen.type not in PERSON_TYPES:
            return
        if _norm(chosen.label) in _norm(self.request):
            return
        people = self.table.of_type(*PERSON_TYPES)
        for word in re.findall(r"[A-Za-z]+", self.request):
            if len(word) < 3:
                continue
            # a name typed in lower case ("send rohan …") fits whoever has it as a name word
            fits = [p for p in people if word.lower() in name_words(p)]
            if word[0].isupper():
                fits += [p for p in match_by_label(word, people, threshold=0.95)
                         if p not in fits]
            if chosen in fits and len(fits) > 1:
                raise _Ask(" or ".join(e.label for e in fits[:4]) + "?", candidates=fits[:6])

    # ------------------------------------------------------------------------------------------
    def _provenance_of_text(self, text: str) -> Provenance:
        """Text the user typed is trusted. Text found in untrusted content (a page, an email)
        carries that content's provenance; other words the model wrote are not the user's
        either: a sensitive slot filled with them needs confirmation."""
        if _norm(text) and _norm(text) in _norm(self.request):
            return Provenance.user()
        named = self.table.get(text)
        if named is not None and len(_norm(named.label)) > 2 \
                and _norm(named.label) in _norm(self.request):
            return Provenance.user()  # an id of a thing on screen the request names by label
        needle = _norm(text)
        for entity in self.table.all():
            if entity.provenance.trusted or not needle:
                continue
            haystack = _norm(" ".join([entity.label, *(str(v) for v in
                                                       entity.attributes.values())]))
            if needle in haystack:
                return entity.provenance
        return MODEL_WORDING

    def _entity(self, text: str, etype: str) -> tuple[Entity, str]:
        direct = self.table.get(text) or self.table.get(f"{etype}:{text}") or \
            self.table.get(f"{etype}{text}")
        if direct is not None:
            if direct.type != etype and not (etype in PERSON_TYPES and
                                             direct.type in PERSON_TYPES):
                raise _Ask(f"'{direct.label}' is a {direct.type}, not a {etype}: which {etype} "
                           "do you mean?", candidates=self.table.of_type(etype)[:6])
            return direct, f"= {direct.type} {direct.label}"
        mentions = find_mentions(text)
        mention = mentions[0] if mentions else Mention(text, 0, len(text), "named", etype,
                                                       detail=text)
        if (mention.kind == "named" and mention.type_hint != "job") or not mentions:
            return self._by_name(text, etype)
        res = resolve_reference(mention, self.table, etype) \
            if not (etype != "job" and one_of_any_kind(mention)) else Resolution(
                question=f"Which {etype} do you mean by '{text}'?")  # "the landlord one"
        if res.entity is None and etype not in PERSON_TYPES:
            # "the one about opening hours": the words after the reference describe it (in
            # the slot, or in the request when the model cut them off)
            for words in (text, self._with_description(text)):
                described = self._described(words, self.table.of_type(etype),
                                            partly=etype in _TOPICAL) if words else []
                if len(described) == 1:
                    return described[0], f"'{words}' = {etype} {described[0].label}"
                if 1 < len(described) <= 6 and one_of_any_kind(mention):
                    # "the venue one" with two mails about a venue: which, never a guess
                    raise _Ask(f"Which {etype} do you mean by '{text}': " +
                               " or ".join(e.label or e.id for e in described) + "?",
                               candidates=described)
        if res.entity is None and mention.kind == "pronoun" and etype in PERSON_TYPES:
            at = re.search(rf"\b{re.escape(text.strip())}\b", self.request, re.IGNORECASE)
            earlier = named_before(self.request, at.start() if at else 0,
                                   self.table.of_type(*PERSON_TYPES))
            if earlier is not None:
                return earlier, f"'{text}' = {earlier.label}, named earlier in the request"
        if res.entity is None and etype not in PERSON_TYPES and (
                mention.kind == "pronoun" or (mention.kind == "demonstrative" and
                                              mention.type_hint is None)) \
                and not any(self.table.recency(e.id) > 0 for e in self.table.all()):
            things = self.table.of_type(etype)  # "cancel it" with nothing talked of yet
            done = [e for e in things if e.attributes.get("state") == "done"]
            if len(done) == 1:  # "snooze it": the one reminder that has just gone off
                return done[0], f"'{text}' = {etype} {done[0].label}, the one that just fired"
            if 1 < len(things) <= 6:
                raise _Ask(f"Which {etype} do you mean by '{text}': " +
                           " or ".join(e.label or e.id for e in things) + "?",
                           candidates=things)
        if res.entity is None:
            people = self.table.of_type(*PERSON_TYPES) if etype in PERSON_TYPES else []
            if not res.candidates and 1 < len(people) <= 6:  # "her", no one said yet
                raise _Ask(f"Whom do you mean by '{text}': " +
                           " or ".join(e.label or e.id for e in people) + "?",
                           candidates=people)
            raise _Ask(res.question or f"Which {etype} do you mean by '{text}'?",
                       candidates=res.candidates[:6],
                       problem="" if res.candidates or not _misread(text, etype,
                                                                    self.request) else
                       f"'{text}' refers to no {etype} in scope")
        return res.entity, res.note

    def _without_addressee(self, text: str) -> str:
        """A message text the model began with the name of a person lam knows, copied from
        "mail jo the link": what follows the name (kept whole when that is no reference)."""
        names = {w for p in self.table.of_type(*PERSON_TYPES) for w in name_words(p, 1)}
        words = text.split()
        k = 0
        while k < min(3, len(words) - 1) and words[k].lower().strip(",:") in names:
            k += 1
        rest = " ".join(words[k:])
        found = find_mentions(rest) if k else []
        return rest if found and found[0].start == 0 and found[0].end >= len(rest) - 1 \
            else text

    def _with_description(self, text: str) -> str | None:
        """``text`` ("the one") with the describing words that follow it in the request
        ("… about opening hours"), or None when none do."""
        m = re.search(re.escape(text.strip()) + r"\s+((?:about|on|with|for|called|titled|named|"
                      r"that says|saying)\s+[^,.;!?]+)", self.request, re.IGNORECASE)
        return f"{text.strip()} {m.group(1).strip()}" if m else None

    def _described(self, text: str, pool: list[Entity], *, partly: bool = False
                   ) -> list[Entity]:
        """`match_by_description` of ``pool``, an email's sender looked up among the people in
        scope."""
        return match_by_description(text, pool, self.table.of_type(*PERSON_TYPES),
                                    partly=partly)

    def _by_name(self, text: str, etype: str) -> tuple[Entity, str]:
        pool = self.table.of_type(etype, *(PERSON_TYPES if etype in PERSON_TYPES else ()))
        name = re.sub(r"^(the|my)\s+", "", text.strip(), flags=re.I)
        found = match_by_label(name, pool)
        if not found and etype in PERSON_TYPES:  # "my boss for reimbursement": why, not who
            head = re.split(r"\s+(?:for|about|re|regarding|because|so\s+that)\s+", name,
                            maxsplit=1, flags=re.I)[0]
            found = match_by_label(head, pool) if head != name else found
        if etype in PERSON_TYPES and (not found or len(found) > 1):
            # "yui at kobayashi design": the Yui whose address is at kobayashi-design
            found = at_organisation(name, pool) or found
        if not found and etype not in PERSON_TYPES:
            found = self._described(text, pool, partly=etype in _TOPICAL)
        if not found and etype not in PERSON_TYPES:
            # "forward the 3rd email to nora" with email = 'nora'; "fwd kai's quote" with 'w'
            said = self._one_reference_to(etype) or self._one_possessive(etype, pool)
            if said is not None:
                entity, words = said
                return entity, (f"'{words}' = {etype} {entity.label}, the request's one "
                                f"{etype} (the model wrote {text!r})")
        if not found:
            article = "an" if etype[:1] in "aeiou" else "a"
            raise _Ask(f"I don't know {article} {etype} called '{text}'. Who or what do you "
                       "mean?", candidates=pool[:6],
                       problem="" if not _misread(text, etype, self.request) else
                       f"no {etype} called '{text}' is in scope" if pool else
                       f"'{text}' would be {article} {etype}, and no {etype} is in scope")
        if len(found) > 1:
            exact = [e for e in found if e.label.lower() == name.lower()]
            if len(exact) != 1:  # the one whose name or nickname it is, beside names like it
                exact = [e for e in found if named_exactly(name, e)]
            if len(exact) == 1:
                return exact[0], f"'{text}' = {etype} {exact[0].label}"
            raise _Ask(" or ".join(e.label for e in found[:4]) + "?", candidates=found[:6])
        return found[0], f"'{text}' = {etype} {found[0].label}"

    def _one_possessive(self, etype: str, pool: list[Entity]) -> tuple[Entity, str] | None:
        """The one thing of ``pool`` a possessive of the request describes ("kai's quote":
        the email from Kai about a quote), with those words; None when none or several do."""
        found = {}
        for m in _POSSESSIVE.finditer(self.request):
            for entity in self._described(m.group(0), pool):
                if entity.type == etype:
                    found[entity.id] = (entity, m.group(0))
        return next(iter(found.values())) if len(found) == 1 else None

    def _one_reference_to(self, etype: str) -> tuple[Entity, str] | None:
        """The one thing of type ``etype`` the request refers to ("the 3rd email"), resolved,
        with its words; None when it refers to none or several."""
        found = []
        for mention in find_mentions(self.request):
            if mention.type_hint != etype:
                continue
            res = resolve_reference(mention, self.table, etype)
            if res.entity is not None:
                found.append((res.entity, mention.text))
        return found[0] if len(found) == 1 else None

    def _when(self, text: str) -> str:
        before = BEFORE_IT.fullmatch(" ".join(text.lower().split()))
        if before is not None:  # "the day before at 6pm": before the thing talked of
            return self._before_it(text, before)
        result = parse_when(text, self.now, self.tz)
        if isinstance(result, datetime):
            return result.isoformat()
        if isinstance(result, AmbiguousTime):
            raise _Ask(result.message, [o.isoformat(timespec="minutes") for o in result.options])
        raise _Ask(f"When exactly do you mean by '{text}'? {result.message}")

    def _before_it(self, text: str, before: re.Match[str]) -> str:
        """A time before the thing talked of last ("the day before at 6pm" after reading the
        mail about demo day on the 14th): that thing's day or time, moved as said."""
        thing = self._talked_of_last()
        event = event_time(thing, self.now, self.tz) if thing is not None else None
        if thing is None or event is None:
            raise _Ask(f"'{text}' before what? Say the day or time it is before.")
        result = when_before(before, *event, self.now, self.tz)
        if isinstance(result, datetime):
            return result.isoformat()
        if isinstance(result, AmbiguousTime):
            raise _Ask(result.message, [o.isoformat(timespec="minutes") for o in result.options])
        raise _Ask(f"When exactly do you mean by '{text}' ({what_it_is(thing)})? {result}.")

    def _recurrence(self, text: str) -> str:
        result = parse_recurrence(text, self.now, self.tz)
        if isinstance(result, RecurrenceRule):
            return str(result)
        raise _Ask(f"How often do you mean by '{text}'? {result.message}")

    def _address_opened(self, text: str, earlier: list[Step]) -> tuple[str, ValueSource] | None:
        """The address an earlier step opens, for a message that is "the link" / "this page"
        ("open lakeside.example/times and email chloe the link"); None otherwise."""
        said = _norm(text)
        if said not in _THE_PAGE and said not in _IT:
            return None
        for step in reversed(earlier):
            spec = self._specs.get(step.action)
            props = spec.parameters_schema().get("properties", {}) if spec else {}
            urls = [v for k, v in step.args.items()
                    if format_of(props.get(k, {})) == "uri" and isinstance(v, str)]
            if urls:
                return urls[0], ValueSource(kind="user_text", text=urls[0],
                                            provenance=Provenance.user(),
                                            note=f"'{text}' = {urls[0]}, the address "
                                                 f"{step.action} opens")
            links = [self.table.get(v) for k, v in step.args.items()
                     if entity_type_of(props.get(k, {})) in ("link", "page")
                     and isinstance(v, str)]
            for link in links:  # "open the second link and send it to him": its address
                if link is not None and _WEB_ADDRESS.match(str(link.attributes.get("url", ""))):
                    return self._address_of(text, link, f"which {step.action} opens")
        last = self._talked_of_last() if said in _IT and not earlier else None
        if last is not None and last.type in ("link", "page") \
                and _WEB_ADDRESS.match(str(last.attributes.get("url", ""))):
            return self._address_of(text, last, "talked of last")  # "send it to her"
        return None

    def _address_of(self, text: str, link: Entity, which: str) -> tuple[str, ValueSource]:
        """A link's (or page's) address as a message: chosen by the user's words, its text
        the page's."""
        url = str(link.attributes["url"])
        return url, ValueSource(kind="entity", text=url, entity_id=link.id,
                                provenance=link.provenance,
                                note=f"'{text}' = {url}, the address of {link.label}, {which}")

    def _talked_of_last(self) -> Entity | None:
        """The thing (not a person) talked of most recently, or None when nothing was or
        several came up at once (a page's buttons: which is "it" is asked)."""
        things = [e for e in self.table.all()
                  if e.type not in PERSON_TYPES and self.table.recency(e.id) > 0]
        if not things:
            return None
        top = max(self.table.recency(e.id) for e in things)
        last = [e for e in things if self.table.recency(e.id) == top]
        return last[0] if len(last) == 1 else None

    def _deferred(self, text: str, etype: str, earlier: list[Step]
                  ) -> tuple[Any, ValueSource] | None:
        """A reference to something an earlier step of this plan acts on or will produce.

        "it" (also "this", "that") for a thing is the ``etype`` entity the latest earlier step
        that has one acts on ("read the second email and forward it"): the same value, with
        the same provenance. A reference to what a step produces ("open X and open the third
        link") is resolved when the plan runs, right after that step."""
        mentions = find_mentions(text)
        if not mentions and text.lower() not in PRONOUNS:
            return None
        thing_pronoun = (etype not in PERSON_TYPES and len(mentions) == 1
                         and mentions[0].kind == "pronoun" and mentions[0].type_hint is None
                         and _norm(mentions[0].text) == _norm(text))
        for k in range(len(earlier) - 1, -1, -1):
            spec = self._specs.get(earlier[k].action)
            if spec is None:
                continue
            if thing_pronoun:
                acted = self._acted_on(text, k, earlier[k], spec, etype)
                if acted is not None:
                    return acted
            if etype in spec.produces:
                ref = {"$step": k, "mention": text, "type": etype}
                return ref, ValueSource(kind="step_output", text=text,
                                        note=f"resolved after step {k + 1} runs")
        return None

    def _acted_on(self, text: str, k: int, step: Step, spec: ActionSpec, etype: str
                  ) -> tuple[Any, ValueSource] | None:
        """The ``etype`` entity argument of earlier step ``k`` (already filled), for a pronoun
        in a later step: the same id (or the same deferred reference) and provenance."""
        for name, ptype in spec.entity_params().items():
            value = step.args.get(name)
            if ptype != etype or value is None:
                continue
            prior = step.sources.get(name, ValueSource())
            if is_step_ref(value):
                return dict(value), ValueSource(
                    kind="step_output", text=text, provenance=prior.provenance,
                    note=f"'{text}' = the {etype} of step {k + 1}, resolved after step "
                         f"{value['$step'] + 1} runs")
            entity = self.table.get(str(value))
            label = entity.label if entity is not None and entity.label else str(value)
            return value, ValueSource(kind="entity", text=text, entity_id=str(value),
                                      provenance=prior.provenance,
                                      note=f"'{text}' = the {etype} of step {k + 1} ({label})")
        return None

    def _url(self, text: str) -> tuple[Any, ValueSource]:
        if text.lower() in PRONOUNS or find_mentions(text):
            etype = "page" if "page" in text.lower() or "site" in text.lower() else "link"
            entity, note = self._entity(text, etype)
            link = str(entity.attributes.get("url", ""))
            return link, ValueSource(kind="entity", text=text, entity_id=entity.id,
                                     provenance=entity.provenance, note=note)
        result = normalize_url(text)
        if isinstance(result, UrlError):
            # "the parsnip one", "the English version": a link on screen the words describe
            described = self._described(text, self.table.of_type("link"))
            if len(described) == 1 and described[0].attributes.get("url"):
                found = described[0]
                return str(found.attributes["url"]), ValueSource(
                    kind="entity", text=text, entity_id=found.id, provenance=found.provenance,
                    note=f"'{text}' = link {found.label}")
            site = known_site_in(self.request)
            squash = re.compile(r"[\s_-]+")
            if site is not None and squash.sub("", site.lower()) in squash.sub("", text.lower()):
                # the model spelled the site the request names its own way ("hacker-news")
                return self._url(site)
            raise _Ask(f"'{text}' is not a web address I can open: {result.message}. "
                       "Which site do you mean?",
                       problem=f"'{text}' is not a web address ({result.message})")
        return result, ValueSource(kind="normalized", text=text,
                                   provenance=self._provenance_of_text(text),
                                   note="" if result == text else f"-> {result}")

    def _email(self, text: str) -> tuple[str, ValueSource]:
        if EMAIL_RE.match(text):
            trusted = text.lower() in self.request.lower()
            contact = next((c for c in self.table.of_type(*PERSON_TYPES)
                            if str(c.attributes.get("email", "")).lower() == text.lower()), None)
            if contact is not None:
                return text, ValueSource(kind="entity", text=text, entity_id=contact.id,
                                         provenance=contact.provenance, note=contact.label)
            provenance = Provenance.user() if trusted else Provenance.untrusted(
                "an address that is not in your request or your contacts")
            return text, ValueSource(kind="user_text", text=text, provenance=provenance)
        entity, note = self._entity(text, "contact")
        email = entity.attributes.get("email")
        if not email:
            raise _Ask(f"{entity.label} has no email address. Which address should I use?")
        return str(email), ValueSource(kind="entity", text=text, entity_id=entity.id,
                                       provenance=entity.provenance, note=note)


_ENTER_KEY = re.compile(r"^(?:the\s+)?(?:enter|return)(?:\s+(?:key|button))?$", re.IGNORECASE)


_DETAIL = re.compile(r"^(?:my\s+|our\s+)?(?P<who>[a-z]+)(?:['’]s|s['’]?)\s+"
                     r"(?:e-?mail|mail)(?:\s+address)?$", re.IGNORECASE)
"""A person's address named by whose it is ("my girlfriends email", "Farah's email")."""

_ADDRESSING = frozenset({"a", "an", "the", "my", "our", "to", "for", "email", "mail", "message",
                         "note", "line", "text"})
"""Words beside a name that still say nothing ("an email to my mum")."""

def _each(step: Step, name: str, text: str, group: list[Entity], which: str) -> list[Step]:
    """``step`` once for each entity of ``group`` in its ``name`` slot, said as ``text``."""
    return [step.model_copy(update={
        "args": {**step.args, name: e.id},
        "sources": {**step.sources, name: ValueSource(
            kind="entity", text=text, entity_id=e.id, provenance=e.provenance,
            note=f"'{text}' = {e.type} {e.label}, {which}")}}) for e in group]


def _sent_by(mail: Entity, person: Entity) -> bool:
    """Whether ``person``'s address is the sender of ``mail``."""
    sender = str(mail.attributes.get("sender") or mail.attributes.get("from") or "").lower()
    addresses = {str(a).lower() for a in [person.attributes.get("email"),
                                          *(person.attributes.get("emails") or [])] if a}
    return bool(addresses) and any(a in sender for a in addresses)


def address_with_words(text: str) -> str | None:
    """The one address in a recipient said with words for the person ("my adjuster
    l.gomez@pinecrest.example", "Lena Gomez <lena@gomez.example>"), or None: no address, two,
    or other words than a few for who it is."""
    found = EMAIL_ADDRESS_RE.findall(text)
    rest = EMAIL_ADDRESS_RE.sub(" ", text).strip(" <>(),;:-")
    if len(found) != 1 or not rest or len(rest.split()) > 4 \
            or {"and", "or", "cc", "bcc", "plus"} & set(rest.lower().split()) \
            or not re.fullmatch(r"[^\W\d_][\w'’.-]*(?:\s+[^\W\d_][\w'’.-]*)*", rest):
        return None
    return str(found[0])


_ADDRESS_IN_TEXT = re.compile(rf"[\s,;:<(]*<?({EMAIL_ADDRESS_RE.pattern})>?[)>]?")


def _address_apart(step: Step, props: dict[str, Any]) -> Step:
    """An address written into a text value ("Noor Haddad noor.h@x.example" as a name) goes to
    the step's empty address parameter, and the text keeps the rest (the address is the user's
    own words either way); a step with no such parameter, or one already set, is left."""
    empty = [k for k, p in props.items() if format_of(p) == "email" and not step.args.get(k)]
    if len(empty) != 1:
        return step
    for name, value in step.args.items():
        prop = props.get(name, {})
        if not isinstance(value, str) or prop.get("type") != "string" or format_of(prop):
            continue
        found = list(_ADDRESS_IN_TEXT.finditer(value))
        rest = _ADDRESS_IN_TEXT.sub(" ", value).strip(" ,;:-")
        if len(found) == 1 and rest:
            args = {**step.args, name: " ".join(rest.split()), empty[0]: found[0].group(1)}
            return step.model_copy(update={"args": args})
    return step


def _as_submission(step: Step, specs: dict[str, ActionSpec]) -> Step:
    """A click on the Enter key ("hit enter") is the form's submission."""
    target = step.args.get("target")
    if step.action != "click" or "submit_form" not in specs or not isinstance(target, str) \
            or not _ENTER_KEY.match(target.strip()):
        return step
    return Step(action="submit_form", args={},
                sources={k: v for k, v in step.sources.items() if k == ACTION_SOURCE})


_POSSESSIVE = re.compile(r"\b[a-z]+'s\s+[a-z]+", re.IGNORECASE)

_LABEL_STOP = frozenset({"the", "a", "an", "my", "in", "on", "to", "of", "and", "for", "it",
                         "this", "that", "me", "with"})


def _misread(text: str, etype: str, request: str) -> bool:
    """Whether words that name no ``etype`` in scope may be a template's misreading (so the
    next tier should try): not when the slot is a person (a name after "email" is one) or the
    request says the kind of thing ("job job:7", "the yoga reminder", "the Docs link")."""
    if etype in PERSON_TYPES or text.strip().lower().startswith(f"{etype}:"):
        return False
    if etype == "email" and len(re.findall(r"\w+", text)) > 2 \
            and not re.search(r"\bfrom\b|['’]s\b", text, re.I):
        return True  # "the contract email" for a "Contrato …" mail: the model reads meaning
        # (a sender said, "the email from Greg", is no topic: asked when none is there)
    words = f"{text} {request}".lower().split()
    return not any(NOUN_TYPES.get(w.strip(".,;:!?")) == etype for w in words)


def _typed(text: str, prop: dict[str, Any]) -> bool | int | float | None:
    """Slot text for a boolean or numeric parameter as that type; None for other parameters
    or text that does not read as one (validation then says why)."""
    kind = prop.get("type")
    low = text.strip().lower()
    if kind == "boolean" and low in ("true", "false"):
        return low == "true"
    if kind == "integer" and re.fullmatch(r"[+-]?\d+", low):
        return int(low)
    if kind == "integer" and (said := whole_number(low)) is not None:  # "ten minutes"
        return said
    if kind == "number" and re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)", low):
        return float(low)
    return None


_UNSEEN_TALK = re.compile(
    r"^(?:(?:the|that|this)\s+(?:thing|stuff|matter|info|information|details?|idea|plan)|"
    r"what)\s+(?:we|i|you)\s+(?:talked|spoke|discussed|mentioned|said|chatted|agreed)"
    r"(?:\s+(?:about|of|on|earlier|before|yesterday|today|last\s+\w+|on\s+the\s+phone|"
    r"over\s+\w+|at\s+\w+|the\s+other\s+day))*\s*[.!]?$", re.I)
"""A message that is only a conversation lam never saw ("the thing we talked about")."""
_HOLD_WORDS = (r"(?:don'?t|do\s+not|dont)\s+send\s+(?:it\s+|this\s+)?(?:just\s+)?yet|"
               r"show\s+(?:it\s+to\s+)?me\s+(?:it\s+)?(?:first|before\s+(?:it\s+goes\s+out|you\s+"
               r"send(?:\s+it)?|sending))|let\s+me\s+(?:see|check|read|review)\s+(?:it\s+)?"
               r"(?:first|before\s+(?:it\s+goes\s+out|you\s+send(?:\s+it)?|sending))|"
               r"(?:save|keep)\s+it\s+as\s+a\s+draft|as\s+a\s+draft")
_HOLD = re.compile(rf"\b(?:{_HOLD_WORDS})\b", re.I)
"""Words that hold a message back for the user to see first: a draft, not a send."""
_HOLD_CLAUSE = re.compile(rf"[\s,;—-]*\b(?:but\s+|and\s+|just\s+)?(?:{_HOLD_WORDS})\b[.!]*",
                          re.I)
ALL_OF_THEM = re.compile(r"^\s*(?:(?:them|those|these)\s+all|all(?:\s+of)?\s+(?:them|those|"
                          r"these)|each\s+of\s+(?:them|those|these)|every\s+one\s+of\s+"
                          r"(?:them|those|these))\s*$", re.I)
"""A group said as a whole ("them all", "each of them"): each of the things just listed."""
_IT = frozenset({"it", "that", "this"})
_ELEMENT_TYPES = frozenset({"button", "link", "field"})
_WEB_ADDRESS = re.compile(r"https?://", re.I)
_THE_PAGE = frozenset({"the link", "this link", "that link", "the page", "this page",
                       "that page", "the site", "this site", "the url", "the address"})
_TOPICAL = frozenset({"email", "job"})
"""Kinds of things people name by a word of what they are about ("the plane ticket" for an
"e-ticket" mail), half a description being enough when nothing else fits any of it; a page's
field or button is named by its own label ("express shipping" is an option, not the field)."""


class _Ask(Exception):
    def __init__(self, question: str, options: list[str] | None = None,
                 candidates: list[Entity] | None = None, problem: str = "") -> None:
        super().__init__(question)
        self.question = question
        self.problem = problem
        self.options = options or [e.label or e.id for e in candidates or []]
        self.ids = [e.id for e in candidates or []]


_WORDS = re.compile(r"[\w'-]+")


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[^\w@.:/ -]", "", text.lower())).strip()
