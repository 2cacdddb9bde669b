"""Every command example in README.md and docs/*.md is run verbatim (issue #24: docs cannot drift
from behaviour).

A fenced block is a *command block* when its language is sh/bash/shell/console, or when it has
no language and one of its lines starts with ``lam``, ``python`` or ``make`` (optionally after a
``$`` prompt). Command blocks and ``python`` blocks run, in document order, in one fresh home per
document, through the installed ``lam`` (``bash -c`` per line; ``$``-prompted lines only in a
block that has prompts). A command must exit 0 unless its line ends with ``# exit N``.

An HTML comment on the line right before a fence steers it:
``<!-- docs-test: skip REASON -->`` (REASON is required: why it cannot run offline here) or
``<!-- docs-test: file NAME -->`` (the block's text is written to NAME in the working folder
before the next commands run: an automation file, a config). A ``toml`` block written as
``plugins.toml`` goes to the home's config folder.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.e2e.conftest import E2E, installed_lam
from tests.messaging.servers import SmtpServer

REPO = Path(__file__).resolve().parents[2]
DOCS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
FENCE = re.compile(r"^```([\w+-]*)\s*$")
DIRECTIVE = re.compile(r"<!--\s*docs-test:\s*(skip|file)\s+(.+?)\s*-->")
COMMAND_LINE = re.compile(r"^\s*(\$\s+)?(lam|python3?|make)(\s|$)")
SHELL_LANGS = {"sh", "bash", "shell", "console"}
EXPECT_EXIT = re.compile(r"#\s*exit\s+(\d+)\s*$")


@dataclass
class Block:
    doc: Path
    line: int
    lang: str
    text: str
    directive: tuple[str, str] | None

    @property
    def where(self) -> str:
        return f"{self.doc.relative_to(REPO)}:{self.line}"

    @property
    def is_command(self) -> bool:
        if self.lang in SHELL_LANGS:
            return True
        return self.lang == "" and any(COMMAND_LINE.match(x) for x in self.text.splitlines())

    def commands(self) -> list[tuple[str, int]]:
        """(command, expected exit code) per runnable line."""
        lines = self.text.splitlines()
        prompted = any(x.lstrip().startswith("$ ") for x in lines)
        out: list[tuple[str, int]] = []
        for raw in lines:
            line = raw.strip()
            if prompted:
                if not line.startswith("$ "):
                    continue  # output shown in the doc
                line = line[2:].strip()
            if not line or line.startswith("#"):
                continue
            m = EXPECT_EXIT.search(line)
            out.append((line, int(m.group(1)) if m else 0))
        return out


def blocks(doc: Path) -> list[Block]:
    found: list[Block] = []
    lines = doc.read_text().splitlines()
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        start = i
        j = i + 1
        while j < len(lines) and not lines[j].startswith("```"):
            j += 1
        directive = None
        k = start - 1
        while k >= 0 and not lines[k].strip():
            k -= 1
        if k >= 0 and (d := DIRECTIVE.search(lines[k])):
            directive = (d.group(1), d.group(2))
        found.append(Block(doc, start + 1, m.group(1).lower(), "\n".join(lines[start + 1:j]),
                           directive))
        i = j + 1
    return found


def test_every_skip_says_why() -> None:
    """A skipped block names its reason; a ``file`` directive names a plain file name."""
    for doc in DOCS:
        for b in blocks(doc):
            if b.directive is None:
                continue
            kind, arg = b.directive
            if kind == "skip":
                assert len(arg.split()) >= 2, f"{b.where}: 'docs-test: skip' needs a reason"
            else:
                assert re.fullmatch(r"[\w.-]+", arg), f"{b.where}: bad file name {arg!r}"


def docs_config(smtp: SmtpServer) -> str:
    return f'''
[lam]
timezone = "Europe/Berlin"

[plugins.browser]
allow_loopback = true

[plugins.messaging]
from_address = "Ann Lee <ann@example.org>"
smtp_host = "127.0.0.1"
smtp_port = {smtp.port}
smtp_security = "plain"
sent_copies = "none"
'''


def _logical_lines(text: str) -> list[str]:
    """Lines with backslash continuations joined, as a shell reads them."""
    out: list[str] = []
    pending = ""
    for line in text.splitlines():
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        out.append(pending + line)
        pending = ""
    if pending:
        out.append(pending)
    return out


Expected = list[tuple[str, str, int]]


def doc_script(doc: Path, home_config: Path, base_config: str) -> tuple[str, Expected]:
    """One bash script for a whole document, so that `cd` and `export` carry on as in a
    terminal. Returns the script and (where, command, expected exit) per command."""
    parts = ["exec 3>>\"$DOCTEST_RC\""]
    expected: Expected = []
    for b in blocks(doc):
        if b.directive and b.directive[0] == "skip":
            continue
        if b.directive and b.directive[0] == "file":
            name = b.directive[1]
            if name == "plugins.toml":
                target, text = str(home_config), base_config + "\n" + b.text
            else:
                target, text = name, b.text
            parts.append(f"cat > '{target}' <<'DOCTEST_EOF'\n{text}\nDOCTEST_EOF")
            continue
        if b.lang == "python":
            n = len(expected)
            expected.append((b.where, "python block", 0))
            parts.append(f"{{ python3 - <<'DOCTEST_EOF'\n{b.text}\nDOCTEST_EOF\n}} "
                         f"> \"$DOCTEST_OUT/{n}\" 2>&1 < /dev/null; echo \"{n} $?\" >&3")
            continue
        if not b.is_command:
            continue
        joined = Block(b.doc, b.line, b.lang, "\n".join(_logical_lines(b.text)), b.directive)
        for cmd, want in joined.commands():
            n = len(expected)
            expected.append((b.where, cmd, want))
            parts.append(f"{{ {cmd}\n}} > \"$DOCTEST_OUT/{n}\" 2>&1 < /dev/null; "
                         f"echo \"{n} $?\" >&3")
    return "\n".join(parts) + "\n", expected


def run_doc(doc: Path, e2e: E2E, smtp: SmtpServer) -> list[str]:
    """Run every block of one document; return the failures (empty when all held)."""
    base = docs_config(smtp)
    e2e.write_config(base)
    script, expected = doc_script(doc, e2e.config, base)
    out_dir = e2e.workdir.parent / "doctest-out"
    out_dir.mkdir()
    rc_file = e2e.workdir.parent / "doctest-rc"
    rc_file.write_text("")
    bindir = Path(installed_lam()).parent
    env = {**e2e.env, "PATH": f"{bindir}{os.pathsep}{e2e.env.get('PATH', '')}",
           "DOCTEST_OUT": str(out_dir), "DOCTEST_RC": str(rc_file)}
    subprocess.run(["bash", "-c", script], env=env, cwd=e2e.workdir, capture_output=True,
                   text=True, timeout=1800)
    got = dict(line.split() for line in rc_file.read_text().splitlines() if line.strip())
    failures = []
    for n, (where, cmd, want) in enumerate(expected):
        rc = got.get(str(n))
        if rc is None or int(rc) != want:
            out = (out_dir / str(n)).read_text() if (out_dir / str(n)).exists() else ""
            failures.append(f"{where}: `{cmd}` exited {rc}, the doc says {want}\n{out[-3000:]}")
    return failures


@pytest.mark.slow
@pytest.mark.parametrize("doc", DOCS, ids=[d.name for d in DOCS])
def test_doc_examples_run(doc: Path, e2e: E2E, e2e_smtp: SmtpServer) -> None:
    unmarked = [b.where for b in blocks(doc)
                if b.is_command and b.directive is None and not b.commands()]
    assert not unmarked, f"command blocks with nothing to run: {unmarked}"
    try:
        failures = run_doc(doc, e2e, e2e_smtp)
    finally:
        if doc.name == "plugins.md":  # the doc installs its example plugin; leave no trace
            subprocess.run([sys.executable, "-m", "pip", "uninstall", "-y", "-q", "lam-weather"],
                           capture_output=True, timeout=300)
    assert not failures, "\n\n".join(failures)
