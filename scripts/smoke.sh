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
echo "==> clean venv, pip install . (no extras)"
"$PY" -m venv "$work/venv"
venv="$work/venv/bin"
"$venv/python" -m pip install -q --progress-bar off . || fail "pip install ."
echo "    installed in $((SECONDS - started)) s"
export LAM_HOME="$work/home"
lam="$venv/lam"

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
"$lam" plan --tools "$work/tools.json" --json "what is the weather in Paris" >"$work/plan.json"
rc=$?
set -e
cat "$work/plan.json"
[ $rc = 0 ] || fail "lam plan --tools exited $rc"
"$venv/python" - "$work/plan.json" <<'EOF' || fail "lam plan --tools printed no get_weather call"
import json, sys
calls = json.load(open(sys.argv[1]))
assert isinstance(calls, list) and calls and calls[0]["name"] == "get_weather", calls
assert isinstance(calls[0]["arguments"], dict), calls
EOF
echo "smoke: ok ($((SECONDS - started)) s)"
