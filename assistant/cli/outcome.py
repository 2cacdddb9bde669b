"""The end of every headless command, in one place: question / no action / rejected / dry run /
needs confirmation / run, each with its exit code, as text or JSON."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NoReturn

import click

from assistant.api import Assistant
from assistant.cli.common import echo_json
from assistant.execute import RunReport
from assistant.exit_codes import ExitCode
from assistant.planner.cascade import Proposal
from assistant.render import proposal_json, proposal_text, report_json, report_text

__all__ = ["Outcome"]


class Outcome:
    def __init__(self, ctx: click.Context, lam: Assistant, *, as_json: bool,
                 out: dict[str, Any] | None = None) -> None:
        self.ctx = ctx
        self.lam = lam
        self.as_json = as_json
        self.out: dict[str, Any] = out if out is not None else {}
        self.header: str | None = None
        """How the plan was made, when not by planning (a replay)."""

    def finish(self, status: str, code: ExitCode, message: str) -> NoReturn:
        self.out["status"] = status
        for failed in self.lam.runtime.loaded.failed():  # say why its actions are missing
            if failed.error is not None:
                click.echo(f"warning: {failed.error}", err=True)
        if self.as_json:
            echo_json(self.out)
        else:
            click.echo(message)
        self.ctx.exit(int(code))
        raise AssertionError("unreachable")  # ctx.exit raises

    def conclude(self, proposal: Proposal, *, yes: bool, dry_run: bool,
                 run: Callable[[], RunReport] | None = None,
                 where: str | None = None) -> NoReturn:
        """Say what happens to a proposal and exit with the matching code. ``where`` names
        what asked (an automation's file, step and line) in front of a question."""
        lam = self.lam
        confirmation = lam.confirmation(proposal)
        self.out.update(proposal_json(proposal, confirmation))
        shown = proposal_text(proposal, lam.runtime.registry, confirmation, self.header)
        kind = proposal.plan.kind.value
        if kind == "question":
            self.finish("question", ExitCode.NEEDS_ANSWER,
                        (f"{where} asks:\n" if where else "") + shown
                        + "\n(nothing ran: answer by rephrasing the request)")
        if kind != "actions":
            self.finish("no_action", ExitCode.PLANNING_FAILED,
                        (f"{where}: " if where else "") + shown)
        if proposal.blocked:
            self.finish("rejected", ExitCode.VERIFICATION_FAILED,
                        shown + "\nnothing ran: the verifier rejected the plan")
        if dry_run:
            previews = lam.dry_run(proposal)
            self.out["dry_run"] = [p.model_dump(mode="json") for p in previews]
            self.finish("dry_run", ExitCode.OK, shown + "\ndry run — nothing ran:\n" +
                        "\n".join(f"  {p.index + 1}. {p.description}" for p in previews))
        if confirmation.needed and not yes:
            self.finish("needs_confirmation", ExitCode.NEEDS_CONFIRMATION,
                        shown + "\nnothing ran: this plan needs confirmation ("
                        + "; ".join(confirmation.reasons) + "); run again with --yes")
        report = run() if run is not None else lam.run(proposal, confirmed=True)
        self.out["report"] = report_json(report)
        self.out["model_calls"] = lam.runtime.model_calls()
        text = shown + "\n" + report_text(report)
        repairs = [s.repair_diff for s in report.steps if s.repair_diff]
        if repairs:
            text += "\nrepaired:\n" + "\n".join(repairs)
        self.finish("done" if report.ok else "failed",
                    ExitCode.OK if report.ok else ExitCode.EXECUTION_FAILED, text)
