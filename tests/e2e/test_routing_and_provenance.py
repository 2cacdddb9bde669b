"""Where requests go (issue #24 items 4 and 5), with the installed `lam` as a user types it, one
process per command, on a fresh home: a failed plugin's request says which plugin, why and how
to fix it, and nothing runs; a template that does not fit a request is not a nonsense question;
"X and Y" does both (real Chromium on a loopback site); "her" with two contacts asks which."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.e2e.conftest import E2E
from tests.headless.conftest import Site

NO_MODEL = '''
[lam]
model = ""
large_model = ""
timezone = "Europe/Berlin"
'''
NEEDS_ANSWER, PLANNING_FAILED = 7, 3


def out(proc: object) -> str:
    return f"stdout:\n{getattr(proc, 'stdout', '')}\nstderr:\n{getattr(proc, 'stderr', '')}"


def journal(e2e: E2E) -> list[dict[str, object]]:
    proc = e2e.lam("journal", "--json", check=True)
    rows: list[dict[str, object]] = json.loads(proc.stdout)
    return rows


# -- item 4: a plugin that failed to load --------------------------------------------------------
def test_a_failed_plugins_request_names_it_the_reason_and_the_fix(e2e: E2E) -> None:
    # The planning model stays configured: the request must not reach it (it would plan a
    # click in the browser), and it is never loaded for this.
    e2e.write_config('''
[lam]
model = "qwen2.5-coder-0.5b"
large_model = ""
timezone = "Europe/Berlin"

[plugins.messaging]
smtp_security = "bogus"
''')
    proc = e2e.lam("do", "--yes", "add contact Ann Lee ann@example.org")
    text = proc.stdout + proc.stderr
    assert proc.returncode == PLANNING_FAILED, out(proc)
    assert "messaging plugin" in text and "failed to load" in text, out(proc)
    assert "reason: " in text and "smtp_security" in text, out(proc)
    assert "fix: " in text and "[plugins.messaging]" in text, out(proc)
    assert "click" not in proc.stdout, out(proc)
    assert journal(e2e) == []  # nothing ran, on the browser or anywhere

    as_json = e2e.lam("do", "--yes", "--json", "add contact Ann Lee ann@example.org")
    data = json.loads(as_json.stdout)
    assert data["status"] == "no_action" and data["plan"]["steps"] == []
    assert "messaging" in data["plan"]["answer"]


def test_a_click_target_the_real_model_made_up_never_runs_even_with_yes(e2e: E2E) -> None:
    """The real test model plans ``click`` for this request with a target nobody said: lam
    asks instead of clicking (exit 7), --yes notwithstanding."""
    models = Path(e2e.env.get("LAM_MODELS_DIR", "/nonexistent"))
    if not (models / "qwen2.5-coder-0.5b.gguf").is_file():
        pytest.skip("needs the pulled test model (LAM_MODELS_DIR)")
    e2e.write_config(NO_MODEL.replace('model = ""', 'model = "qwen2.5-coder-0.5b"', 1))
    proc = e2e.lam("do", "--yes", "log me in on the site")
    assert journal(e2e) == [], out(proc)  # nothing ran
    assert proc.returncode == NEEDS_ANSWER, out(proc)
    assert "is the model's guess" in proc.stdout and "never runs on a guess" in proc.stdout


# -- item 5: templates that do not fit -----------------------------------------------------------
def test_a_misfit_template_is_no_nonsense_question(e2e: E2E) -> None:
    e2e.write_config(NO_MODEL)
    for request in ("check my schedule please", "show me what's scheduled"):
        proc = e2e.lam("plan", request)
        assert proc.returncode == PLANNING_FAILED, out(proc)
        assert "I don't know a" not in proc.stdout, out(proc)
        assert "no model" in proc.stdout.lower(), out(proc)


def test_her_with_two_contacts_asks_which_naming_both(e2e: E2E) -> None:
    e2e.write_config(NO_MODEL)
    for who in ("Alice Chen alice@example.org", "Carol King carol@example.org"):
        e2e.lam("do", f"add contact {who}", check=True)
    proc = e2e.lam("do", "email her")
    assert proc.returncode == NEEDS_ANSWER, out(proc)
    assert "Alice Chen" in proc.stdout and "Carol King" in proc.stdout, out(proc)


def test_open_a_page_and_open_a_link_on_it_by_its_label(e2e: E2E, e2e_site: Site) -> None:
    e2e.write_config(NO_MODEL + '\n[plugins.browser]\nallow_loopback = true\n')
    proc = e2e.lam("do", f"open {e2e_site.url('/list')} and open the Beta link")
    assert proc.returncode == 0, out(proc)
    assert e2e_site.hits[:2] == ["/list", "/beta"], (e2e_site.hits, out(proc))


def test_a_clause_no_action_fits_is_not_dropped(e2e: E2E, e2e_site: Site) -> None:
    e2e.write_config(NO_MODEL + '\n[plugins.browser]\nallow_loopback = true\n')
    proc = e2e.lam("do", f"open {e2e_site.url('/list')} and frobnicate the widgets")
    assert proc.returncode == PLANNING_FAILED, out(proc)
    assert "'frobnicate the widgets'" in proc.stdout, out(proc)
    assert e2e_site.hits == []  # neither part ran
