"""The model runtime's errors. Every one carries a `hint`: what the user can do about it."""

from __future__ import annotations

__all__ = ["BackendError", "ModelCorrupt", "ModelError", "ModelNotFound", "ModelTooLarge"]


class ModelError(Exception):
    """Base of every error raised on purpose by `models`."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}\n  hint: {self.hint}"


class ModelNotFound(ModelError):
    """No catalog entry, or the model is not pulled yet."""


class ModelCorrupt(ModelError):
    """A model file's size, hash or GGUF header is wrong."""


class ModelTooLarge(ModelError):
    """The estimated memory need exceeds the memory available."""

    def __init__(self, message: str, *, needed: int, available: int,
                 hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.needed = needed
        self.available = available


class BackendError(ModelError):
    """A backend failed to load a model or to generate (including missing optional extras)."""
