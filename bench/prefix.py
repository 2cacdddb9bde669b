"""Time to first token after a ~600-token system prompt: cold (prompt not in the KV cache)
vs warm (same system prompt, new user message: only the tail is evaluated).

Usage: python bench/prefix.py [model] [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from models.llama_backend import LlamaBackend
from models.store import ModelStore

ACTIONS = ["browser.open", "browser.click", "browser.summarize", "mail.send", "mail.reply",
           "mail.search", "calendar.create", "calendar.list", "scheduler.add",
           "scheduler.remove", "notes.write", "contacts.find"]


def system_prompt() -> str:
    lines = ["You are lam's planner. Reply with one JSON plan using only these actions."]
    for i, name in enumerate((ACTIONS * 2)[:18]):
        lines.append(f"- {name}_{i}(target: string up to 40 chars, when: now|later): "
                     f"performs {name.split('.')[1]} on the target; effect class {i % 3}.")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", nargs="?", default="default")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=0)
    args = parser.parse_args()
    store = ModelStore(os.environ.get("LAM_MODELS_DIR") or "~/.cache/lam/test-models")
    backend = LlamaBackend(store.pull(args.model), n_ctx=4096, threads=args.threads)
    system = {"role": "system", "content": system_prompt()}
    n_system = len(backend.tokenize(system["content"]))
    asks = ["open the python docs", "mail bob the report", "remind me at 9",
            "summarize this page", "find alice's number", "list my meetings"]
    cold, warm, cold_eval, warm_eval = [], [], [], []
    for r in range(args.rounds):
        backend.chat([{"role": "user", "content": "hello"}], max_tokens=1)  # evict the prefix
        c = backend.chat([system, {"role": "user", "content": asks[r % len(asks)]}],
                         max_tokens=1)
        cold.append(c.timings.first_token)
        cold_eval.append(c.usage.prompt_evaluated or 0)
        for ask in asks[1:3]:
            w = backend.chat([system, {"role": "user", "content": f"{ask} ({r})"}],
                             max_tokens=1)
            warm.append(w.timings.first_token)
            warm_eval.append(w.usage.prompt_evaluated or 0)
    c_med, w_med = statistics.median(cold), statistics.median(warm)
    print(f"model {backend.name}, {backend.threads} thread(s), system prompt {n_system} tokens")
    print(f"cold TTFT median {c_med * 1000:.0f} ms  (prompt tokens evaluated "
          f"{statistics.median(cold_eval):.0f})  runs: "
          + ", ".join(f"{x * 1000:.0f}" for x in cold))
    print(f"warm TTFT median {w_med * 1000:.0f} ms  (prompt tokens evaluated "
          f"{statistics.median(warm_eval):.0f})  runs: "
          + ", ".join(f"{x * 1000:.0f}" for x in warm))
    print(f"speed-up {c_med / w_med:.1f}x (acceptance: >= 5x)")
    backend.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
