#!/usr/bin/env bash
# lam as a user installs it: `pip install .` without extras into a clean virtual environment
# (no system site-packages), then `lam --help`, `lam doctor` and `lam plan --tools FILE --json`
# on the pulled test model. Catches a run-time import that is not a declared dependency.
#   LAM_MODELS_DIR   where the models are (make smoke sets the test cache)
#   PYTHON           the interpreter to build the venv from (default python3)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
work=$(mktemp -d "${TMPDIR:-/tmp}/lam-smoke.XXXXXX")
trap 'rm -rf "$work"' EXIT
fail() { echo "smoke: FAILED: $*" >&2; exit 1; }

started=$SECONDS
# the compiler flags for llama.cpp (as install.sh builds it), llama_ok and llama_rebuild
. scripts/llama_build.sh
echo "==> clean venv, pip install . (no extras)"
"$PY" -m venv "$work/venv"
venv="$work/venv/bin"
"$venv/python" -m pip install -q --progress-bar off . || fail "pip install ."
if ! llama_ok "$venv/python"; then
  echo "    llama-cpp-python from pip's cache crashed here: rebuilding it"
  llama_rebuild "$venv/python" || fail "rebuilding llama-cpp-python"
  llama_ok "$venv/python" || fail "llama-cpp-python crashes on this CPU (see docs/models.md)"
fi
echo "    installed in $((SECONDS - started)) s"
export LAM_HOME="$work/home"
# a crash (a signal) prints the Python stack of every thread instead of nothing
export PYTHONFAULTHANDLER=1
lam="$venv/lam"
# crashed RC WHAT: after a signal (exit > 128) print what the next person needs to know
crashed() {
  [ "$1" -gt 128 ] || return 0
  echo "smoke: $2 died with signal $(($1 - 128)); llama.cpp build and limits here:" >&2
  "$venv/python" -c 'import llama_cpp; print(llama_cpp.llama_print_system_info().decode())' >&2 || true
  echo "ulimit -s $(ulimit -s); $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null)" >&2
}

echo "==> lam --help"
"$lam" --help >"$work/help.txt" || fail "lam --help exited $?"
grep -q "lam — a local large action model assistant." "$work/help.txt" || fail "lam --help"

echo "==> lam doctor"
set +e
"$lam" doctor
rc=$?
set -e
# doctor exits 1 only for a check that keeps lam from working (optional ones warn)
[ $rc = 0 ] || fail "lam doctor exited $rc"

echo "==> lam plan --tools FILE --json"
cat >"$work/tools.json" <<'EOF'
[{"type": "function", "function": {"name": "get_weather",
  "description": "Current weather for a city",
  "parameters": {"type": "object", "properties": {"city": {"type": "string"}},
                 "required": ["city"]}}}]
EOF
set +e
"$lam" plan --tools "$work/tools.json" --json "get the current weather for Paris" >"$work/plan.json"
rc=$?
set -e
cat "$work/plan.json"
crashed $rc "lam plan --tools"
[ $rc = 0 ] || fail "lam plan --tools exited $rc"
# The calls lam would make, as JSON: only given tools, arguments as objects (which call the
# model chooses is the planner tests' business; an empty list is reported, not failed).
"$venv/python" - "$work/plan.json" <<'EOF' || fail "lam plan --tools printed no valid calls"
import json, sys
calls = json.load(open(sys.argv[1]))
assert isinstance(calls, list), calls
for call in calls:
    assert call["name"] == "get_weather" and isinstance(call["arguments"], dict), calls
if not calls:
    print("smoke: note: the model chose no call", file=sys.stderr)
EOF
echo "smoke: ok ($((SECONDS - started)) s)"
