"""Signs that a model's plan misread the request, checked in code. A plan with doubts goes to
the larger model (tier 2) when one is configured; each doubt is recorded as the reason.

- a reference the request makes and code resolved ("the first link" = link:1) that no step
  uses;
- a web address in the request that no step opens, or one a step opens that the request
  does not name (the model made it up);
- a text argument that is the whole request copied (the model found no better reading);
- no action at all, though the request uses an action's words;
- a question about a value the model made up (it is nowhere in the request);
- a recipient (a person-typed argument) the request neither names nor refers to;
- a person the request names (a contact lam knows) whom no step uses ("txt Dana that ..."
  planned as a click on Dana's id: `unused_people`; re-planned among the actions that take
  a person);
- a step none of whose action's words the request uses, while it uses a word only another
  action is called by (`better_fits`: re-planned among those actions).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from actions.entities import Entity, Scope
from actions.plan import ACTION_SOURCE, Plan, PlanKind
from actions.spec import ActionSpec
from actions.types import format_of
from assistant.context import PERSON_TYPES
from assistant.normalize import find_addresses
from assistant.planner.prompt import example_values
from assistant.planner.relevance import ActionVocabulary, one_edit, stems
from assistant.relations import kin_words, relation_words
from assistant.resolve import EMAIL_ADDRESS_RE, NOUN_TYPES, Mention, find_mentions

__all__ = [
    "ENTITY_ID",
    "EXPLICIT_KINDS",
    "absent_inputs",
    "better_fits",
    "invented_value",
    "missing_inputs_answer",
    "name_words",
    "nothing_to_refer_to",
    "person_takers",
    "plan_doubts",
    "time_takers",
    "unmet_verb",
    "unnamed_people",
    "unused_people",
    "unused_reference_types",
    "unused_references",
    "unused_time",
]

_WORDS = re.compile(r"[a-z0-9]+")
ENTITY_ID = re.compile(r"^[a-z_]+:[\w.@-]+$")
"""An entity id ("contact:dana-ross"): in a text slot it is no use of the entity."""
EXPLICIT_KINDS = ("ordinal", "description", "named", "labeled")


def _words(text: str) -> list[str]:
    return _WORDS.findall(text.lower())


def _is_uri(specs: dict[str, ActionSpec], action: str, param: str) -> bool:
    spec = specs.get(action)
    return spec is not None and format_of(
        spec.parameters_schema().get("properties", {}).get(param, {})) == "uri"


def unused_references(plan: Plan, mentions: list[tuple[Mention, str]],
                      specs: dict[str, ActionSpec] | None = None
                      ) -> list[tuple[Mention, str]]:
    """The resolved references no step uses (by id or by the words of the mention). With no
    steps at all, only explicit references count ("the 2nd link", "the email from Bob" ask
    for an action on them; a pronoun alone, as in "that's great", does not)."""
    if plan.kind is not PlanKind.ACTIONS or not plan.steps:
        return [(m, eid) for m, eid in mentions if m.kind in EXPLICIT_KINDS]
    dumped = _entity_args(plan, specs)
    return [(m, eid) for m, eid in mentions
            if eid.lower() not in dumped
            and not re.search(r"\b" + re.escape(m.text.lower()) + r"\b", dumped)]


_ON_A_PAGE = frozenset({"link", "field", "button", "heading", "table"})
"""Entity types that exist only on an open page: one of them in scope means a page is open."""


def absent_inputs(plan: Plan, specs: dict[str, ActionSpec],
                  entities: Mapping[str, Entity],
                  distinctive: Mapping[str, frozenset[str]] | None = None) -> list[str]:
    """Steps whose action consumes a kind of thing (`ActionSpec.consumes`: ``read_page`` a
    page) that nothing in scope is and no earlier step produces: "what time is it in Tokyo"
    planned as ``read_page`` with no page open. A step the request's own words call for
    ("scroll to the top") or that names the kind ("a picture of the whole page") is the
    user's choice and is not doubted: running it says what is missing. With ``distinctive``
    (each action's own cue words), a word several actions share ("read") does not make it the
    user's choice; nor does any word when the request names another kind of thing in scope
    ("summarize the dealzone mail" with no page open)."""
    return [f"{action} acts on a {kind}, and no {kind} is open or in scope"
            for action, kind in _missing_inputs(plan, specs, entities, distinctive)]


def missing_inputs_answer(plan: Plan, specs: dict[str, ActionSpec],
                          entities: Mapping[str, Entity]) -> str:
    """What to tell the user when the only plan acts on things that are not there, in their
    words rather than action names: "I have no action for that here: it needs a page, and no
    page is open." (empty: nothing is missing)."""
    kinds = list(dict.fromkeys(kind for _, kind in _missing_inputs(plan, specs, entities)))
    if not kinds:
        return ""
    needs = " or ".join(f"{_article(k)} {k}" for k in kinds)
    return (f"I have no action for that here: the nearest one needs {needs}, and none is open. "
            f"Say what to open first, or ask in other words.")


def _article(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"


def _missing_inputs(plan: Plan, specs: dict[str, ActionSpec],
                    entities: Mapping[str, Entity],
                    distinctive: Mapping[str, frozenset[str]] | None = None
                    ) -> list[tuple[str, str]]:
    in_scope = {e.type for e in entities.values()}
    words = _words(plan.request)
    present = in_scope | set(words)
    if present & _ON_A_PAGE:
        present.add("page")
    named = {NOUN_TYPES[w] for w in words if NOUN_TYPES.get(w)}
    out = []
    for step in plan.steps:
        spec = specs.get(step.action)
        if spec is None:
            continue
        chosen = step.sources.get(ACTION_SOURCE)
        users = chosen is not None and chosen.kind == "user_text" and not (
            distinctive is not None
            and not stems(chosen.text or "") & distinctive.get(step.action, frozenset())) \
            and not (named & in_scope and not named & set(spec.consumes))
        for kind in spec.consumes if not users else ():
            if kind not in present and kind not in PERSON_TYPES:  # an address may be typed
                out.append((step.action, kind))
        present.update(spec.produces)
    return out


_ASKS = re.compile(r"^\s*(?:how|what|whats|what's|why|who|whom|which|where|when|is|are|does|"
                   r"do|did)\b", re.IGNORECASE)


def _asks_about_words(request: str, vocabulary: ActionVocabulary) -> bool:
    """A question to lam ("how do you say … in Italian") with no word that only one action is
    called by and no kind of thing an action reads (mail, reminders, links): its action words
    ("say") are words of the question, not a call for an action."""
    said = stems(request)
    return bool(_ASKS.match(request)) and not any(said & cues for cues in
                                                 vocabulary.distinctive.values()) \
        and not any(w in NOUN_TYPES for w in _words(request))  # asks about things lam reads


def plan_doubts(request: str, plan: Plan, mentions: list[tuple[Mention, str]],
                specs: dict[str, ActionSpec], actionable: str | None,
                entities: Mapping[str, Entity] | None = None,
                vocabulary: ActionVocabulary | None = None) -> list[str]:
    """Why this plan may have misread the request (empty: no doubt). With ``vocabulary``, a
    question to lam that tier 1 answered without an action is not doubted for its words. A
    question about a thing ("when's my dentist reminder") is answered by a read step that
    lists things of its kind: that uses the reference."""
    listed = {t for s in plan.steps if s.action in specs
              and not specs[s.action].effect.has_side_effect
              for t in specs[s.action].produces} if asks_a_question(request) else set()
    doubts = [f"the plan does not use {m.text!r} ({eid})"
              for m, eid in unused_references(plan, mentions, specs)
              if (found := (entities or {}).get(eid)) is None or found.type not in listed]
    doubts += unnamed_people(request, plan, mentions, specs, entities or {})
    doubts += [f"the request names the link '{link.label}', and no step uses it"
               for link in unused_links(request, plan, specs, entities or {})]
    if plan.kind is PlanKind.ACTIONS and plan.steps:
        doubts += [f"the request names {p.label}, and no step uses them"
                   for p in unused_people(request, plan, specs, entities or {})]
    if plan.kind is not PlanKind.ACTIONS or not plan.steps:
        if actionable and actionable.startswith("action words") and not (
                vocabulary is not None and _asks_about_words(request, vocabulary)):
            doubts.insert(0, f"no action planned, though the request has {actionable}")
        return doubts
    doubts += absent_inputs(plan, specs, entities or {},
                            vocabulary.distinctive if vocabulary is not None else None)
    opened = " ".join(str(v) for s in plan.steps for k, v in s.args.items()
                      if _is_uri(specs, s.action, k)).lower()
    said_words = " ".join(_words(EMAIL_ADDRESS_RE.sub(" ", request)))  # a mail domain: no site
    for step in plan.steps:
        for name, value in step.args.items():
            source = step.sources.get(name)
            if (isinstance(value, str) and source is not None and source.entity_id is None
                    and _is_uri(specs, step.action, name)
                    and " ".join(_words(source.text or value)) not in said_words):
                doubts.append(f"{step.action}.{name} {value!r} is not in the request")
    for address in find_addresses(request):
        if address.lower().rstrip("/") not in opened:
            doubts.append(f"no step opens {address}")
    doubts += example_copies(request, plan)
    request_words = _words(request)
    if len(request_words) >= 6:
        for step in plan.steps:
            for name, value in step.args.items():
                if isinstance(value, str) and len(_words(value)) >= 0.9 * len(request_words):
                    doubts.append(f"{step.action}.{name} is the whole request copied")
    return doubts


def example_copies(request: str, plan: Plan) -> list[str]:
    """The plan's values copied from the system prompt's worked examples, not said in the
    request ("I can only act with the actions I have." as a reply's text)."""
    examples = example_values()
    return [f"{step.action}.{name} {value!r} is copied from the prompt's examples, not from "
            "the request" for step in plan.steps for name, value in step.args.items()
            if isinstance(value, str) and value.strip().lower() in examples
            and invented_value(request, value)]


def _without_references(request: str) -> str:
    """The request with its referring expressions ("the third link", "this page") cut out."""
    out, at = [], 0
    for mention in find_mentions(request):
        out.append(request[at:mention.start])
        at = mention.end
    return " ".join([*out, request[at:]])


def _without_content(request: str, plan: Plan, vocabulary: ActionVocabulary) -> str:
    """The request without the text a step copies from it as values of two words or more (a
    subject, a message), where the rest still calls for that step's action: what a message
    says is no cue for what to do ("email Gus, subject: roadmap draft" does not ask for
    ``draft_email``), but a search for the whole request is no message."""
    out = request
    for step in plan.steps:
        cut = out
        for value in step.args.values():
            if isinstance(value, str) and len(value.split()) >= 2:
                cut = re.sub(re.escape(value.strip()), " ", cut, flags=re.IGNORECASE)
        if vocabulary.cues.get(step.action, frozenset()) & stems(cut):
            out = cut
    return out


def better_fits(request: str, plan: Plan, vocabulary: ActionVocabulary
                ) -> tuple[list[str], list[str]]:
    """Steps whose action the request has none of the words of, while it has a word only some
    other action is called by ("alert me in an hour ..." planned as ``click``: "alert" is only
    ``set_reminder``'s) or, failing that, described with ("peek at my inbox" planned as
    ``read_page``: only ``list_emails`` is described with "inbox"). Returns the doubts and
    the actions to plan among instead (the better-fitting ones and the plan's well-cued
    ones)."""
    if plan.kind is not PlanKind.ACTIONS or not plan.steps:
        return [], []
    request = _without_content(request, plan, vocabulary)
    said = stems(request) | vocabulary.typo_cues(request)
    planned = {s.action for s in plan.steps}
    sibling = _sibling_said(said, planned, vocabulary)
    if sibling is not None:
        return sibling
    chosen = {s.action for s in plan.steps if (s.sources.get(ACTION_SOURCE) and
                                                s.sources[ACTION_SOURCE].kind == "user_text")}
    uncued = sorted({a for a in planned - chosen  # chosen: the request's words decided it
                     if vocabulary.cues.get(a) and not vocabulary.cues[a] & said})
    if not uncued:
        return [], []
    # The words of a reference name a thing, not what to do with it ("the second result" is
    # a link on the page, no call for search_web)
    unreferred = _without_references(request)
    # ... and a word for a person ("cc my boss") names whom, not what to do
    said = (stems(unreferred) | vocabulary.typo_cues(unreferred)) - stems(" ".join(kin_words()))
    fits = {name: sorted(words & said) for name, words in vocabulary.distinctive.items()
            if name not in planned and words & said}
    if not fits:  # no cue decides: words only one action is described with ("inbox")
        # ... a weaker sign, which does not outweigh an action whose own description fits
        # ("anyone in my address book ...": list_contacts lists those matching an address)
        uncued = [a for a in uncued if not vocabulary.described.get(a, frozenset()) & said]
        fits = {name: sorted(words & said) for name, words in vocabulary.described_only.items()
                if name not in planned and words & said} if uncued else {}
    if not fits:
        return [], []
    doubts = [f"the request has none of {a}'s words, and " + ", ".join(
        f"{' '.join(w)!s} calls for {name}" for name, w in sorted(fits.items()))
        for a in uncued]
    return doubts, sorted(set(fits) | (planned - set(uncued)))


def _sibling_said(said: set[str], planned: set[str], vocabulary: ActionVocabulary
                  ) -> tuple[list[str], list[str]] | None:
    """A planned action whose name the request does not say in full, while it says the whole
    name of a sibling ("mark it unread" planned as ``mark_read``: ``mark_unread``)."""
    def name(action: str) -> set[str]:
        return stems(action.replace("_", " "))

    for action in sorted(planned):
        own = name(action)
        if own <= said:
            continue
        siblings = sorted(a for a in vocabulary.cues if a not in planned
                          and len(name(a)) > 1 and name(a) <= said and name(a) & own)
        if len(siblings) == 1:
            return ([f"the request says {siblings[0]}'s name in full, not {action}'s"],
                    sorted((planned - {action}) | {siblings[0]}))
    return None


_QUESTION = re.compile(
    r"^\s*(?:(?:hey|so|ok|okay|um|uh)\b[\s,]*)*(?:what|whats|what's|when|whens|when's|where|"
    r"wheres|where's|who|whos|who's|which|how|hows|how's|is|are|do|does|did|have|has|any)\b",
    re.IGNORECASE)


def asks_a_question(request: str) -> bool:
    """Whether the request is put as a question ("when's my dentist reminder", "did Ana write
    back?"), not as a polite command ("can you email Ana …" starts otherwise)."""
    return bool(_QUESTION.match(request))


def question_changes_things(request: str, plan: Plan, specs: dict[str, ActionSpec]
                            ) -> list[str]:
    """Steps that change something in a plan for a request put as a question: a question
    asks to be told, so a step with effects is a misreading."""
    if plan.kind is not PlanKind.ACTIONS or not asks_a_question(request):
        return []
    return [f"the request asks a question, and {s.action} changes something"
            for s in plan.steps if s.action in specs and specs[s.action].effect.has_side_effect]


_LEAD_FILLERS = frozenset({"hey", "hi", "pls", "plz", "please", "can", "could", "would", "will",
                           "you", "u", "ya", "just", "ok", "okay", "so", "now", "kindly", "lam"})


def unmet_verb(request: str, plan: Plan, vocabulary: ActionVocabulary,
               specs: dict[str, ActionSpec]) -> str | None:
    """An answer for a request whose verb only acts on other kinds of things ("delete all my
    emails": only reminders are deleted) planned as a read: no action does what it asks.
    None when the verb is the plan's own, or some action that has it takes what is named."""
    if plan.kind is not PlanKind.ACTIONS or not plan.steps or any(
            s.action not in specs or specs[s.action].effect.has_side_effect for s in plan.steps):
        return None
    words = _words(request)
    lead = [w for w in words if w not in _LEAD_FILLERS][:2]  # the verb leads the request: in
    verb = next((w for w in lead if (stem := next(iter(stems(w)), "")) and any(  # "email neha
        stem in vocabulary.distinctive.get(a, frozenset()) for a in specs)), None)  # the notes"
    if verb is None:
        return None
    stem = next(iter(stems(verb)))
    if any(stem in vocabulary.cues.get(s.action, frozenset()) for s in plan.steps):
        return None
    owners = [a for a in sorted(specs) if stem in vocabulary.cues.get(a, frozenset())]
    named = {t for w in words if w != verb  # "message tunde …": the verb names no thing
             and (t := NOUN_TYPES.get(w)) is not None}
    kinds = {t for a in owners for t in specs[a].entity_params().values()}
    if not owners or not named or not all(specs[a].entity_params() for a in owners) \
            or kinds & named:
        return None
    thing = sorted(named)[0]
    return (f"I can't {verb} {thing}s: no action does that. '{verb}' is what "
            f"{', '.join(owners)} do{'es' if len(owners) == 1 else ''}, to a "
            f"{' or '.join(sorted(kinds))} (`lam actions list` shows every action).")


def unnamed_people(request: str, plan: Plan, mentions: list[tuple[Mention, str]],
                   specs: dict[str, ActionSpec], entities: Mapping[str, Entity]) -> list[str]:
    """A person-typed argument (a recipient) that is someone the request neither names nor
    refers to: the model picked a contact (small talk sent to the first contact as an email)."""
    said = set(_words(request))
    referred = {eid for _, eid in mentions}
    out = []
    for step in plan.steps:
        spec = specs.get(step.action)
        if spec is None:
            continue
        for name, etype in spec.entity_params().items():
            value = step.args.get(name)
            person = entities.get(value) if isinstance(value, str) else None
            if etype not in PERSON_TYPES or person is None or person.id in referred:
                continue
            names = [person.label, *(person.attributes.get("nicknames") or []),
                     *relation_words(str(person.attributes.get("relation") or "")),
                     str(person.attributes.get("email") or "")]
            if not any(w in said or _slip_of(w, said) for n in names for w in _words(n)
                       if len(w) > 1):
                out.append(f"{step.action}.{name} is {person.label}, whom the request does "
                           "not name")
    return out


def unsaid_contact_details(request: str, plan: Plan, specs: dict[str, ActionSpec],
                           entities: Mapping[str, Entity],
                           mentions: list[tuple[Mention, str]] | None = None) -> list[str]:
    """A text argument that is a known person's name, address or number while the request
    neither names nor refers to that person (asked to complete a page's form, the model typed
    a contact's name there): someone's details go only where the request sends them."""
    said = set(_words(request))
    referred = {eid for _, eid in mentions or []}
    people = [e for e in entities.values() if e.type in PERSON_TYPES and e.id not in referred]
    out = []
    for step in plan.steps:
        spec = specs.get(step.action)
        if spec is None:
            continue
        typed = spec.entity_params()
        props = spec.parameters_schema().get("properties", {})
        for name, value in step.args.items():
            if name in typed or not isinstance(value, str) or not value.strip() or \
                    format_of(props.get(name, {})) == "email":
                continue
            want = value.strip().lower()
            for person in people:
                details = [person.label, str(person.attributes.get("email") or ""),
                           *[str(x) for x in person.attributes.get("emails") or []],
                           str(person.attributes.get("phone") or "")]
                if want not in [d.strip().lower() for d in details if d.strip()]:
                    continue
                names = [person.label, *(person.attributes.get("nicknames") or []),
                         *relation_words(str(person.attributes.get("relation") or "")),
                         *details]
                if not any(w in said or _slip_of(w, said) for n in names for w in _words(n)
                           if len(w) > 1):
                    out.append(f"{step.action}.{name} is {person.label}'s details, and the "
                               "request does not name them")
    return out


def _slip_of(word: str, said: set[str]) -> bool:
    """Whether the request says ``word`` with a typing slip ("roomate" for "roommate")."""
    return len(word) >= 5 and any(one_edit(word, w) for w in said if len(w) >= 4)


def name_words(person: Entity, shortest: int = 3) -> set[str]:
    """The lower-cased words (of ``shortest`` letters or more) of a person's name and
    nicknames."""
    names = [person.label, *(person.attributes.get("nicknames") or [])]
    return {w for n in names for w in _words(str(n)) if len(w) >= shortest}


def unused_people(request: str, plan: Plan, specs: dict[str, ActionSpec],
                  entities: Mapping[str, Entity]) -> list[Entity]:
    """People lam knows whom the request names (a word of their name or nickname), while no
    step uses any of them: not as a person-typed argument, not in the words of an argument
    (an entity id written into a text slot is no use). With several of one name ("Alice"),
    one of them used is enough."""
    said = set(_words(request))
    named: dict[str, list[Entity]] = {}
    for person in entities.values():
        if person.type in PERSON_TYPES:
            for word in name_words(person) & said:
                named.setdefault(word, []).append(person)
    if not named:
        return []
    ids: set[str] = set()
    text_words: set[str] = set()
    for step in plan.steps:
        spec = specs.get(step.action)
        typed = spec.entity_params() if spec is not None else {}
        for name, value in step.args.items():
            if not isinstance(value, str):
                continue
            if name in typed:
                ids.add(value)
            elif not ENTITY_ID.match(value):
                text_words.update(_words(value))
    out: list[Entity] = []
    for word, people in sorted(named.items()):
        if word in text_words or any(p.id in ids for p in people):
            continue
        out.extend(p for p in people if p not in out)
    return out


_LINK_STOP = frozenset({"page", "link", "home", "more", "here", "click", "read", "this",
                        "that", "with", "from", "your", "about"})


def unused_links(request: str, plan: Plan, specs: dict[str, ActionSpec],
                 entities: Mapping[str, Entity]) -> list[Entity]:
    """Links on screen that the request names by a word of their label no other link has
    ("go to the contact us page" with a "Contact us" link), when no step uses a link or opens
    an address: the plan left what the request points at aside."""
    links = [e for e in entities.values() if e.type == "link" and e.scope is Scope.SCREEN]
    if not links or plan.kind is not PlanKind.ACTIONS:
        return []
    for step in plan.steps:
        spec = specs.get(step.action)
        if spec is not None and ("link" in spec.entity_params().values() or any(
                _is_uri(specs, step.action, k) for k in step.args)):
            return []
    said = set(_words(request))
    words = {e.id: {w for w in _words(e.label) if len(w) > 3} - _LINK_STOP for e in links}
    out = []
    for link in links:
        others = set().union(*(w for k, w in words.items() if k != link.id))
        if (words[link.id] - others) & said:
            out.append(link)
    return out if len(out) == 1 else []


def _timed(prop: dict[str, Any]) -> bool:
    options = [prop, *(prop.get("anyOf") or [])]
    return any(format_of(o) in ("date-time", "x-recurrence")
               for o in options if isinstance(o, dict))


def unused_time(phrase: str, plan: Plan, specs: dict[str, ActionSpec]) -> bool:
    """The request says a time (``phrase``) and no step takes one: no time argument is
    filled, and the phrase is not part of a text argument ("tell Bo I'm there at 5")."""
    if plan.kind is not PlanKind.ACTIONS or not plan.steps:
        return False
    wanted = " ".join(_words(phrase))
    for step in plan.steps:
        spec = specs.get(step.action)
        props = spec.parameters_schema().get("properties", {}) if spec is not None else {}
        for name, value in step.args.items():
            if value in (None, ""):
                continue
            if _timed(props.get(name, {})):
                return False
            if isinstance(value, str) and wanted in " ".join(_words(value)):
                return False
    return True


def time_takers(specs: dict[str, ActionSpec]) -> list[str]:
    """The actions with a time argument (a reminder, a scheduled plan, a move)."""
    return [s.name for s in specs.values()
            if any(_timed(p) for p in s.parameters_schema().get("properties", {}).values())]


def person_takers(specs: dict[str, ActionSpec]) -> list[str]:
    """The actions that take a person: a person-typed argument, or an argument (or the
    action itself) described as being about a contact or person (a sender filter, a
    contact search)."""
    out = []
    for spec in specs.values():
        if set(spec.entity_params().values()) & PERSON_TYPES:
            out.append(spec.name)
            continue
        props = spec.parameters_schema().get("properties", {})
        text = " ".join([spec.description, *(str(p.get("description", ""))
                                             for p in props.values())]).lower()
        if props and re.search(r"\b(contacts?|person|people)\b", text):
            out.append(spec.name)
    return out


def invented_value(request: str, value: object) -> bool:
    """A value the model wrote that is nowhere in the request (a question about it would be
    a question about the model's invention, not about what the user said)."""
    if not isinstance(value, str) or not value.strip():
        return False
    wanted = " ".join(_words(value))
    return bool(wanted) and wanted not in " ".join(_words(request))


def _entity_args(plan: Plan, specs: dict[str, ActionSpec] | None = None) -> str:
    """The plan's entity-typed arguments (and step references), lower-cased, as one string:
    an id written into a text slot (a body that says "email:101") is not a use of it."""
    values = []
    for step in plan.steps:
        spec = (specs or {}).get(step.action)
        typed = spec.entity_params() if spec is not None else None
        for name, value in step.args.items():
            if typed is None or name in typed or isinstance(value, dict):
                values.append(value)
            elif (source := step.sources.get(name)) is not None and source.entity_id:
                values.append(source.entity_id)  # code put the thing's address there
    return json.dumps(values).lower()


def unused_reference_types(plan: Plan, mentions: list[tuple[Mention, str]],
                           types: dict[str, str],
                           specs: dict[str, ActionSpec] | None = None) -> set[str]:
    """Entity types of the resolved references no step of the plan uses."""
    return {types[eid] for _, eid in unused_references(plan, mentions, specs) if eid in types}


def nothing_to_refer_to(etype: str | None, in_scope: set[str], earlier: list[str],
                        specs: dict[str, ActionSpec]) -> bool:
    """A question about an entity of a type nothing in scope has and no earlier step of the
    plan produces: the model chose an action about things that are not there."""
    if not etype or etype in in_scope or etype in ("contact", "person"):
        return False
    return not any(etype in specs[a].produces for a in earlier if a in specs)
