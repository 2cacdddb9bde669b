"""Time phrases as people say them: tests/nlu/time_corpus.jsonl (held out: written by a helper
who never saw the normalizer; never tune on it) run through lam's planner as
"remind me <phrase> to water the plants", each at the case's own reference time and zone.

Each case is right (the expected time, rule or question), asked (a question where a time was
expected: safe, not right) or wrong (a reminder at another time, or no question where one was
expected: the outcome to drive to 0). Prints per-class counts and totals.

    python bench/times.py [--model NAME|none] [--class C ...] [--show wrong|asked|all] [--json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from datetime import datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "tests" / "nlu" / "time_corpus.jsonl"


def request(case: dict[str, Any]) -> str:
    if case["position"] == "before":
        return f"remind me {case['phrase']} to water the plants"
    return f"remind me to water the plants {case['phrase']}"


def _rule_parts(rule: str) -> set[str]:
    return {p for p in rule.removeprefix("RRULE:").upper().split(";") if p}


def grade(case: dict[str, Any], kind: str, steps: list[tuple[str, dict[str, Any]]]) -> str:
    """right | asked | wrong | none (no plan, no question)."""
    want = case["expect"]
    if kind == "question":
        return "right" if want.get("ask") else "asked"
    reminders = [args for action, args in steps if action == "set_reminder"]
    if kind != "actions" or not reminders:
        return "none"
    if want.get("ask"):
        return "wrong"
    args = reminders[0]
    when = args.get("when")
    try:
        got = datetime.fromisoformat(str(when)) if when else None
    except ValueError:
        got = None
    if "rule" in want:
        ok_rule = _rule_parts(str(args.get("every") or "")) == _rule_parts(want["rule"])
        first = datetime.fromisoformat(want["first"])
        return "right" if ok_rule and (got is None or got == first) else "wrong"
    options = [want["datetime"]] if "datetime" in want else list(want["any_of"])
    if args.get("every"):
        return "wrong"
    return "right" if got is not None and any(got == datetime.fromisoformat(o)
                                              for o in options) else "wrong"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="none", help="planner model (default none: templates "
                    "and the normalizer only, as a phrase needs no model)")
    ap.add_argument("--class", dest="classes", nargs="*", default=None)
    ap.add_argument("--show", choices=["wrong", "asked", "all"], default="wrong")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)

    from assistant import Assistant

    cases = [json.loads(x) for x in CORPUS.read_text().splitlines() if x.strip()]
    if args.classes:
        cases = [c for c in cases if c["class"] in args.classes]
    home = Path(tempfile.mkdtemp(prefix="lam-times-"))
    (home / "config").mkdir()
    model = "" if args.model == "none" else args.model
    (home / "config" / "plugins.toml").write_text(
        f'[lam]\nmodel = "{model}"\nlarge_model = ""\n')
    by_class: dict[str, Counter[str]] = defaultdict(Counter)
    rows, seconds = [], []
    for case in cases:
        t0 = time.perf_counter()
        with Assistant(home=str(home), now=datetime.fromisoformat(case["now"]),
                       tz=case["tz"]) as lam:
            proposal = lam.plan(request(case))
        seconds.append(time.perf_counter() - t0)
        steps = [(s.action, dict(s.args)) for s in proposal.plan.steps]
        outcome = grade(case, proposal.plan.kind, steps)
        by_class[case["class"]][outcome] += 1
        rows.append({"id": case["id"], "class": case["class"], "request": request(case),
                     "now": case["now"], "expect": case["expect"], "outcome": outcome,
                     "kind": proposal.plan.kind, "steps": steps,
                     "question": proposal.plan.question})
    total: Counter[str] = sum(by_class.values(), Counter())
    if args.json:
        print(json.dumps({"total": dict(total), "classes": {k: dict(v) for k, v in
                                                            by_class.items()},
                          "cases": rows}, default=str, indent=1))
        return 0
    print(f"$ python bench/times.py --model {args.model}   ({len(cases)} phrases, {CORPUS.name})")
    print(f"{'class':<20}{'right':>7}{'asked':>7}{'wrong':>7}{'none':>7}")
    for name in sorted(by_class):
        c = by_class[name]
        print(f"{name:<20}{c['right']:>7}{c['asked']:>7}{c['wrong']:>7}{c['none']:>7}")
    n = len(cases) or 1
    print(f"{'total':<20}{total['right']:>7}{total['asked']:>7}{total['wrong']:>7}"
          f"{total['none']:>7}   right {100 * total['right'] / n:.1f}%, "
          f"wrong {total['wrong']}, p50 {statistics.median(seconds or [0]):.2f} s per phrase")
    for r in rows:
        if args.show == "all" or r["outcome"] == args.show:
            print(f"  [{r['outcome']}] {r['id']} {r['request']!r} @ {r['now']}: "
                  f"expect {r['expect']} got {r['kind']} {r['steps'] or r['question']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
