"""lam's model runtime: backends, catalog and pull, memory estimation, MoE inspection.

Imports nothing else of lam. llama.cpp and torch are imported only when a backend loads.
"""

from models.backend import Backend, Chunk, GenerateOptions
from models.catalog import CATALOG, HubSource, ModelEntry, PypiPart, PypiSource, find_entry
from models.errors import BackendError, ModelCorrupt, ModelError, ModelNotFound, ModelTooLarge
from models.fake import FakeBackend
from models.gguf_info import GGUFInfo, read_gguf
from models.http_backend import HttpBackend
from models.llama_backend import LlamaBackend
from models.loader import inspect_model, load_llama
from models.memory import MemoryEstimate, available_memory, check_fits, estimate_memory
from models.store import ModelStatus, ModelStore, PullEvent
from models.threads import choose_threads
from models.types import ChatMessage, Completion, Timings, Usage

__all__ = [
    "CATALOG",
    "Backend",
    "BackendError",
    "ChatMessage",
    "Chunk",
    "Completion",
    "FakeBackend",
    "GGUFInfo",
    "GenerateOptions",
    "HttpBackend",
    "HubSource",
    "LlamaBackend",
    "MemoryEstimate",
    "ModelCorrupt",
    "ModelEntry",
    "ModelError",
    "ModelNotFound",
    "ModelStatus",
    "ModelStore",
    "ModelTooLarge",
    "PullEvent",
    "PypiPart",
    "PypiSource",
    "Timings",
    "Usage",
    "available_memory",
    "check_fits",
    "choose_threads",
    "estimate_memory",
    "find_entry",
    "inspect_model",
    "load_llama",
    "read_gguf",
]
