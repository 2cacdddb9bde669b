"""The golden set of the planner: load cases, plan each one in a fresh Session (planning only —
nothing is executed), score the plan against the case's expectation, and report accuracy per
tier, category and domain with latency per tier. See docs/golden.md.

Evaluation code: it reads tests/golden/cases.jsonl and seeds the plugins' stores directly, so it
lives here, outside the installed packages.

    cases = load_cases()
    with GoldenRunner(model="qwen2.5-coder-0.5b") as runner:
        results = runner.run(cases)
    print(render_report(summarize(results)))
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field

from actions.entities import Entity, Scope
from actions.plan import Plan, PlanKind, Step, is_step_ref
from assistant.runtime import Runtime, RuntimeOptions
from bench.evaluation.blind import BLIND_PATH, adapt_case

__all__ = [
    "BLIND_PATH",
    "CASES_PATH",
    "SPLIT_LABELS",
    "Case",
    "CaseContext",
    "CaseResult",
    "Expect",
    "ExpectStep",
    "GoldenReport",
    "GoldenRunner",
    "answered_by_templates",
    "load_cases",
    "match_value",
    "render_report",
    "score_plan",
    "summarize",
]

CASES_PATH = Path(__file__).resolve().parents[2] / "tests" / "golden" / "cases.jsonl"

# -- cases ------------------------------------------------------------------------------------


class CaseContext(BaseModel):
    model_config = ConfigDict(extra="forbid")

    now: datetime
    tz: str
    entities: list[Entity] = Field(default_factory=list)
    """Screen and conversation entities are published into the table (screen first, then
    conversation in order, so the last one is the most salient); background ``job`` entities
    are stored as jobs of the scheduler plugin."""
    contacts: list[Entity] = Field(default_factory=list)
    """Contacts: stored in the messaging plugin's contact book and given as
    ``Session.extra_background``."""


class ExpectStep(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: str
    args: dict[str, Any] = Field(default_factory=dict)
    """Parameter -> matcher (see `match_value`). Arguments not listed are not checked."""


class Expect(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["actions", "question", "no_action"]
    steps: list[ExpectStep] = Field(default_factory=list)
    also: list[Literal["question", "no_action"]] = Field(default_factory=list)
    """Other plan kinds that are right too (injection cases: asking is always safe)."""
    safe_actions: list[str] = Field(default_factory=list)
    """A plan made only of these actions is right too (e.g. just reading the page)."""


class Case(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    split: Literal["dev", "test", "blind"]
    """``dev``; ``test``: the old test split, dev since it leaked (issue #19); ``blind``: the
    blind split (tests/golden/blind.jsonl), never tuned on."""
    domain: Literal["browser", "scheduler", "messaging", "general"]
    categories: list[str]
    request: str
    context: CaseContext
    expect: Expect
    note: str = ""


SPLIT_LABELS = {"dev": ("dev", "test"), "old-dev": ("dev",), "old-test": ("test",),
                "blind": ("blind",)}
"""A split name -> the labels it selects. The cases labelled ``test`` in cases.jsonl leaked
into the planner (issue #19), so they are dev now: ``dev`` selects both labels; ``old-dev`` and
``old-test`` keep the earlier figures comparable."""


def load_cases(path: Path | str = CASES_PATH, *, split: str = "all",
               category: str | None = None, limit: int | None = None) -> list[Case]:
    """Cases of ``path`` (blind-split files go through `adapt_case`) in ``split`` (a name of
    `SPLIT_LABELS` or ``all``), optionally only a category or domain, at most ``limit``."""
    if split != "all" and split not in SPLIT_LABELS:
        raise ValueError(f"unknown split {split!r}: use all, {', '.join(SPLIT_LABELS)}")
    cases = []
    for n, line in enumerate(Path(path).read_text().splitlines(), start=1):
        if not line.strip():
            continue
        try:
            case = Case.model_validate(adapt_case(json.loads(line)))
        except ValueError as exc:
            raise ValueError(f"{path}:{n}: {exc}") from exc
        if split != "all" and case.split not in SPLIT_LABELS[split]:
            continue
        if category and category not in case.categories and category != case.domain:
            continue
        cases.append(case)
    return cases[:limit] if limit else cases


# -- matching ---------------------------------------------------------------------------------
_MISSING = object()


def match_value(matcher: Any, actual: Any) -> str | None:
    """None when ``actual`` satisfies ``matcher``, else why not. ``actual`` is ``_MISSING``
    when the argument is absent. Matchers: a literal (equality), ``{"datetime": ISO}`` (same
    instant), ``{"contains": s}`` (case-insensitive substring), ``{"not_contains": s}``,
    ``{"regex": r}``, ``{"entity": id}``, ``{"rule": RRULE}``, ``{"step": n}`` (a reference to
    step n's output), ``{"entity_or_step": [id, n]}``, ``{"any": true}``, ``{"absent": true}``
    (absent, null or empty), ``{"any_of": [m, ...]}``, ``{"all": [m, ...]}``."""
    if isinstance(matcher, dict) and len(matcher) == 1:
        (key, want), = matcher.items()
        if key == "absent":
            return None if actual is _MISSING or actual in (None, "", []) else \
                f"expected absent, got {actual!r}"
        if key == "all":
            return next((r for r in (match_value(m, actual) for m in want) if r), None)
        if key == "any_of":  # before "missing": one option may be {"absent": true}
            reasons = [match_value(m, actual) for m in want]
            return None if any(r is None for r in reasons) else " and ".join(
                str(r) for r in reasons)
        if actual is _MISSING:
            return "missing"
        if key == "any":
            return None
        if key == "step":
            ok = is_step_ref(actual) and actual.get("$step") == want
            return None if ok else f"expected a reference to step {want + 1}, got {actual!r}"
        if key == "entity_or_step":
            eid, n = want
            return None if actual == eid or (is_step_ref(actual) and actual["$step"] == n) \
                else f"expected {eid} or step {n + 1}'s output, got {actual!r}"
        if key in ("datetime", "contains", "not_contains", "regex", "entity", "rule"):
            return _match_scalar(key, want, actual)
    if actual is _MISSING:
        return f"expected {matcher!r}, argument missing"
    if isinstance(matcher, bool | int | float) and isinstance(actual, str):
        actual = _coerce(actual)  # validation turns "15" into 15 and "true" into True
    return None if actual == matcher else f"expected {matcher!r}, got {actual!r}"


def _coerce(text: str) -> Any:
    t = text.strip().lower()
    if t in ("true", "false"):
        return t == "true"
    try:
        return float(t) if "." in t else int(t)
    except ValueError:
        return text


def _match_scalar(key: str, want: str, actual: Any) -> str | None:
    if key == "entity":  # a list-of-people argument holding just that one is that one
        return None if actual in (want, [want]) else f"expected entity {want}, got {actual!r}"
    if key == "not_contains":
        return None if want.lower() not in json.dumps(actual).lower() else \
            f"must not contain {want!r}: {actual!r}"
    if not isinstance(actual, str):
        return f"expected text for {key}, got {actual!r}"
    if key == "contains":
        return None if want.lower() in actual.lower() else f"{actual!r} lacks {want!r}"
    if key == "regex":
        return None if re.search(want, actual) else f"{actual!r} !~ /{want}/"
    if key == "rule":
        return None if _rule_parts(actual) == _rule_parts(want) else \
            f"rule {actual!r} != {want!r}"
    try:
        same = datetime.fromisoformat(actual) == datetime.fromisoformat(want)
    except ValueError:
        return f"not a datetime: {actual!r}"
    return None if same else f"time {actual} != {want}"


def _rule_parts(rule: str) -> set[str]:
    return {p.strip().upper() for p in rule.removeprefix("RRULE:").split(";") if p.strip()}


def score_plan(expect: Expect, plan: Plan) -> str | None:
    """None when the plan is right for the expectation, else the first reason it is not."""
    kind = _kind(plan)
    if kind in expect.also and kind != "actions":
        return None
    if expect.safe_actions and kind == "actions" and plan.steps and all(
            s.action in expect.safe_actions for s in plan.steps):
        return None
    if kind != expect.kind:
        return f"expected {expect.kind}, got {kind}" + (
            f" ({', '.join(s.action for s in plan.steps)})" if plan.steps else "")
    if expect.kind != "actions":
        return None
    got = [s.action for s in plan.steps]
    want = [s.action for s in expect.steps]
    if got != want:
        return f"expected steps {want}, got {got}"
    for i, (exp, step) in enumerate(zip(expect.steps, plan.steps, strict=True)):
        for name, matcher in exp.args.items():
            reason = match_value(matcher, step.args.get(name, _MISSING))
            if reason:
                return f"step {i + 1} {step.action}.{name}: {reason}"
    return None


def _kind(plan: Plan) -> str:
    if plan.kind is PlanKind.ACTIONS:
        return "actions" if plan.steps else "no_action"
    if plan.kind is PlanKind.QUESTION:
        return "question"
    return "no_action"  # NO_ACTION and ANSWER: lam did nothing


def answered_by_templates(plan: Plan) -> bool:
    """Tier 0 produced this plan itself (not the 'no template and no model' fallback)."""
    return plan.tier == 0 and "tier 1: no model configured" not in plan.escalations


# -- running ----------------------------------------------------------------------------------


class CaseResult(BaseModel):
    id: str
    split: str
    domain: str
    categories: list[str]
    request: str
    ok: bool
    reason: str | None = None
    tier: int | None = None
    kind: str
    steps: list[dict[str, Any]] = Field(default_factory=list)
    question: str | None = None
    escalations: list[str] = Field(default_factory=list)
    seconds: float = 0.0
    error: str | None = None


_MAIL_CONFIG = """
[plugins.messaging]
from_address = "Me <me@golden.example>"
smtp_host = "smtp.golden.invalid"
imap_host = "imap.golden.invalid"
"""


class GoldenRunner:
    """Plans golden cases with the real plugins loaded, each in a fresh temp LAM_HOME, sharing
    one loaded model. ``model``: a catalog name or .gguf path, ``None`` for the configured
    default, or ``"none"`` for templates only."""

    def __init__(self, model: str | None = None, *, threads: int = 0,
                 keep_homes: bool = False, large_model: str | None = None) -> None:
        self.model_name = model
        self.large_model_name = large_model
        self.threads = threads
        self.keep_homes = keep_homes
        shm = Path("/dev/shm")
        # each case opens several SQLite files with synchronous=FULL: RAM-backed is much faster
        self._root = Path(tempfile.mkdtemp(prefix="lam-golden-",
                                           dir=shm if shm.is_dir() else None))
        self._model_runtime: Runtime | None = None
        self._loader: Callable[[], Any] | None = None
        self._large_loader: Callable[[], Any] | None = None
        self._warm = False
        self.warm_up_seconds = 0.0

    # -- model ----------------------------------------------------------------------------
    def _shared_loader(self) -> Callable[[], Any] | None:
        if self.model_name == "none":
            return None
        if self._loader is None:
            from assistant.models_glue import ModelLoader

            rt = Runtime(RuntimeOptions(home=str(self._root / "model-home"), plugins=False))
            rt.config.lam.threads = self.threads or rt.config.lam.threads
            name = self.model_name or rt.config.lam.model
            if not name:
                return None
            self._model_runtime = rt
            self.model_label = name
            self._loader = ModelLoader(rt, name)
        return self._loader

    def _shared_large_loader(self) -> Callable[[], Any] | None:
        """Tier 2: ``large_model`` (None: the configured one; "none": no tier 2)."""
        if self.model_name == "none" or self.large_model_name == "none":
            return None
        if self._large_loader is None:
            from assistant.models_glue import ModelLoader

            if self._shared_loader() is None or self._model_runtime is None:
                return None
            rt = self._model_runtime
            name = self.large_model_name or rt.config.lam.large_model
            if not name:
                return None
            self.large_model_label = name
            self._large_loader = ModelLoader(rt, name)
        return self._large_loader

    @property
    def model_calls(self) -> int:
        return int(getattr(self._loader, "calls", 0)) + \
            int(getattr(self._large_loader, "calls", 0))

    # -- one case -------------------------------------------------------------------------
    def build(self, case: Case) -> tuple[Runtime, Any]:
        """A runtime and session for one case, with its context injected."""
        from assistant.session import Session

        home = Path(tempfile.mkdtemp(prefix=f"{_safe(case.id)}-", dir=self._root))
        (home / "config").mkdir(parents=True, exist_ok=True)
        (home / "config" / "plugins.toml").write_text(_MAIL_CONFIG)
        ctx = case.context
        rt = Runtime(RuntimeOptions(home=str(home), now=ctx.now, tz=ctx.tz))
        loader = self._shared_loader()
        rt.model_factories[1] = loader if loader is not None else (lambda: None)
        large = self._shared_large_loader()
        rt.model_factories[2] = large if large is not None else (lambda: None)
        try:
            self._seed(rt, ctx)
            session = Session(rt)
            session.extra_background = list(ctx.contacts)
            screen = [e for e in ctx.entities if e.scope is Scope.SCREEN]
            if screen:
                session.table.publish(screen)
            for e in ctx.entities:
                if e.scope is Scope.CONVERSATION:
                    session.table.publish([e])
                    session.table.touch(e.id)
        except BaseException:
            rt.close()
            raise
        return rt, session

    @staticmethod
    def _seed(rt: Runtime, ctx: CaseContext) -> None:
        plugins = rt.loaded.plugins
        messaging = plugins.get("messaging")
        if messaging is not None and ctx.contacts:
            from plugins.messaging.contacts import Contact

            for c in ctx.contacts:
                a = c.attributes
                emails = list(a.get("emails") or ([a["email"]] if a.get("email") else []))
                messaging.contacts.add(Contact(  # type: ignore[attr-defined]
                    name=c.label, emails=emails, nicknames=list(a.get("nicknames") or []),
                    relation=str(a.get("relation") or ""), id=c.id), merge=False)
        scheduler = plugins.get("scheduler")
        # a job talked of in an earlier turn may also be listed as in the store: stored once
        jobs = list({e.id: e for e in reversed(ctx.entities) if e.type == "job"}.values())
        if scheduler is not None and jobs:
            from plugins.scheduler.store import Job, to_ms

            tz = ZoneInfo(ctx.tz)
            now_ms = to_ms(ctx.now if ctx.now.tzinfo else ctx.now.replace(tzinfo=tz))
            for e in jobs:
                nxt = datetime.fromisoformat(str(e.attributes["next"]))
                scheduler.store.add(Job(  # type: ignore[attr-defined]
                    id=e.id, kind=str(e.attributes.get("kind") or "reminder"),
                    text=str(e.attributes.get("text") or e.label), plan=None,
                    rule=e.attributes.get("rule"), anchor=to_ms(nxt), tz=ctx.tz,
                    next_fire=to_ms(nxt), state=str(e.attributes.get("state") or "active"),
                    created=now_ms, updated=now_ms))

    def run_case(self, case: Case) -> CaseResult:
        base = {"id": case.id, "split": case.split, "domain": case.domain,
                "categories": case.categories, "request": case.request}
        try:
            rt, session = self.build(case)
        except Exception as exc:  # a broken case is reported, not fatal
            return CaseResult(**base, ok=False, kind="error", reason=f"setup: {exc}",
                              error=repr(exc))
        try:
            started = time.perf_counter()
            proposal = session.propose(case.request)
            seconds = proposal.seconds or (time.perf_counter() - started)
            plan: Plan = proposal.plan
            reason = score_plan(case.expect, plan)
            return CaseResult(**base, ok=reason is None, reason=reason, tier=plan.tier,
                              kind=_kind(plan), steps=[_step_dict(s) for s in plan.steps],
                              question=plan.question or plan.answer,
                              escalations=list(plan.escalations), seconds=seconds)
        except Exception as exc:
            return CaseResult(**base, ok=False, kind="error", reason=f"planning raised {exc!r}",
                              error=repr(exc))
        finally:
            rt.close()
            if not self.keep_homes:
                shutil.rmtree(rt.paths.config_dir.parent, ignore_errors=True)

    def run(self, cases: Iterable[Case],
            progress: Callable[[CaseResult], None] | None = None) -> list[CaseResult]:
        cases = list(cases)
        if cases:
            self.warm_up(cases[0])
        results = []
        for case in cases:
            result = self.run_case(case)
            results.append(result)
            if progress:
                progress(result)
        return results

    def warm_up(self, case: Case) -> float:
        """Load the model and plan one throw-away request (the system prompt's KV prefix is
        then cached), so that per-case latency is steady-state planning time."""
        if self._shared_loader() is None or self._warm:
            return 0.0
        started = time.perf_counter()
        rt, session = self.build(case.model_copy(update={"id": "warm-up"}))
        try:
            # Straight to the model tier: the relevance gate would answer a made-up request.
            for n in (1, 2):
                tier = session.planner._model_tier(n)
                if tier is not None:
                    tier.propose("please plan nothing, this is a warm-up", [], [])
        finally:
            rt.close()
        self._warm = True
        self.warm_up_seconds = time.perf_counter() - started
        return self.warm_up_seconds

    def close(self) -> None:
        if self._model_runtime is not None:
            self._model_runtime.close()
            self._model_runtime = None
        self._loader = None
        if not self.keep_homes:
            shutil.rmtree(self._root, ignore_errors=True)

    def __enter__(self) -> GoldenRunner:
        return self

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def _safe(text: str) -> str:
    return re.sub(r"[^\w-]", "_", text)[:40]


def _step_dict(step: Step) -> dict[str, Any]:
    return {"action": step.action, "args": step.args}


# -- reporting --------------------------------------------------------------------------------


class Bucket(BaseModel):
    n: int = 0
    right: int = 0

    @property
    def accuracy(self) -> float:
        return self.right / self.n if self.n else 0.0


class GoldenReport(BaseModel):
    total: Bucket
    by_tier: dict[str, Bucket]
    by_category: dict[str, Bucket]
    by_domain: dict[str, Bucket]
    by_split: dict[str, Bucket]
    tier0_share: float
    latency: dict[str, dict[str, float]]
    """tier -> {"p50": s, "p95": s, "n": count}."""
    failures: list[CaseResult] = Field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        def b(x: Bucket) -> dict[str, Any]:
            return {"n": x.n, "right": x.right, "accuracy": round(x.accuracy, 4)}

        return {"total": b(self.total),
                "by_tier": {k: b(v) for k, v in self.by_tier.items()},
                "by_category": {k: b(v) for k, v in self.by_category.items()},
                "by_domain": {k: b(v) for k, v in self.by_domain.items()},
                "by_split": {k: b(v) for k, v in self.by_split.items()},
                "tier0_share": round(self.tier0_share, 4), "latency": self.latency,
                "failures": [f.model_dump() for f in self.failures]}


def _tier_name(r: CaseResult) -> str:
    return "error" if r.kind == "error" else f"tier {r.tier}" if r.tier is not None else "none"


def _percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    if not values:
        return 0.0
    k = (len(values) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def summarize(results: list[CaseResult]) -> GoldenReport:
    total = Bucket()
    buckets: dict[str, dict[str, Bucket]] = {k: defaultdict(Bucket) for k in
                                             ("tier", "category", "domain", "split")}
    times: dict[str, list[float]] = defaultdict(list)
    for r in results:
        keys = {"tier": [_tier_name(r)], "category": r.categories, "domain": [r.domain],
                "split": [r.split]}
        for axis, names in keys.items():
            for name in names:
                bucket = buckets[axis][name]
                bucket.n += 1
                bucket.right += r.ok
        total.n += 1
        total.right += r.ok
        if r.kind != "error":
            times[_tier_name(r)].append(r.seconds)
    latency = {t: {"p50": round(_percentile(v, 0.5), 4), "p95": round(_percentile(v, 0.95), 4),
                   "n": float(len(v))} for t, v in sorted(times.items())}
    tier0 = sum(1 for r in results if r.tier == 0 and r.kind != "error" and
                "tier 1: no model configured" not in r.escalations)
    return GoldenReport(total=total, by_tier=dict(sorted(buckets["tier"].items())),
                        by_category=dict(sorted(buckets["category"].items())),
                        by_domain=dict(sorted(buckets["domain"].items())),
                        by_split=dict(sorted(buckets["split"].items())),
                        tier0_share=tier0 / len(results) if results else 0.0,
                        latency=latency, failures=[r for r in results if not r.ok])


def render_report(report: GoldenReport, *, show_failures: bool = False) -> str:
    lines = [f"overall  {report.total.right}/{report.total.n}  "
             f"{report.total.accuracy:6.1%}",
             f"tier-0 share (answered by templates)  {report.tier0_share:6.1%}", ""]
    for title, table in (("tier", report.by_tier), ("category", report.by_category),
                         ("domain", report.by_domain), ("split", report.by_split)):
        lines.append(f"{title:<14} {'n':>4} {'right':>5} {'acc':>7}")
        for name, b in table.items():
            lines.append(f"  {name:<12} {b.n:>4} {b.right:>5} {b.accuracy:>7.1%}")
        lines.append("")
    lines.append(f"{'latency':<14} {'n':>4} {'p50 s':>8} {'p95 s':>8}")
    for tier, lat in report.latency.items():
        lines.append(f"  {tier:<12} {int(lat['n']):>4} {lat['p50']:>8.3f} {lat['p95']:>8.3f}")
    if show_failures and report.failures:
        lines += ["", f"failures ({len(report.failures)}):"]
        for f in report.failures:
            got = "; ".join(f"{s['action']}({json.dumps(s['args'])})" for s in f.steps)
            lines.append(f"- {f.id} [{_tier_name(f)}] {f.request!r}\n    {f.reason}"
                         + (f"\n    plan: {got}" if got else "")
                         + (f"\n    said: {f.question}" if f.question and not got else ""))
    return "\n".join(lines)
