"""Requests that belong to a plugin that failed to load. Such a request must not go to another
plugin's actions (a model asked to plan "add contact Ann ..." with no contact action will click
*something* in the browser); lam says which plugin it needs, why that plugin is not loaded and
how to fix it.

What a failed plugin would have offered is still knowable: its class declares its actions
(``@action`` methods with their sentence templates) even when its settings are what failed;
failing that (the class does not import, or builds its actions only once running), the words of
its entry-point name ("scheduler", "messaging") and of its declared action names stand for it.
"""

from __future__ import annotations

import inspect
import types
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from pydantic import BaseModel

from actions.spec import ActionSpec, collect_actions
from assistant.planner.relevance import ActionVocabulary, stems
from assistant.templates import SlotCheck, TemplateMatcher

__all__ = ["FailedPlugin", "PluginClaim", "UnavailablePlugins", "declared_actions",
           "failed_plugins"]


class FailedPlugin(BaseModel):
    """A plugin that is enabled but did not load, with what it would have offered."""

    model_config = {"arbitrary_types_allowed": True}

    name: str
    reason: str
    fix: str = ""
    specs: list[ActionSpec] = []
    """Its declared actions (empty when they cannot be read without running it)."""


class PluginClaim(BaseModel):
    """The request needs a plugin that failed to load."""

    plugin: str
    reason: str
    fix: str
    evidence: str
    """What ties the request to the plugin (a sentence template, or its words)."""

    def answer(self) -> str:
        """What the user reads: the plugin, why it is not loaded and what to do."""
        lines = [f"That needs the {self.plugin} plugin ({self.evidence}), which failed to "
                 "load. Nothing ran.", f"  reason: {self.reason}"]
        if self.fix:
            lines.append(f"  fix: {self.fix}")
        lines.append("  (`lam plugins` shows every plugin's state)")
        return "\n".join(lines)


class _Declared:
    """Stands in for a plugin class that was never built: its ``@action`` methods, bound to
    this object, describe the actions (their handlers are never called)."""

    def __init__(self, cls: type) -> None:
        self._cls = cls

    def __dir__(self) -> Iterable[str]:
        return dir(self._cls)

    def __getattr__(self, name: str) -> Any:
        member = inspect.getattr_static(self._cls, name, None)
        if inspect.isfunction(member):
            return types.MethodType(member, self)
        raise AttributeError(name)


def declared_actions(cls: object, plugin: str) -> list[ActionSpec]:
    """The actions a plugin class declares with ``@action``, read without building it (empty
    when they cannot be read so)."""
    if not isinstance(cls, type):
        return []
    try:
        specs = collect_actions(_Declared(cls))
    except Exception:  # a declaration only a running plugin can read: words stand in
        return []
    for spec in specs:
        spec.plugin = plugin
    return specs


class UnavailablePlugins:
    """Matches requests against what failed plugins would have offered."""

    def __init__(self, failed: list[FailedPlugin], live: list[ActionSpec],
                 slot_checks: Mapping[str, SlotCheck] | None = None) -> None:
        self.failed = {f.name: f for f in failed}
        self._live = live
        failed_specs = [s for f in failed for s in f.specs]
        self._matcher = (TemplateMatcher([*live, *failed_specs], strict=False,
                                         slot_checks=slot_checks) if failed_specs else None)
        self._owner = {s.name: f.name for f in failed for s in f.specs}
        # Words that point to one plugin only: the cues of its actions and its name's words.
        words: dict[str, set[str]] = {}
        vocab = ActionVocabulary([*live, *failed_specs])
        for spec in [*live, *failed_specs]:
            for cue in vocab.cues.get(spec.name, frozenset()):
                words.setdefault(cue, set()).add(spec.plugin or "")
        for f in failed:
            for cue in stems(f.name.replace("_", " ")):
                words.setdefault(cue, set()).add(f.name)
        self._plugin_of = {w: next(iter(owners)) for w, owners in words.items()
                           if len(owners) == 1}

    def __bool__(self) -> bool:
        return bool(self.failed)

    def by_template(self, request: str) -> PluginClaim | None:
        """A failed plugin's sentence template reads the request better than any live one."""
        if self._matcher is None:
            return None
        best = self._matcher.recognize(request).best
        if best is None or best.action not in self._owner:
            return None
        return self._claim(self._owner[best.action],
                           f"the request reads as its action {best.action} "
                           f"({best.template!r})")

    def by_words(self, request: str) -> PluginClaim | None:
        """The request's words point only to failed plugins (no live plugin's own words)."""
        said = stems(request)
        owners = {self._plugin_of[w] for w in said if w in self._plugin_of}
        hits = sorted(w for w in said if self._plugin_of.get(w) in self.failed)
        if not hits or owners - set(self.failed):
            return None
        if len(owners) != 1:
            return None
        plugin = owners.pop()
        return self._claim(plugin, "the request's words: " + ", ".join(hits))

    def _claim(self, plugin: str, evidence: str) -> PluginClaim:
        f = self.failed[plugin]
        return PluginClaim(plugin=plugin, reason=f.reason, fix=f.fix, evidence=evidence)


def failed_plugins(statuses: Iterable[Any], load_class: Callable[[str], object | None]
                   ) -> list[FailedPlugin]:
    """`FailedPlugin` records for the failed statuses of a plugin load (``load_class`` finds a
    plugin's class by its entry-point name; None when it cannot)."""
    out = []
    for status in statuses:
        error = getattr(status, "error", None)
        reason = getattr(error, "message", None) or str(error or "it failed to load")
        hint = getattr(error, "hint", None) or ""
        try:
            cls = load_class(status.name)
        except Exception:
            cls = None
        out.append(FailedPlugin(name=status.name, reason=reason, fix=hint,
                                specs=declared_actions(cls, status.name)))
    return out
