"""Mixture-of-experts planners built from domain experts: expert files, assembly into one
llama.cpp MoE GGUF, plugin-shipped experts, and (with the ``train`` extra) expert training.

Training lives in ``models.moe.train`` and needs torch: ``pip install 'lam-assistant[train]'``.
"""

from models.moe.assemble import (
    SUPPORTED_ARCHS,
    AssemblyReport,
    BaseInfo,
    assemble,
    base_copy_expert,
    base_info,
    check_expert,
    quantize_file,
    read_manifest,
)
from models.moe.expert import (
    EXPERT_ARCH,
    Expert,
    ExpertMeta,
    average_experts,
    data_hash,
    read_expert,
    read_expert_meta,
    write_expert,
)

__all__ = [
    "EXPERT_ARCH",
    "SUPPORTED_ARCHS",
    "AssemblyReport",
    "BaseInfo",
    "Expert",
    "ExpertMeta",
    "assemble",
    "average_experts",
    "base_copy_expert",
    "base_info",
    "check_expert",
    "data_hash",
    "quantize_file",
    "read_expert",
    "read_expert_meta",
    "read_manifest",
    "write_expert",
]
