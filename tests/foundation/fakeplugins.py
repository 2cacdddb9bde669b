"""Writes a throw-away distribution with several plugins (good and broken) onto a path."""

from __future__ import annotations

from pathlib import Path

PLUGINS = {
    "good": '''
from pydantic import BaseModel
from actions import ActionContext, ActionResult, Effect, Plugin, ShortText, action

class GoodSettings(BaseModel):
    count: int = 1

class GoodPlugin(Plugin):
    name = "good"
    settings_model = GoodSettings

    @action(effect=Effect.READ_ONLY, templates=["say hello to {who}"])
    def hello(self, ctx: ActionContext, who: ShortText) -> ActionResult:
        """Say hello."""
        return ActionResult(message="hello " + who * self.settings.count)
''',
    "twin": '''
from actions import ActionContext, ActionResult, Plugin, ShortText, action

class TwinPlugin(Plugin):
    name = "twin"

    @action()
    def hello(self, ctx: ActionContext, who: ShortText) -> ActionResult:
        """Also say hello."""
        return ActionResult(message="hi")
''',
    "importboom": '''
raise RuntimeError("boom at import")
''',
    "loadboom": '''
from actions import Plugin

class LoadBoomPlugin(Plugin):
    name = "loadboom"

    def __init__(self, caps):
        raise ValueError("cannot open the widget store")
''',
}

CLASSES = {"good": "GoodPlugin", "twin": "TwinPlugin", "importboom": "Nothing",
           "loadboom": "LoadBoomPlugin"}


def write_fake_plugins(root: Path) -> Path:
    """Create modules ``lamfake_<name>`` and a dist-info declaring their entry points."""
    root.mkdir(parents=True, exist_ok=True)
    for name, code in PLUGINS.items():
        (root / f"lamfake_{name}.py").write_text(code)
    dist = root / "lamfake-0.1.dist-info"
    dist.mkdir(exist_ok=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: lamfake\nVersion: 0.1\n")
    lines = ["[lam.plugins]"] + [f"{n} = lamfake_{n}:{c}" for n, c in CLASSES.items()]
    (dist / "entry_points.txt").write_text("\n".join(lines) + "\n")
    return root
