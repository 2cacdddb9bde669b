"""BFCL with the official AST checker, offline: `lam plan --tools` (assistant.tool_calling) on
the Berkeley Function Calling Leaderboard data shipped inside the `bfcl-eval` package, scored
by that package's own `ast_checker`. Figures only — never pass/fail.

    pip install --no-deps bfcl-eval==2026.3.23     # data + checker; its heavy deps are not used
    export LAM_MODELS_DIR=~/.cache/lam/test-models
    python bench/bfcl.py --split dev --limit 10
    python bench/bfcl.py --split dev --categories simple_python irrelevance --show-failures
    python bench/bfcl.py --export-held held.txt    # the test half's questions, one a line
    ../shared/tools/contamination --held held.txt

Each category is split into a fixed, seeded dev half and test half (by a hash of the case id).
Tune on dev; report test. p50 per request is measured in one warm process (the model loaded
once) and per process (`lam plan --tools FILE --format json` as a fresh subprocess).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import subprocess
import sys
import tempfile
import time
import types
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

CATEGORIES = ["simple_python", "multiple", "parallel", "parallel_multiple", "irrelevance",
              "live_simple", "live_multiple", "live_irrelevance"]
SEED = "lam-bfcl-19"
_TYPES = {"dict": "object", "float": "number", "tuple": "array", "any": None}


def bfcl_root() -> Path:
    try:
        import bfcl_eval
    except ImportError:
        sys.exit("bench/bfcl.py needs the bfcl-eval package: "
                 "pip install --no-deps bfcl-eval==2026.3.23")
    return Path(bfcl_eval.__file__).parent


def checker() -> Any:
    """The official `ast_checker`, imported alone: its module imports the table of every model
    handler (openai, anthropic, ...) only to ask whether a model writes '.' as '_'; lam writes
    real names, so a stand-in table answers no."""
    stub = types.ModuleType("bfcl_eval.constants.model_config")

    class _Config:
        underscore_to_dot = False

    class _Table(dict[str, Any]):
        def __missing__(self, key: str) -> Any:
            return _Config()

    stub.MODEL_CONFIG_MAPPING = _Table()  # type: ignore[attr-defined]
    sys.modules.setdefault("bfcl_eval.constants.model_config", stub)
    from bfcl_eval.eval_checker.ast_eval.ast_checker import ast_checker

    return ast_checker


def _jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def split_of(case_id: str) -> str:
    """'dev' or 'test': fixed by a seeded hash of the id (about half each)."""
    digest = hashlib.sha256(f"{SEED}:{case_id}".encode()).digest()
    return "dev" if digest[0] % 2 == 0 else "test"


def load(category: str, split: str) -> list[dict[str, Any]]:
    root = bfcl_root() / "data"
    cases = _jsonl(root / f"BFCL_v4_{category}.json")
    answers_file = root / "possible_answer" / f"BFCL_v4_{category}.json"
    answers = {a["id"]: a["ground_truth"] for a in _jsonl(answers_file)} \
        if answers_file.exists() else {}
    out = []
    for case in cases:
        if split != "all" and split_of(case["id"]) != split:
            continue
        case["ground_truth"] = answers.get(case["id"])
        out.append(case)
    return out


def to_json_schema(node: Any) -> Any:
    """BFCL's function docs use Python-ish types (dict, float, tuple, any); the same mapping
    BFCL's OpenAI handler applies gives standard JSON Schema."""
    if isinstance(node, list):
        return [to_json_schema(v) for v in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "type" and isinstance(value, str) and value in _TYPES:
            if _TYPES[value] is not None:
                out[key] = _TYPES[value]
        elif key == "properties" and isinstance(value, dict):
            out[key] = {k: to_json_schema(v) for k, v in value.items()}
        elif key in ("items", "additionalProperties", "anyOf", "oneOf"):
            out[key] = to_json_schema(value)
        else:
            out[key] = value
    if out.get("type") == "array" and "items" not in out:
        out["items"] = {}
    return out


def tools_of(case: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"type": "function", "function": {
        "name": f["name"], "description": f.get("description", ""),
        "parameters": to_json_schema(f.get("parameters") or {"type": "object"})}}
        for f in case["function"]]


def question_of(case: dict[str, Any]) -> str:
    """The user's words (every user turn of the first round, joined)."""
    turns = case["question"][0] if case["question"] and isinstance(case["question"][0], list) \
        else case["question"]
    return "\n".join(t["content"] for t in turns if t.get("role") == "user").strip()


def export_held(path: str) -> int:
    lines = []
    for category in CATEGORIES:
        for case in load(category, "test"):
            lines.append(" ".join(question_of(case).split()))
    Path(path).write_text("".join(line + "\n" for line in lines if line))
    print(f"wrote {len(lines)} test-half questions to {path}")
    return 0


def score(category: str, case: dict[str, Any], calls: list[dict[str, Any]]) -> tuple[bool, str]:
    if "irrelevance" in category:
        return (not calls), ("" if not calls else f"called {calls}")
    if not calls:
        return False, "no call"
    from bfcl_eval.constants.enums import Language

    output = [{c["name"]: c["arguments"]} for c in calls]
    try:
        result = checker()(case["function"], output, case["ground_truth"], Language.PYTHON,
                           category, "lam")
    except Exception as exc:  # the checker's own failure on an odd output: a wrong answer
        return False, f"checker: {type(exc).__name__}: {exc}"[:300]
    return bool(result["valid"]), "; ".join(str(e) for e in result.get("error", []))[:300]


def per_process(case: dict[str, Any], tools_file: Path, model: str | None) -> float:
    cmd = ["lam", "plan", "--tools", str(tools_file), "--format", "json", question_of(case)]
    started = time.perf_counter()
    subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--split", choices=["dev", "test"], default="dev")
    ap.add_argument("--categories", nargs="*", default=CATEGORIES, choices=CATEGORIES)
    ap.add_argument("--limit", type=int, default=None, help="cases per category")
    ap.add_argument("--model", default=None, help="catalog name or .gguf path (default: the "
                                                  "configured model)")
    ap.add_argument("--processes", type=int, default=3,
                    help="requests timed as a fresh `lam plan` process (0: none)")
    ap.add_argument("--export-held", metavar="FILE", default=None,
                    help="write the test half's questions, one a line, and stop")
    ap.add_argument("--judge", action="store_true",
                    help="the model's second look at each called function "
                         "(tool_calling.function_fits; off in `lam plan --tools`)")
    ap.add_argument("--no-ground", action="store_true",
                    help="keep values the request does not give (assistant.value_grounding; "
                         "on in `lam plan --tools`)")
    ap.add_argument("--no-more", action="store_true",
                    help="no extra call for values no call takes (tool_calling._continued; "
                         "on in `lam plan --tools`)")
    ap.add_argument("--show-failures", action="store_true")
    ap.add_argument("--results", metavar="FILE", default=None,
                    help="append one JSON line per case, as it is scored")
    args = ap.parse_args(argv)
    if args.export_held:
        return export_held(args.export_held)

    from assistant.external_tools import read_tools
    from assistant.models_glue import ModelLoader
    from assistant.runtime import Runtime, RuntimeOptions
    from assistant.tool_calling import plan_tool_calls

    checker()
    work = Path(tempfile.mkdtemp(prefix="lam-bfcl-"))
    runtime = Runtime(RuntimeOptions(home=str(work / "home"), plugins=False))
    name = args.model or runtime.config.lam.model
    loader = ModelLoader(runtime, name)
    started = time.perf_counter()
    model = loader()
    load_s = time.perf_counter() - started
    rows: list[dict[str, Any]] = []
    timed: list[tuple[dict[str, Any], Path]] = []
    try:
        for category in args.categories:
            cases = load(category, args.split)[: args.limit]
            for case in cases:
                tools_file = work / f"{case['id']}.json"
                tools_file.write_text(json.dumps(tools_of(case)))
                tools = read_tools(str(tools_file))
                plan = plan_tool_calls(model, tools, question_of(case), now=runtime.now(),
                                       tz=runtime.tz, judge=args.judge,
                                       ground=not args.no_ground,
                                       more=not args.no_more)
                calls = [c.model_dump() for c in plan.calls]
                ok, why = score(category, case, calls)
                rows.append({"id": case["id"], "category": category, "ok": ok, "why": why,
                             "kind": plan.kind.value, "calls": calls, "raw": plan.raw,
                             "seconds": round(plan.seconds, 3)})
                if args.results:
                    with open(args.results, "a") as out:
                        out.write(json.dumps(rows[-1]) + "\n")
                if len(timed) < args.processes and category == args.categories[
                        len(timed) % len(args.categories)]:
                    timed.append((case, tools_file))
                if args.show_failures and not ok:
                    print(f"FAIL {case['id']}: {question_of(case)[:120]!r}\n     {why}\n"
                          f"     raw: {plan.raw[:300]}", flush=True)
    finally:
        runtime.close()
    process_s = [per_process(case, f, name) for case, f in timed]
    print(f"BFCL ({args.split} half, ast_checker of bfcl-eval), model {name}, "
          f"load {load_s:.1f} s")
    print(f"{'category':<20} {'n':>4} {'correct':>8} {'accuracy':>9} {'p50 warm':>9}")
    for category in args.categories:
        mine = [r for r in rows if r["category"] == category]
        if not mine:
            continue
        good = sum(r["ok"] for r in mine)
        p50 = statistics.median(r["seconds"] for r in mine)
        print(f"{category:<20} {len(mine):>4} {good:>8} {good / len(mine):>9.1%} "
              f"{p50:>8.2f}s")
    if rows:
        good = sum(r["ok"] for r in rows)
        print(f"{'all':<20} {len(rows):>4} {good:>8} {good / len(rows):>9.1%} "
              f"{statistics.median(r['seconds'] for r in rows):>8.2f}s")
    if process_s:
        print(f"p50 per process (lam plan --tools, {len(process_s)} requests): "
              f"{statistics.median(process_s):.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
