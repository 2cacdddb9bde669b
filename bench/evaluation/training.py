"""Training records for the mixture-of-experts experts, built through the real planner pipeline:
examples generated per domain (`models.moe.data`) and the golden *dev* split are run with a
scripted model proposing the example's plan, and kept only when the verifier accepts the plan;
the exact system prompt and user message the model would see are recorded as the training input.

Evaluation-side code (it uses `bench.evaluation.golden.GoldenRunner`, which seeds the plugins'
stores directly): bench/moe.py and the tests use it; lam itself never imports it.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from assistant.planner.prompt import to_wire

__all__ = ["build_training_set", "golden_dev_records", "held_out_grams", "held_out_overlap"]


# -- decontamination: no run of held-out evaluation text in a training request --------------------
# The rule of the contamination check (../shared/tools/contamination): a run of 4 words of a
# held-out request (or a whole held-out request of 3 words) counts when two of its words are
# neither function words nor everyday command words.
_WORD = re.compile(r"[a-z0-9']+")
_STOP = set(" ".join(["a an the to of in on at for and or is it me my you your i be with this",
                      "that from by"]).split(" "))
_GENERIC = set(" ".join([
    "remind reminder send email emails mail message open search web take screenshot draft",
    "forward reply call page link tomorrow today please can could would what first second",
    "third last next show list set add contact contacts cancel move click find look go new up",
    "about her him them it's i'm"]).split(" "))
_GOLDEN = Path(__file__).resolve().parents[2] / "tests" / "golden"


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower().replace("\u2019", "'"))


def held_out_grams(extra: Iterable[str | Path] = ()) -> dict[tuple[str, ...], str]:
    """The word runs of every held-out request: the golden cases whose split is not ``dev``
    (tests/golden/cases.jsonl and blind.jsonl) and each line of the ``extra`` files (e.g. the
    BFCL test half, ``bench/bfcl.py --export-held``). Read only to *drop* training requests
    that share one; nothing is taken from them."""
    texts: list[tuple[str, str]] = []
    for name in ("cases.jsonl", "blind.jsonl"):
        f = _GOLDEN / name
        for line in (f.read_text().splitlines() if f.is_file() else []):
            if line.strip():
                c = json.loads(line)
                if c.get("split", "dev") != "dev":
                    texts.append((str(c.get("id", "?")), str(c.get("request", ""))))
    for f in map(Path, extra):
        texts += [(f"{f.name}:{i}", line) for i, line in enumerate(f.read_text().splitlines(), 1)]
    grams: dict[tuple[str, ...], str] = {}
    for name, text in texts:
        w = _words(text)
        spans = ([tuple(w[i:i + 4]) for i in range(len(w) - 3)] if len(w) >= 4
                 else [tuple(w)] if len(w) == 3 else [])
        for g in spans:
            if len(set(g) - _STOP - _GENERIC) >= 2:
                grams.setdefault(g, name)
    return grams


def held_out_overlap(text: str, grams: dict[tuple[str, ...], str]) -> str | None:
    """The first held-out run ``text`` contains ("words" from NAME), or None."""
    w = _words(text)
    for k in (3, 4):
        for i in range(len(w) - k + 1):
            g = tuple(w[i:i + k])
            if g in grams:
                return f"'{' '.join(g)}' from {grams[g]}"
    return None


# -- records checked through the real pipeline ----------------------------------------------------
class _Scripted:
    """A PlannerModel that proposes one fixed plan and records what it was shown."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.seen: list[tuple[str, str]] = []
        self.calls = 0

    def plan_json(self, system: str, user: str, schema: dict[str, Any],
                  max_tokens: int) -> tuple[str, float | None]:
        self.calls += 1
        self.seen.append((system, user))
        return self.text, 0.99


def _validate(runner: Any, case: Any, target: dict[str, Any]) -> dict[str, str] | None:
    """Run ``case`` with a model proposing ``target``; the (system, user, target) record if
    the model tier planned the whole request without code doubting it and the verifier accepted
    the plan, else None. (For "X and Y" where a template reads one part, the cascade first asks
    the model for the other part alone; the scripted whole plan fails there, and the call that
    saw the whole request is the record.)"""
    from actions.plan import PlanKind

    model = _Scripted(to_wire(target))
    runner._loader = lambda: model
    rt, session = runner.build(case)
    try:
        proposal = session.propose(case.request)
    finally:
        rt.close()
    plan = proposal.plan
    want = PlanKind.ACTIONS if target.get("steps") else None
    if plan.tier != 1 or proposal.violations or any(
            "doubted" in e or "unsure" in e or "rejected" in e for e in plan.escalations):
        return None
    if want is not None and (plan.kind is not want or [s.action for s in plan.steps] !=
                             [s["action"] for s in target["steps"]]):
        return None
    if want is None and plan.kind is PlanKind.ACTIONS:
        return None
    whole = [(system, user) for system, user in model.seen
             if user.rstrip().endswith(case.request)]
    if not whole:
        return None
    system, user = whole[-1]
    return {"system": system, "user": user, "target": to_wire(target)}


def build_training_set(domain: str, n: int, *, seed: int = 0, progress: bool = True,
                       held: dict[tuple[str, ...], str] | None = None) -> list[dict[str, str]]:
    """Up to ``n`` verified training records of ``domain`` (see `models.moe.data`). With
    ``held`` (`held_out_grams`), a generated request sharing a held-out run is dropped before
    it is checked (generic phrasing can meet an evaluation request by chance: "at 10am to ...")."""
    from datetime import datetime

    from bench.evaluation.golden import Case, CaseContext, Expect, GoldenRunner
    from models.moe.data import generate

    kept: list[dict[str, str]] = []
    examples = generate(domain, n, seed=seed)
    if held:
        clean = [ex for ex in examples if held_out_overlap(ex.request, held) is None]
        if progress:
            print(f"  {domain}: {len(examples) - len(clean)} of {len(examples)} generated "
                  "requests dropped (they share a run of words with held-out text)",
                  file=sys.stderr, flush=True)
        examples = clean
    with GoldenRunner(model="scripted") as runner:
        for i, ex in enumerate(examples):
            ctx = CaseContext.model_validate({
                "now": datetime.fromisoformat("2026-11-24T10:15:00+01:00"),
                "tz": "Europe/Berlin", "entities": ex.entities, "contacts": ex.contacts})
            case = Case(id=f"train-{domain}-{i}", split="dev", domain=domain,  # type: ignore
                        categories=[], request=ex.request, context=ctx,
                        expect=Expect(kind="no_action"))
            rec = _validate(runner, case, ex.target)
            if rec is not None:
                rec["domain"] = domain
                rec["request"] = ex.request
                kept.append(rec)
            if progress and (i + 1) % 25 == 0:
                print(f"  {domain}: {i + 1}/{len(examples)} checked, {len(kept)} kept",
                      file=sys.stderr, flush=True)
    return kept


def _literal(matcher: Any) -> tuple[bool, Any]:
    """A value that satisfies a golden matcher, when one can be written without guessing a
    phrase: (ok, value)."""
    if not isinstance(matcher, dict) or len(matcher) != 1:
        return True, matcher
    (key, want), = matcher.items()
    if key in ("entity", "contains"):
        return True, want
    if key == "step":
        return True, {"$step": want}
    if key == "entity_or_step":
        return True, want[0]
    if key in ("any_of", "all"):
        return _literal(want[0])
    return False, None  # datetime, rule, any, absent, regex, not_contains: no literal


def golden_dev_records(domain: str, progress: bool = False) -> list[dict[str, str]]:
    """Training records from the golden *dev* split (never the test split) of ``domain``:
    cases whose expected plan can be written literally, verified through the pipeline."""
    from bench.evaluation.golden import GoldenRunner, load_cases

    kept: list[dict[str, str]] = []
    with GoldenRunner(model="scripted") as runner:
        for case in load_cases(split="dev"):
            if case.split != "dev" or case.domain != domain:
                continue
            exp = case.expect
            if exp.kind == "no_action":
                target: dict[str, Any] = {"steps": [], "reply":
                                          "I can only act with the actions I have."}
            elif exp.kind == "actions":
                steps = []
                ok = True
                for st in exp.steps:
                    args = {}
                    for k, m in st.args.items():
                        if isinstance(m, dict) and "absent" in m:
                            continue
                        good, value = _literal(m)
                        ok = ok and good
                        args[k] = value
                    steps.append({"action": st.action, "args": args})
                if not ok:
                    continue
                target = {"steps": steps}
            else:
                continue
            rec = _validate(runner, case, target)
            if rec is not None:
                rec.update(domain=domain, request=case.request)
                kept.append(rec)
    if progress:
        print(f"  {domain}: {len(kept)} dev-split records", file=sys.stderr)
    return kept
