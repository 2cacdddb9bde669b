"""Editing an argument before confirming goes through `Session.edit` (shared by the TUI's edit
key, the CLI and the Python API): the edited words are filled and verified like the user's."""

from __future__ import annotations

from datetime import datetime

import pytest

from assistant.runtime import Runtime
from assistant.session import EDITED, Session


def test_an_edited_time_is_normalized_and_becomes_pending(runtime: Runtime) -> None:
    runtime.model_factories = {1: lambda: None, 2: lambda: None}
    session = Session(runtime)
    first = session.propose("remind me to stretch tomorrow at 9am")
    assert [s.action for s in first.plan.steps] == ["set_reminder"]
    edited = session.edit(first, 0, "when", "tomorrow at 11am")
    when = datetime.fromisoformat(edited.plan.steps[0].args["when"])
    assert (when.day, when.hour) == (25, 11)
    assert EDITED in edited.plan.steps[0].sources["when"].note
    assert session.pending is edited and edited.runnable
    assert first.plan.steps[0].args["when"] != edited.plan.steps[0].args["when"]


def test_an_edit_the_verifier_rejects_is_not_runnable(runtime: Runtime) -> None:
    runtime.model_factories = {1: lambda: None, 2: lambda: None}
    session = Session(runtime)
    first = session.propose("remind me to stretch tomorrow at 9am")
    edited = session.edit(first, 0, "when", "2020-01-01T09:00:00+01:00")
    assert not edited.runnable


def test_an_edit_of_a_step_that_is_not_there_is_a_clear_error(runtime: Runtime) -> None:
    runtime.model_factories = {1: lambda: None, 2: lambda: None}
    session = Session(runtime)
    first = session.propose("remind me to stretch tomorrow at 9am")
    with pytest.raises(ValueError, match="no step 3: the plan has 1"):
        session.edit(first, 2, "when", "noon")
