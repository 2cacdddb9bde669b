"""Start-up time of the `lam` command: median wall time of `lam --help` and `lam actions list`.

Target: `lam --help` under 0.3 s on a 2-core machine. Prints figures; never fails on a time.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

RUNS = 15


def median_seconds(cmd: list[str], env: dict[str, str]) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run(cmd, env=env, capture_output=True, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    home = tempfile.mkdtemp(prefix="lam-bench-")
    env = {**os.environ, "LAM_HOME": home}
    # The console script itself (not a pyenv shim, which adds its own start-up time).
    script = os.path.join(os.path.dirname(sys.executable), "lam")
    lam = [script] if os.path.exists(script) else [sys.executable, "-m", "assistant.cli.main"]
    python = median_seconds([sys.executable, "-c", "pass"], env)
    print(f"python -c pass          median {python * 1000:7.1f} ms  (interpreter floor)")
    for args in (["--help"], ["actions", "list"], ["--no-plugins", "actions", "list"]):
        t = median_seconds([*lam, *args], env)
        print(f"lam {' '.join(args):<20} median {t * 1000:7.1f} ms  ({RUNS} runs)")
    shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
