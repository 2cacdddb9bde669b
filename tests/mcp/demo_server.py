"""A small MCP server written with the SDK's FastMCP, run by the tests as a real subprocess:
``python tests/mcp/demo_server.py`` (stdio) or ``... --http PORT`` (streamable HTTP).

Tools: a read-only word counter, an unannotated note writer (which records each call in
``$DEMO_NOTES``, one line per note), a destructive wipe, and tools that fail, crash and hang."""

from __future__ import annotations

import os
import sys
import time

from mcp.server.fastmcp import FastMCP
from mcp.types import ToolAnnotations

app = FastMCP("demo")


@app.tool(annotations=ToolAnnotations(readOnlyHint=True))
def count_words(text: str) -> str:
    """Count the words of a text."""
    return f"{len(text.split())} words"


@app.tool()
def save_note(title: str, body: str = "") -> str:
    """Save a note with a title and a body."""
    path = os.environ.get("DEMO_NOTES")
    if path:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(f"{title}\t{body}\n")
    return f"saved note {title!r}"


@app.tool(annotations=ToolAnnotations(readOnlyHint=False, destructiveHint=True))
def wipe_notes() -> str:
    """Delete every saved note."""
    return "wiped"


@app.tool(annotations=ToolAnnotations(readOnlyHint=False, destructiveHint=False,
                                      openWorldHint=False))
def tag_note(title: str, tag: str) -> str:
    """Add a tag to a saved note."""
    return f"tagged {title!r} with {tag!r}"


@app.tool(annotations=ToolAnnotations(readOnlyHint=True))
def always_fails(reason: str = "no reason") -> str:
    """A tool that always fails."""
    raise ValueError(f"it failed: {reason}")


@app.tool(annotations=ToolAnnotations(readOnlyHint=True))
def crash_server() -> str:
    """A tool that makes the server process exit at once."""
    print("demo server: crashing on purpose", file=sys.stderr, flush=True)
    os._exit(3)


@app.tool(annotations=ToolAnnotations(readOnlyHint=True))
def sleep_forever() -> str:
    """A tool that never answers."""
    time.sleep(3600)
    return "woke up"


if __name__ == "__main__":
    if os.environ.get("DEMO_HANG_AT_START"):
        time.sleep(3600)
    if os.environ.get("DEMO_DIE_AT_START"):
        print("demo server: cannot start: missing DEMO_TOKEN", file=sys.stderr, flush=True)
        sys.exit(2)
    if len(sys.argv) == 3 and sys.argv[1] == "--http":
        app.settings.port = int(sys.argv[2])
        app.settings.host = "127.0.0.1"
        app.run(transport="streamable-http")
    else:
        app.run()
