"""Start-up checks the TUI runs in a worker: plugin load failures, the browser, the model.
No Textual import here; everything returns plain values."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from assistant.runtime import Runtime

__all__ = ["StartupReport", "check_startup", "find_chromium", "pull_model"]


@dataclass
class StartupReport:
    """What the user should know before the first request."""

    notes: list[str] = field(default_factory=list)
    model_missing: str | None = None
    """Catalog name of the default model when it is not pulled yet."""


def find_chromium(which: Callable[[str], str | None] = shutil.which) -> str | None:
    """A Chromium binary the browser plugin can launch, if any."""
    for candidate in (os.environ.get("LAM_CHROMIUM", ""), which("chromium") or "",
                      which("chromium-browser") or "", "/usr/bin/chromium"):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


def _model_missing(runtime: Runtime) -> str | None:
    name = runtime.config.lam.model
    if not name or name.endswith(".gguf") or os.sep in name:
        return None  # an explicit path: the planner reports a missing file itself
    from models.errors import ModelError
    from models.store import ModelStore

    try:
        status = ModelStore(runtime.paths.models_dir).status(name)
    except ModelError:
        return None
    return None if status.present else status.entry.name


def check_startup(runtime: Runtime, *,
                  chromium: Callable[[], str | None] = find_chromium) -> StartupReport:
    """Load plugins and check the browser and the default model."""
    report = StartupReport()
    loaded = runtime.loaded
    for status in loaded.failed():
        reason = str(status.error) if status.error else "failed to load"
        report.notes.append(f"{reason} — the other plugins keep working.")
    browser = loaded.plugins.get("browser")
    if browser is not None and not getattr(browser.settings, "cdp_url", "") \
            and chromium() is None:
        report.notes.append("No Chromium found: browsing actions will fail until you install "
                            "it (`apt-get install chromium`, or set LAM_CHROMIUM). The other "
                            "plugins keep working.")
    if 1 not in runtime.model_factories:
        report.model_missing = _model_missing(runtime)
    return report


def pull_model(runtime: Runtime, name: str,
               progress: Callable[[str, float], None]) -> Path:
    """Pull a catalog model into the runtime's model store; ``progress(stage, fraction)``."""
    from models.store import ModelStore

    store = ModelStore(runtime.paths.models_dir)
    return store.pull(name, progress=lambda e: progress(e.stage, e.fraction))
