"""lam's terminal app (Textual). One widget per module; `LamApp` wires them to a `Session`."""

from assistant.tui.app import LamApp

__all__ = ["LamApp"]
