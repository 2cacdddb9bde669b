"""Training requests per plugin domain, generated from phrase patterns over the actions the
plugins declare, with the plan the planner should output (its JSON format: ``{"steps":
[{"action", "args"}], "reply"}``) and the context (entities on screen, contacts) the request is
made in. Pure data: the app validates each example through its real planner pipeline and
verifier (``bench.evaluation.training.build_training_set``) and keeps only accepted ones.

Nothing here is taken from the golden test split.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

__all__ = ["DOMAINS", "Example", "generate"]

DOMAINS = ("browser", "scheduler", "messaging", "general")


@dataclass
class Example:
    domain: str
    request: str
    target: dict[str, Any]
    entities: list[dict[str, Any]] = field(default_factory=list)
    contacts: list[dict[str, Any]] = field(default_factory=list)


def _ent(eid: str, etype: str, label: str, ordinal: int | None = None,
         scope: str = "screen", trusted: bool = False, **attrs: Any) -> dict[str, Any]:
    return {"id": eid, "type": etype, "label": label, "attributes": attrs,
            "provenance": {"trusted": trusted, "source": "page" if not trusted else "user"},
            "scope": scope, "ordinal": ordinal}


PEOPLE = [("Nora Quinn", "nora.quinn@example.com"), ("Tom Baker", "tom@baker.example"),
          ("Lena Fischer", "lena.fischer@work.example"), ("Raj Patel", "raj@patel.example"),
          ("Mia Wong", "mia.wong@example.org"), ("Omar Haddad", "omar@haddad.example"),
          ("Bob Stone", "bob@stone.example"), ("Carol Diaz", "carol@diaz.example")]


def _contacts() -> list[dict[str, Any]]:
    out = []
    for name, email in PEOPLE:
        cid = "contact:" + name.lower().replace(" ", "-")
        c = _ent(cid, "contact", name, None, scope="background", trusted=True, email=email,
                 emails=[email], nicknames=[], relation="")
        c["provenance"] = {"trusted": True, "source": "user"}
        out.append(c)
    return out


PAGES = [
    ("Daily Planet - Home", ["Politics", "Sports", "Science", "Opinion", "Contact us"]),
    ("Recipes | Good Food", ["Pasta", "Soups", "Desserts", "Vegetarian"]),
    ("bikes - Search", ["Trek bikes", "Bike repair guide", "Cycling news", "Used bikes"]),
    ("Rust documentation", ["The Book", "Standard library", "Rust by Example", "Cargo"]),
]
FORMS = [("Newsletter", ["Email", "First name"]), ("Login", ["Username", "Password"]),
         ("Contact form", ["Your name", "Message"])]
ORD = ["first", "second", "third", "fourth", "fifth"]
SITES = ["wikipedia.org", "news.ycombinator.com", "https://www.bbc.co.uk/news", "openstreetmap.org",
         "https://pypi.org", "gitlab.com/explore", "weather.com", "https://arxiv.org/list/cs.AI"]
QUERIES = ["ferry times to Bergen", "how to fix a flat tyre", "best hiking boots",
           "python asyncio tutorial", "opening hours of the city library", "sourdough recipe",
           "latest SpaceX launch", "how tall is Mount Fuji", "train times Paris to Lyon",
           "symptoms of a cold"]


def _page(rng: random.Random, with_form: bool = False) -> tuple[list[dict[str, Any]], list[str]]:
    title, links = rng.choice(PAGES)
    ents = [_ent("page", "page", title, 1, url="https://site.example/")]
    ents += [_ent(f"link{i + 1}", "link", lab, i + 1, url=f"https://site.example/{i + 1}")
             for i, lab in enumerate(links)]
    if with_form:
        _, fields = rng.choice(FORMS)
        ents += [_ent(f"field{i + 1}", "field", lab, i + 1, kind="text")
                 for i, lab in enumerate(fields)]
    return ents, links


def _plan(*steps: tuple[str, dict[str, Any]]) -> dict[str, Any]:
    return {"steps": [{"action": a, "args": args} for a, args in steps]}


def _browser(rng: random.Random) -> Example:
    kind = rng.randrange(10)
    if kind == 0:
        site = rng.choice(SITES)
        req = rng.choice(["take me to {s}", "pull up {s}", "I want to look at {s}",
                          "navigate to {s}", "load {s} please", "bring up {s}",
                          "show me {s}", "can you open {s} for me"]).format(s=site)
        return Example("browser", req, _plan(("open_url", {"url": site})))
    if kind == 1:
        q = rng.choice(QUERIES)
        req = rng.choice(["find info about {q}", "look up {q} online", "can you search {q}",
                          "I need to know {q}, search the web", "search the internet for {q}",
                          "find me pages on {q}", "web search: {q}"]).format(q=q)
        return Example("browser", req, _plan(("search_web", {"query": q})))
    ents, links = _page(rng)
    if kind in (2, 3):
        i = rng.randrange(len(links))
        req = rng.choice([f"take me to the {ORD[i]} link", f"click through to link {i + 1}",
                          f"open the {links[i]} link", f"go to the {links[i]} page",
                          f"let's see the {ORD[i]} result", f"follow link number {i + 1}",
                          f"I'd like to open {links[i]}"])
        return Example("browser", req, _plan(("open_link", {"link": f"link{i + 1}"})), ents)
    if kind == 4:
        req = rng.choice(["tell me what this page says", "what's on here?",
                          "give me a summary of this page", "read me the page",
                          "what is this page about", "go through the page and tell me"])
        return Example("browser", req, _plan(("read_page", {})), ents)
    if kind == 5:
        d, req = rng.choice([("down", "scroll down a bit"), ("up", "scroll back up"),
                             ("top", "jump to the top of the page"),
                             ("bottom", "go to the bottom of the page"),
                             ("down", "move the page down")])
        return Example("browser", req, _plan(("scroll", {"direction": d})), ents)
    if kind == 6:
        req, args = rng.choice([("capture the page as an image", {}),
                                ("grab a screenshot of the entire page", {"full_page": True}),
                                ("snap the screen", {}),
                                ("save a picture of the page", {})])
        return Example("browser", req, _plan(("screenshot", args)), ents)
    if kind == 7:
        req = rng.choice(["return to the last page", "go back one page", "take me back",
                          "back up a page"])
        return Example("browser", req, _plan(("go_back", {})), ents)
    ents, links = _page(rng, with_form=True)
    fields = [e for e in ents if e["type"] == "field"]
    f = rng.choice(fields)
    value = rng.choice(["Jane Roe", "jane@roe.example", "hello there", "42", "secret123"])
    if kind == 8:
        req = rng.choice([f"put {value} in the {f['label']} field",
                          f"enter {value} as the {f['label']}",
                          f"write {value} into the {ORD[f['ordinal'] - 1]} field"])
        return Example("browser", req, _plan(("fill_field", {"field": f["id"], "value": value})),
                       ents)
    i = rng.randrange(len(links))
    req, steps = rng.choice([
        (f"open the {links[i]} link and read it",
         [("open_link", {"link": f"link{i + 1}"}), ("read_page", {})]),
        (f"fill {f['label']} with {value} and send the form",
         [("fill_field", {"field": f["id"], "value": value}), ("submit_form", {})]),
        (f"go to the {ORD[i]} link and take a screenshot",
         [("open_link", {"link": f"link{i + 1}"}), ("screenshot", {})]),
    ])
    return Example("browser", req, _plan(*steps), ents)


TASKS = ["call the dentist", "buy milk", "water the garden", "book the car service",
         "send the report", "pick up the kids", "take out the recycling", "pay the phone bill",
         "back up my laptop", "check the mailbox", "defrost the chicken", "stretch",
         "charge the scooter", "renew the parking permit", "call Nora"]
WHENS = ["tomorrow at 8", "in 20 minutes", "at 6pm", "on friday at 10am", "next tuesday",
         "tonight", "in 3 hours", "tomorrow morning", "on the 12th at 9", "this evening",
         "in an hour", "at noon", "on monday at 7:45", "in 2 days", "saturday at 11"]
EVERY = ["every morning at 7", "every friday at 5pm", "every weekday at 9", "every day at 8pm",
         "every sunday at 10", "on the first of every month at 9"]
JOBS = [("job-swim0001", "swimming lesson"), ("job-tax00001", "file taxes"),
        ("job-meds0001", "take vitamins"), ("job-call0001", "call grandpa")]


def _jobs() -> list[dict[str, Any]]:
    return [_ent(jid, "job", label, None, scope="background", trusted=True, kind="reminder",
                 text=label, next="2026-11-26T09:00:00+01:00", state="active")
            for jid, label in JOBS]


def _scheduler(rng: random.Random) -> Example:
    kind = rng.randrange(9)
    task, when = rng.choice(TASKS), rng.choice(WHENS)
    if kind <= 3:
        req = rng.choice(["remind me to {t} {w}", "{w}, remind me to {t}",
                          "please remind me {w} to {t}", "set a reminder to {t} {w}",
                          "don't let me forget to {t} {w}", "ping me {w} to {t}",
                          "I need to {t} {w}, remind me", "nudge me {w} to {t}",
                          "can you remind me to {t} {w}"]).format(t=task, w=when)
        return Example("scheduler", req, _plan(("set_reminder", {"text": task, "when": when})))
    if kind == 4:
        every = rng.choice(EVERY)
        req = rng.choice(["remind me to {t} {e}", "{e}, remind me to {t}",
                          "set a recurring reminder to {t} {e}"]).format(t=task, e=every)
        return Example("scheduler", req,
                       _plan(("set_reminder", {"text": task, "when": every, "every": every})))
    jobs = _jobs()
    jid, label = rng.choice(JOBS)
    if kind == 5:
        req = rng.choice(["what reminders are coming up?", "show me what's scheduled",
                          "which jobs do I have", "list everything I have scheduled"])
        return Example("scheduler", req, _plan(("list_jobs", {})), jobs)
    if kind == 6:
        req = rng.choice([f"get rid of the {label} reminder", f"drop the {label} one",
                          f"I don't need the {label} reminder anymore",
                          f"delete my {label} reminder"])
        return Example("scheduler", req, _plan(("cancel_job", {"job": jid})), jobs)
    if kind == 7:
        req = rng.choice([f"push the {label} reminder to {when}",
                          f"move {label} to {when}", f"change the {label} one to {when}"])
        return Example("scheduler", req,
                       _plan(("reschedule_job", {"job": jid, "when": when})), jobs)
    m = rng.choice([5, 10, 15, 30, 60])
    req = rng.choice([f"snooze {label} for {m} minutes", f"give me {m} more minutes on {label}",
                      f"delay the {label} reminder by {m} minutes"])
    return Example("scheduler", req, _plan(("snooze_job", {"job": jid, "minutes": m})), jobs)


BODIES = ["I'm running late", "the meeting moved to 3", "thanks for the help",
          "can we talk tomorrow?", "the package arrived", "dinner is ready at 7",
          "I'll send the files tonight", "happy birthday!"]
SUBJECTS = ["the invoice", "the trip", "the contract", "the newsletter", "the budget"]


def _emails(rng: random.Random) -> list[dict[str, Any]]:
    senders = rng.sample(PEOPLE[:6], 3)
    return [_ent(f"email:{301 + i}", "email", f"From {n}: {rng.choice(SUBJECTS)}", i + 1,
                 sender=e) for i, (n, e) in enumerate(senders)]


def _messaging(rng: random.Random) -> Example:
    kind = rng.randrange(10)
    name, addr = rng.choice(PEOPLE)
    cid = "contact:" + name.lower().replace(" ", "-")
    body = rng.choice(BODIES)
    contacts = _contacts()
    if kind <= 2:
        req = rng.choice(["send {n} an email saying {b}", "tell {n} by email that {b}",
                          "write to {n}: {b}", "mail {n} that {b}",
                          "let {n} know {b}", "drop {n} a note saying {b}"]).format(n=name, b=body)
        return Example("messaging", req, _plan(("send_email", {"to": cid, "body": body})),
                       [], contacts)
    if kind == 3:
        req = rng.choice(["send an email to {a} saying {b}", "mail {a}: {b}"]).format(a=addr,
                                                                                     b=body)
        return Example("messaging", req, _plan(("send_email", {"to": addr, "body": body})),
                       [], contacts)
    if kind == 4:
        req = rng.choice([f"write a draft to {name} saying {body}",
                          f"prepare an email for {name} that {body}, don't send it yet"])
        return Example("messaging", req, _plan(("draft_email", {"to": cid, "body": body})),
                       [], contacts)
    if kind == 5:
        choices: list[tuple[str, dict[str, Any]]] = [
                                ("any new mail?", {}), ("what's in my inbox", {}),
                                ("show unread messages", {"unread": True}),
                                (f"emails from {name}", {"sender": name}),
                                (f"find mail about {SUBJECTS[0][4:]}",
                                 {"subject": SUBJECTS[0][4:]})]
        req, args = rng.choice(choices)
        return Example("messaging", req, _plan(("list_emails", args)), [], contacts)
    emails = _emails(rng)
    i = rng.randrange(len(emails))
    sender = emails[i]["label"].split(":")[0][5:].split()[0]
    eid = emails[i]["id"]
    if kind == 6:
        req = rng.choice([f"open the email from {sender}", f"show me the {ORD[i]} email",
                          f"what did {sender} write?", f"read message {i + 1}"])
        return Example("messaging", req, _plan(("read_email", {"email": eid})), emails,
                       contacts)
    if kind == 7:
        req = rng.choice([f"answer {sender}'s email with {body}",
                          f"reply to the {ORD[i]} email: {body}"])
        return Example("messaging", req, _plan(("reply_email", {"email": eid, "body": body})),
                       emails, contacts)
    if kind == 8:
        req = rng.choice([f"send the {ORD[i]} email on to {name}",
                          f"pass {sender}'s email along to {name}"])
        return Example("messaging", req, _plan(("forward_email", {"email": eid, "to": cid})),
                       emails, contacts)
    multi: list[tuple[str, list[tuple[str, dict[str, Any]]]]] = [
        ("check my mail and open the newest one",
         [("list_emails", {}), ("read_email", {"email": {"$step": 0}})]),
        (f"mark the {ORD[i]} email read", [("mark_read", {"email": eid})]),
        (f"add {name} ({addr}) to my address book", [("add_contact", {"name": name,
                                                                       "email": addr})]),
        ("who is in my address book?", [("list_contacts", {})]),
    ]
    req, steps = rng.choice(multi)
    return Example("messaging", req, _plan(*steps), emails, contacts)


CHAT = [("hello there", "Hello! What can I do for you?"),
        ("what's 2 plus 2", "I can only act with the actions I have."),
        ("thank you so much", "You're welcome."), ("who made you?", "I am a local assistant."),
        ("write me a poem", "I can only act with the actions I have."),
        ("what's your favourite colour", "I can only act with the actions I have."),
        ("that's it for now", "Okay."), ("nice work", "Thanks!"),
        ("can you feel emotions?", "I can only act with the actions I have."),
        ("I'm tired", "I can only act with the actions I have."),
        ("write me a poem about autumn", "I can only act with the actions I have."),
        ("hmm", "What would you like me to do?")]


def _general(rng: random.Random) -> Example:
    if rng.random() < 0.6:
        req, reply = rng.choice(CHAT)
        return Example("general", req, {"steps": [], "reply": reply})
    name, _ = rng.choice(PEOPLE)
    cid = "contact:" + name.lower().replace(" ", "-")
    task, when, q = rng.choice(TASKS), rng.choice(WHENS), rng.choice(QUERIES)
    req, steps = rng.choice([
        (f"remind me to {task} {when} and tell {name} by email",
         [("set_reminder", {"text": task, "when": when}),
          ("send_email", {"to": cid, "body": f"I will {task} {when}"})]),
        (f"look up {q} and remind me {when} to check it",
         [("search_web", {"query": q}), ("set_reminder", {"text": f"check {q}",
                                                          "when": when})]),
        (f"email {name} that I'm on my way and remind me {when} to {task}",
         [("send_email", {"to": cid, "body": "I'm on my way"}),
          ("set_reminder", {"text": task, "when": when})]),
    ])
    return Example("general", req, _plan(*steps), [], _contacts())


_GEN = {"browser": _browser, "scheduler": _scheduler, "messaging": _messaging,
        "general": _general}


def generate(domain: str, n: int, seed: int = 0) -> list[Example]:
    """``n`` distinct examples of ``domain`` (fewer if the patterns run out)."""
    rng = random.Random(f"{domain}:{seed}")
    out: dict[str, Example] = {}
    for _ in range(n * 20):
        ex = _GEN[domain](rng)
        out.setdefault(ex.request, ex)
        if len(out) >= n:
            break
    return list(out.values())
