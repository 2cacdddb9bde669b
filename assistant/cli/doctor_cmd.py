"""`lam doctor`: check what lam needs and say what to do about each problem.

Each check is ``ok``, ``warn`` (optional: lam works without it) or ``FAIL`` (lam, or a plugin
that is enabled, cannot work); the command exits 1 only when something FAILs."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from enum import StrEnum

import click

from actions.errors import ConfigError
from assistant.cli.common import options_of
from assistant.plugin_loader import PluginState
from assistant.runtime import Runtime

__all__ = ["Check", "Level", "doctor", "run_checks"]


class Level(StrEnum):
    OK = "ok"
    WARN = "warn"
    FAIL = "FAIL"


@dataclass
class Check:
    name: str
    level: Level
    detail: str
    fix: str = ""

    @property
    def ok(self) -> bool:
        return self.level is not Level.FAIL


def _chromium(configured: str = "") -> str | None:
    for candidate in (configured, os.environ.get("LAM_CHROMIUM", ""), "/usr/bin/chromium",
                      shutil.which("chromium") or "", shutil.which("chromium-browser") or "",
                      shutil.which("google-chrome") or ""):
        if candidate and os.path.exists(candidate):
            return candidate
    return None


def _browser_check(runtime: Runtime) -> Check | None:
    """FAIL when the browser plugin is enabled and cannot start a browser (None when the plugin
    failed to load: that is reported as its own check)."""
    pconf = runtime.config.plugins.get("browser")
    if pconf is None or not pconf.enabled or not runtime.options.plugins:
        return Check("browser", Level.OK, "not needed ([plugins.browser] is disabled)")
    if pconf.settings.get("cdp_url"):
        return Check("browser", Level.OK, f"attaches to {pconf.settings['cdp_url']}")
    plugin = runtime.loaded.plugins.get("browser")
    if plugin is None:
        return None
    problems = plugin.doctor()
    found = _chromium(str(pconf.settings.get("executable") or ""))
    if not problems:
        return Check("browser", Level.OK, found or "Playwright's Chromium")
    return Check("browser", Level.FAIL, problems[0],
                 "install it: `apt-get install chromium` (Debian/Ubuntu), or set LAM_CHROMIUM "
                 "or [plugins.browser] executable to a Chrome/Chromium binary, or set "
                 "[plugins.browser] cdp_url to attach to a browser you run, or set "
                 "[plugins.browser] enabled = false")


def _model_check(runtime: Runtime, tier: int) -> Check:
    label = "model" if tier == 1 else "large model"
    lam = runtime.config.lam
    name = lam.model if tier == 1 else lam.large_model
    endpoint = getattr(lam, "endpoint" if tier == 1 else "large_endpoint", "")
    if endpoint:
        from assistant.endpoints import check_endpoint

        found = check_endpoint(runtime, tier)
        if found is not None:
            level = {"ok": Level.OK, "warn": Level.WARN}.get(found.level, Level.FAIL)
            return Check(f"{label} endpoint", level, found.detail, found.fix)
    if not name:
        if tier == 2:
            return Check(label, Level.OK, "none configured (no tier 2)")
        return Check(label, Level.WARN, "none configured: only sentence templates plan requests",
                     "set [lam] model (see `lam models list`) and `lam models pull` it")
    why = ""
    if tier == 1:
        # which model plans, and why: the shipped MoE or the dense model (docs/moe.md)
        choice = runtime.planner_choice(verify=True)
        name, why = choice.model, choice.line()
    try:
        from models.store import ModelStore

        path = ModelStore(runtime.paths.models_dir).resolve(name)
        return Check(label, Level.OK, why or f"{name}: {path}")
    except ImportError as exc:
        return Check(label, Level.FAIL, f"model runtime unavailable: {exc}",
                     "reinstall lam: pip install -e .")
    except Exception as exc:
        fix = getattr(exc, "hint", None) or f"run `lam models pull {name}`"
        detail = f"{name}: {exc}".splitlines()[0] + (f"; {why}" if why else "")
        if tier == 2:
            return Check(label, Level.WARN, detail + " (tier 2 is off until it is pulled)", fix)
        return Check(label, Level.FAIL, detail, fix)


def _shipped_check(runtime: Runtime) -> Check | None:
    """A warning when the shipped experts are damaged or missing (the hint: how to rebuild
    them); None when they are fine or none are shipped."""
    if runtime.config.lam.endpoint:
        return None
    problem = runtime.planner_choice().problem
    if problem is None:
        return None
    return Check("shipped experts", Level.WARN, problem.message.splitlines()[0],
                 problem.hint or "")


def _plugin_checks(runtime: Runtime) -> list[Check]:
    checks = []
    for status in runtime.loaded.statuses:
        if status.state is PluginState.FAILED and status.error is not None:
            checks.append(Check(f"plugin {status.name}", Level.FAIL, status.error.message,
                                status.error.hint or ""))
    for name, plugin in runtime.loaded.plugins.items():
        if name == "browser":
            continue  # the browser check above
        try:
            problems = plugin.doctor()
        except Exception as exc:  # doctor reports, never raises
            problems = [f"its doctor check failed: {type(exc).__name__}: {exc}"]
        if not problems:
            checks.append(Check(f"plugin {name}", Level.OK, "loaded"))
        # A loaded plugin works; what its doctor notes is optional (mail not configured yet,
        # no notify-send): a warning each.
        checks += [Check(f"plugin {name}", Level.WARN, p) for p in problems]
    return checks


def run_checks(runtime: Runtime, config: list[Check] | None = None) -> list[Check]:
    """Every check; ``config`` replaces the config check (its failures, when it did not load
    and ``runtime`` runs on the shipped settings)."""
    checks = list(config) if config else [
        Check("config", Level.OK, ", ".join(runtime.config.files) or "defaults only")]
    checks += [
        Check("user config", Level.OK, f"{runtime.paths.user_config} "
              f"({'present' if runtime.paths.user_config.exists() else 'not created yet'})"),
    ]
    writable = os.access(runtime.paths.data_dir, os.W_OK)
    checks.append(Check("data dir", Level.OK if writable else Level.FAIL,
                        str(runtime.paths.data_dir),
                        "" if writable else f"make {runtime.paths.data_dir} writable or set "
                                            "LAM_HOME"))
    browser = _browser_check(runtime)
    if browser is not None:
        checks.append(browser)
    checks.append(_model_check(runtime, 1))
    shipped = _shipped_check(runtime)
    if shipped is not None:
        checks.append(shipped)
    checks.append(_model_check(runtime, 2))
    return checks + _plugin_checks(runtime)


def _config_failure(exc: ConfigError) -> list[Check]:
    problems = getattr(exc, "problems", None)
    if not problems:
        return [Check("config", Level.FAIL, exc.message, exc.hint or "")]
    return [Check("config", Level.FAIL, str(p)) for p in problems]


@click.command(epilog="Each check is ok, warn or FAIL. warn: something optional is missing and "
                      "lam works without it (notify-send, mail not configured yet, the large "
                      "model not pulled). FAIL: something lam needs is broken (the config, the "
                      "planning model, Chromium while the browser plugin is enabled, a plugin "
                      "that cannot load, the data dir). Exit status: 0 when nothing FAILs "
                      "(warnings allowed), 1 when something does.")
@click.pass_context
def doctor(ctx: click.Context) -> None:
    """Check config, data dir, Chromium, models and plugins; say how to fix each problem."""
    options = options_of(ctx)
    failures: list[Check] = []
    try:
        runtime = Runtime(options)
    except ConfigError as exc:
        # Report every config problem, then check the rest with the shipped settings.
        from assistant.config import load_config
        from assistant.paths import shipped_config_path

        failures = _config_failure(exc)
        runtime = Runtime(options, config=load_config(shipped_config_path()))
        click.echo("(the config does not load: the other checks use the shipped settings)")
    ctx.call_on_close(runtime.close)
    checks = run_checks(runtime, failures)
    for check in checks:
        click.echo(f"[{check.level.value:<4}] {check.name:<18} {check.detail}")
        if check.fix and check.level is not Level.OK:
            click.echo(f"{'':>7}{'':<18} fix: {check.fix}")
    failed = sum(c.level is Level.FAIL for c in checks)
    warned = sum(c.level is Level.WARN for c in checks)
    if failed:
        click.echo(f"{failed} problem(s) that stop lam working, {warned} warning(s)")
    else:
        click.echo(f"lam works; {warned} warning(s) about optional things" if warned
                   else "all good")
    ctx.exit(1 if failed else 0)
