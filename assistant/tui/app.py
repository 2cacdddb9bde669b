"""`LamApp`: the terminal app. Conversation, plan, context and journal panes; every blocking
call (start-up, planning, running, undo, model pull) runs in a thread worker and reports back
with a message, so the input never waits."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Footer, Header, Input, TabbedContent, TabPane

from assistant.tui.commands import LamCommands
from assistant.tui.context_view import ContextView
from assistant.tui.conversation import Conversation
from assistant.tui.edit_screen import ArgEdit, EditArgScreen
from assistant.tui.history_input import HistoryInput
from assistant.tui.journal_view import JournalView
from assistant.tui.plan_view import PlanView
from assistant.tui.question import QuestionOptions
from assistant.tui.status import StatusLine

if TYPE_CHECKING:  # the app core is imported by the start-up worker, after the first paint
    from actions.plan import Plan
    from actions.spec import ActionSpec
    from assistant.execute import RunReport, StepOutcome
    from assistant.planner.cascade import Proposal
    from assistant.runtime import Runtime, RuntimeOptions
    from assistant.session import Confirmation, Session
    from assistant.tui.startup import StartupReport

__all__ = ["LamApp"]

SessionFactory = Callable[["Runtime"], "Session"]
StartupCheck = Callable[["Runtime"], "StartupReport"]


def _error_text(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text if hasattr(exc, "hint") else f"{type(exc).__name__}: {text}"


class LamApp(App[None]):
    """lam's terminal app. Give it a `Runtime` (tests) or `RuntimeOptions` (the CLI builds the
    runtime in a worker, after the first paint)."""

    TITLE = "lam"
    SUB_TITLE = "starting…"
    CSS_PATH = "app.tcss"
    COMMANDS = App.COMMANDS | {LamCommands}
    BINDINGS = [
        Binding("ctrl+z", "undo", "Undo last plan"),
        Binding("f2", "show_tab('context-tab')", "Context"),
        Binding("f3", "show_tab('journal-tab')", "Journal"),
        Binding("ctrl+q", "quit", "Quit", priority=True),
    ]
    COMMAND_HELP = {
        "help": "Show the commands and keys",
        "undo": "Undo the last plan through declared inverses",
        "journal": "Show what ran",
        "context": "Show what lam sees (ids you can refer to)",
        "save": "/save NAME — save the last plan that ran as an automation",
        "pull": "Download the default model (with progress)",
        "quit": "Leave lam",
    }

    # -- messages from workers ------------------------------------------------------------------
    class Ready(Message):
        """The session is built; start-up checks are done."""

        def __init__(self, session: Session, report: StartupReport) -> None:
            super().__init__()
            self.session = session
            self.report = report

    class Planned(Message):
        """A proposal (plan, question or answer) for the last request."""

        def __init__(self, proposal: Proposal, confirmation: Confirmation) -> None:
            super().__init__()
            self.proposal = proposal
            self.confirmation = confirmation

    class Ran(Message):
        """A plan (or an undo) ran."""

        def __init__(self, report: RunReport, plan: Plan | None) -> None:
            super().__init__()
            self.report = report
            self.plan = plan

    class Stepped(Message):
        """A step of the running plan finished (shown as it happens)."""

        def __init__(self, outcome: StepOutcome) -> None:
            super().__init__()
            self.outcome = outcome

    class Looked(Message):
        """A web task reads the page again before its next round."""

        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    class Failed(Message):
        """A worker failed: ``stage`` is start, planning, running, undo or pull."""

        def __init__(self, stage: str, error: BaseException) -> None:
            super().__init__()
            self.stage = stage
            self.error = error

    class Notified(Message):
        """The runtime notified the user (a reminder fired, a background job finished)."""

        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    class PullProgress(Message):
        """Progress of a model pull (``fraction`` 0..1)."""

        def __init__(self, stage: str, fraction: float, done: bool = False) -> None:
            super().__init__()
            self.stage = stage
            self.fraction = fraction
            self.done = done

    def __init__(self, options: RuntimeOptions | None = None, *, runtime: Runtime | None = None,
                 session_factory: SessionFactory | None = None,
                 startup_check: StartupCheck | None = None,
                 started_at: float | None = None) -> None:
        super().__init__()
        self.options = options
        self.runtime = runtime
        self._owns_runtime = runtime is None
        self.session_factory = session_factory
        self.startup_check = startup_check
        self.session: Session | None = None
        self.proposal: Proposal | None = None
        self.confirmation: Confirmation | None = None
        self.last_success: tuple[Plan, int | None] | None = None
        self.missing_model: str | None = None
        self.busy = False
        self.queued: str | None = None
        self.started_at = started_at if started_at is not None else time.perf_counter()
        self.first_paint: float | None = None
        self.steps_shown = 0
        """Steps of the running plan shown so far (a web task's later rounds included)."""
        """Seconds from ``started_at`` to the first refresh after mount."""

    # -- layout -----------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="main"):
            with Vertical(id="left"):
                yield Conversation(id="conversation")
                yield StatusLine(id="status")
                yield HistoryInput(placeholder="Ask lam… (/help for commands, ctrl+p palette)",
                                   id="request")
            with Vertical(id="right"):
                with VerticalScroll(id="plan-box"):
                    yield PlanView(id="plan")
                    yield QuestionOptions(id="options")
                with TabbedContent(initial="context-tab", id="tabs"):
                    with TabPane("Context", id="context-tab"), VerticalScroll():
                        yield ContextView(id="context")
                    with TabPane("Journal", id="journal-tab"), VerticalScroll():
                        yield JournalView(id="journal")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#conversation").border_title = "Conversation"
        self.query_one("#plan-box").border_title = "Plan"
        self.query_one(HistoryInput).focus()
        self.status.busy("starting lam (loading plugins)…")
        self.call_after_refresh(self._painted)
        self._start()

    def _painted(self) -> None:
        if self.first_paint is None:
            self.first_paint = time.perf_counter() - self.started_at

    def on_unmount(self) -> None:
        if self._owns_runtime and self.runtime is not None:
            self.runtime.close()

    # -- shortcuts to widgets -------------------------------------------------------------------
    @property
    def conversation(self) -> Conversation:
        return self.query_one(Conversation)

    @property
    def plan_view(self) -> PlanView:
        return self.query_one(PlanView)

    @property
    def status(self) -> StatusLine:
        return self.query_one(StatusLine)

    @property
    def input(self) -> HistoryInput:
        return self.query_one(HistoryInput)

    def action_specs(self) -> list[ActionSpec]:
        """The loaded actions (empty until the session is ready)."""
        return list(self.session.runtime.registry) if self.session else []

    # -- start-up ---------------------------------------------------------------------------------
    @work(thread=True, group="lam", exit_on_error=False)
    def _start(self) -> None:
        try:
            from assistant.runtime import Runtime, RuntimeOptions
            from assistant.session import Session
            from assistant.tui import render
            from assistant.tui.startup import check_startup

            del render  # imported here so that the UI thread finds it loaded
            runtime = self.runtime or Runtime(self.options or RuntimeOptions())
            self.runtime = runtime
            runtime.on_notify(self._runtime_notified)
            report = (self.startup_check or check_startup)(runtime)
            session = (self.session_factory or Session)(runtime)
            session.refresh_background()
        except Exception as exc:
            self.post_message(self.Failed("start", exc))
            return
        self.post_message(self.Ready(session, report))

    def on_lam_app_ready(self, message: Ready) -> None:
        self.session = message.session
        self.sub_title = "ready"
        self.status.idle()
        for note in message.report.notes:
            self.conversation.add("note", note)
        self.missing_model = message.report.model_missing
        if self.missing_model:
            self.conversation.add(
                "note", f"The default model {self.missing_model} is not on this machine yet. "
                "Requests that match a sentence template work now; type /pull to download "
                "it (progress shows below).")
        self.refresh_views()
        if self.queued:
            text, self.queued = self.queued, None
            self._submit(text)

    def _runtime_notified(self, text: str) -> None:
        """Runtime hook: fired reminders, finished jobs. Called from any thread (the scheduler's
        too); posting a message never blocks the caller, unlike call_from_thread."""
        self.post_message(self.Notified(text))

    def on_lam_app_notified(self, message: Notified) -> None:
        self._show_notification(message.text)

    def _show_notification(self, text: str) -> None:
        self.notify(text, title="lam")
        if self.session is not None and not self.busy:
            self.refresh_views()

    # -- input ------------------------------------------------------------------------------------
    @on(Input.Submitted, "#request")
    def _request_submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if not text:
            return
        if self.busy:
            self.notify("lam is still working on the last request.", severity="warning")
            if not self.input.value:
                self.input.value = text  # keep it for when lam is ready
            return
        self._submit(text)

    def _submit(self, text: str) -> None:
        if text.startswith("/"):
            self.run_command(text)
            return
        if self.session is None:
            self.queued = text
            self.conversation.add("request", text)
            self.conversation.add("note", "lam is still starting; the request runs when ready.")
            return
        awaiting = self.plan_view.awaiting and self.proposal is not None
        if awaiting and text.lower() in ("y", "yes") and self.plan_view.runnable:
            self.action_confirm_plan()
            return
        if awaiting and text.lower() in ("n", "no"):
            self.action_reject_plan()
            return
        self.conversation.add("request", text)
        self._close_question()
        self._set_busy("planning…")
        self._plan(text)

    def prefill(self, text: str) -> None:
        """Put text in the input (palette actions) and focus it."""
        self.input.value = text
        self.input.cursor_position = len(text)
        self.input.focus()

    def _set_busy(self, text: str) -> None:
        self.busy = True
        self.status.busy(text)

    def _set_idle(self) -> None:
        self.busy = False
        self.status.idle()

    # -- planning ---------------------------------------------------------------------------------
    @work(thread=True, group="lam", exit_on_error=False)
    def _plan(self, text: str) -> None:
        session = self.session
        assert session is not None
        try:
            proposal = session.propose(
                text, on_tier=lambda tier: self.call_from_thread(self._tier_started, tier))
            confirmation = session.confirmation(proposal)
        except Exception as exc:
            self.post_message(self.Failed("planning", exc))
            return
        self.post_message(self.Planned(proposal, confirmation))

    def _tier_started(self, tier: int) -> None:
        from assistant.tui.render import TIER_NAMES

        name = TIER_NAMES.get(tier, f"tier {tier}")
        more = " (then the model)" if tier == 0 else ""
        self.status.busy(f"planning · tier {tier} · {name}{more}…")

    def on_lam_app_planned(self, message: Planned) -> None:
        from actions.plan import PlanKind
        from assistant.tui.render import plan_text

        self._set_idle()
        session = self.session
        assert session is not None
        proposal, confirmation = message.proposal, message.confirmation
        self.proposal = proposal
        plan = proposal.plan
        entities = session.table.as_mapping()
        body = plan_text(proposal, session.runtime.registry, entities, confirmation)
        if plan.kind is PlanKind.QUESTION:
            options = "".join(f"\n  {i}. {o}" for i, o in enumerate(plan.options, 1))
            self.conversation.add("question", Text(f"{plan.question}{options}"))
            self.plan_view.show(body, awaiting=False, runnable=False)
            if plan.options:
                options_list = self.query_one(QuestionOptions)
                options_list.ask(plan.options)
                options_list.focus()
            else:
                self.input.focus()
            return
        if plan.kind is not PlanKind.ACTIONS:
            self.conversation.add("answer", Text(plan.answer or "No action fits this request."))
            self.plan_view.show(body, awaiting=False, runnable=False)
            self.input.focus()
            return
        if proposal.blocked:
            self.conversation.add("error", Text("The verifier rejected the plan; nothing ran: "
                                                + "; ".join(str(v) for v in proposal.blocked)))
            self.plan_view.show(body, awaiting=True, runnable=False)
            self.plan_view.focus()
            return
        self.confirmation = confirmation
        if not confirmation.needed:
            self._run_confirmed(proposal)
            return
        steps = len(plan.steps)
        self.conversation.add("answer", Text(
            f"Plan ready ({steps} step{'s' if steps != 1 else ''}) — "
            "y: run   e: edit an argument   n: reject"))
        self.plan_view.show(body, awaiting=True, runnable=proposal.runnable)
        self.plan_view.focus()

    # -- confirm / edit / reject ------------------------------------------------------------------
    @on(PlanView.Confirmed)
    def action_confirm_plan(self) -> None:
        if self.proposal is None or not self.proposal.runnable or self.busy:
            return
        self._run_confirmed(self.proposal)

    def _run_confirmed(self, proposal: Proposal) -> None:
        from assistant.tui.render import plan_text

        assert self.session is not None
        self.plan_view.show(plan_text(proposal, self.session.runtime.registry,
                                      self.session.table.as_mapping(), self.confirmation,
                                      awaiting=False), awaiting=False, runnable=False)
        self._set_busy(f"running {len(proposal.plan.steps)} step(s)…")
        self._run(proposal)

    @work(thread=True, group="lam", exit_on_error=False)
    def _run(self, proposal: Proposal) -> None:
        from assistant.observe_loop import PageProposal

        session = self.session
        assert session is not None
        # Each step is shown as it finishes when there is more than one (a one-step plan's
        # result says it all), and a web task's look at the page between its rounds.
        live = len(proposal.plan.steps) > 1 or (isinstance(proposal, PageProposal)
                                                and bool(proposal.rest))
        self.steps_shown = 0

        def stepped(outcome: StepOutcome) -> None:
            self.post_message(self.Stepped(outcome))

        def looked(text: str) -> None:
            self.post_message(self.Looked(text))

        try:
            report = session.run(proposal, on_step=stepped if live else None, on_note=looked)
        except Exception as exc:
            self.post_message(self.Failed("running", exc))
            return
        self.post_message(self.Ran(report, proposal.plan))

    def on_lam_app_stepped(self, message: Stepped) -> None:
        from assistant.tui.render import step_text

        self.steps_shown += 1
        self.conversation.add("step", step_text(message.outcome, self.steps_shown))
        self.status.busy(f"running · step {self.steps_shown} done…")

    def on_lam_app_looked(self, message: Looked) -> None:
        self.conversation.add("note", Text(message.text))
        self.status.busy("reading the page again…")

    def on_lam_app_ran(self, message: Ran) -> None:
        from assistant.tui.render import report_text

        self._set_idle()
        report = message.report
        self.conversation.add("result" if report.ok else "error", report_text(report))
        if report.ok and message.plan is not None:
            self.last_success = (message.plan, report.plan_id)
        self.proposal = None
        self.refresh_views()
        self.input.focus()

    @on(PlanView.Rejected)
    def action_reject_plan(self) -> None:
        if self.session is None or self.busy:
            return
        self.session.reject()
        self.proposal = None
        self.plan_view.clear()
        self.conversation.add("note", "Plan rejected — nothing ran.")
        self.input.focus()

    @on(PlanView.EditRequested)
    def action_edit_plan(self) -> None:
        if self.proposal is None or self.busy or not self.proposal.plan.steps:
            return
        self.push_screen(EditArgScreen(self.proposal.plan.steps), self._edited)

    def _edited(self, edit: ArgEdit | None) -> None:
        if edit is None or self.proposal is None:
            self.plan_view.focus()
            return
        self._set_busy("checking the edited plan…")
        self._replan(self.proposal, edit)

    @work(thread=True, group="lam", exit_on_error=False)
    def _replan(self, proposal: Proposal, edit: ArgEdit) -> None:
        session = self.session
        assert session is not None
        index, name, text = edit
        try:
            new = session.edit(proposal, index, name, text)
            confirmation = session.confirmation(new)
        except Exception as exc:
            self.post_message(self.Failed("planning", exc))
            return
        self.post_message(self.Planned(new, confirmation))

    # -- questions --------------------------------------------------------------------------------
    @on(QuestionOptions.Answered)
    def _answered(self, message: QuestionOptions.Answered) -> None:
        if self.busy or self.session is None:
            return
        self.conversation.add("request", message.text)
        self._close_question()
        self._set_busy("planning with your answer…")
        self._plan(message.text)

    @on(QuestionOptions.Dropped)
    def _dropped(self) -> None:
        self.action_reject_plan()
        self._close_question()

    def _close_question(self) -> None:
        self.query_one(QuestionOptions).close()

    # -- undo, views, commands --------------------------------------------------------------------
    def action_undo(self) -> None:
        if self.session is None or self.busy:
            return
        self.conversation.add("request", "/undo")
        self._set_busy("undoing the last plan…")
        self._undo()

    @work(thread=True, group="lam", exit_on_error=False)
    def _undo(self) -> None:
        session = self.session
        assert session is not None
        try:
            report = session.undo()
        except Exception as exc:
            self.post_message(self.Failed("undo", exc))
            return
        self.post_message(self.Ran(report, None))

    def action_show_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = tab
        self.refresh_views()

    def refresh_views(self) -> None:
        """Redraw the context and journal panes from the session."""
        if self.session is None:
            return
        self.query_one(ContextView).show(self.session.table.all())
        self.query_one(JournalView).show(self.session.runtime.journal)

    def run_command(self, text: str) -> None:
        """Run a slash command (/help, /undo, /journal, /context, /save NAME, /pull, /quit)."""
        name, _, arg = text.lstrip("/").partition(" ")
        name, arg = name.lower(), arg.strip()
        if name == "quit":
            self.exit()
        elif name == "help":
            self.conversation.add("note", self.help_text())
        elif name == "undo":
            self.action_undo()
        elif name in ("journal", "context"):
            self.action_show_tab(f"{name}-tab")
        elif name == "save":
            self._save(arg)
        elif name == "pull":
            self._start_pull()
        else:
            self.conversation.add("error", Text(f"unknown command /{name} — try /help"))

    def help_text(self) -> Text:
        out = Text("Commands:", style="bold")
        for name, help_text in self.COMMAND_HELP.items():
            out.append(f"\n  /{name:<8} {help_text}")
        out.append("\nKeys: y run the plan · e edit an argument · n/esc reject · "
                   "ctrl+z undo · f2 context · f3 journal · ctrl+p palette · "
                   "up/down history · ctrl+q quit", style="dim")
        return out

    def _save(self, name: str) -> None:
        if not name:
            self.conversation.add("error", Text("usage: /save NAME"))
        elif self.last_success is None or self.session is None:
            self.conversation.add("error", Text("nothing has run successfully yet to save"))
        else:
            from actions.errors import UserInputError
            from assistant.automations import check_saved_name

            journal = self.session.runtime.journal
            try:
                check_saved_name(name)
                if journal.automation(name) is not None:
                    raise UserInputError(f"an automation named {name!r} already exists: pick "
                                         f"another name (or lam saved rm {name})")
            except UserInputError as exc:
                self.conversation.add("error", Text(str(exc)))
                return
            plan, plan_id = self.last_success
            journal.save_automation(name, plan, plan_id)
            self.conversation.add("result", Text(f"saved “{plan.request}” as automation "
                                                 f"'{name}'"))

    # -- model pull -------------------------------------------------------------------------------
    def _start_pull(self) -> None:
        if self.runtime is None or self.busy:
            return
        name = self.missing_model or self.runtime.config.lam.model
        self._set_busy(f"pulling {name}…")
        self.status.progress(f"pulling {name}", 0.0)
        self._pull(name)

    @work(thread=True, group="lam", exit_on_error=False)
    def _pull(self, name: str) -> None:
        assert self.runtime is not None
        from assistant.tui.startup import pull_model

        last = [-1.0]

        def progress(stage: str, fraction: float) -> None:
            if fraction - last[0] >= 0.01 or stage != "download":
                last[0] = fraction
                self.post_message(self.PullProgress(stage, fraction))

        try:
            pull_model(self.runtime, name, progress)
        except Exception as exc:
            self.post_message(self.Failed("pull", exc))
            return
        self.post_message(self.PullProgress("done", 1.0, done=True))

    def on_lam_app_pull_progress(self, message: PullProgress) -> None:
        if message.done:
            self._set_idle()
            self.missing_model = None
            self.conversation.add("result", Text("The default model is ready."))
            return
        self.status.progress(f"pulling the model: {message.stage}", message.fraction)

    # -- failures ---------------------------------------------------------------------------------
    def on_lam_app_failed(self, message: Failed) -> None:
        self._set_idle()
        what = {"start": "lam could not start", "planning": "planning failed",
                "running": "the plan could not run", "undo": "undo failed",
                "pull": "the model could not be pulled"}.get(message.stage, message.stage)
        self.conversation.add("error", Text(f"{what}: {_error_text(message.error)}"))
        if message.stage == "start":
            self.sub_title = "not started"
        self.input.focus()

    def conversation_lines(self) -> Iterable[str]:
        return self.conversation.lines()
