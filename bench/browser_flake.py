"""Browser flake and latency benchmark: runs the browser scenarios N times (default 20) on a
local site with real headless Chromium, prints the flake rate (runs with any failure) and the
per-action latencies p50/p95. Prints figures; never fails on a time.

    python3 bench/browser_flake.py [--runs 20] [--suite]

``--suite`` instead runs ``pytest tests/browser`` N times and reports failing runs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.browser.conftest import Runner, make_plugin  # noqa: E402
from tests.browser.site import Site  # noqa: E402


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _scenarios(good: Site, evil: Site) -> list[tuple[str, Callable[[Runner], None]]]:
    def browse(act: Runner) -> None:
        assert act.ok("open_url", url=good.url("/list.html")).output["title"] == "Reading list"
        assert act.ok("open_link", link="link3").output["title"] == "Article 2"
        assert act.ok("go_back").output["url"] == good.url("/list.html")
        assert act.ok("click", target="Third article").output["title"] == "Article 3"
        act.ok("go_back")
        act.ok("click", target="Shuffle styles")
        act.ok("scroll", direction="bottom")
        act.ok("read_page")

    def form(act: Runner) -> None:
        act.ok("open_url", url=good.url("/form.html"))
        act.ok("fill_field", field="Your name", value="Ada")
        act.ok("fill_field", field="Email", value="ada@example.org")
        act.ok("select_option", field="Country", option="Japan")
        act.ok("set_checkbox", field="newsletter")
        sent = act.ok("submit_form")
        assert sent.output["title"] == "Received"

    def table(act: Runner) -> None:
        act.ok("open_url", url=good.url("/table.html"))
        assert len(act.ok("extract_table", table="table1").output["rows"]) == 3

    def popup(act: Runner) -> None:
        act.ok("open_url", url=good.url("/popup.html"))
        assert act.ok("click", target="Open a window").output["title"] == "Article 8"

    def safety(act: Runner) -> None:
        assert not act("open_url", url=evil.url("/article/1")).ok
        assert not act("open_url", url=good.url(f"/chain?n=2&to={evil.url('/x')}")).ok
        act.ok("open_url", url=good.url("/leaky.html"))
        assert evil.hits == [], evil.hits

    def slow(act: Runner) -> None:
        act.ok("open_url", url=good.url("/slow?ms=300"))
        failed = act("open_url", url=good.url("/never"))
        assert not failed.ok and "did not load" in (failed.error or "")

    return [("browse", browse), ("form", form), ("table", table), ("popup", popup),
            ("safety", safety), ("slow", slow)]


class TimedRunner(Runner):
    def __init__(self, *args: object, timings: dict[str, list[float]]) -> None:
        super().__init__(*args)  # type: ignore[arg-type]
        self.timings = timings

    def __call__(self, name: str, **args: object):  # type: ignore[no-untyped-def]
        start = time.perf_counter()
        result = super().__call__(name, **args)
        key = name if result.ok else f"{name} (fail)"  # blocked / never-loading, by design
        self.timings[key].append((time.perf_counter() - start) * 1000)
        return result


def in_process(runs: int) -> int:
    evil = Site("127.0.0.2")
    good = Site("127.0.0.1", evil=evil)
    timings: dict[str, list[float]] = defaultdict(list)
    failures: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        plugin = make_plugin(Path(tmp), allowed_domains=["127.0.0.1"], timeout_ms=2000)
        start = time.perf_counter()
        try:
            first = TimedRunner(plugin, timings=timings)
            launch_start = time.perf_counter()
            first("read_page")  # launches Chromium
            launch_ms = (time.perf_counter() - launch_start) * 1000
            timings.clear()
            for run in range(runs):
                failed = False
                for name, scenario in _scenarios(good, evil):
                    plugin.new_task()
                    evil.hits.clear()
                    try:
                        scenario(TimedRunner(plugin, timings=timings))
                    except Exception as exc:  # any error is a flake
                        failed = True
                        failures.append(f"run {run + 1} {name}: {type(exc).__name__} {exc}"
                                        .splitlines()[0])
                if failed:
                    print(f"run {run + 1}: FLAKE", flush=True)
        finally:
            plugin.close()
            good.close()
            evil.close()
        total = time.perf_counter() - start
    flaky_runs = len({f.split()[1] for f in failures})
    print(f"browser bench: {runs} runs x {len(_scenarios(good, evil))} scenarios, "
          f"{sum(len(v) for v in timings.values())} actions in {total:.1f} s "
          f"(Chromium launch {launch_ms:.0f} ms)")
    print(f"flake rate: {flaky_runs}/{runs} runs = {flaky_runs / runs:.1%}")
    for line in failures[:10]:
        print("  " + line)
    print(f"{'action':<20}{'n':>5}{'p50 ms':>10}{'p95 ms':>10}")
    for name in sorted(timings):
        vals = timings[name]
        print(f"{name:<20}{len(vals):>5}{statistics.median(vals):>10.1f}{_pct(vals, 0.95):>10.1f}")
    every = [v for vals in timings.values() for v in vals]
    print(f"{'all':<20}{len(every):>5}{statistics.median(every):>10.1f}{_pct(every, 0.95):>10.1f}")
    return 1 if flaky_runs else 0


def suite(runs: int) -> int:
    failed = 0
    durations = []
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    for run in range(runs):
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                               "tests/browser"], cwd=REPO, env=env, capture_output=True,
                              text=True, timeout=900)
        durations.append(time.perf_counter() - start)
        tail = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else ""
        print(f"run {run + 1}: exit {proc.returncode} {tail}", flush=True)
        failed += proc.returncode != 0
    print(f"flake rate: {failed}/{runs} suite runs = {failed / runs:.1%}; suite time p50 "
          f"{statistics.median(durations):.1f} s p95 {_pct(durations, 0.95):.1f} s")
    return 1 if failed else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--suite", action="store_true", help="run pytest tests/browser N times")
    args = parser.parse_args()
    return suite(args.runs) if args.suite else in_process(args.runs)


if __name__ == "__main__":
    raise SystemExit(main())
