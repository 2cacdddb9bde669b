"""Files an action writes for the user: inside a documented folder, elsewhere only when asked.

A relative path is taken inside the folder; ``~`` is expanded; ``..`` and symbolic links are
resolved before the check, so ``../x`` and a link out of the folder count as outside. The
`writes_inside` precondition asks (`Condition.asks`): a plan that writes outside the folder
needs the user's confirmation, and the confirmation shows the resolved path.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pydantic import BaseModel

from actions.context import ActionContext
from actions.spec import Condition

__all__ = ["output_path", "outside_folder", "writes_inside"]


def output_path(folder: Path, path: str) -> Path:
    """The absolute, resolved file a write of ``path`` goes to (relative = inside ``folder``)."""
    candidate = Path(path.strip()).expanduser()
    return (candidate if candidate.is_absolute() else folder / candidate).resolve()


def outside_folder(folder: Path, target: Path) -> str | None:
    """None when ``target`` (resolved) is inside ``folder``, else what the user is asked."""
    root = folder.expanduser().resolve()
    if target.is_relative_to(root):
        return None
    return f"writes {target}, outside lam's folder {root}"


def writes_inside(folder: Callable[[], Path],
                  target: Callable[[BaseModel], Path]) -> Condition:
    """A precondition that asks when the file the step writes is outside ``folder()``."""
    def check(ctx: ActionContext, params: BaseModel) -> str | None:
        return outside_folder(folder(), target(params))
    return Condition(name="writes_inside_folder", check=check, asks=True,
                     description="the file written is inside the plugin's files folder")
