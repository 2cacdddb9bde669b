"""`lam do`, `lam plan`, `lam run`, `lam save` as subprocesses on a clean home: outputs and
exit codes, every bad-input case, the "needs confirmation" refusal, and dry runs that touch
nothing."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tests.conftest import LamRunner
from tests.headless.conftest import Site
from tests.messaging.servers import SmtpServer

NOW = "2026-11-24T10:15:00+01:00"


def jobs(home: Path) -> int:
    db = home / "data" / "plugins" / "scheduler" / "scheduler.sqlite3"
    if not db.exists():
        return 0
    with sqlite3.connect(db) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return sum(conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
                   for t in tables if "job" in t and "fire" not in t)


@pytest.mark.parametrize(("args", "stdin", "message"), [
    (["do"], "", "error: no request given"),
    (["do", "--now", "yesterday-ish", "x"], None, "error: --now 'yesterday-ish' is not an ISO"),
    (["do", "--tz", "Mars/Olympus", "x"], None, "error: unknown time zone 'Mars/Olympus'"),
    (["do", "--frobnicate", "x"], None, "Error: No such option '--frobnicate'"),
    (["plan", "--tools", "/nonexistent/tools.json", "x"], None, "error: /nonexistent/tools.json: "
                                                               "cannot read"),
    (["run", "nothing-saved"], None, "error: no automation file or saved automation named "
                                     "'nothing-saved'"),
    (["save", "x"], None, "error: no plan has run successfully yet"),
])
def test_bad_input_exits_2(run_lam: LamRunner, configured_home: Path, args: list[str],
                           stdin: str | None, message: str) -> None:
    proc = run_lam(*args, input=stdin)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert message in proc.stderr


def test_bad_tools_file(run_lam: LamRunner, configured_home: Path, tmp_path: Path) -> None:
    tools = tmp_path / "tools.json"
    tools.write_text('[{"name": "get_weather", "parameters": {"type": "objekt"}}]')
    proc = run_lam("plan", "--tools", str(tools), "--json", "weather in Paris")
    assert proc.returncode == 2
    assert "tool 'get_weather': 'parameters' is not a valid JSON schema" in proc.stderr
    tools.write_text('[{"name": "a"},\n{"nam": "b"}]')
    proc = run_lam("plan", "--tools", str(tools), "x")
    assert proc.returncode == 2 and "item 1 needs a string 'name'" in proc.stderr
    tools.write_text('[{"name": "a",}]')
    proc = run_lam("plan", "--tools", str(tools), "x")
    assert proc.returncode == 2 and f"{tools}:1:" in proc.stderr


def test_needs_confirmation_runs_nothing_and_names_why(run_lam: LamRunner,
                                                       configured_home: Path) -> None:
    proc = run_lam("do", "--now", NOW, "remind me to stretch in 1 hour")
    assert proc.returncode == 5, proc.stdout + proc.stderr
    assert "nothing ran: this plan needs confirmation (step 1 set_reminder is schedule)" in \
        proc.stdout
    assert jobs(configured_home) == 0
    proc = run_lam("do", "--now", NOW, "--json", "remind me to stretch in 1 hour")
    out = json.loads(proc.stdout)
    assert proc.returncode == 5 and out["status"] == "needs_confirmation"
    assert out["confirmation"]["reasons"] == ["step 1 set_reminder is schedule"]
    assert out["plan"]["steps"][0]["args"]["when"] == "2026-11-24T11:15:00+01:00"


def test_yes_runs_and_request_from_stdin(run_lam: LamRunner, configured_home: Path) -> None:
    proc = run_lam("do", "--now", NOW, "--yes", "--json", input="remind me to stretch in 1 hour")
    out = json.loads(proc.stdout)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert out["status"] == "done" and out["report"]["ok"]
    assert jobs(configured_home) == 1
    journal = json.loads(run_lam("journal", "--json").stdout)
    assert journal[0]["request"] == "remind me to stretch in 1 hour"
    assert journal[0]["steps"][0]["state"] == "ok"


def test_no_action_is_planning_failed(run_lam: LamRunner, configured_home: Path) -> None:
    proc = run_lam("do", "--json", "what is the meaning of life")
    assert proc.returncode == 3
    out = json.loads(proc.stdout)
    assert out["status"] == "no_action"
    assert out["plan"]["escalations"][0] == "tier 0: no sentence template matched"
    assert "answered without a model" in out["plan"]["escalations"][1]
    # Words an action knows, but no template fits and no model is configured.
    proc = run_lam("do", "--json", "tidy up the unread email pile a bit")
    assert proc.returncode == 3
    assert json.loads(proc.stdout)["plan"]["escalations"] == [
        "tier 0: no sentence template matched", "tier 1: no model configured"]


def test_a_tier_2_model_not_pulled_is_said_with_how_to_get_it(
        run_lam: LamRunner, configured_home: Path, tmp_path: Path) -> None:
    config = configured_home / "config" / "plugins.toml"
    config.write_text(config.read_text().replace('large_model = ""',
                                                 'large_model = "qwen2.5-coder-1.5b"'))
    empty = tmp_path / "no-models"
    empty.mkdir()
    proc = run_lam("do", "--json", "tidy up the unread email pile a bit",
                   env={"LAM_MODELS_DIR": str(empty)})
    assert proc.returncode == 3, proc.stdout + proc.stderr
    escalations = json.loads(proc.stdout)["plan"]["escalations"]
    assert escalations[:2] == ["tier 0: no sentence template matched",
                               "tier 1: no model configured"]
    assert escalations[2].startswith("tier 2 unavailable: model 'qwen2.5-coder-1.5b' is not "
                                     "pulled yet")
    assert "lam models pull qwen2.5-coder-1.5b" in escalations[2]


def test_question_exits_7(run_lam: LamRunner, configured_home: Path) -> None:
    proc = run_lam("do", "email Zed that hi")
    assert proc.returncode == 7
    assert "? I don't know a contact called 'Zed'" in proc.stdout


def test_verification_failure_exits_4(run_lam: LamRunner, configured_home: Path) -> None:
    with (configured_home / "config" / "plugins.toml").open("a") as f:
        f.write('\ndenied_domains = ["evil.example"]\n')  # [plugins.browser] is last
    proc = run_lam("do", "--yes", "--json", "open https://evil.example/")
    assert proc.returncode == 4, proc.stdout + proc.stderr
    out = json.loads(proc.stdout)
    assert out["status"] == "rejected"
    assert out["violations"][0]["reason"] == "domain_not_allowed"


def test_execution_failure_exits_6(run_lam: LamRunner, configured_home: Path) -> None:
    proc = run_lam("do", "--yes", "--json", "cancel job job:nonexistent")
    if proc.returncode == 7:  # no job of that id in scope: lam asks instead of guessing
        assert "job" in proc.stdout
        return
    assert proc.returncode in (4, 6), proc.stdout


AUTOMATION = '''name = "errands"
[vars]
who = "ann@example.org"

[[steps]]
action = "open_url"
args = {{ url = "{list_url}" }}

[[steps]]
request = "remind me to buy milk tomorrow at 9am"

[[steps]]
request = "email {{who}} that the list is ready"
'''


def test_dry_run_touches_nothing(run_lam: LamRunner, configured_home: Path, site: Site,
                                 smtp: SmtpServer, tmp_path: Path) -> None:
    file = tmp_path / "errands.toml"
    file.write_text(AUTOMATION.format(list_url=site.url("/list")))
    proc = run_lam("run", str(file), "--dry-run", "--json", "--now", NOW)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = json.loads(proc.stdout)
    assert [p["action"] for p in out["dry_run"]] == ["open_url", "set_reminder", "send_email"]
    assert out["dry_run"][2]["args"] == {"to": "ann@example.org", "body": "the list is ready"}
    for request in ("open " + site.url("/list"), "remind me to buy milk tomorrow at 9am",
                    "email ann@example.org that hello"):
        proc = run_lam("do", "--dry-run", "--yes", "--now", NOW, request)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert "dry run — nothing ran" in proc.stdout
    assert site.hits == []
    assert smtp.handler.received == []
    assert jobs(configured_home) == 0


@pytest.mark.parametrize(("text", "message"), [
    ('name = "x"\n[[steps]]\nrequest = \n', ":3:11: malformed TOML"),
    ('name = "x"\nfrobs = 1\n[[steps]]\nrequest = "hi"\n', ":2: unknown key 'frobs'"),
    ('name = "x"\n[[steps]]\nrequest = "a"\naction = "open_url"\n',
     ":2: step 1: give either request"),
    ('name = "x"\n[[steps]]\nrequest = "remind {who}"\n',
     ":2: step 1: variable '{who}' is not defined"),
    ('name = "x"\n\n[[steps]]\naction = "fly"\n', ":3: step 1: no action named 'fly'"),
    ('name = "x"\n[[steps]]\naction = "open_url"\nargs = { url = 5 }\n',
     ":2: step 1: open_url argument 'url': Input should be a valid string"),
    ('[[steps]]\nrequest = "a"\n', ":1: missing 'name"),
])
def test_automation_files_are_validated_before_anything_runs(
        run_lam: LamRunner, configured_home: Path, tmp_path: Path, text: str,
        message: str) -> None:
    file = tmp_path / "bad.toml"
    file.write_text(text)
    proc = run_lam("run", str(file), "--yes")
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert f"error: {file}{message}" in proc.stderr


def test_saved_automation_replays_with_no_model_call(run_lam: LamRunner, configured_home: Path,
                                                    site: Site, smtp: SmtpServer) -> None:
    request = f"open {site.url('/list')} and then open the third link"
    proc = run_lam("do", "--yes", "--json", request)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    first = json.loads(proc.stdout)
    assert first["report"]["steps"][1]["result"]["output"]["url"] == site.url("/gamma")
    proc = run_lam("save", "gamma")
    assert proc.returncode == 0 and "saved plan #1" in proc.stdout
    site.hits.clear()
    proc = run_lam("run", "gamma", "--yes", "--json")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = json.loads(proc.stdout)
    assert out["model_calls"] == 0
    assert out["report"]["steps"][1]["result"]["output"]["url"] == site.url("/gamma")
    assert "/list" in site.hits and "/gamma" in site.hits
