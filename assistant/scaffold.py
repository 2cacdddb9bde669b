"""`lam plugins new NAME`: a complete third-party plugin package, ready to pip install."""

from __future__ import annotations

import re
from pathlib import Path

from actions.errors import UserInputError

__all__ = ["scaffold_plugin"]

_NAME = re.compile(r"^[a-z][a-z0-9_]{1,30}$")

PYPROJECT = '''[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "lam-{name}"
version = "0.1.0"
description = "A lam plugin: {name}."
requires-python = ">=3.11"
dependencies = ["lam-assistant", "pydantic>=2"]

[project.optional-dependencies]
test = ["pytest"]

[project.entry-points."lam.plugins"]
{name} = "lam_{name}:{cls}"

[tool.hatch.build.targets.wheel]
packages = ["lam_{name}"]
'''

MODULE = '''"""lam plugin '{name}': one action and one sentence template, as a starting point."""

from __future__ import annotations

from pydantic import BaseModel, Field

from actions import ActionContext, ActionResult, Effect, Plugin, ShortText, action

__all__ = ["{cls}", "{cls}Settings"]


class {cls}Settings(BaseModel):
    """Settings read from [plugins.{name}] in plugins.toml."""

    greeting: str = Field("Report for", max_length=40)


class {cls}(Plugin):
    name = "{name}"
    settings_model = {cls}Settings

    @action(effect=Effect.READ_ONLY, templates=["{name} (for|in) {{place}}", "{name} {{place}}"])
    def {name}_report(self, ctx: ActionContext, place: ShortText) -> ActionResult:
        """Give a short {name} report for a place.

        Args:
          place: the place the report is about, as the user said it
        """
        text = f"{{self.settings.greeting}} {{place}}"
        return ActionResult(message=text, output={{"report": text, "place": place}})
'''

TEST = '''from pathlib import Path

from actions import ActionContext, Capabilities, Effect
from lam_{name} import {cls}, {cls}Settings


def make_plugin(tmp_path: Path) -> {cls}:
    return {cls}(Capabilities(settings={cls}Settings(greeting="Hello"), data_dir=tmp_path))


def test_action_is_declared(tmp_path: Path) -> None:
    (spec,) = make_plugin(tmp_path).actions()
    assert spec.name == "{name}_report"
    assert spec.effect is Effect.READ_ONLY
    assert spec.parameters_schema()["required"] == ["place"]
    assert "{name} {{place}}" in spec.templates


def test_action_runs(tmp_path: Path) -> None:
    (spec,) = make_plugin(tmp_path).actions()
    params, violations = spec.validate_args({{"place": "Berlin"}})
    assert violations == [] and params is not None
    result = spec.run(ActionContext(), params)
    assert result.ok
    assert result.output == {{"report": "Hello Berlin", "place": "Berlin"}}


def test_bad_arguments_are_violations(tmp_path: Path) -> None:
    (spec,) = make_plugin(tmp_path).actions()
    params, violations = spec.validate_args({{}})
    assert params is None and violations[0].reason.value == "schema"
'''

README = '''# lam-{name}

A plugin for [lam](https://pypi.org/project/lam-assistant/).

    pip install -e .
    # then in ~/.config/lam/plugins.toml:
    [plugins.{name}]
    enabled = true
    greeting = "Report for"

    lam plugins list
    lam actions list --json
    python -m pytest
'''


def scaffold_plugin(name: str, parent: Path) -> Path:
    if not _NAME.match(name):
        raise UserInputError(f"plugin name {name!r} must be lower_snake_case (2-31 characters)",
                             hint="for example: lam plugins new weather")
    cls = "".join(p.capitalize() for p in name.split("_")) + "Plugin"
    root = parent / f"lam-{name}"
    if root.exists():
        raise FileExistsError(str(root))
    pkg = root / f"lam_{name}"
    (root / "tests").mkdir(parents=True)
    pkg.mkdir()
    fmt = {"name": name, "cls": cls}
    (root / "pyproject.toml").write_text(PYPROJECT.format(**fmt))
    (pkg / "__init__.py").write_text(MODULE.format(**fmt))
    (root / "tests" / f"test_{name}.py").write_text(TEST.format(**fmt))
    (root / "README.md").write_text(README.format(**fmt))
    return root
