"""A small plugin for the TUI tests: a page with links, contacts, messages, timers, a failure."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from actions import (
    ActionContext,
    ActionResult,
    Effect,
    Entity,
    EntityRef,
    LongText,
    Plugin,
    Provenance,
    Scope,
    Sensitive,
    ShortText,
    Step,
    Url,
    When,
    action,
)

LINKS = ["https://news.example/a", "https://news.example/b", "https://news.example/c"]


def _cancel_inverse(params: BaseModel, result: ActionResult) -> Step:
    return Step(action="cancel_timer", args={"timer": result.output["id"]})


class TuiDemoPlugin(Plugin):
    name = "tuidemo"

    def _sink(self, record: dict[str, Any]) -> None:
        with Path(self.caps.data_dir / "sink.jsonl").open("a") as f:
            f.write(json.dumps(record) + "\n")

    def background_entities(self) -> list[Entity]:
        return [
            Entity(id="contact:alice-chen", type="contact", label="Alice Chen",
                   attributes={"email": "alice.chen@example.org"}, scope=Scope.BACKGROUND),
            Entity(id="contact:alice-park", type="contact", label="Alice Park",
                   attributes={"email": "alice.park@example.org"}, scope=Scope.BACKGROUND),
            Entity(id="contact:bob", type="contact", label="Bob Stone",
                   attributes={"email": "bob@example.org"}, scope=Scope.BACKGROUND),
        ]

    @action(effect=Effect.READ_ONLY, templates=["go to {url}"], produces=["link", "page"])
    def open_page(self, ctx: ActionContext, url: Sensitive(Url)) -> ActionResult:
        """Open a web page and list its links."""
        source = Provenance.untrusted(f"page {url}")
        entities = [Entity(id="page:news", type="page", label="Example News",
                           scope=Scope.SCREEN, attributes={"url": url}, provenance=source)]
        entities += [Entity(id=f"link:{i}", type="link", label=f"Story {i}", ordinal=i,
                            attributes={"url": u}, provenance=source)
                     for i, u in enumerate(LINKS, 1)]
        return ActionResult(message=f"opened {url}", output={"url": url}, entities=entities)

    @action(effect=Effect.READ_ONLY, templates=["(open|follow) {link}"])
    def open_link(self, ctx: ActionContext, link: EntityRef("link")) -> ActionResult:
        """Open a link from the current page."""
        entity = ctx.entity(link)
        assert entity is not None
        self._sink({"opened": entity.attributes["url"]})
        return ActionResult(message=f"opened {entity.attributes['url']}",
                            output={"url": entity.attributes["url"]})

    @action(effect=Effect.EXTERNAL_SEND, templates=["(message|email) {to} that {body}"])
    def send_message(self, ctx: ActionContext, to: Sensitive(EntityRef("contact")),
                     body: LongText) -> ActionResult:
        """Send a message to a contact."""
        self._sink({"to": to, "body": body})
        return ActionResult(message=f"sent to {to}", output={"to": to})

    @action(effect=Effect.SCHEDULE, templates=["set a timer (for|at) {when}"],
            inverse=_cancel_inverse, produces=["timer"])
    def set_timer(self, ctx: ActionContext, when: When) -> ActionResult:
        """Set a timer."""
        self._sink({"timer": when})
        timer_id = f"timer:{ctx.idempotency_key}"
        return ActionResult(message=f"timer at {when}", output={"id": timer_id},
                            entities=[Entity(id=timer_id, type="timer", label=f"timer {when}",
                                             scope=Scope.CONVERSATION)])

    @action(effect=Effect.LOCAL_WRITE)
    def cancel_timer(self, ctx: ActionContext, timer: ShortText) -> ActionResult:
        """Cancel a timer."""
        self._sink({"cancel": timer})
        return ActionResult(message=f"cancelled {timer}")

    @action(effect=Effect.LOCAL_WRITE, templates=["archive {name}"])
    def archive(self, ctx: ActionContext, name: ShortText) -> ActionResult:
        """Archive a folder (always fails here: the disk is full)."""
        return ActionResult.fail(f"cannot archive {name}: disk full")
