"""Per-rule snapshots, like ruff's: for each rule's bad fixture
(`fixtures/rules/CODE/bad`), the text output of `sanlint check --select CODE`
and the diff of its fixes (`--diff --unsafe-fixes`).  A change that alters a
rule's message, location or fix shows up here and is reviewed with the change
(`pytest --snapshot-update` rewrites them)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from conftest import FIXTURES
from sanlint.cli import main

RULE_DIR = FIXTURES / "rules"
CODES = sorted(p.name for p in RULE_DIR.iterdir() if (p / "bad").is_dir())


def run(*args: str) -> str:
    r = CliRunner().invoke(main, ["check", "--no-color", *args], catch_exceptions=False)
    assert r.exit_code in (0, 1), r.output
    # a fixture directory is loose files (one anonymous host): the layout note on stderr is
    # tested in test_repositories, not repeated in every rule's snapshot
    return "".join(ln for ln in r.output.splitlines(keepends=True) if not ln.startswith("sanlint: note: "))


@pytest.mark.parametrize("code", CODES)
def test_rule_output_and_fix_diff(code, snapshot, monkeypatch):
    monkeypatch.chdir(RULE_DIR / code)
    assert run("--select", code, "bad") == snapshot(name="output")
    assert run("--select", code, "--diff", "--unsafe-fixes", "bad") == snapshot(name="diff")
