"""`lam doctor`: check what lam needs and say what to do about each problem."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass

import click

from assistant.cli.common import runtime_from
from assistant.plugin_loader import PluginState
from assistant.runtime import Runtime

__all__ = ["Check", "doctor", "run_checks"]


@dataclass
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""


def _chromium_check() -> Check:
    for candidate in (os.environ.get("LAM_CHROMIUM", ""), "/usr/bin/chromium",
                      shutil.which("chromium") or "", shutil.which("chromium-browser") or "",
                      shutil.which("google-chrome") or ""):
        if candidate and os.path.exists(candidate):
            return Check("browser", True, candidate)
    return Check("browser", False, "no Chromium found",
                 "install it: `apt-get install chromium` (Debian/Ubuntu), or set LAM_CHROMIUM "
                 "to a Chrome/Chromium binary, or set [plugins.browser] cdp_url to attach to a "
                 "browser you run. Other plugins keep working without it.")


def _model_check(runtime: Runtime) -> Check:
    name = runtime.config.lam.model
    try:
        from models.store import ModelStore

        store = ModelStore(runtime.paths.models_dir)
        path = store.resolve(name)
        return Check("model", True, f"{name}: {path}")
    except ImportError as exc:
        return Check("model", False, f"model runtime unavailable: {exc}",
                     "reinstall lam: pip install -e .")
    except Exception as exc:
        return Check("model", False, f"{name}: {exc}".splitlines()[0],
                     getattr(exc, "hint", None) or f"run `lam models pull {name}`")


def run_checks(runtime: Runtime) -> list[Check]:
    checks = [
        Check("config", True, ", ".join(runtime.config.files) or "defaults only"),
        Check("user config", True, f"{runtime.paths.user_config} "
              f"({'present' if runtime.paths.user_config.exists() else 'not created yet'})"),
    ]
    for label, path in (("data dir", runtime.paths.data_dir),):
        writable = os.access(path, os.W_OK)
        checks.append(Check(label, writable, str(path),
                            "" if writable else f"make {path} writable or set LAM_HOME"))
    checks.append(_chromium_check())
    checks.append(_model_check(runtime))
    for status in runtime.loaded.statuses:
        if status.state is PluginState.FAILED and status.error is not None:
            checks.append(Check(f"plugin {status.name}", False, status.error.message,
                                status.error.hint or ""))
    for name, plugin in runtime.loaded.plugins.items():
        problems = plugin.doctor()
        checks.append(Check(f"plugin {name}", not problems, "loaded" if not problems else
                            problems[0], "; ".join(problems[1:])))
    return checks


@click.command()
@click.pass_context
def doctor(ctx: click.Context) -> None:
    """Check Chromium, the model file, config, data dirs and plugins; say how to fix each."""
    runtime = runtime_from(ctx)
    checks = run_checks(runtime)
    for check in checks:
        mark = "ok  " if check.ok else "FAIL"
        click.echo(f"[{mark}] {check.name:<18} {check.detail}")
        if not check.ok and check.fix:
            click.echo(f"{'':>7}{'':<18} fix: {check.fix}")
    bad = sum(not c.ok for c in checks)
    click.echo(f"{bad} problem(s)" if bad else "all good")
    ctx.exit(1 if bad else 0)
