"""MiniWoB++ through `lam do --browser-cdp`: each task's own instruction, the reward read from
the page. Prints per-task success, totals and p50 seconds per task. Never fails on a figure.

    python3 bench/miniwob.py --split dev [--seeds 2] [--tasks click-button,...] [--show]
    python3 bench/miniwob.py --split extra        # 20 more dev tasks outside the pool
    python3 bench/miniwob.py --write-split        # (re)write bench/miniwob_split.json
    python3 bench/miniwob.py --write-held         # test instructions for contamination --held

The HTML tasks come from the ``miniwob`` package (PyPI 1.1.0; only its html folder is used:
``pip install --no-deps miniwob==1.1.0``), served over http on loopback. A headless Debian
Chromium is started with a debugging port; the bench drives its own CDP connection to load a
task, seed it (``Math.seedrandom``), start the episode and read the reward, and lam attaches to
the same browser with ``--browser-cdp``. The episode timer is raised to ``--episode-s`` (MiniWoB's
own is 10 s, meant for agents that do not start a process per task); the time lam took is
reported separately. Success = raw reward > 0, the MiniWoB convention.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
SPLIT_FILE = REPO / "bench" / "miniwob_split.json"
HELD_FILE = REPO / "bench" / "miniwob_test_instructions.txt"
SPLIT_SEED = 20

# Single-page tasks a click / type / select / tick action set can do (chosen before any
# tuning, by reading the task pages, not by trying lam on them).
POOL = [
    "click-button", "click-button-sequence", "click-checkboxes", "click-checkboxes-large",
    "click-checkboxes-soft", "click-checkboxes-transfer", "click-collapsible",
    "click-collapsible-2", "click-collapsible-nodelay", "click-collapsible-2-nodelay",
    "click-dialog", "click-dialog-2", "click-link", "click-option", "click-tab", "click-tab-2",
    "click-tab-2-easy", "click-tab-2-medium", "click-test", "click-test-2",
    "click-test-transfer", "click-widget", "enter-password", "enter-text", "enter-text-2",
    "enter-text-dynamic", "focus-text", "focus-text-2", "login-user", "login-user-popup",
    "search-engine", "choose-list", "use-autocomplete", "use-autocomplete-nodelay",
    "multi-layouts", "multi-orderings", "enter-date", "enter-time", "form-sequence",
    "form-sequence-2", "form-sequence-3", "click-scroll-list", "text-transform",
    "unicode-test", "find-word", "read-table", "read-table-2", "phone-book", "navigate-tree",
    "email-inbox-delete",
]


# A second dev set, never part of the test half: MiniWoB tasks outside POOL that a click / type /
# select / tick action set can also do (menus, social feeds, mail clients, dates, spinners, a
# text to copy). Fixed 2026-12-07 before lam was run on any of them, to tune on more kinds of
# page than the 25 dev tasks without looking at the test half.
EXTRA_DEV = [
    "book-flight", "choose-date-easy", "click-menu", "click-menu-2", "click-tab-2-hard",
    "copy-paste", "email-inbox", "email-inbox-forward-nl", "email-inbox-forward-nl-turk",
    "email-inbox-important", "email-inbox-nl-turk", "email-inbox-noscroll", "email-inbox-reply",
    "email-inbox-star-reply", "scroll-text", "sign-agreement", "social-media",
    "social-media-all", "social-media-some", "use-spinner",
]


def write_split() -> dict[str, Any]:
    tasks = sorted(POOL)
    random.Random(SPLIT_SEED).shuffle(tasks)
    half = len(tasks) // 2
    split: dict[str, Any] = {"seed": SPLIT_SEED, "dev": sorted(tasks[:half]),
                             "test": sorted(tasks[half:])}
    SPLIT_FILE.write_text(json.dumps(split, indent=1) + "\n")
    return split


def read_split() -> dict[str, Any]:
    if not SPLIT_FILE.exists():
        raise SystemExit(f"{SPLIT_FILE} is missing: run with --write-split first")
    data: dict[str, Any] = json.loads(SPLIT_FILE.read_text())
    return data


def html_root(given: str | None) -> Path:
    if given:
        root = Path(given)
    else:
        from importlib.metadata import PackageNotFoundError, distribution

        # Located, not imported: the package's __init__ needs gymnasium, the HTML does not
        # (and this file's own name would shadow it).
        try:
            root = Path(str(distribution("miniwob").locate_file("miniwob/html")))
        except PackageNotFoundError as exc:
            raise SystemExit("the MiniWoB tasks are missing: `pip install --no-deps "
                             "miniwob==1.1.0`, or pass --html DIR") from exc
    if not (root / "miniwob" / "click-button.html").is_file():
        raise SystemExit(f"{root} does not hold MiniWoB's html folder (miniwob/, core/)")
    return root


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def serve(root: Path) -> Iterator[str]:
    handler = functools.partial(_Quiet, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def chromium(workdir: Path) -> Iterator[str]:
    from plugins.browser.chromium import debuggable_chromium

    with debuggable_chromium(workdir / "profile", extra=("--window-size=800,600",)) as (cdp, _):
        yield cdp


def make_home(workdir: Path) -> dict[str, str]:
    """A fresh lam home (one per bench run) that may browse loopback."""
    home = workdir / "lamhome"
    (home / "config").mkdir(parents=True, exist_ok=True)
    (home / "config" / "plugins.toml").write_text("[plugins.browser]\nallow_loopback = true\n")
    user = workdir / "user"
    user.mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LAM_", "XDG_"))}
    env.update({"LAM_HOME": str(home), "HOME": str(user)})
    if os.environ.get("LAM_MODELS_DIR"):
        env["LAM_MODELS_DIR"] = os.environ["LAM_MODELS_DIR"]
    return env


_START_JS = """([seed, ms]) => {
  core.EPISODE_MAX_TIME = ms;
  Math.seedrandom(seed);
  core.startEpisodeReal();
  return true;
}"""
_REWARD_JS = "() => [WOB_DONE_GLOBAL, WOB_RAW_REWARD_GLOBAL, WOB_REWARD_REASON]"


def start_task(page: Any, base: str, task: str, seed: int, episode_ms: int) -> str:
    page.goto(f"{base}/miniwob/{task}.html", wait_until="load")
    page.wait_for_selector("#sync-task-cover", state="attached", timeout=10000)
    page.evaluate(_START_JS, [f"lam-{task}-{seed}", episode_ms])
    for _ in range(40):
        if page.evaluate("() => WOB_TASK_READY"):
            break
        time.sleep(0.05)
    utterance = page.evaluate("() => core.getUtterance()")
    if isinstance(utterance, dict):  # the natural-language tasks give {utterance, fields}
        utterance = utterance.get("utterance", "")
    return str(utterance)


def run_one(page: Any, base: str, cdp: str, env: dict[str, str], task: str, seed: int,
            args: argparse.Namespace) -> dict[str, Any]:
    instruction = start_task(page, base, task, seed, int(args.episode_s * 1000))
    lam = shutil.which("lam", path=str(Path(sys.executable).parent)) or "lam"
    started = time.perf_counter()
    try:
        proc = subprocess.run([lam, "do", "--yes", "--json", "--browser-cdp", cdp, instruction],
                              env=env, capture_output=True, text=True, timeout=args.lam_timeout)
        out, code = proc.stdout, proc.returncode
    except subprocess.TimeoutExpired:
        out, code = "", -1
    seconds = time.perf_counter() - started
    done, reward, reason = False, 0.0, None
    deadline = time.monotonic() + 1.0
    while time.monotonic() < deadline:
        try:
            done, reward, reason = page.evaluate(_REWARD_JS)
        except Exception as exc:  # lam navigated away from the task: no reward
            done, reward, reason = False, 0.0, f"task page left: {str(exc)[:80]}"
            break
        if done:
            break
        time.sleep(0.05)
    status = "timeout" if code == -1 else f"exit {code}"
    detail = ""
    try:
        data = json.loads(out) if out.strip() else {}
        status = data.get("status", status)
        plan = data.get("plan") or {}
        detail = plan.get("question") or plan.get("answer") or "; ".join(
            f"{s['action']}: {s['status']} {'; '.join(s.get('problems') or [])}"
            for s in (data.get("report") or {}).get("steps", []))
    except json.JSONDecodeError:
        pass
    return {"task": task, "seed": seed, "instruction": instruction, "ok": bool(done and reward
            and float(reward) > 0), "reward": float(reward or 0), "reason": reason,
            "seconds": round(seconds, 2), "status": status, "exit": code,
            "output": detail if args.show else ""}


def instructions(tasks: list[str], seeds: list[int], root: Path) -> list[str]:
    from playwright.sync_api import sync_playwright

    out: list[str] = []
    with tempfile.TemporaryDirectory() as tmp, serve(root) as base, chromium(Path(tmp)) as cdp, \
            sync_playwright() as pw:
        browser = pw.chromium.connect_over_cdp(cdp)
        page = browser.contexts[0].pages[0]
        for task in tasks:
            for seed in seeds:
                out.append(start_task(page, base, task, seed, 60000))
        browser.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--split", choices=["dev", "extra", "test", "all"], default="dev",
                    help="dev: the 25 dev tasks; extra: 20 more dev tasks outside the pool "
                         "(EXTRA_DEV); test: the 25 test tasks, to report; all: dev + test")
    ap.add_argument("--tasks", help="comma-separated task names (instead of a split)")
    ap.add_argument("--seeds", type=int, default=2, help="seeds per task (0, 1, ...)")
    ap.add_argument("--html", help="MiniWoB's html folder (default: the miniwob package's)")
    ap.add_argument("--episode-s", type=float, default=120.0)
    ap.add_argument("--lam-timeout", type=float, default=180.0)
    ap.add_argument("--show", action="store_true", help="print lam's output per task")
    ap.add_argument("--json", help="write the rows to this file")
    ap.add_argument("--write-split", action="store_true")
    ap.add_argument("--write-held", action="store_true",
                    help=f"write 5 instructions per test task to {HELD_FILE.name}")
    args = ap.parse_args()
    if args.write_split:
        split = write_split()
        print(f"wrote {SPLIT_FILE}: {len(split['dev'])} dev, {len(split['test'])} test")
        return
    root = html_root(args.html)
    split = read_split()
    if args.write_held:
        lines = instructions(split["test"], [100, 101, 102, 103, 104], root)
        HELD_FILE.write_text("\n".join(dict.fromkeys(lines)) + "\n")
        print(f"wrote {HELD_FILE}: {len(set(lines))} instructions")
        return
    tasks = args.tasks.split(",") if args.tasks else (
        split["dev"] + split["test"] if args.split == "all" else
        EXTRA_DEV if args.split == "extra" else split[args.split])
    label = "tasks" if args.tasks else args.split
    from playwright.sync_api import sync_playwright

    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp, serve(root) as base, chromium(Path(tmp)) as cdp, \
            sync_playwright() as pw:
        env = make_home(Path(tmp))
        browser = pw.chromium.connect_over_cdp(cdp)
        page = browser.contexts[0].pages[0]
        for task in tasks:
            for seed in range(args.seeds):
                row = run_one(page, base, cdp, env, task, seed, args)
                rows.append(row)
                mark = "ok  " if row["ok"] else "FAIL"
                print(f"{mark} {task:28} seed {seed} {row['seconds']:6.2f}s "
                      f"{row['status']:18} {row['instruction']}", flush=True)
                if args.show and row["output"]:
                    print(row["output"])
        browser.close()
    print(f"\nper task ({label}, {args.seeds} seeds):")
    for task in tasks:
        mine = [r for r in rows if r["task"] == task]
        print(f"  {task:28} {sum(r['ok'] for r in mine)}/{len(mine)}")
    wins = sum(r["ok"] for r in rows)
    task_means = [statistics.mean(r["ok"] for r in rows if r["task"] == t) for t in tasks]
    p50 = statistics.median(r["seconds"] for r in rows) if rows else 0.0
    print(f"{label}: {wins}/{len(rows)} episodes = {100 * wins / max(1, len(rows)):.1f}%; "
          f"mean per-task success {100 * statistics.mean(task_means or [0]):.1f}%; "
          f"p50 {p50:.2f} s per task")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
