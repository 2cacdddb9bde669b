"""What an action handler receives when it runs (or when its conditions are checked)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from actions.entities import Entity

__all__ = ["ActionContext"]


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class ActionContext:
    """Run-time context of one step: clock, zone, the entities in scope and an idempotency key.

    The key is stable for one journaled step: a handler with an external effect passes it to the
    outside world (a Message-ID, a job id) so that a retry after a crash is recognised, not redone.
    """

    clock: Callable[[], datetime] = _utc_now
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))
    entities: Mapping[str, Entity] = field(default_factory=dict)
    idempotency_key: str = ""
    dry_run: bool = False

    def now(self) -> datetime:
        return self.clock().astimezone(self.tz)

    def entity(self, entity_id: str) -> Entity | None:
        return self.entities.get(entity_id)
