#!/usr/bin/env bash
# Install lam and what it needs at run time. Idempotent; as root it also installs Debian packages.
#   scripts/install.sh          lam itself (+ Chromium via apt when root)
#   scripts/install.sh --test   also what the test suite needs (servers, test tools, test models,
#                               and the train extra: torch 2.13.0 CPU, transformers)
set -euo pipefail
cd "$(dirname "$0")/.."
want_test=0
[ "${1:-}" = "--test" ] && want_test=1

apt_pkgs=(chromium)
[ $want_test = 1 ] && apt_pkgs+=(dovecot-imapd tmux)
missing=()
for p in "${apt_pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "==> apt-get install ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    # dovecot is started by the tests themselves, on loopback, in a temp dir.
    if [[ " ${missing[*]} " == *" dovecot-imapd "* ]]; then
      (systemctl disable --now dovecot 2>/dev/null || service dovecot stop 2>/dev/null || true)
    fi
  else
    echo "warning: missing Debian packages: ${missing[*]} (install them as root)" >&2
  fi
fi

PY=${PYTHON:-python3}
# the compiler flags for llama.cpp, llama_ok and llama_rebuild
. scripts/llama_build.sh
echo "==> pip install (llama-cpp-python compiles once: 5-10 minutes on 2 cores)"
if [ $want_test = 1 ]; then
  # the train extra (torch 2.13.0 CPU, transformers) runs the trained-expert tests
  $PY -m pip install -q --progress-bar off -e '.[test,train]'
else
  $PY -m pip install -q --progress-bar off -e .
fi
if [ $want_test = 1 ]; then
  # the reference MCP filesystem server, run with node by tests/mcp and tests/e2e/test_mcp.py
  if ! command -v npm >/dev/null && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
  fi
  echo "==> npm install @modelcontextprotocol/server-filesystem (MCP tests)"
  npm install --silent --no-audit --no-fund --prefix "$HOME/.cache/lam/npm" \
    @modelcontextprotocol/server-filesystem@2026.8.31
fi
echo "==> models"
lam models pull default
lam models pull large
[ $want_test = 1 ] && lam models pull smollm2-135m
if ! llama_ok "$PY"; then
  echo "==> llama-cpp-python crashed on this CPU (a cached wheel built elsewhere?): rebuilding it"
  llama_rebuild "$PY"
  llama_ok "$PY" || { echo "error: llama-cpp-python still crashes here; see docs/models.md" >&2; exit 1; }
fi
echo "==> installed: $(lam --version)"
