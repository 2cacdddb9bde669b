"""TUI responsiveness benchmark. Prints (never fails on a time):

- time to first paint: from this process's start (before Textual and lam are imported) to the
  first screen refresh after the app mounts, with the real shipped config and plugins on a temp
  home (the session itself is built in a worker, after the paint);
- time until the session is ready;
- input-to-echo latency while the real default model plans a request no template matches:
  each keystroke is sent through the (headless) driver as a terminal would send it while the
  planning worker runs, and the time until the character is in the Input's value is measured
  (worst, median).

    python3 bench/tui.py [--chars 40]

The model comes from $LAM_MODELS_DIR (default ~/.cache/lam/test-models, pulled if missing).
"""

from __future__ import annotations

import time

STARTED = time.perf_counter()

import argparse  # noqa: E402
import asyncio  # noqa: E402
import os  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

REQUEST = "could you let everyone know I'm running ten minutes late"


async def measure(chars: int) -> None:
    from textual import events

    from assistant.runtime import RuntimeOptions
    from assistant.tui.app import LamApp

    home = tempfile.mkdtemp(prefix="lam-bench-tui-")
    app = LamApp(RuntimeOptions(home=home), started_at=STARTED)
    async with app.run_test(size=(120, 36)) as pilot:
        while app.first_paint is None:
            await asyncio.sleep(0.001)
        print(f"time to first paint: {app.first_paint * 1000:.0f} ms "
              "(process start -> first refresh; target < 1500 ms)")
        while app.session is None or app.busy:
            await asyncio.sleep(0.005)
        print(f"session ready (plugins loaded, in a worker): "
              f"{(time.perf_counter() - STARTED) * 1000:.0f} ms after process start")
        app.input.value = REQUEST
        await pilot.press("enter")
        while "tier 1" not in app.status.text:
            await asyncio.sleep(0.005)
            if not app.busy:
                print("the request did not reach the model:", app.conversation.lines()[-1:])
                return
        driver = app._driver
        assert driver is not None
        latencies: list[float] = []
        typed = ""
        for i in range(chars):
            if not app.busy:
                break
            char = "abcdefghij"[i % 10]
            typed += char
            # What a terminal driver does with a keystroke (pilot.press would also wait for
            # the process to go idle, which never happens while the model computes).
            event = events.Key(char, char)
            event.set_sender(app)
            t0 = time.perf_counter()
            driver.send_message(event)
            while app.input.value != typed:
                await asyncio.sleep(0.0005)
            latencies.append(time.perf_counter() - t0)
            await asyncio.sleep(0.02)  # a fast typist: ~50 keys per second
        still = app.busy
        while app.busy:
            await asyncio.sleep(0.05)
        if not latencies:
            print("planning finished before any key was typed")
            return
        worst, median = max(latencies) * 1000, statistics.median(latencies) * 1000
        print(f"keystrokes typed while the model planned: {len(latencies)}"
              + ("" if still else " (planning ended before all keys were typed)"))
        print(f"input-to-echo latency while planning: worst {worst:.1f} ms, "
              f"median {median:.1f} ms (target: worst < 100 ms)")
        print("plan:", app.plan_view.plain.splitlines()[0] if app.plan_view.plain else "-")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chars", type=int, default=40, help="keystrokes to time")
    args = parser.parse_args()
    if not os.environ.get("LAM_MODELS_DIR"):
        os.environ["LAM_MODELS_DIR"] = str(Path("~/.cache/lam/test-models").expanduser())
    asyncio.run(measure(args.chars))


if __name__ == "__main__":
    main()
