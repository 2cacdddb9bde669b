"""An MCP server as a lam plugin (``mcp:NAME``): its tools become actions with their JSON
schemas (through the same path as ``lam plan --tools``), their effect classes come from the
tools' annotations, and their results become untrusted entities."""

from __future__ import annotations

import hashlib
import re
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError

from actions.context import ActionContext
from actions.effects import Effect
from actions.entities import Entity, Provenance, Scope
from actions.errors import PluginError
from actions.plan import ActionResult
from actions.plugin import Capabilities, Plugin
from actions.spec import ActionSpec
from assistant.mcp.config import McpServerSettings, plugin_name

if TYPE_CHECKING:
    from mcp import types

    from assistant.mcp.client import McpConnection

__all__ = ["McpServerPlugin", "action_name", "build_plugin", "effect_of", "result_of"]

_MAX_TEXT = 20_000
_MAX_DESCRIPTION = 300


def effect_of(annotations: types.ToolAnnotations | None) -> Effect:
    """``readOnlyHint`` -> read; destructive (the MCP default) -> irreversible; open world
    (the default) -> external send; an explicitly closed, non-destructive write -> local write.
    Everything but read asks for confirmation under the shipped [confirm] policy, except the
    last, which the server itself declared harmless and local."""
    if annotations is None:
        return Effect.EXTERNAL_SEND
    if annotations.readOnlyHint:
        return Effect.READ_ONLY
    if annotations.destructiveHint is not False:
        return Effect.IRREVERSIBLE
    if annotations.openWorldHint is not False:
        return Effect.EXTERNAL_SEND
    return Effect.LOCAL_WRITE


def action_name(prefix: str, tool: str) -> str:
    """A lam action name for a tool: lower_snake_case, at most 48 characters."""
    name = re.sub(r"[^a-z0-9_]+", "_", (prefix + tool).lower()).strip("_")
    if not name or not name[0].isalpha():
        name = f"t_{name}"
    return name[:48].rstrip("_") or "tool"


def _description(tool: types.Tool) -> str:
    text = " ".join((tool.description or tool.title or tool.name).split())
    if len(text) <= _MAX_DESCRIPTION:
        return text
    cut = text[:_MAX_DESCRIPTION]
    end = cut.rfind(". ")
    return cut[:end + 1] if end > 80 else cut.rstrip() + "…"


def result_of(server: str, tool: str, result: types.CallToolResult, key: str) -> ActionResult:
    """An `ActionResult` whose text is also an untrusted ``tool_result`` entity."""
    from mcp import types as t

    parts: list[str] = []
    for item in result.content:
        if isinstance(item, t.TextContent):
            parts.append(item.text)
        elif isinstance(item, t.ResourceLink):
            parts.append(f"{item.name}: {item.uri}")
        elif isinstance(item, t.EmbeddedResource):
            res = item.resource
            parts.append(res.text if isinstance(res, t.TextResourceContents) else str(res.uri))
        else:
            parts.append(f"[{item.type} content]")
    text = "\n".join(parts)[:_MAX_TEXT]
    where = f"MCP server {server}, tool {tool}"
    if result.isError:
        return ActionResult.fail(f"MCP server '{server}': tool '{tool}' returned an error: "
                                 f"{text[:500] or 'no details'}")
    digest = hashlib.sha1(f"{server}:{tool}:{key}".encode()).hexdigest()[:10]
    first = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    attributes: dict[str, Any] = {"text": text, "server": server, "tool": tool}
    output: dict[str, Any] = {"text": text}
    if result.structuredContent is not None:
        attributes["structured"] = output["structured"] = result.structuredContent
    entity = Entity(id=f"result:{digest}", type="tool_result", label=first[:80] or tool,
                    attributes=attributes, provenance=Provenance.untrusted(where),
                    scope=Scope.CONVERSATION)
    output["id"] = entity.id
    message = first[:200] + ("…" if len(first) > 200 or len(text.strip()) > len(first) else "")
    return ActionResult(message=message or f"{tool}: done", output=output,
                        entities=[entity])


class McpServerPlugin(Plugin):
    """The tools of one MCP server. Connected on first `actions()`; closed with lam."""

    name = "mcp"
    settings_model = McpServerSettings

    def __init__(self, caps: Capabilities, server: str) -> None:
        super().__init__(caps)
        self.server = server
        self.label = plugin_name(server)
        self._connection: McpConnection | None = None
        self._specs: list[ActionSpec] | None = None

    def actions(self) -> list[ActionSpec]:
        if self._specs is None:
            self._specs = self._connect()
        return list(self._specs)

    def _connect(self) -> list[ActionSpec]:
        from assistant.mcp.client import McpConnection, McpFailure

        settings: McpServerSettings = self.settings
        connection = McpConnection(self.server, settings,
                                   stderr_log=self.caps.data_dir / "stderr.log")
        where = settings.command or settings.url or ""
        try:
            tools = connection.connect()
        except McpFailure as exc:
            hint = (f"check [mcp.servers.{self.server}] and run the server by hand; its "
                    f"stderr is in {self.caps.data_dir}/stderr.log" if settings.command else
                    f"check that the server runs at {settings.url} "
                    f"([mcp.servers.{self.server}] url)")
            raise PluginError(self.label, f"MCP server failed to start ({where}): {exc}",
                              hint=hint) from exc
        self._connection = connection
        specs = []
        seen: set[str] = set()
        for tool in tools:
            name = action_name(settings.prefix, tool.name)
            if name in seen:
                continue
            seen.add(name)
            try:
                specs.append(self._spec(tool, name))
            except Exception as exc:  # one bad schema fails this server, never lam
                connection.close()
                self._connection = None
                raise PluginError(self.label, f"tool '{tool.name}': {exc}".splitlines()[0],
                                  hint="the server declares a tool lam cannot use; report it "
                                       "to the server's authors") from exc
        return specs

    def _spec(self, tool: types.Tool, name: str) -> ActionSpec:
        from assistant.external_tools import tool_spec

        base = tool_spec({"name": name, "description": _description(tool),
                          "parameters": tool.inputSchema},
                         f"MCP server '{self.server}': tool '{tool.name}'")
        server, remote = self.server, tool.name

        def handler(ctx: ActionContext, params: BaseModel) -> ActionResult:
            return self.call(remote, params.model_dump(mode="json"), ctx.idempotency_key)

        return base.model_copy(update={"handler": handler, "effect": effect_of(tool.annotations),
                                       "plugin": plugin_name(server)})

    def call(self, tool: str, arguments: dict[str, Any], key: str = "") -> ActionResult:
        """Call a tool; every failure (crash, hang, error result) is a failed result."""
        from assistant.mcp.client import McpFailure

        if self._connection is None:
            return ActionResult.fail(f"MCP server '{self.server}' is not connected")
        try:
            result = self._connection.call_tool(tool, arguments)
        except McpFailure as exc:
            return ActionResult.fail(f"MCP server '{self.server}': {exc}")
        return result_of(self.server, tool, result, key)

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()

    def doctor(self) -> list[str]:
        return [] if self._connection is not None else [
            f"MCP server '{self.server}' is not connected"]


def build_plugin(server: str, settings: dict[str, Any], make_caps: Any,
                 where: str) -> McpServerPlugin:
    """Check a ``[mcp.servers.NAME]`` table and build its plugin (not yet connected)."""
    label = plugin_name(server)
    try:
        parsed = McpServerSettings.model_validate(settings)
    except ValidationError as exc:
        err = exc.errors()[0]
        key = ".".join(str(p) for p in err["loc"]) or "(table)"
        msg = str(err["msg"]).removeprefix("Value error, ")
        raise PluginError(label, f"invalid setting '{key}' in {where or 'plugins.toml'}: {msg}",
                          hint=f"fix [mcp.servers.{server}] (docs/mcp.md)") from exc
    try:
        import mcp  # noqa: F401
    except ImportError as exc:
        raise PluginError(label, "the MCP SDK is not installed",
                          hint="pip install 'mcp>=1.30,<2' (lam's dependencies include it)"
                          ) from exc
    return McpServerPlugin(make_caps(label, parsed), server)
