"""How the TUI's plan panel shows argument values (assistant/tui/render.py)."""

from __future__ import annotations

from assistant.tui.render import plain, value_text


def test_a_time_is_shown_as_people_read_it_in_its_own_zone() -> None:
    """An ISO time (microseconds and all, as "in 10 min" computes it) reads as a day and a
    clock time with its UTC offset; other text is shown as it is."""
    assert plain(value_text("2026-12-07T07:10:12.345678+00:00", {})) == \
        "Mon 07 Dec 2026 07:10 (+00:00)"
    assert plain(value_text("2026-12-08T09:00:00+01:00", {})) == "Tue 08 Dec 2026 09:00 (+01:00)"
    assert plain(value_text("2026-12-08", {})) == "2026-12-08"
    assert plain(value_text("meet at 2026-12-08T09:00:00+01:00", {})) == \
        "meet at 2026-12-08T09:00:00+01:00"
