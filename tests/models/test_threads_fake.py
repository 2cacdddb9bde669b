from __future__ import annotations

import pytest

from models.backend import Backend
from models.errors import BackendError
from models.fake import FakeBackend
from models.threads import choose_threads
from models.types import Completion


@pytest.mark.parametrize(("setting", "cpus", "load", "expected"), [
    (3, 2, 5.0, 3), (0, 2, 0.1, 2), (0, 2, 0.9, 1), (0, 2, 4.0, 1), (0, 8, 2.4, 6)])
def test_choose_threads(setting: int, cpus: int, load: float, expected: int) -> None:
    assert choose_threads(setting, cpus=cpus, load=load) == expected


def test_fake_backend_returns_queued_responses_and_counts_calls() -> None:
    fake = FakeBackend(["plain text", {"action": "open"}, ValueError("boom")])
    assert isinstance(fake, Backend)
    first = fake.chat([{"role": "user", "content": "hi there"}])
    assert first.text == "plain text" and first.usage.prompt_tokens == 2
    pieces: list[str] = []
    second = fake.chat([{"role": "user", "content": "open"}], schema={"type": "object"},
                       on_text=pieces.append)
    assert second.parsed() == {"action": "open"} and "".join(pieces) == second.text
    assert fake.requests[1].options.json_schema == {"type": "object"}
    assert fake.requests[1].last_user == "open"
    with pytest.raises(ValueError, match="boom"):
        fake.chat([{"role": "user", "content": "x"}])
    with pytest.raises(BackendError):
        fake.chat([{"role": "user", "content": "x"}])
    assert fake.calls == 4


def test_fake_backend_default_and_completion_objects() -> None:
    done = Completion(text="{}", logprob_mean=-2.0, logprob_min=-3.0)
    fake = FakeBackend([done], default="again")
    chunks = list(fake.stream([{"role": "user", "content": "x"}]))
    assert chunks[-1].completion is done and chunks[-1].completion.confidence == -2.0
    assert fake.chat([{"role": "user", "content": "x"}]).text == "again"
    assert fake.calls == 2
