"""Pilot tests of the main flows, planned by sentence templates (tier 0)."""

from __future__ import annotations

import pytest
from textual.widgets import Input

from assistant.runtime import Runtime
from assistant.tui.app import LamApp
from assistant.tui.context_view import ContextView
from assistant.tui.edit_screen import EditArgScreen
from assistant.tui.journal_view import JournalView
from assistant.tui.question import QuestionOptions
from tests.tui.conftest import SIZE, ask, ready, sink, wait_for

pytestmark = pytest.mark.anyio


def _plan_shown(app: LamApp) -> str:
    return app.plan_view.plain


async def test_request_plan_confirm_result(runtime: Runtime) -> None:
    app = LamApp(runtime=runtime)
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "message bob that the report is done")
        plan = app.plan_view
        assert plan.awaiting and plan.runnable and app.focused is plan
        shown = _plan_shown(app)
        assert "send_message" in shown and "SEND" in shown and "Bob Stone" in shown
        assert "from 'bob'" in shown
        assert sink(runtime) == []  # nothing runs before the user confirms
        await pilot.press("y")
        await wait_for(pilot, lambda: not app.busy and app.proposal is None)
        assert sink(runtime) == [{"to": "contact:bob", "body": "the report is done"}]
        lines = app.conversation.lines()
        assert lines[0] == "request: message bob that the report is done"
        assert lines[-1].startswith("result: ✓ 1. send_message: ok — sent to contact:bob")
        assert "send_message" in app.query_one(JournalView).plain


async def test_reference_to_a_context_item(runtime: Runtime) -> None:
    app = LamApp(runtime=runtime)
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "go to https://news.example/")  # read-only: runs without asking
        context = app.query_one(ContextView).plain
        assert "#2 Story 2" in context and "link:2" in context and "untrusted" in context
        await ask(pilot, "open the second link")
        assert sink(runtime) == [{"opened": "https://news.example/b"}]
        shown = _plan_shown(app)
        assert "Story 2" in shown and "untrusted: from page https://news.example/" in shown


async def test_clarifying_question_answered_by_option(runtime: Runtime) -> None:
    app = LamApp(runtime=runtime)
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "message alice that lunch is at noon")
        options = app.query_one(QuestionOptions)
        assert app.focused is options
        labels = [str(options.get_option_at_index(i).prompt)
                  for i in range(options.option_count)]
        assert sorted(labels) == ["Alice Chen", "Alice Park"]
        assert app.conversation.lines()[-1].startswith("question: ")
        await pilot.press(*["down"] * labels.index("Alice Chen"), "enter")
        await wait_for(pilot, lambda: not app.busy and app.plan_view.awaiting)
        assert not options.has_class("-open")
        assert "Alice Chen" in _plan_shown(app)
        await pilot.press("y")
        await wait_for(pilot, lambda: bool(sink(runtime)))
        assert sink(runtime) == [{"to": "contact:alice-chen", "body": "lunch is at noon"}]


async def test_rejected_plan_runs_nothing(runtime: Runtime) -> None:
    app = LamApp(runtime=runtime)
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "message bob that I quit")
        assert app.plan_view.awaiting
        await pilot.press("n")
        await pilot.pause()
        assert not app.plan_view.awaiting and app.proposal is None
        assert app.session is not None and app.session.pending is None
        assert app.conversation.lines()[-1] == "note: Plan rejected — nothing ran."
        assert sink(runtime) == [] and runtime.journal.plans() == []
        assert app.focused is app.input


async def test_undo_last_plan(runtime: Runtime) -> None:
    app = LamApp(runtime=runtime)
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "set a timer at 9pm")
        await pilot.press("y")
        await wait_for(pilot, lambda: not app.busy and len(sink(runtime)) == 1)
        assert "timer:plan1:0" in app.query_one(ContextView).plain
        await pilot.press("ctrl+z")
        await wait_for(pilot, lambda: not app.busy and len(sink(runtime)) == 2)
        assert sink(runtime)[1] == {"cancel": "timer:plan1:0"}
        assert "cancel_timer: ok" in app.conversation.lines()[-1]
        assert runtime.journal.plan(1).status == "undone"  # type: ignore[union-attr]


async def test_edit_an_argument_before_running(runtime: Runtime) -> None:
    app = LamApp(runtime=runtime)
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "message bob that hello")
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, EditArgScreen))
        await pilot.press("enter")  # pick the first argument: to
        field = app.screen.query_one("#edit-value", Input)
        field.value = ""
        await pilot.press(*"alice park", "enter")
        await wait_for(pilot, lambda: not app.busy and app.plan_view.awaiting)
        assert "Alice Park" in _plan_shown(app) and "edited by you" in _plan_shown(app)
        await pilot.press("y")
        await wait_for(pilot, lambda: bool(sink(runtime)))
        assert sink(runtime) == [{"to": "contact:alice-park", "body": "hello"}]


async def test_failed_run_is_shown_as_error(runtime: Runtime) -> None:
    app = LamApp(runtime=runtime)
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "archive photos")
        assert app.conversation.lines()[-1].startswith(
            "error: ✗ 1. archive: failed — cannot archive photos: disk full")


async def test_commands_history_and_save(runtime: Runtime) -> None:
    app = LamApp(runtime=runtime)
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "/save nothing")
        assert "nothing has run successfully" in app.conversation.lines()[-1]
        await ask(pilot, "go to https://news.example/")
        await ask(pilot, "/save news")
        assert runtime.journal.automation("news") is not None
        await ask(pilot, "/help")
        assert "/undo" in app.conversation.lines()[-1]
        await ask(pilot, "/journal")
        assert app.query_one("#tabs").active == "journal-tab"  # type: ignore[attr-defined]
        await pilot.press("up")
        assert app.input.value == "/journal"
        await pilot.press("up", "up")
        assert app.input.value == "/save news"
        await pilot.press("down", "down", "down")
        assert app.input.value == ""
        await pilot.press("ctrl+p")
        await pilot.press(*"undo")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_for(pilot, lambda: not app.busy and app.conversation.lines()[-2]
                       == "request: /undo")
        await ask(pilot, "/quit")
    assert app.return_code == 0


async def test_notifications_from_other_threads(runtime: Runtime) -> None:
    import threading

    app = LamApp(runtime=runtime)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await ready(pilot)
        worker = threading.Thread(target=runtime.notify, args=("reminder: call Bob",))
        worker.start()  # never join here: the pilot shares the app's event loop
        await wait_for(pilot, lambda: any(n.message == "reminder: call Bob"
                                          for n in app._notifications))


async def test_input_answers_while_starting(runtime: Runtime) -> None:
    """A request typed before the session is ready is queued and planned once it is."""
    import threading

    from assistant.session import Session

    release = threading.Event()

    def slow_session(rt: Runtime) -> Session:
        release.wait(30)
        return Session(rt)

    app = LamApp(runtime=runtime, session_factory=slow_session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"message bob that hi", "enter")
        assert app.session is None and app.queued == "message bob that hi"
        assert "starting lam" in app.status.text
        release.set()
        await wait_for(pilot, lambda: app.plan_view.awaiting)
        assert "Bob Stone" in app.plan_view.plain
