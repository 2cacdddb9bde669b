# Sourced by install.sh and smoke.sh: how llama-cpp-python is compiled here, and a check that it runs.
#
# llama.cpp is compiled with -march=native. On an x86 CPU with AMX (Sapphire Rapids and later) that
# enables ggml's AMX kernels, which crash (SIGSEGV at ldtilecfg) where the kernel or hypervisor does
# not grant AMX tile state, as on some VMs. Without them, AVX-512/AVX2 kernels are used.
if [ "$(uname -m)" = x86_64 ]; then
  no_amx="-mno-amx-tile -mno-amx-int8 -mno-amx-bf16"
  export CFLAGS="${CFLAGS:-} $no_amx" CXXFLAGS="${CXXFLAGS:-} $no_amx"
fi

# llama_ok PYTHON: true when llama-cpp-python has no AMX kernels compiled in (x86_64) and decodes,
# in a child process, a planner-sized prompt with lam's llama.cpp settings on the smallest pulled
# model and on the default planner (qwen2.5-coder-0.5b) when it is pulled (true when no model is
# pulled yet). pip reuses a wheel it built earlier even when the flags or the CPU differ; a kernel
# may only be reached by some tensor types or batch sizes, hence a real prompt on the real model.
llama_ok() {
  "$1" - <<'PYEOF' >/dev/null 2>&1
import glob, os, platform, sys
import llama_cpp
from llama_cpp import Llama
if platform.machine() == "x86_64" and "AMX_INT8 = 1" in llama_cpp.llama_print_system_info().decode():
    sys.exit(3)
d = os.environ.get("LAM_MODELS_DIR") or os.path.expanduser("~/.local/share/lam/models")
ggufs = sorted(glob.glob(os.path.join(d, "*.gguf")), key=os.path.getsize)
default = os.path.join(d, "qwen2.5-coder-0.5b.gguf")
prompt = "You plan actions for a user. " * 40 + "Request: get the weather for Paris."
for path in dict.fromkeys(ggufs[:1] + ([default] if os.path.isfile(default) else [])):
    llm = Llama(path, n_ctx=1024, n_batch=512, n_ubatch=512, flash_attn=True, verbose=False,
                n_threads=2, n_threads_batch=2)
    llm.create_completion(prompt, max_tokens=4, temperature=0.0)
PYEOF
}

# llama_rebuild PYTHON: drop pip's cached wheel and compile llama-cpp-python again with the flags
# above (the new wheel is cached, so later clean venvs reuse it).
llama_rebuild() {
  local version
  version=$("$1" -c 'import importlib.metadata as m; print(m.version("llama-cpp-python"))')
  "$1" -m pip cache remove 'llama_cpp_python*' >/dev/null 2>&1 || true
  "$1" -m pip install -q --progress-bar off --force-reinstall --no-deps "llama-cpp-python==$version"
}
