"""Helpers shared by the subcommands: building the runtime from the click context."""

from __future__ import annotations

import json
from typing import Any

import click

from assistant.runtime import Runtime, RuntimeOptions

__all__ = ["echo_json", "options_of", "runtime_from"]


def options_of(ctx: click.Context) -> RuntimeOptions:
    root = ctx.find_root()
    obj = root.obj
    if not isinstance(obj, RuntimeOptions):
        obj = RuntimeOptions()
        root.obj = obj
    return obj


def runtime_from(ctx: click.Context, **extras: Any) -> Runtime:
    options = options_of(ctx)
    options.extras.update({k: v for k, v in extras.items() if v is not None})
    runtime = Runtime(options)
    ctx.call_on_close(runtime.close)
    return runtime


def echo_json(value: Any) -> None:
    click.echo(json.dumps(value, indent=2, default=str))
