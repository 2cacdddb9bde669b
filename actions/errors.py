"""The one error tree of lam. Every error lam raises on purpose derives from `LamError`."""

from __future__ import annotations

__all__ = [
    "ActionDeclarationError",
    "ConfigError",
    "LamError",
    "PluginError",
    "UserInputError",
]


class LamError(Exception):
    """Base of every error lam raises on purpose; `hint` says what the user can do."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}\n  hint: {self.hint}"


class UserInputError(LamError):
    """The user gave something lam cannot take (a bad flag, file or request)."""


class ConfigError(UserInputError):
    """A configuration file is malformed or fails validation."""

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        column: int | None = None,
        hint: str | None = None,
    ) -> None:
        where = ""
        if path:
            where = path
            if line is not None:
                where += f":{line}"
                if column is not None:
                    where += f":{column}"
            where += ": "
        super().__init__(where + message, hint=hint)
        self.path = path
        self.line = line
        self.column = column


class PluginError(LamError):
    """A plugin could not be found, imported, configured or loaded."""

    def __init__(self, plugin: str, message: str, *, hint: str | None = None) -> None:
        super().__init__(f"plugin '{plugin}': {message}", hint=hint)
        self.plugin = plugin


class ActionDeclarationError(LamError):
    """An action was declared in a way lam cannot use (a bug in the plugin)."""
