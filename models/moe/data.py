"""Training requests per plugin domain, generated from phrase patterns over the actions the
plugins declare, with the plan the planner should output (its JSON format: ``{"steps":
[{"action", "args"}], "reply"}``) and the context (entities on screen, contacts) the request is
made in. Each request is phrased several ways (`_say`: synonyms, chatty and terse forms, a
typo in a command word, several steps), never altering the values the plan copies. Pure data:
the app validates each example through its real planner pipeline and
verifier (``bench.evaluation.training.build_training_set``) and keeps only accepted ones.

Nothing here is taken from the golden test split.
"""

from __future__ import annotations

import random
import re
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


# -- phrasing: the same request said several ways ------------------------------------------------
# Requests are written as templates with {slots}; `_say` picks one and varies the words around the
# slots (a chatty or terse wrapper, a typo in a command word, casing). Slot values (a task, a time,
# a query, a message body) are never altered: they are copied into the plan as they are.
_SLOT = re.compile(r"(\{[a-z0-9_]+\})")
_OPENERS = ["hey, ", "hi, ", "ok so ", "hey assistant, ", "right, ", "so, ", "um ", "alright, "]
_POLITE = ["could you ", "can you ", "please ", "would you ", "i'd like you to ", "pls "]
_CLOSERS = [" please", " thanks", " thx", ", thank you", " asap", " pls", "!", " for me",
            " when you get a chance", " real quick", ", cheers"]


def _typo(rng: random.Random, word: str) -> str:
    """One keyboard slip in a word of five letters or more: two letters swapped, one dropped
    or one doubled (never the first letter)."""
    i = rng.randrange(1, len(word) - 1)
    kind = rng.randrange(3)
    if kind == 0:
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    if kind == 1:
        return word[:i] + word[i + 1:]
    return word[:i] + word[i] + word[i:]


def _vary(rng: random.Random, template: str) -> str:
    """A typo in at most one template word (never inside a slot)."""
    if rng.random() >= 0.15:
        return template
    parts = _SLOT.split(template)
    spots = [(pi, m) for pi, part in enumerate(parts) if not _SLOT.fullmatch(part)
             for m in re.finditer(r"[a-z]{5,}", part)]
    if not spots:
        return template
    pi, m = rng.choice(spots)
    part = parts[pi]
    parts[pi] = part[:m.start()] + _typo(rng, m.group()) + part[m.end():]
    return "".join(parts)


def _say(rng: random.Random, templates: list[str], imperative: bool = True,
         **slots: Any) -> str:
    """One of ``templates`` with its slots filled, sometimes wrapped (an opener, a polite
    "could you", a closer), sometimes with one typo, sometimes capitalised."""
    t = _vary(rng, rng.choice(templates))
    r = rng.random()
    if imperative and r < 0.2 and not t.startswith("{"):
        t = rng.choice(_POLITE) + t
    elif r < 0.35:
        t = rng.choice(_OPENERS) + t
    if rng.random() < 0.25 and not t.endswith(("?", "!")):
        t = t + rng.choice(_CLOSERS)
    text = t.format(**slots)
    if rng.random() < 0.2 and not t.startswith("{"):
        text = text[:1].upper() + text[1:]
    return text


PEOPLE = [("Nadia Quist", "nadia.quist@example.com"), ("Tom Baker", "tom@baker.example"),
          ("Lena Fischer", "lena.fischer@work.example"), ("Raj Patel", "raj@patel.example"),
          ("Mia Wong", "mia.wong@example.org"), ("Omar Haddad", "omar@haddad.example"),
          ("Bob Stone", "bob@stone.example"), ("Greta Holm", "greta@holm.example"),
          ("Ines Duarte", "ines.duarte@example.net"), ("Kofi Mensah", "kofi@mensah.example"),
          ("Yuki Sato", "yuki.sato@example.jp"), ("Piotr Nowak", "piotr@nowak.example")]


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
    ("Garden Centre | Plants", ["Roses", "Seeds", "Tools", "Compost", "Offers"]),
    ("Harbour Museum", ["Exhibitions", "Tickets", "Visit", "Shop"]),
    ("Linux Weekly", ["Kernel", "Distributions", "Security", "Archives"]),
    ("tents - Shop results", ["2-person tent", "Family tent", "Tent pegs", "Sleeping mats"]),
]
FORMS = [("Newsletter", ["Email", "First name"]), ("Login", ["Username", "Password"]),
         ("Contact form", ["Your name", "Message"]), ("Booking", ["Date", "Guests", "Phone"]),
         ("Sign up", ["Full name", "E-mail", "Password"])]
ORD = ["first", "second", "third", "fourth", "fifth"]
SITES = ["wiktionary.org", "news.ycombinator.com", "https://www.bbc.co.uk/news",
         "openstreetmap.org", "https://pypi.org", "gitlab.com/explore", "weather.com", "https://arxiv.org/list/cs.AI",
         "codeberg.org", "https://www.gutenberg.org", "lobste.rs", "https://docs.rs",
         "archive.org", "https://www.metoffice.gov.uk"]
QUERIES = ["ferry times to Bergen", "how to fix a flat tyre", "waterproof trail shoes",
           "python dataclass examples", "pharmacy closing time on sunday", "sourdough recipe",
           "latest SpaceX launch", "how tall is Mount Fuji", "train times Paris to Lyon",
           "symptoms of a cold", "how to descale a kettle", "night buses to Utrecht",
           "vegan lasagne recipe", "tide times Whitby", "how to repot an orchid",
           "second hand e-bikes", "rust lifetimes explained", "jazz concerts in Hamburg",
           "how long to boil an egg", "history of the Hanseatic League"]
VALUES = ["Jane Roe", "jane@roe.example", "hello there", "42", "secret123", "4 people",
          "0151 555 0199", "next saturday", "Sam Lee"]


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
    kind = rng.randrange(12)
    if kind == 0:
        site = rng.choice(SITES)
        req = _say(rng, ["take me to {s}", "pull up {s}", "I want to look at {s}",
                         "navigate to {s}", "load {s}", "bring up {s}", "show me {s}",
                         "open {s} for me", "head over to {s}", "{s}", "go {s}",
                         "visit {s}", "fire up {s}", "get {s} on screen"], s=site)
        return Example("browser", req, _plan(("open_url", {"url": site})))
    if kind == 1:
        q = rng.choice(QUERIES)
        req = _say(rng, ["find info about {q}", "look up {q} online", "search {q}",
                         "I'm curious about {q}, search the web", "search the internet for {q}",
                         "find me pages on {q}", "web search: {q}", "google {q}",
                         "search for {q}", "what does the web say about {q}",
                         "do a quick search on {q}", "look into {q} for me", "{q} - search it"],
                   q=q)
        return Example("browser", req, _plan(("search_web", {"query": q})))
    ents, links = _page(rng)
    if kind in (2, 3):
        i = rng.randrange(len(links))
        req = _say(rng, ["take me to the {o} link", "click through to link {n}",
                         "open the {lab} link", "go to the {lab} page", "let's see the {o} result",
                         "follow link number {n}", "I'd like to open {lab}", "click {lab}",
                         "hit the {o} link", "open link {n}", "{lab} please",
                         "the {o} one", "tap on {lab}"], o=ORD[i], n=i + 1, lab=links[i])
        return Example("browser", req, _plan(("open_link", {"link": f"link{i + 1}"})), ents)
    if kind == 4:
        req = _say(rng, ["tell me what this page says", "what's on here?",
                         "give me a summary of this page", "read me the page",
                         "what is this page about", "go through the page and tell me",
                         "summarize this", "what does it say", "read it out",
                         "gist of this page?", "skim the page for me"], imperative=False)
        return Example("browser", req, _plan(("read_page", {})), ents)
    if kind == 5:
        d, t = rng.choice([("down", "scroll further down"), ("down", "scroll downward"),
                           ("up", "scroll upward"), ("up", "head back up the page"),
                           ("top", "jump to the top of the page"), ("top", "all the way up"),
                           ("bottom", "go to the bottom of the page"),
                           ("bottom", "take me to the end of the page"),
                           ("down", "move the page down"), ("down", "show more below"),
                           ("up", "move the page up some")])
        return Example("browser", _say(rng, [t]), _plan(("scroll", {"direction": d})), ents)
    if kind == 6:
        t, args = rng.choice([("capture the page as an image", {}),
                              ("grab a screenshot of the entire page", {"full_page": True}),
                              ("snap the screen", {}), ("save a picture of the page", {}),
                              ("screenshot this", {}), ("take a screengrab", {}),
                              ("capture the whole page top to bottom", {"full_page": True})])
        return Example("browser", _say(rng, [t]), _plan(("screenshot", args)), ents)
    if kind == 7:
        req = _say(rng, ["return to the last page", "go back one page", "take me back",
                         "back up a page", "previous page", "back", "undo that navigation, go back",
                         "go to the page before"])
        return Example("browser", req, _plan(("go_back", {})), ents)
    ents, links = _page(rng, with_form=True)
    fields = [e for e in ents if e["type"] == "field"]
    f = rng.choice(fields)
    value = rng.choice(VALUES)
    slots = {"v": value, "f": f["label"], "o": ORD[f["ordinal"] - 1]}
    if kind in (8, 9):
        req = _say(rng, ["put {v} in the {f} field", "enter {v} as the {f}",
                         "write {v} into the {o} field", "type {v} into {f}",
                         "fill in {f}: {v}", "set the {f} box to {v}",
                         "{f} should be {v}"], **slots)
        return Example("browser", req, _plan(("fill_field", {"field": f["id"], "value": value})),
                       ents)
    i = rng.randrange(len(links))
    slots.update(lab=links[i], lo=ORD[i], q=rng.choice(QUERIES), s=rng.choice(SITES))
    combos: list[tuple[list[str], list[tuple[str, dict[str, Any]]]]] = [
        (["open the {lab} link and read it", "go to {lab} and tell me what it says"],
         [("open_link", {"link": f"link{i + 1}"}), ("read_page", {})]),
        (["fill {f} with {v} and send the form", "type {v} into {f}, then hit submit"],
         [("fill_field", {"field": f["id"], "value": value}), ("submit_form", {})]),
        (["go to the {lo} link and take a screenshot", "open the {lo} link then screenshot it"],
         [("open_link", {"link": f"link{i + 1}"}), ("screenshot", {})]),
        (["open {s} and read it to me", "load {s}, then summarize it"],
         [("open_url", {"url": slots["s"]}), ("read_page", {})]),
        (["search {q} and read the results", "look up {q}, then read me the page"],
         [("search_web", {"query": slots["q"]}), ("read_page", {})]),
        (["go back and take a screenshot", "back one page, then capture it"],
         [("go_back", {}), ("screenshot", {})]),
    ]
    ts, steps = rng.choice(combos)
    return Example("browser", _say(rng, ts, **slots), _plan(*steps), ents)


TASKS = ["call the dentist", "buy milk", "water the garden", "book the car service",
         "send the minutes", "pick up the kids", "take out the recycling", "pay the phone bill",
         "back up my laptop", "check the mailbox", "defrost the chicken", "stretch",
         "charge the scooter", "renew the parking permit", "call Nadia", "top up the bird feeder",
         "order printer ink", "return the borrowed ladder", "book a haircut",
         "file the mileage log", "move the car", "text the plumber", "bake the bread",
         "clean the gutters", "hang up the washing"]
WHENS = ["tomorrow at 8", "in 20 minutes", "at 6pm", "on friday at 10am", "next tuesday",
         "tonight", "in 3 hours", "tomorrow morning", "on the 12th at 9", "this evening",
         "in an hour", "at noon", "on monday at 7:45", "in 2 days", "saturday at 11",
         "in 45 minutes", "at 17:30", "tomorrow afternoon", "on wednesday at 2pm",
         "in 90 minutes", "thursday at 8:15", "next week"]
EVERY = ["every morning at 7", "every friday at 5pm", "every weekday at 9", "every day at 8pm",
         "every sunday at 10", "every month on the 1st at 9", "every tuesday at 6:30pm",
         "every evening at 9", "every saturday morning"]
JOBS = [("job-swim0001", "swimming lesson"), ("job-tax00001", "file taxes"),
        ("job-meds0001", "take vitamins"), ("job-call0001", "call grandpa"),
        ("job-bins0001", "put the bins out"), ("job-yoga0001", "yoga class")]


def _jobs() -> list[dict[str, Any]]:
    return [_ent(jid, "job", label, None, scope="background", trusted=True, kind="reminder",
                 text=label, next="2026-11-26T09:00:00+01:00", state="active")
            for jid, label in JOBS]


def _scheduler(rng: random.Random) -> Example:
    kind = rng.randrange(11)
    task, when = rng.choice(TASKS), rng.choice(WHENS)
    if kind <= 3:
        req = _say(rng, ["remind me to {t} {w}", "{w}, remind me to {t}",
                         "remind me {w} to {t}", "set a reminder to {t} {w}",
                         "don't let me forget to {t} {w}", "ping me {w} to {t}",
                         "I need to {t} {w}, remind me", "nudge me {w} to {t}",
                         "reminder: {t} {w}", "{t} {w} - remind me", "make sure I {t} {w}",
                         "I have to {t} {w}, set a reminder", "alert me {w} to {t}",
                         "remember for me: {t} {w}"], t=task, w=when)
        return Example("scheduler", req, _plan(("set_reminder", {"text": task, "when": when})))
    if kind == 4:
        every = rng.choice(EVERY)
        req = _say(rng, ["remind me to {t} {e}", "{e}, remind me to {t}",
                         "set a recurring reminder to {t} {e}", "{e} I need to {t}, remind me",
                         "ping me {e} to {t}", "repeat a reminder {e}: {t}"], t=task, e=every)
        return Example("scheduler", req,
                       _plan(("set_reminder", {"text": task, "when": every, "every": every})))
    if kind == 5:
        task2, when2 = rng.choice([x for x in TASKS if x != task]), rng.choice(WHENS)
        req = _say(rng, ["remind me to {t} {w} and to {t2} {w2}",
                         "two reminders: {t} {w}, and {t2} {w2}",
                         "remind me to {t} {w}, also to {t2} {w2}"],
                   t=task, w=when, t2=task2, w2=when2)
        return Example("scheduler", req, _plan(("set_reminder", {"text": task, "when": when}),
                                               ("set_reminder", {"text": task2, "when": when2})))
    jobs = _jobs()
    jid, label = rng.choice(JOBS)
    if kind == 6:
        req = _say(rng, ["what reminders are coming up?", "show me what's scheduled",
                         "which jobs do I have", "list everything I have scheduled",
                         "what's on my schedule", "any reminders set?", "my reminders",
                         "what have I got coming up"], imperative=False)
        return Example("scheduler", req, _plan(("list_jobs", {})), jobs)
    if kind == 7:
        req = _say(rng, ["get rid of the {j} reminder", "drop the {j} one",
                         "I don't need the {j} reminder anymore", "delete my {j} reminder",
                         "cancel {j}", "remove the {j} reminder", "no more {j} reminders",
                         "kill the {j} reminder"], j=label)
        return Example("scheduler", req, _plan(("cancel_job", {"job": jid})), jobs)
    if kind == 8:
        req = _say(rng, ["push the {j} reminder to {w}", "move {j} to {w}",
                         "change the {j} one to {w}", "reschedule {j} for {w}",
                         "make {j} {w} instead", "shift the {j} reminder to {w}"],
                   j=label, w=when)
        return Example("scheduler", req,
                       _plan(("reschedule_job", {"job": jid, "when": when})), jobs)
    if kind == 9:
        t2 = rng.choice(TASKS)
        req = _say(rng, ["cancel the {j} reminder and remind me to {t} {w}",
                         "drop {j}; instead remind me {w} to {t}"], j=label, t=t2, w=when)
        return Example("scheduler", req, _plan(("cancel_job", {"job": jid}),
                                               ("set_reminder", {"text": t2, "when": when})),
                       jobs)
    m = rng.choice([5, 10, 15, 20, 30, 45, 60])
    req = _say(rng, ["snooze {j} for {m} minutes", "give me {m} more minutes on {j}",
                     "delay the {j} reminder by {m} minutes", "{m} more minutes for {j}",
                     "hold off {j} {m} min", "postpone {j} by {m} minutes"], j=label, m=m)
    return Example("scheduler", req, _plan(("snooze_job", {"job": jid, "minutes": m})), jobs)


BODIES = ["I'm stuck in traffic", "the meeting moved to 3", "thanks for the help",
          "can we talk tomorrow?", "the parcel got here", "dinner is ready at 7",
          "I'll send the files tonight", "happy birthday!", "the slides are done",
          "meet you by the fountain", "the heating is fixed", "I left my keys at yours",
          "let's push lunch to Friday", "the quote came back fine"]
SUBJECTS = ["the invoice", "the trip", "the contract", "the newsletter", "the budget",
            "the offsite", "the rota", "the lease"]


def _emails(rng: random.Random) -> list[dict[str, Any]]:
    senders = rng.sample(PEOPLE[:8], 3)
    return [_ent(f"email:{301 + i}", "email", f"From {n}: {rng.choice(SUBJECTS)}", i + 1,
                 sender=e) for i, (n, e) in enumerate(senders)]


def _messaging(rng: random.Random) -> Example:
    kind = rng.randrange(12)
    name, addr = rng.choice(PEOPLE)
    cid = "contact:" + name.lower().replace(" ", "-")
    body = rng.choice(BODIES)
    contacts = _contacts()
    first = name.split()[0]
    if kind <= 2:
        req = _say(rng, ["send {n} an email saying {b}", "tell {n} by email that {b}",
                         "write to {n}: {b}", "mail {n} that {b}", "let {n} know {b}",
                         "drop {n} a note saying {b}", "email {n}: {b}", "shoot {n} an email, {b}",
                         "message {n} by mail: {b}", "email to {n} - {b}",
                         "send a mail to {n} with {b}"], n=rng.choice([name, name, first]), b=body)
        return Example("messaging", req, _plan(("send_email", {"to": cid, "body": body})),
                       [], contacts)
    if kind == 3:
        req = _say(rng, ["send an email to {a} saying {b}", "mail {a}: {b}",
                         "email {a} that {b}", "write to {a} - {b}"], a=addr, b=body)
        return Example("messaging", req, _plan(("send_email", {"to": addr, "body": body})),
                       [], contacts)
    if kind == 4:
        req = _say(rng, ["write a draft to {n} saying {b}",
                         "prepare an email for {n} that {b}, don't send it yet",
                         "draft a mail to {n}: {b}", "start an email to {n} saying {b} but hold it",
                         "compose a draft for {n}: {b}"], n=name, b=body)
        return Example("messaging", req, _plan(("draft_email", {"to": cid, "body": body})),
                       [], contacts)
    if kind == 5:
        subj = rng.choice(SUBJECTS)[4:]
        choices: list[tuple[list[str], dict[str, Any]]] = [
            (["any new mail?", "what's in my inbox", "check my email", "inbox?",
              "did I get any emails", "show my mail"], {}),
            (["show unread messages", "unread emails?", "what haven't I read yet",
              "list my unread mail"], {"unread": True}),
            (["emails from {n}", "did {n} email me?", "show mail from {n}",
              "anything from {n} in my inbox"], {"sender": name}),
            (["find mail about {s}", "emails about {s}", "search my inbox for {s}"],
             {"subject": subj}),
        ]
        t, args = rng.choice(choices)
        req = _say(rng, t, imperative=False, n=name, s=subj)
        return Example("messaging", req, _plan(("list_emails", args)), [], contacts)
    emails = _emails(rng)
    i = rng.randrange(len(emails))
    sender = emails[i]["label"].split(":")[0][5:].split()[0]
    eid = emails[i]["id"]
    slots = {"s": sender, "o": ORD[i], "k": i + 1, "b": body, "n": name}
    if kind in (6, 7):
        req = _say(rng, ["open the email from {s}", "show me the {o} email",
                         "what did {s} write?", "read message {k}", "open {s}'s mail",
                         "open up the {o} one", "let me see the mail from {s}"], **slots)
        return Example("messaging", req, _plan(("read_email", {"email": eid})), emails,
                       contacts)
    if kind == 8:
        req = _say(rng, ["answer {s}'s email with {b}", "reply to the {o} email: {b}",
                         "respond to {s}: {b}", "write back to {s} saying {b}",
                         "reply to message {k} with {b}"], **slots)
        return Example("messaging", req, _plan(("reply_email", {"email": eid, "body": body})),
                       emails, contacts)
    if kind == 9:
        req = _say(rng, ["send the {o} email on to {n}", "pass {s}'s email along to {n}",
                         "forward message {k} to {n}", "fwd {s}'s mail to {n}"], **slots)
        return Example("messaging", req, _plan(("forward_email", {"email": eid, "to": cid})),
                       emails, contacts)
    multi: list[tuple[list[str], list[tuple[str, dict[str, Any]]]]] = [
        (["check my mail and open the newest one", "look at my inbox, then open the top email"],
         [("list_emails", {}), ("read_email", {"email": {"$step": 0}})]),
        (["mark the {o} email read", "mark message {k} as read", "flag {s}'s email as read"],
         [("mark_read", {"email": eid})]),
        (["add {n} ({a}) to my address book", "save {a} as a contact for {n}",
          "new contact: {n}, {a}"], [("add_contact", {"name": name, "email": addr})]),
        (["who is in my address book?", "list my contacts", "show contacts"],
         [("list_contacts", {})]),
        (["open {s}'s email and answer {b}", "open the {o} email and answer it with {b}"],
         [("read_email", {"email": eid}), ("reply_email", {"email": eid, "body": body})]),
    ]
    t, steps = rng.choice(multi)
    return Example("messaging", _say(rng, t, a=addr, **slots), _plan(*steps), emails, contacts)


_NO = "I can only act with the actions I have."
CHAT = [("hello there", "Hello! What can I do for you?"), ("hi", "Hello! What can I do for you?"),
        ("good morning", "Good morning! What can I do for you?"),
        ("what's 2 plus 2", _NO), ("thank you so much", "You're welcome."),
        ("thanks!", "You're welcome."), ("who made you?", "I am a local assistant."),
        ("are you a robot", "I am a local assistant."), ("write me a poem", _NO),
        ("what's your favourite colour", _NO), ("that's it for now", "Okay."),
        ("never mind", "Okay."), ("nice work", "Thanks!"), ("great job", "Thanks!"),
        ("can you feel emotions?", _NO), ("I'm tired", _NO),
        ("write me a poem about autumn", _NO), ("hmm", "What would you like me to do?"),
        ("make me laugh", _NO), ("sing something", _NO), ("what's the meaning of life", _NO),
        ("translate cat into french", _NO), ("do you dream?", _NO), ("ok", "Okay."),
        ("I'm bored", _NO), ("how old are you", "I am a local assistant."),
        ("can you cook dinner for me", _NO), ("order me a pizza", _NO)]


def _general(rng: random.Random) -> Example:
    if rng.random() < 0.5:
        req, reply = rng.choice(CHAT)
        if rng.random() < 0.3:
            req = rng.choice(["hey, ", "um, ", "so ", ""]) + req
        return Example("general", req, {"steps": [], "reply": reply})
    name, _ = rng.choice(PEOPLE)
    cid = "contact:" + name.lower().replace(" ", "-")
    task, when, q, s = rng.choice(TASKS), rng.choice(WHENS), rng.choice(QUERIES), rng.choice(SITES)
    body = rng.choice(BODIES)
    slots: dict[str, Any] = {"t": task, "w": when, "q": q, "n": name, "s": s, "b": body}
    combos: list[tuple[list[str], list[tuple[str, dict[str, Any]]]]] = [
        (["remind me to {t} {w} and tell {n} by email",
          "set a reminder to {t} {w}, and let {n} know"],
         [("set_reminder", {"text": task, "when": when}),
          ("send_email", {"to": cid, "body": f"I will {task} {when}"})]),
        (["look up {q} and remind me {w} to check it",
          "search {q}, then remind me {w} to check it"],
         [("search_web", {"query": q}), ("set_reminder", {"text": f"check {q}", "when": when})]),
        (["email {n} that I'm on my way and remind me {w} to {t}",
          "tell {n} by mail I'm on my way, then remind me {w} to {t}"],
         [("send_email", {"to": cid, "body": "I'm on my way"}),
          ("set_reminder", {"text": task, "when": when})]),
        (["open {s} and remind me {w} to {t}", "pull up {s}, and set a reminder {w} to {t}"],
         [("open_url", {"url": s}), ("set_reminder", {"text": task, "when": when})]),
        (["email {n} saying {b} and look up {q}", "mail {n}: {b}. then search {q}"],
         [("send_email", {"to": cid, "body": body}), ("search_web", {"query": q})]),
        (["what's on my schedule, and any new mail?", "show my reminders and my inbox"],
         [("list_jobs", {}), ("list_emails", {})]),
    ]
    ts, steps = rng.choice(combos)
    return Example("general", _say(rng, ts, **slots), _plan(*steps), [], _contacts())


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
