"""Does the model's likelihood of each function name tell "call" from "no function fits"?
For each BFCL dev case, the log-probability of the start of the `lam plan --tools` reply
``[{"NAME":`` is measured for every function and for ``no_function_fits`` (a grammar forces
the text; the prompt is the one `plan_tool_calls` uses), and a margin m is swept: the plan
says "no function fits" when log p(none) - max log p(function) > m. Figures only.

    pip install --no-deps bfcl-eval==2026.3.23
    export LAM_MODELS_DIR=~/.cache/lam/test-models
    python bench/bfcl_branch.py --limit 30 --results branch.jsonl
    python bench/bfcl_branch.py --summarize branch.jsonl

Dev split only: this is a lever's measurement, to be tuned on, never a reported figure.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import bfcl

CATEGORIES = ["simple_python", "multiple", "irrelevance", "live_simple", "live_multiple",
              "live_irrelevance"]
MARGINS = [-3.0, -2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0, 3.0]


def start_logprob(backend: Any, messages: list[dict[str, str]], text: str) -> float:
    """Sum of the log-probabilities (raw logits) of ``text`` as the reply's start."""
    grammar = "root ::= " + json.dumps(text)
    done = backend.chat(messages, grammar=grammar, max_tokens=64)
    if done.text != text:
        raise RuntimeError(f"the forced reply came back as {done.text!r}")
    return (done.logprob_mean or 0.0) * done.usage.completion_tokens


def measure(categories: list[str], limit: int, model: str | None, out: Path) -> None:
    from assistant.external_tools import read_tools
    from assistant.models_glue import ModelLoader
    from assistant.runtime import Runtime, RuntimeOptions
    from assistant.tool_calling import _none_name, tools_prompt

    work = Path(tempfile.mkdtemp())
    runtime = Runtime(RuntimeOptions(home=str(work / "home"), plugins=False))
    backend = ModelLoader(runtime, model or runtime.config.lam.model)().backend
    with out.open("w") as sink:
        for category in categories:
            for case in bfcl.load(category, "dev")[:limit]:
                path = work / f"{case['id']}.json"
                path.write_text(json.dumps(bfcl.tools_of(case)))
                tools = read_tools(str(path))
                messages = [{"role": "system", "content": tools_prompt(tools)},
                            {"role": "user", "content": bfcl.question_of(case)}]
                start = time.perf_counter()
                names = [t.wire for t in tools]
                scores = {n: start_logprob(backend, messages, f'[{{"{n}":')
                          for n in names}
                none = start_logprob(backend, messages, f'[{{"{_none_name(tools)}":')
                row = {"category": category, "id": case["id"],
                       "relevant": "irrelevance" not in category,
                       "margin": none - max(scores.values()),
                       "seconds": time.perf_counter() - start}
                sink.write(json.dumps(row) + "\n")
                sink.flush()
                print(f"{case['id']}: none - best = {row['margin']:+.1f}", flush=True)
    runtime.close()


def summarize(path: Path) -> None:
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    categories = list(dict.fromkeys(r["category"] for r in rows))
    print("margin m: right per category (a relevant case is right when none - best <= m)")
    print("m     all   " + "  ".join(categories))
    for m in MARGINS:
        right = {c: sum((r["margin"] > m) != r["relevant"] for r in rows if r["category"] == c)
                 for c in categories}
        counts = {c: sum(r["category"] == c for r in rows) for c in categories}
        print(f"{m:+.1f}  {sum(right.values()):3}/{len(rows)}  " +
              "  ".join(f"{right[c]}/{counts[c]}" for c in categories))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--categories", nargs="*", default=CATEGORIES, choices=bfcl.CATEGORIES)
    ap.add_argument("--limit", type=int, default=30, help="dev cases per category")
    ap.add_argument("--model", default=None, help="catalog name or .gguf path")
    ap.add_argument("--results", metavar="FILE", default="bfcl_branch.jsonl")
    ap.add_argument("--summarize", metavar="FILE", default=None,
                    help="print the margin table of an earlier --results file")
    args = ap.parse_args(argv)
    if args.summarize:
        summarize(Path(args.summarize))
        return 0
    bfcl.checker()
    measure(args.categories, args.limit, args.model, Path(args.results))
    summarize(Path(args.results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
