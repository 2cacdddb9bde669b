"""Golden-set benchmark of the planner: accuracy per tier, category and domain, the share of
cases tier 0 answers, and planning latency p50/p95 per tier. Figures only — never pass/fail.

    export LAM_MODELS_DIR=~/.cache/lam/test-models
    python bench/golden.py --split dev --show-failures
    python bench/golden.py --model none            # templates only
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.evaluation.golden import (
    CASES_PATH,
    CaseResult,
    GoldenRunner,
    load_cases,
    render_report,
    summarize,
)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--split", choices=["dev", "test", "all"], default="dev")
    ap.add_argument("--model", default=None,
                    help="catalog name or .gguf path (default: the configured model); "
                         "'none' = templates only")
    ap.add_argument("--large-model", default=None,
                    help="tier 2, used when tier 1's plan is rejected or doubted (default: the "
                         "configured large_model); 'none' = no tier 2")
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--category", default=None, help="a category or a domain")
    ap.add_argument("--cases", default=str(CASES_PATH))
    ap.add_argument("--threads", type=int, default=0, help="llama.cpp threads (0 = auto)")
    ap.add_argument("--json", action="store_true", help="print the report as JSON")
    ap.add_argument("--show-failures", action="store_true")
    ap.add_argument("--results", default=None, help="also write every case's result (JSONL)")
    ap.add_argument("--progress", action="store_true", help="one line per case on stderr")
    args = ap.parse_args(argv)

    cases = load_cases(args.cases, split=args.split, category=args.category, limit=args.limit)
    if not cases:
        print("no cases selected", file=sys.stderr)
        return 2

    def progress(r: CaseResult) -> None:
        if args.progress:
            mark = "ok " if r.ok else "BAD"
            print(f"{mark} {r.id:<22} tier {r.tier} {r.seconds:6.2f}s  {r.reason or ''}",
                  file=sys.stderr, flush=True)

    started = time.perf_counter()
    with GoldenRunner(model=args.model, threads=args.threads,
                      large_model=args.large_model) as runner:
        results = runner.run(cases, progress)
        calls = runner.model_calls
        model = getattr(runner, "model_label", None) or args.model or "none"
        large = getattr(runner, "large_model_label", None)
        if large:
            model += f" (tier 2: {large})"
        warm = runner.warm_up_seconds
    wall = time.perf_counter() - started
    if args.results:
        Path(args.results).write_text("".join(r.model_dump_json() + "\n" for r in results))
    report = summarize(results)
    if args.json:
        out = report.as_dict()
        out.update(split=args.split, model=model, cases=len(cases), model_calls=calls,
                   wall_seconds=round(wall, 1), warm_up_seconds=round(warm, 1))
        if not args.show_failures:
            out.pop("failures")
        print(json.dumps(out, indent=1))
    else:
        print(f"golden set: {len(cases)} cases (split {args.split}"
              f"{', category ' + args.category if args.category else ''}), model {model}, "
              f"{calls} model calls, {wall:.0f} s wall (model load + warm-up {warm:.1f} s)")
        print(render_report(report, show_failures=args.show_failures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
