"""Config problems: every one at once, each at its key's own line (issue #24 item 7)."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.config import ConfigProblems, load_config
from assistant.config_problems import key_lines, line_of
from assistant.paths import shipped_config_path


def test_key_lines_finds_headers_keys_dotted_and_quoted_keys() -> None:
    text = ('# top\nname = "x"\n[lam]\nthreads = 2\n  "context" = 4\n'
            '[plugins.browser]\nextra_args = [\n  "a = b",\n]\nsub.key = 1\n'
            'doc = """\nfake = 1\n"""\nafter = true\n[[steps]]\naction = "x"\n')
    lines = key_lines(text)
    assert lines[("name",)] == 2
    assert lines[("lam",)] == 3
    assert lines[("lam", "threads")] == 4
    assert lines[("lam", "context")] == 5
    assert lines[("plugins", "browser")] == 6
    assert lines[("plugins", "browser", "extra_args")] == 7
    assert lines[("plugins", "browser", "sub", "key")] == 10
    assert ("plugins", "browser", "fake") not in lines  # inside a multi-line string
    assert lines[("plugins", "browser", "after")] == 14
    assert lines[("steps", "action")] == 16
    assert line_of(lines, ("plugins", "browser", "extra_args", "0")) == 7
    assert line_of(lines, ("plugins", "browser", "missing")) == 6
    assert line_of(lines, ("nowhere",)) is None


def _problems(tmp_path: Path, text: str) -> list[str]:
    user = tmp_path / "plugins.toml"
    user.write_text(text)
    with pytest.raises(ConfigProblems) as info:
        load_config(shipped_config_path(), user)
    assert info.value.path == str(user)
    return [str(p) for p in info.value.problems]


def test_every_problem_is_reported_with_its_key_line_in_file_order(tmp_path: Path) -> None:
    user = tmp_path / "plugins.toml"
    got = _problems(tmp_path, '[lam]\nmodel = ""\nmax_steps = 0\n\n[confirm]\nreadonly = true\n'
                              '[plugins.messaging]\nenabled = "yes"\n[weird]\nx = 1\n')
    assert got == [
        f"{user}:3: [lam] max_steps: Input should be greater than or equal to 1 — e.g. "
        "max_steps = 6 (the default)",
        f"{user}:6: [confirm] readonly: unknown key — did you mean read_only?",
        f"{user}:8: [plugins.messaging] enabled: must be true or false — enabled = true or "
        "enabled = false",
        f"{user}:9: [weird]: unknown table — top-level tables are [lam], [confirm], "
        "[plugins.NAME] and [mcp.servers.NAME]",
    ]


def test_a_bad_timezone_names_file_and_line(tmp_path: Path) -> None:
    user = tmp_path / "plugins.toml"
    got = _problems(tmp_path, '[lam]\n\ntimezone = "Europe/Berln"\n')
    assert got == [f"{user}:3: [lam] timezone: unknown time zone 'Europe/Berln' — use an IANA "
                   "name such as \"Europe/Berlin\" (or \"\" for the system's)"]


def test_with_a_fatal_problem_plugin_settings_are_listed_too(tmp_path: Path) -> None:
    user = tmp_path / "plugins.toml"
    got = _problems(tmp_path, '[lam]\nthreads = -1\n[plugins.scheduler]\n'
                              'missed = "never"\npoll_seconds = 0\n')
    assert [g.split(" — ")[0] for g in got] == [
        f"{user}:2: [lam] threads: Input should be greater than or equal to 0",
        f"{user}:4: [plugins.scheduler] missed: Input should be 'run_once' or 'report'",
        f"{user}:5: [plugins.scheduler] poll_seconds: Input should be greater than 0",
    ]


def test_plugin_settings_alone_do_not_stop_lam_and_keep_their_key_lines(tmp_path: Path) -> None:
    user = tmp_path / "plugins.toml"
    user.write_text('[plugins.scheduler]\n\nmissed = "never"\n')
    config = load_config(shipped_config_path(), user)
    scheduler = config.plugins["scheduler"]
    assert scheduler.key_lines["missed"] == (str(user), 3)
    assert scheduler.key_lines["grace_seconds"][0] == str(shipped_config_path())
    assert scheduler.line == 1 and scheduler.source == str(user)


def test_one_problem_is_one_line_and_toml_syntax_still_stops_at_once(tmp_path: Path) -> None:
    user = tmp_path / "plugins.toml"
    assert _problems(tmp_path, "[lam]\nthreads = 300\n") == [
        f"{user}:2: [lam] threads: Input should be less than or equal to 256 — e.g. threads = 0 "
        "(the default)"]
    user.write_text("[lam]\nthreads = 300\n")
    with pytest.raises(ConfigProblems) as info:
        load_config(shipped_config_path(), user)
    assert str(info.value).startswith(f"{user}:2: [lam] threads:")
    user.write_text("[lam\n")
    with pytest.raises(Exception, match="malformed TOML") as err:
        load_config(shipped_config_path(), user)
    assert not isinstance(err.value, ConfigProblems)
