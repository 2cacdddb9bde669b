"""`lam plan --tools`: function calling over any tools. The model sees every tool with its
parameters (types, descriptions, enums, defaults, nested fields) in a compact form and writes
calls, constrained by a grammar built from the tools' own JSON schemas, so a call names a real
tool and its arguments have the declared shape. Whether any tool fits is the model's decision,
made with the schemas in view: it may call the pseudo-function `no_function_fits` (no
word-overlap gate); optionally (``judge``) it takes a second look at each function it called,
shown on its own (`function_fits`)."""

from __future__ import annotations

import json
import re
import time
from datetime import datetime
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field

from assistant.external_tools import Tool
from assistant.fan_out import fan_out
from assistant.value_grounding import (
    invented,
    named_flags,
    rates_as_fractions,
    unused_values,
    without_invented,
)

__all__ = ["ToolCall", "ToolPlan", "ToolPlanKind", "call_schema", "function_fits",
           "openai_message", "plan_tool_calls", "tools_prompt"]

MAX_CALLS = 8
_DESC = 240
"""Characters of a tool's description shown to the model (parameters: a third of it)."""

NONE = "no_function_fits"
"""The pseudo-function the model calls when no function fits (renamed if a tool has the name):
deciding "no call" is then a choice among function names, made with the schemas in view."""

RULES = """You call functions for the user. The functions you can call are listed below.
Answer with a JSON list of calls, each {FUNCTION: {ARGUMENTS}}: [{"name": {"arg": value}}, ...]
- One call for each thing the request asks to do; several calls when it asks for several
  (for example the same function for each city or each value).
- Use only the functions and argument names listed. Give every required argument.
- Leave out optional arguments the request does not mention.
- Take values from the request: copy names, places, numbers and text as written; use the
  listed allowed values and types.
- Do not work out the result yourself: the function does that. Call it.
"""


JUDGE = """You check a function call. Given a function and a user request, say whether calling \
this function does what the user asks: answer true if it does, false if the function does \
something else or cannot answer the request."""
"""The second look at a call (`function_fits`): one function at a time, answered true/false."""


class ToolPlanKind(StrEnum):
    CALLS = "calls"
    REPLY = "reply"
    QUESTION = "question"
    INVALID = "invalid"


class ToolCall(BaseModel):
    """One call: the tool's real name (dots and all) and its arguments."""

    name: str
    arguments: dict[str, Any] = Field(default_factory=dict)


class ToolPlan(BaseModel):
    """What `plan_tool_calls` decided. ``reply`` says that no function fits (kind reply), asks
    about an ambiguous value (kind question) or says why the calls were refused (invalid)."""

    request: str
    kind: ToolPlanKind
    calls: list[ToolCall] = Field(default_factory=list)
    reply: str | None = None
    raw: str = ""
    confidence: float | None = None
    seconds: float = 0.0


# -- what the model reads ---------------------------------------------------------------------
def _short(text: Any, limit: int) -> str:
    words = re.sub(r"\s+", " ", str(text or "")).strip()
    return words if len(words) <= limit else words[: limit - 1].rstrip() + "…"


def _resolve(schema: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/"):
        node: Any = root
        for part in ref[2:].split("/"):
            node = node.get(part, {}) if isinstance(node, dict) else {}
        if isinstance(node, dict):
            return {**node, **{k: v for k, v in schema.items() if k != "$ref"}}
    return schema


def _type_text(schema: dict[str, Any], root: dict[str, Any]) -> str:
    """A compact type: ``string``, ``integer|null``, ``"a"|"b"``, ``array of object``."""
    schema = _resolve(schema, root)
    if "const" in schema:
        return json.dumps(schema["const"], ensure_ascii=False)
    if "enum" in schema:
        return "|".join(json.dumps(v, ensure_ascii=False) for v in schema["enum"])
    for key in ("anyOf", "oneOf"):
        if isinstance(schema.get(key), list):
            return "|".join(_type_text(s, root) for s in schema[key] if isinstance(s, dict))
    kind = schema.get("type")
    if isinstance(kind, list):
        kinds = [k for k in kind if isinstance(k, str)]
        return "|".join(_type_text({**schema, "type": k}, root) for k in kinds)
    if kind == "array":
        items = schema.get("items")
        inner = _type_text(items, root) if isinstance(items, dict) else "any"
        return f"array of {inner}" if "|" not in inner else f"array of ({inner})"
    if kind is None:
        return "object" if "properties" in schema else "any"
    fmt = schema.get("format")
    return f"{kind} ({fmt})" if fmt else str(kind)


def _fields(schema: dict[str, Any], root: dict[str, Any], indent: str, depth: int) -> list[str]:
    schema = _resolve(schema, root)
    props = schema.get("properties")
    if not isinstance(props, dict):
        return []
    required = set(schema.get("required") or [])
    lines = []
    for name, raw in props.items():
        prop = _resolve(raw if isinstance(raw, dict) else {}, root)
        bits = [_type_text(prop, root), "required" if name in required else "optional"]
        if "default" in prop:
            bits.append(f"default {json.dumps(prop['default'], ensure_ascii=False)}")
        line = f"{indent}{name} ({', '.join(bits)})"
        if prop.get("description"):
            line += ": " + _short(prop["description"], _DESC // 2)
        lines.append(line)
        nested = prop
        if prop.get("type") == "array" and isinstance(prop.get("items"), dict):
            nested = _resolve(prop["items"], root)
        for key in ("anyOf", "oneOf"):
            for alt in nested.get(key) or []:
                if isinstance(alt, dict) and "properties" in _resolve(alt, root):
                    nested = _resolve(alt, root)
        if depth < 3 and isinstance(nested.get("properties"), dict):
            lines.extend(_fields(nested, root, indent + "  ", depth + 1))
    return lines


def _none_name(tools: list[Tool]) -> str:
    wires = {t.wire for t in tools}
    name, n = NONE, 1
    while name in wires:
        n += 1
        name = f"{NONE}_{n}"
    return name


def tools_prompt(tools: list[Tool]) -> str:
    """The system prompt: the rules, then each tool (wire name, description, parameters)."""
    parts = [RULES, "", "Functions:"]
    for tool in tools:
        head = f"{tool.wire}: {_short(tool.description, _DESC)}" if tool.description \
            else tool.wire
        parts.append(head)
        parts.extend(_fields(tool.parameters, tool.parameters, "  ", 0) or ["  (no arguments)"])
    parts.append(f"{_none_name(tools)}: call this only for small talk or a request that no "
                 "function above can do.\n  (no arguments)")
    return "\n".join(parts)


def function_fits(model: Any, tool: Tool, request: str) -> bool:
    """The model's second look at a function it called: shown only that function, does it do
    what the request asks? A small model writing calls picks a near-miss function rather
    than none (BFCL irrelevance: a triangle's area by a body-mass-index function); asked
    about one function on its own, it says false for most of them (BFCL dev: 9 of 20
    irrelevant requests, 2 of 40 relevant ones). An unreadable answer counts as a fit."""
    head = f"{tool.wire}: {_short(tool.description, _DESC)}" if tool.description else tool.wire
    lines = [head, *(_fields(tool.parameters, tool.parameters, "  ", 0) or ["  (no arguments)"])]
    user = ("Function:\n" + "\n".join(lines) + f"\n\nRequest: {request}\n\n"
            "Does this function do what the request asks?")
    text, _ = model.plan_json(JUDGE, user, {"type": "boolean"}, 4)
    try:
        return json.loads(text) is not False
    except ValueError:
        return True


# -- what the model may write -----------------------------------------------------------------
_DROP = {"description", "title", "examples", "default", "format", "$comment", "deprecated",
         "readOnly", "writeOnly", "$schema", "$id", "contentMediaType", "contentEncoding"}
_SUB_SCHEMAS = ("items", "additionalProperties", "not", "contains", "propertyNames")
_SUB_LISTS = ("anyOf", "oneOf", "allOf", "prefixItems")


def _for_grammar(schema: Any, relaxed: bool, value_chars: int | None = None) -> Any:
    """The schema the grammar is built from: no prose, formats read in code, extra object keys
    refused (a model must not invent argument names). ``relaxed`` also drops the keywords a
    grammar may fail to compile (patterns, lengths): the arguments are still validated.
    ``value_chars`` bounds a free string (no enum, const or pattern) and, by about a word per
    item, a list: a small model can loop inside a value it makes up ("1.0.0-beta.10000…",
    ``["12345", "67890", "12345", …]``) until the token limit, and a value longer than the
    request was not taken from it (`value_grounding` drops it once it is closed)."""
    if not isinstance(schema, dict):
        return schema
    drop = _DROP | ({"pattern", "minLength", "maxLength", "minimum", "maximum",
                     "exclusiveMinimum", "exclusiveMaximum", "uniqueItems"} if relaxed else set())
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in drop:
            continue
        if key in ("properties", "$defs", "definitions") and isinstance(value, dict):
            out[key] = {k: _for_grammar(v, relaxed, value_chars) for k, v in value.items()}
        elif key in _SUB_LISTS and isinstance(value, list):
            out[key] = [_for_grammar(v, relaxed, value_chars) for v in value]
        elif key in _SUB_SCHEMAS and isinstance(value, dict):
            out[key] = _for_grammar(value, relaxed, value_chars)
        else:
            out[key] = value
    if value_chars is not None and out.get("type") == "string" \
            and not {"enum", "const", "pattern"} & out.keys():
        out["maxLength"] = min(value_chars, out.get("maxLength", value_chars))
    if value_chars is not None and out.get("type") == "array" and "prefixItems" not in out:
        items = max(10, value_chars // 8)  # about one item per word of the request
        out["maxItems"] = min(items, out.get("maxItems", items))
    if schema.get("nullable") is True and "type" in out:  # OpenAPI 3.0 style
        kinds = out["type"] if isinstance(out["type"], list) else [out["type"]]
        out["type"] = [*kinds, "null"]
        out.pop("nullable", None)
    if (out.get("type") == "object" or "properties" in out) and "properties" in out \
            and "additionalProperties" not in out:
        out["additionalProperties"] = False
    return out


def _inline(schema: Any, root: dict[str, Any], depth: int = 0) -> Any:
    """``$ref`` to ``#/...`` replaced by what it points at (a recursive one stops at any
    value after four levels)."""
    if isinstance(schema, list):
        return [_inline(v, root, depth) for v in schema]
    if not isinstance(schema, dict):
        return schema
    if "$ref" in schema:
        if depth >= 4:
            return {}
        return _inline(_resolve(schema, root), root, depth + 1)
    return {k: (v if k in ("const", "enum", "default", "examples") else _inline(v, root, depth))
            for k, v in schema.items() if k not in ("$defs", "definitions")}


def call_schema(tools: list[Tool], *, relaxed: bool = False, max_calls: int = MAX_CALLS,
                value_chars: int | None = None) -> dict[str, Any]:
    """A JSON schema for the model's output: ``[{WIRE_NAME: {ARGUMENTS}}, ...]`` (one key per
    call, so no key order matters), or ``[{NONE: {}}]`` when no function fits. A free string
    value is at most ``value_chars`` long (`value_chars_for`)."""
    def one(name: str, arguments: dict[str, Any]) -> dict[str, Any]:
        return {"type": "object", "properties": {name: arguments}, "required": [name],
                "additionalProperties": False}

    calls = [one(tool.wire, _for_grammar(_inline(tool.parameters, tool.parameters), relaxed,
                                         value_chars)) for tool in tools]
    none = {"type": "array", "minItems": 1, "maxItems": 1, "items": one(_none_name(tools), {
        "type": "object", "properties": {}, "additionalProperties": False})}
    if not calls:
        return none
    listed = {"type": "array", "minItems": 1, "maxItems": max_calls,
              "items": {"anyOf": calls} if len(calls) > 1 else calls[0]}
    return {"anyOf": [listed, none]}


def value_chars_for(request: str) -> int:
    """How long a free string value may be for ``request``: the request's length and some
    slack (a value is copied from the request, or rewritten a little: "Jan 5" -> "2027-01-05"),
    never under 64 characters."""
    return max(64, len(request) + 32)


# -- planning ---------------------------------------------------------------------------------
_CUT = "the model's output is not complete JSON"
NO_FIT = "No function fits this request."


def _any_fits(model: Any, tools: list[Tool], calls: list[ToolCall], request: str) -> bool:
    """Whether the model says any of the called functions does what the request asks (asked
    in call order, until one does)."""
    by_name = {t.name: t for t in tools}
    for name in dict.fromkeys(c.name for c in calls):
        tool = by_name.get(name)
        if tool is None or function_fits(model, tool, request):
            return True
    return False


class _Ask(Exception):
    """A value is ambiguous: ask, do not guess."""


def _times(tool: Tool, arguments: dict[str, Any], now: datetime | None,
           tz: ZoneInfo | None) -> str | None:
    """Top-level ``format: date-time`` arguments in words ("tomorrow at 9") become ISO
    date-times, read by code; None, or why a time could not be read."""
    if now is None or tz is None:
        return None
    from assistant.normalize.times import AmbiguousTime, TimeParseError, parse_when

    props = tool.parameters.get("properties") or {}
    for key, value in list(arguments.items()):
        prop = props.get(key)
        if not (isinstance(prop, dict) and prop.get("format") == "date-time"
                and isinstance(value, str)):
            continue
        when = parse_when(value, now, tz)
        if isinstance(when, TimeParseError):
            return f"{tool.name}.{key}: cannot read the time {value!r} ({when.message})"
        if isinstance(when, AmbiguousTime):
            raise _Ask(f"{tool.name}.{key} {value!r}: {when.message}")
        arguments[key] = when.isoformat()
    return None


def _complete_items(text: str) -> list[Any]:
    """The items of a JSON list cut off by the token limit that were written in full (a model
    that repeats its call until the limit has written the call it meant first)."""
    decoder = json.JSONDecoder()
    items: list[Any] = []
    at = text.find("[") + 1
    if at == 0 or text[:at - 1].strip():
        return []
    while True:
        while at < len(text) and text[at] in " \t\r\n,":
            at += 1
        try:
            item, at = decoder.raw_decode(text, at)
        except ValueError:
            return items
        items.append(item)


def _read(text: str, tools: list[Tool], now: datetime | None,
          tz: ZoneInfo | None) -> tuple[list[ToolCall], str | None, str | None]:
    """(calls, reply, why the output is unusable). Of an output the token limit cut off, the
    calls written in full are read."""
    try:
        data = json.loads(text)
    except ValueError:
        data = _complete_items(text)
        if not data:
            return [], None, _CUT + " (a value ran on past the token limit?)"
    by_wire = {t.wire: t for t in tools}
    none = _none_name(tools)
    calls: list[ToolCall] = []
    for item in data if isinstance(data, list) else []:
        if not (isinstance(item, dict) and len(item) == 1):
            return [], None, f"not a call: {item!r}"
        (wire, arguments), = item.items()
        if wire == none:
            return [], NO_FIT, None
        tool = by_wire.get(wire)
        if tool is None or not isinstance(arguments, dict):
            return [], None, f"unknown function {wire!r}"
        arguments = dict(arguments)
        why = _times(tool, arguments, now, tz) or tool.check(arguments)
        if why:
            return [], None, why
        calls.append(ToolCall(name=tool.name, arguments=arguments))
    if not calls:
        return [], None, "the model wrote no call"
    return calls, None, None


def _fanned(request: str, calls: list[ToolCall], tools: list[Tool]) -> list[ToolCall]:
    """`assistant.fan_out`: one call per value the request lists, when the model wrote fewer;
    kept only if every new call passes its tool's schema."""
    by_name = {t.name: t for t in tools}
    written = [(c.name, c.arguments) for c in calls]
    more = fan_out(request, written)
    if more == written or any(by_name[name].check(arguments) for name, arguments in more):
        return calls
    return [ToolCall(name=name, arguments=arguments) for name, arguments in more]


def _unique(calls: list[ToolCall]) -> list[ToolCall]:
    """The calls less exact repeats (a small model may loop on the same call)."""
    seen: list[ToolCall] = []
    for call in calls:
        if call not in seen:
            seen.append(call)
    return seen


def _grounded(request: str, calls: list[ToolCall],
              tools: list[Tool]) -> tuple[list[ToolCall], str | None]:
    """`assistant.value_grounding`: optional values the request does not give are dropped; a
    call with a required one it does not give is dropped too when other calls stand (a small
    model adds a made-up call to real ones), else (no calls, a question saying what the model
    wrote)."""
    by_name = {t.name: t for t in tools}
    kept: list[ToolCall] = []
    asks: list[str] = []
    for call in calls:
        tool = by_name[call.name]
        missing = invented(tool.parameters, tool.description, call.arguments, request)
        if missing:
            one = len(missing) == 1
            written = ", ".join(f"{name} {json.dumps(call.arguments[name], ensure_ascii=False)}"
                                for name in missing)
            asks.append(f"{call.name} needs {', '.join(missing)}: the request does not say "
                        f"{'it' if one else 'them'} (the model wrote {written}). What should "
                        f"{'it' if one else 'they'} be?")
            continue
        arguments = without_invented(tool.parameters, tool.description, call.arguments,
                                     request)
        arguments = rates_as_fractions(tool.parameters, arguments, request)
        arguments = named_flags(tool.parameters, arguments, request)
        kept.append(ToolCall(name=call.name, arguments=arguments))
    return (_unique(kept), None) if kept else ([], asks[0])


MORE_CALLS = 3
"""Calls added at most, one at a time, for values the request writes that no call takes."""


def _continued(model: Any, system: str, request: str, calls: list[ToolCall],
               tools: list[Tool], schema: dict[str, Any], max_tokens: int,
               now: datetime | None, tz: ZoneInfo | None) -> list[ToolCall]:
    """One more call while the request writes values that no call takes ("3 and 4, 5 and
    12": one call for the first pair): the model's calls so far are fixed by the grammar
    (``prefixItems`` of ``const``) and it writes the next one. Kept only if it takes one of
    those values and repeats no call; a small model writes one call where a request asks
    for several, and told the values it left out, repeats or invents others."""
    from models.errors import BackendError

    by_name = {t.name: t for t in tools}
    items = schema["anyOf"][0]["items"]  # one call, as the first answer was constrained
    for _ in range(MORE_CALLS):
        left = unused_values(request, [c.arguments for c in calls])
        if not left or len(calls) >= MAX_CALLS:
            break
        prefix = [{by_name[c.name].wire: c.arguments} for c in calls]
        schema = {"type": "array", "prefixItems": [{"const": p} for p in prefix],
                  "items": items, "minItems": len(prefix) + 1,
                  "maxItems": len(prefix) + 1}
        try:
            text, _ = model.plan_json(system, request, schema, max_tokens)
            more, _, why = _read(text, tools, now, tz)
        except (BackendError, _Ask):  # a grammar llama.cpp cannot take, an unclear time
            break
        if why or len(more) <= len(calls) or more[-1] in calls:
            break
        if len(unused_values(request, [c.arguments for c in more])) >= len(left):
            break
        calls = [*calls, more[-1]]
    return calls


def plan_tool_calls(model: Any, tools: list[Tool], request: str, *,
                    now: datetime | None = None, tz: ZoneInfo | None = None,
                    max_tokens: int = 320, repairs: int = 1, judge: bool = False,
                    ground: bool = True, more: bool = True) -> ToolPlan:
    """Ask ``model`` (a `PlannerModel`: ``plan_json(system, user, schema, max_tokens)``) for the
    calls ``request`` needs among ``tools``. Calls that break their schema go back to the
    model with the reason (``repairs`` times), then come back as kind ``invalid``. With
    ``judge`` (off by default: it also refuses some fitting calls, e.g. a weather function
    for "how cold is Oslo?"), calls whose functions the model, asked about each on its own,
    all says do not do what the request asks (`function_fits`) become "no function fits"."""
    from models.errors import BackendError

    started = time.perf_counter()
    system = tools_prompt(tools)
    user = request
    chars = value_chars_for(request)
    schema = call_schema(tools, value_chars=chars)
    text, confidence, why = "", None, None
    for attempt in range(repairs + 1):
        try:
            text, confidence = model.plan_json(system, user, schema, max_tokens)
        except BackendError as exc:
            if "grammar" not in str(exc) or attempt > 0:
                raise
            # e.g. a pattern llama.cpp cannot take
            schema = call_schema(tools, relaxed=True, value_chars=chars)
            text, confidence = model.plan_json(system, user, schema, max_tokens)
        try:
            calls, reply, why = _read(text, tools, now, tz)
        except _Ask as ask:
            return ToolPlan(request=request, kind=ToolPlanKind.QUESTION, reply=str(ask),
                            raw=text, confidence=confidence,
                            seconds=time.perf_counter() - started)
        done = dict(request=request, raw=text, confidence=confidence)
        if why is None and not calls:
            return ToolPlan(kind=ToolPlanKind.REPLY, reply=reply,
                            seconds=time.perf_counter() - started, **done)
        if why is None:
            if judge and not _any_fits(model, tools, calls, request):
                return ToolPlan(kind=ToolPlanKind.REPLY, reply=NO_FIT,
                                seconds=time.perf_counter() - started, **done)
            calls = _fanned(request, calls, tools)
            if more:
                calls = _continued(model, system, request, calls, tools, schema, max_tokens,
                                   now, tz)
            question = None
            if ground:  # sent back, a made-up value came back the same (BFCL dev: 0 of 10)
                calls, question = _grounded(request, calls, tools)
            return ToolPlan(kind=ToolPlanKind.CALLS if question is None else
                            ToolPlanKind.QUESTION, calls=calls, reply=question,
                            seconds=time.perf_counter() - started, **done)
        if why.startswith(_CUT):  # it ran out of tokens: asking again would repeat it
            break
        user = f"{request}\nYour previous answer {text} was rejected: {why}. Answer again."
    return ToolPlan(request=request, kind=ToolPlanKind.INVALID, reply=why, raw=text,
                    confidence=confidence, seconds=time.perf_counter() - started)


# -- output -----------------------------------------------------------------------------------
def openai_message(plan: ToolPlan) -> dict[str, Any]:
    """An OpenAI chat-completions assistant message: ``tool_calls`` with ``id``, ``type`` and
    ``function: {name, arguments}`` (arguments as a JSON string), or ``content`` when no call."""
    if not plan.calls:
        return {"role": "assistant", "content": plan.reply or ""}
    return {"role": "assistant", "content": None,
            "tool_calls": [{"id": f"call_{i}", "type": "function",
                            "function": {"name": c.name,
                                         "arguments": json.dumps(c.arguments,
                                                                 ensure_ascii=False)}}
                           for i, c in enumerate(plan.calls, 1)]}
