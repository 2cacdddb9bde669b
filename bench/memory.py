"""Predicted vs measured peak RSS at 4k context for SmolLM2-135M, Qwen2.5-Coder-0.5B and -1.5B.

Each model is measured in a fresh subprocess: load with `LlamaBackend`, one chat with a
~600-token system prompt and a short generation, then VmHWM from /proc/self/status.
Models come from $LAM_MODELS_DIR (default ~/.cache/lam/test-models) and are pulled if absent.
Usage: python bench/memory.py [--context 4096] [model ...]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from models.gguf_info import read_gguf  # noqa: E402
from models.memory import estimate_memory  # noqa: E402
from models.store import ModelStore  # noqa: E402

MODELS = ["smollm2-135m", "qwen2.5-coder-0.5b", "qwen2.5-coder-1.5b"]

CHILD = r"""
import json, sys
sys.path.insert(0, sys.argv[1])
from models.llama_backend import LlamaBackend
b = LlamaBackend(sys.argv[2], n_ctx=int(sys.argv[3]), threads=0, check_memory=False)
system = "You plan actions. " + " ".join(f"tool_{i}(target: str) does thing number {i}."
                                         for i in range(60))
c = b.chat([{"role": "system", "content": system},
            {"role": "user", "content": "open the python docs"}], max_tokens=16)
hwm = next(int(l.split()[1]) * 1024 for l in open("/proc/self/status")
           if l.startswith("VmHWM:"))
print(json.dumps({"hwm": hwm, "prompt_tokens": c.usage.prompt_tokens}))
"""


def measure(path: Path, n_ctx: int) -> dict[str, int]:
    out = subprocess.run([sys.executable, "-c", CHILD, str(ROOT), str(path), str(n_ctx)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="*", default=MODELS)
    parser.add_argument("--context", type=int, default=4096)
    args = parser.parse_args()
    store = ModelStore(os.environ.get("LAM_MODELS_DIR") or "~/.cache/lam/test-models")
    mib = 2**20
    print(f"peak RSS at n_ctx {args.context} (MiB)")
    print(f"{'model':<22}{'predicted':>10}{'measured':>10}{'error':>8}  prompt tokens")
    worst = 0.0
    for name in args.models:
        path = store.pull(name)
        predicted = estimate_memory(read_gguf(path), args.context).total
        got = measure(path, args.context)
        err = (predicted - got["hwm"]) / got["hwm"]
        worst = max(worst, abs(err))
        print(f"{name:<22}{predicted / mib:>10.0f}{got['hwm'] / mib:>10.0f}{err:>+8.1%}"
              f"  {got['prompt_tokens']}")
    print(f"largest error {worst:.1%} (acceptance: within 15%)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
