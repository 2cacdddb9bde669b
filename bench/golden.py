"""Golden-set benchmark of the planner: accuracy per tier, category and domain, the share of
cases tier 0 answers, and planning latency p50/p95 per tier. Figures only — never pass/fail.

    export LAM_MODELS_DIR=~/.cache/lam/test-models
    python bench/golden.py --split dev --show-failures
    python bench/golden.py --split blind           # tests/golden/blind.jsonl (report only)
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
    BLIND_PATH,
    CASES_PATH,
    CaseResult,
    GoldenRunner,
    load_cases,
    render_report,
    summarize,
)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--split", choices=["dev", "old-dev", "old-test", "blind", "all"],
                    default="dev",
                    help="dev: every case of cases.jsonl (the old test split leaked and is dev "
                         "now); old-dev / old-test: the earlier labels; blind: blind.jsonl, "
                         "measured to report, never tuned on")
    ap.add_argument("--model", default=None,
                    help="catalog name or .gguf path (default: the configured model); "
                         "'none' = templates only")
    ap.add_argument("--large-model", default=None,
                    help="tier 2, used when tier 1's plan is rejected or doubted (default: the "
                         "configured large_model); 'none' = no tier 2")
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--ids", default=None,
                    help="only these case ids: comma-separated, or @FILE with one id a line "
                         "(e.g. a dev run's failures, to measure one lever on them)")
    ap.add_argument("--category", default=None, help="a category or a domain")
    ap.add_argument("--cases", default=None,
                    help=f"cases file (default: {BLIND_PATH.name} for --split blind, "
                         f"else {CASES_PATH.name})")
    ap.add_argument("--threads", type=int, default=0, help="llama.cpp threads (0 = auto)")
    ap.add_argument("--json", action="store_true", help="print the report as JSON")
    ap.add_argument("--show-failures", action="store_true")
    ap.add_argument("--results", default=None,
                    help="also write every case's result (JSONL), each as soon as it is "
                         "planned (a run cut short still leaves what it measured)")
    ap.add_argument("--summarize", default=None, metavar="RESULTS",
                    help="print the report of a --results file (e.g. of a run cut short) "
                         "without planning anything; failures only with --show-failures")
    ap.add_argument("--progress", action="store_true", help="one line per case on stderr")
    args = ap.parse_args(argv)

    if args.summarize:
        done = [CaseResult.model_validate_json(line)
                for line in Path(args.summarize).read_text().splitlines() if line.strip()]
        print(f"golden set: {len(done)} results read from {args.summarize}")
        print(render_report(summarize(done), show_failures=args.show_failures))
        return 0
    path = args.cases or (BLIND_PATH if args.split == "blind" else CASES_PATH)
    cases = load_cases(path, split=args.split, category=args.category, limit=args.limit)
    if args.ids:
        if args.split == "blind":
            print("--ids is for dev cases: the blind split is measured whole, never case by "
                  "case", file=sys.stderr)
            return 2
        wanted = set(Path(args.ids[1:]).read_text().split() if args.ids.startswith("@")
                      else args.ids.split(","))
        cases = [c for c in cases if c.id in wanted]
    if not cases:
        print("no cases selected", file=sys.stderr)
        return 2

    sink = open(args.results, "w") if args.results else None  # noqa: SIM115 (closed below)

    def progress(r: CaseResult) -> None:
        if sink is not None:
            sink.write(r.model_dump_json() + "\n")
            sink.flush()
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
    if sink is not None:
        sink.close()
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
