"""The first model-planned request in a fresh lam home, as the installed `lam` runs it: without
preparation, and after `lam models prepare` (what `make start` runs). Figures only — never
pass/fail.

    export LAM_MODELS_DIR=~/.cache/lam/test-models     # default: lam's own models dir
    python bench/first_request.py                      # taskset -c 0,1 ... for "2 cores"

The pulled models are linked into a temp models dir, so that no stored prompt state from
earlier runs is there; each phase uses a fresh LAM_HOME. Each `lam plan --json` is timed as a
whole process (start, imports, plugins, model load, planning).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

TIER1 = "I want to read about the history of the printing press online"
"""Reaches tier 1 and stays there (no template reads it; code does not doubt the plan)."""
TIER2 = "find me something fun to do in town this weekend and put it on my calendar"
"""Escalates to tier 2 in a new home: tier 1's plan is doubted (its action's words are not in the
request). The requests this used before are now read by a template at tier 0, and "move my
dentist thing to next tuesday" is answered at tier 1 (no such job). The row prints the tier each
request really reached, and says so when the escalating one stopped short of tier 2."""
NEXT = "show me a recipe for pumpkin soup from the web"


def _models_dir() -> Path:
    env = os.environ.get("LAM_MODELS_DIR")
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("lam")) / "models"


def _isolated_models(src: Path, dest: Path) -> None:
    """``dest`` with links to the pulled models of ``src`` (and their verification sidecars),
    but none of its stored prompt states."""
    dest.mkdir(parents=True)
    for path in src.iterdir():
        if path.name.endswith((".gguf", ".gguf.lam.json")) and path.is_file():
            (dest / path.name).symlink_to(path.resolve())


def _lam(args: list[str], env: dict[str, str], timeout: float = 900) -> tuple[float, Any, str]:
    lam = shutil.which("lam") or "lam"
    started = time.perf_counter()
    proc = subprocess.run([lam, *args], env=env, capture_output=True, text=True,
                          timeout=timeout)
    seconds = time.perf_counter() - started
    if proc.returncode not in (0, 5, 7):  # a plan, a refusal, a question: all timed
        raise SystemExit(f"lam {' '.join(args)} exited {proc.returncode}:\n{proc.stderr}")
    try:
        data = json.loads(proc.stdout)
    except ValueError:
        data = None
    return seconds, data, proc.stderr


def _plan(request: str, env: dict[str, str]) -> dict[str, Any]:
    seconds, data, _ = _lam(["plan", "--json", request], env)
    plan = (data or {}).get("plan", data or {})
    return {"request": request, "seconds": round(seconds, 2), "tier": plan.get("tier"),
            "steps": [s.get("action") for s in plan.get("steps", [])]}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--request", default=TIER1, help="a request that reaches tier 1")
    ap.add_argument("--escalating", default=TIER2, help="a request that reaches tier 2 "
                                                         "('' to skip)")
    ap.add_argument("--skip-cold", action="store_true",
                    help="only the prepared figures (the cold ones take about a minute)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)

    src = _models_dir()
    if not src.is_dir():
        raise SystemExit(f"no models in {src}: pull them (`lam models pull default`) or set "
                         "LAM_MODELS_DIR to where they are")
    root = Path(tempfile.mkdtemp(prefix="lam-first-request-"))
    out: dict[str, Any] = {"models": str(src), "cpus": len(os.sched_getaffinity(0))}
    try:
        base = {k: v for k, v in os.environ.items() if not k.startswith("LAM_")}

        def env_for(name: str, models: Path) -> dict[str, str]:
            return {**base, "LAM_HOME": str(root / name), "LAM_MODELS_DIR": str(models)}

        if not args.skip_cold:
            cold = root / "models-cold"
            _isolated_models(src, cold)
            out["unprepared_first"] = _plan(args.request, env_for("home-cold", cold))
            if args.escalating:
                _isolated_models(src, root / "models-cold2")
                out["unprepared_first_tier2"] = _plan(
                    args.escalating, env_for("home-cold2", root / "models-cold2"))

        models = root / "models"
        _isolated_models(src, models)
        env = env_for("home", models)
        seconds, data, _ = _lam(["models", "prepare", "--json"], env)
        out["prepare"] = {"seconds": round(seconds, 2), "models": data}
        out["first"] = _plan(args.request, env)
        out["next"] = _plan(NEXT, env)
        if args.escalating:
            out["first_tier2"] = _plan(args.escalating, env_for("home2", models))
        out["first_other_home"] = _plan(args.request, env_for("home3", models))
    finally:
        shutil.rmtree(root, ignore_errors=True)

    if args.json:
        print(json.dumps(out, indent=1))
        return 0
    print(f"models {out['models']}, {out['cpus']} CPUs available to this process")
    rows = [("unprepared_first", "first request, no preparation"),
            ("unprepared_first_tier2", "first request reaching tier 2, no preparation"),
            ("first", "first request after `lam models prepare`"),
            ("next", "next request, same home"),
            ("first_tier2", "first request reaching tier 2, after prepare (new home)"),
            ("first_other_home", "first request in another new home (shared state)")]
    print(f"  {'lam models prepare':<58} {out['prepare']['seconds']:7.2f} s")
    for key, label in rows:
        if key in out:
            r = out[key]
            note = ("  (did not reach tier 2: pass another --escalating request)"
                    if "tier2" in key and r["tier"] != 2 else "")
            print(f"  {label:<58} {r['seconds']:7.2f} s  tier {r['tier']} {r['steps']}{note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
