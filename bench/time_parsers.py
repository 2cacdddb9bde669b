"""Time parsers side by side on tests/nlu/time_corpus.jsonl (held out: never tune on it).

Each phrase goes, alone, to dateparser, ctparse, recognizers-text-date-time, parsedatetime and
lam's normalizer (``parse_recurrence``, then ``parse_when``), each given the case's reference
time and zone. A parser's answer is graded like bench/times.py: right (the expected time, rule
or question), asked (no parse, a question, or several readings where one time was expected:
safe, not right) or wrong (another time, or one time where a question was expected).

Adapters, the same for every library: a naive result is read as wall time in the case's zone;
a date without a time of day gets 09:00 (lam's documented default); a duration counts from the
reference time; an interval is read as its start; several readings (recognizers' values) are a
question. The libraries return no recurrence rules, so a recurring phrase they read as one time
is wrong and one they do not read is asked.

    python bench/time_parsers.py [--markdown] [--show PARSER]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import logging
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
CORPUS = REPO / "tests" / "nlu" / "time_corpus.jsonl"

# A reading: one or more datetimes (several = a question), a rule (RRULE string with its first
# occurrence), or nothing.
Reading = list[datetime] | tuple[str, datetime | None] | None
Parser = Callable[[str, datetime, ZoneInfo], Reading]


def _aware(value: datetime, tz: ZoneInfo) -> datetime:
    return value.replace(tzinfo=tz) if value.tzinfo is None else value.astimezone(tz)


def _at_nine(day: date, tz: ZoneInfo) -> datetime:
    return datetime(day.year, day.month, day.day, 9, 0, tzinfo=tz)


# -- the libraries -------------------------------------------------------------------------------
def make_dateparser() -> Parser:
    import dateparser

    def parse(phrase: str, now: datetime, tz: ZoneInfo) -> Reading:
        got = dateparser.parse(phrase, settings={
            "RELATIVE_BASE": now.astimezone(tz).replace(tzinfo=None),
            "PREFER_DATES_FROM": "future", "TIMEZONE": str(tz),
            "RETURN_AS_TIMEZONE_AWARE": True})
        return [_aware(got, tz)] if got else None
    return parse


def make_ctparse() -> Parser:
    from ctparse import ctparse
    from ctparse.types import Duration, Interval, Time

    logging.getLogger("ctparse").setLevel(logging.CRITICAL)
    units = {"minutes": 60, "hours": 3600, "days": 86400, "weeks": 7 * 86400}

    def parse(phrase: str, now: datetime, tz: ZoneInfo) -> Reading:
        local = now.astimezone(tz).replace(tzinfo=None)
        result = ctparse(phrase, ts=local, timeout=2)
        res = result.resolution if result else None
        if isinstance(res, Interval):
            res = res.t_from
        if isinstance(res, Duration):
            seconds = units.get(str(res.unit.value) if hasattr(res.unit, "value")
                                else str(res.unit), 0) * res.value
            return [now + timedelta(seconds=seconds)] if seconds else None
        if not isinstance(res, Time) or res.year is None or res.month is None or res.day is None:
            return None
        hour, minute = (res.hour, res.minute or 0) if res.hour is not None else (9, 0)
        return [datetime(res.year, res.month, res.day, hour, minute, tzinfo=tz)]
    return parse


def make_recognizers() -> Parser:
    from recognizers_date_time import Culture, recognize_datetime

    def values(phrase: str, now: datetime, tz: ZoneInfo) -> list[datetime] | None:
        local = now.astimezone(tz).replace(tzinfo=None)
        found = recognize_datetime(phrase, Culture.English, reference=local)
        if not found or not found[0].resolution:
            return None
        out: list[datetime] = []
        for v in found[0].resolution.get("values", []):
            kind, value = v.get("type", ""), v.get("value") or v.get("start")
            if value is None:
                continue
            if kind == "duration":
                out.append(now + timedelta(seconds=float(value)))
            elif kind in ("datetime", "datetimerange"):
                out.append(_aware(datetime.fromisoformat(value), tz))
            elif kind in ("date", "daterange"):
                out.append(_at_nine(date.fromisoformat(value), tz))
            elif kind in ("time", "timerange"):
                at = datetime.combine(local.date(), datetime.strptime(value, "%H:%M:%S").time())
                out.append(_aware(at if at > local else at + timedelta(days=1), tz))
        future = [v for v in out if v > now] or out
        return sorted(set(future)) or None

    return values


def make_parsedatetime() -> Parser:
    import parsedatetime

    cal = parsedatetime.Calendar(version=parsedatetime.VERSION_CONTEXT_STYLE)

    def parse(phrase: str, now: datetime, tz: ZoneInfo) -> Reading:
        local = now.astimezone(tz).replace(tzinfo=None)
        got, ctx = cal.parseDT(phrase, sourceTime=local)
        if not ctx.hasDateOrTime:
            return None
        if not ctx.hasTime:
            got = got.replace(hour=9, minute=0, second=0)
        return [_aware(got, tz)]
    return parse


def make_lam() -> Parser:
    from assistant.normalize import (
        AmbiguousRule,
        AmbiguousTime,
        RecurrenceRule,
        next_occurrences,
        parse_recurrence,
        parse_when,
    )

    def parse(phrase: str, now: datetime, tz: ZoneInfo) -> Reading:
        rule = parse_recurrence(phrase, now, tz)
        when = parse_when(phrase, now, tz)
        if isinstance(rule, RecurrenceRule):
            first = next_occurrences(rule, now, tz, 1)
            return (str(rule), first[0] if first else None)
        if isinstance(rule, AmbiguousRule) or isinstance(when, AmbiguousTime):
            return None  # a question
        return [when] if isinstance(when, datetime) else None
    return parse


PARSERS: dict[str, tuple[str, Callable[[], Parser]]] = {
    "dateparser": ("dateparser", make_dateparser),
    "ctparse": ("ctparse", make_ctparse),
    "recognizers": ("recognizers-text-date-time", make_recognizers),
    "parsedatetime": ("parsedatetime", make_parsedatetime),
    "lam": ("lam-assistant", make_lam),
}


# -- grading -------------------------------------------------------------------------------------
def _rule_parts(rule: str) -> set[str]:
    return {p for p in rule.removeprefix("RRULE:").upper().split(";") if p}


def grade(case: dict[str, Any], reading: Reading) -> str:
    """right | asked | wrong."""
    want = case["expect"]
    if reading is None or (isinstance(reading, list) and len(reading) > 1):  # a question
        return "right" if want.get("ask") else "asked"
    if want.get("ask"):
        return "wrong"
    if "rule" in want:
        if not isinstance(reading, tuple):
            return "wrong"
        first = datetime.fromisoformat(want["first"])
        ok = _rule_parts(reading[0]) == _rule_parts(want["rule"])
        return "right" if ok and reading[1] in (None, first) else "wrong"
    if isinstance(reading, tuple):
        return "wrong"
    options = [want["datetime"]] if "datetime" in want else list(want["any_of"])
    # instants compared as timestamps: == between zones is False inside a repeated (fold) hour
    return "right" if any(reading[0].timestamp() == datetime.fromisoformat(o).timestamp()
                          for o in options) else "wrong"


def _version(dist: str) -> str:
    from importlib.metadata import PackageNotFoundError, version
    try:
        return version(dist)
    except PackageNotFoundError:
        return "not installed"


def run(cases: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, (dist, make) in PARSERS.items():
        try:
            parser = make()
        except Exception as exc:  # an install that fails on this Python: say so in the table
            out[name] = {"error": f"{type(exc).__name__}: {exc}", "version": _version(dist)}
            continue
        by_class: dict[str, Counter[str]] = defaultdict(Counter)
        rows = []
        t0 = time.perf_counter()
        for case in cases:
            tz = ZoneInfo(case["tz"])
            now = datetime.fromisoformat(case["now"])
            try:
                with contextlib.redirect_stdout(io.StringIO()):
                    reading = parser(case["phrase"], now, tz)
            except Exception as exc:  # a library crash is no parse
                reading = None
                rows.append({"id": case["id"], "crash": repr(exc)})
            outcome = grade(case, reading)
            by_class[case["class"]][outcome] += 1
            rows.append({"id": case["id"], "class": case["class"], "outcome": outcome,
                         "reading": str(reading)})
        out[name] = {"version": _version(dist), "classes": by_class, "rows": rows,
                     "ms": 1000 * (time.perf_counter() - t0) / max(1, len(cases))}
    return out


def table(results: dict[str, Any], n: int) -> list[str]:
    names = list(results)
    classes = sorted({c for r in results.values() for c in r.get("classes", {})})
    head = "| class (right of n) | n | " + " | ".join(names) + " |"
    lines = [head, "|" + "---|" * (len(names) + 2)]
    for c in classes:
        count = max((r["classes"].get(c, Counter()).total() for r in results.values()
                     if "classes" in r), default=0)
        cells = [str(r["classes"][c]["right"]) if "classes" in r else "-"
                 for r in results.values()]
        lines.append(f"| {c} | {count} | " + " | ".join(cells) + " |")

    def total(r: dict[str, Any], key: str) -> int:
        return sum(v[key] for v in r["classes"].values())

    for key in ("right", "asked", "wrong"):
        cells = [(f"**{total(r, key)}** ({100 * total(r, key) / n:.1f}%)" if key == "right"
                  else str(total(r, key))) if "classes" in r else "-" for r in results.values()]
        lines.append(f"| **{key}** | {n} | " + " | ".join(cells) + " |")
    lines.append("| ms per phrase | | " + " | ".join(
        f"{r['ms']:.1f}" if "ms" in r else "-" for r in results.values()) + " |")
    lines.append("| version | | " + " | ".join(r["version"] for r in results.values()) + " |")
    for name, r in results.items():
        if "error" in r:
            lines.append(f"\n{name}: does not run here: {r['error']}")
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--show", choices=list(PARSERS), help="list one parser's wrong readings")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    cases = [json.loads(x) for x in CORPUS.read_text().splitlines() if x.strip()]
    results = run(cases)
    if args.json:
        print(json.dumps(results, default=str, indent=1))
        return 0
    print(f"$ python bench/time_parsers.py   ({len(cases)} phrases, {CORPUS.name}; "
          f"Python {sys.version.split()[0]})\n")
    print("\n".join(table(results, len(cases))))
    if args.show and "rows" in results[args.show]:
        for row in results[args.show]["rows"]:
            if row.get("outcome") == "wrong":
                print(f"  [wrong] {row['id']} {row['class']}: {row['reading']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
