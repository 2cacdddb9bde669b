"""The estimate against a real measurement: SmolLM2-135M at 4k context in a fresh process
(bench/memory.py does the same for the three catalog models)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from models.gguf_info import read_gguf
from models.memory import estimate_memory

REPO = Path(__file__).resolve().parents[2]
CHILD = r"""
import json, sys
from models.llama_backend import LlamaBackend
b = LlamaBackend(sys.argv[1], n_ctx=4096, threads=1, check_memory=False)
system = "You plan actions. " + " ".join(f"tool_{i}(target: str) does thing {i}."
                                         for i in range(60))
b.chat([{"role": "system", "content": system}, {"role": "user", "content": "hi"}],
       max_tokens=8)
print(json.dumps(next(int(l.split()[1]) * 1024 for l in open("/proc/self/status")
                      if l.startswith("VmHWM:"))))
"""


@pytest.mark.model
def test_estimate_within_15_percent_of_peak_rss(model_path: Callable[[str], Path]) -> None:
    path = model_path("smollm2-135m")
    predicted = estimate_memory(read_gguf(path), 4096).total
    out = subprocess.run([sys.executable, "-c", CHILD, str(path)], capture_output=True,
                         text=True, check=True, cwd=REPO)
    measured = json.loads(out.stdout.strip().splitlines()[-1])
    assert abs(predicted - measured) / measured < 0.15, (predicted, measured)
