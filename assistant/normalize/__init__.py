"""Deterministic normalizers (request step 4): slot text -> values. No model involved."""

from assistant.normalize.recurrence import (
    AmbiguousRule,
    Freq,
    RecurrenceResult,
    RecurrenceRule,
    next_occurrences,
    parse_recurrence,
)
from assistant.normalize.times import (
    BEFORE_IT,
    CLOCK_SAID,
    AmbiguousTime,
    TimeParseError,
    TimeParseReason,
    WhenResult,
    parse_when,
)
from assistant.normalize.urls import (
    UrlError,
    UrlErrorReason,
    UrlResult,
    find_addresses,
    known_sites,
    normalize_url,
)

__all__ = [
    "BEFORE_IT",
    "CLOCK_SAID",
    "AmbiguousRule",
    "AmbiguousTime",
    "Freq",
    "RecurrenceResult",
    "RecurrenceRule",
    "TimeParseError",
    "TimeParseReason",
    "UrlError",
    "UrlErrorReason",
    "UrlResult",
    "WhenResult",
    "find_addresses",
    "known_sites",
    "next_occurrences",
    "normalize_url",
    "parse_recurrence",
    "parse_when",
]
