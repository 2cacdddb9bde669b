"""MCP both ways: MCP servers named in plugins.toml become lam actions (`client`, `plugin`), and
`lam mcp serve` offers lam's actions, a ``plan`` tool and a ``run_plan`` tool (`server`).

The ``mcp`` SDK is imported only by the modules that talk the protocol, never at start-up."""

from __future__ import annotations

__all__: list[str] = []
