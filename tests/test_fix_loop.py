"""The fix loop as an admin runs it (issue 9 item 4).

- `--unsafe-fixes` only widens `--fix` and `--diff`, as in ruff: alone it
  writes nothing and reports exactly what a plain check reports.
- `--diff` is a patch: `git apply --check` and `patch -p1` take it, and the
  tree it leaves is byte for byte the tree `--fix` writes.  Fixes that need
  the admin's choice (DRBD110, ISCSI113, PCMK111) are listed on stderr
  ("needs your choice, not written: ..."), never a hunk, never written by
  `--fix`: no placeholder reaches a file.
- Runs never read their own state back (originals, new versions, journal)
  and never overwrite an earlier run's originals: every original byte of
  every file ever changed stays recoverable.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import FIXTURES, need
from sanlint.cli import main
from sanlint.examples import materialize
from sanlint.runner import load_rules

SITES = {p.name: p for p in sorted((FIXTURES / "sites").iterdir()) if p.is_dir()}
CHOICE = ["DRBD110", "ISCSI113", "PCMK111"]  # the rules whose fixes may need the admin's choice (Rule.fix == "choice")
CASES = [("sites", n) for n in SITES] + [("rules", c) for c in CHOICE]
PLACEHOLDER_WORDS = ("CHOOSE-", "<system_id|")


def cli(*args: str):
    r = CliRunner().invoke(main, ["check", "--no-color", *args], catch_exceptions=False)
    assert r.exit_code in (0, 1), r.output
    return r


def tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and ".sanlint" not in p.relative_to(root).parts}


def copy_case(kind: str, name: str, dest: Path) -> None:
    """An example site, or the documented bad example of a rule whose fix needs a choice there."""
    if kind == "sites":
        shutil.copytree(SITES[name], dest)
    else:
        shutil.move(materialize(load_rules()[name].examples()["bad"], dest.parent / "scratch"), dest)


def test_unsafe_fixes_alone_writes_nothing(tmp_path, monkeypatch):
    site = tmp_path / "seed"
    shutil.copytree(SITES["seed"], site)
    monkeypatch.chdir(tmp_path)
    before = tree(site)
    plain = cli("--format", "json", "seed").stdout
    r = cli("--format", "json", "--unsafe-fixes", "seed")
    assert tree(site) == before and not (site / ".sanlint").exists()
    assert r.stdout == plain and "fixed" not in r.stderr
    # the same flag does widen --fix: the seed has unsafe fixes (PCMK113...)
    cli("--fix", "seed")
    safe_only = tree(site)
    assert safe_only != before
    cli("--fix", "--unsafe-fixes", "seed")
    assert tree(site) != safe_only


@pytest.mark.parametrize(("kind", "name"), CASES, ids=[n for _, n in CASES])
def test_diff_is_a_patch_that_gives_what_fix_writes(kind, name, tmp_path, monkeypatch):
    patched, fixed = tmp_path / "p", tmp_path / "f"
    for d in (patched, fixed):
        d.mkdir()
        copy_case(kind, name, d / "site")
    monkeypatch.chdir(patched)
    r = cli("--diff", "--unsafe-fixes", "site")
    patch = r.stdout
    assert tree(patched / "site") == tree(fixed / "site")  # --diff wrote nothing
    assert not any(w in patch for w in PLACEHOLDER_WORDS), patch
    if kind == "rules":  # the choice is listed beside the patch, with its place
        assert f"needs your choice, not written: site/" in r.stderr and f" {name} " in r.stderr
    if patch:
        (tmp_path / "fixes.patch").write_text(patch)
        for argv in ([need("git"), "apply", "--check", "-p1"], [need("patch"), "-p1", "--dry-run", "-i"],
                     [need("patch"), "-p1", "--no-backup-if-mismatch", "-i"]):
            p = subprocess.run([*argv, str(tmp_path / "fixes.patch")], cwd=patched, capture_output=True, text=True,
                               stdin=subprocess.DEVNULL)
            assert p.returncode == 0, p.stdout + p.stderr
    monkeypatch.chdir(fixed)
    w = cli("--fix", "--unsafe-fixes", "site")
    assert tree(patched / "site") == tree(fixed / "site")
    assert not any(w_ in v.decode(errors="replace") for v in tree(fixed / "site").values() for w_ in PLACEHOLDER_WORDS)
    if kind == "rules":
        assert "needs your choice, not written:" in w.stderr
    after = cli("--format", "json", "site")
    assert '"SAN001"' not in after.stdout  # the patched configuration still parses


def test_runs_never_read_back_nor_overwrite_earlier_originals(tmp_path, monkeypatch):
    site = tmp_path / "seed"
    shutil.copytree(SITES["seed"], site)
    original = tree(site)
    monkeypatch.chdir(tmp_path)
    cli("--fix", "seed")
    first = tree(site)
    cli("--fix", "--unsafe-fixes", "seed")
    second = tree(site)
    runs = sorted({p.parent for p in (site / ".sanlint").rglob("journal.json")})  # one directory per run
    assert len(runs) == 2
    # each run keeps the bytes it replaced: run 1 the originals, run 2 run 1's results
    for run_dir, before in zip(runs, (original, first)):
        origs = {p.read_bytes() for p in run_dir.glob("*.orig")}
        assert origs and origs <= set(before.values())
    assert {p.read_bytes() for p in runs[0].glob("*.orig")} <= set(original.values()) - set(second.values())
    # the state directory is never configuration: the check of the fixed site equals that of a clean copy
    clean = tmp_path / "clean"
    clean.mkdir()
    for rel, data in second.items():
        (clean / rel).parent.mkdir(parents=True, exist_ok=True)
        (clean / rel).write_bytes(data)
    a = cli("--format", "json", "seed").stdout
    b = cli("--format", "json", "clean").stdout.replace('"clean/', '"seed/').replace('"clean"', '"seed"')  # paths and cluster name
    assert a == b
    # and the rollback of both runs gives every original byte back
    assert CliRunner().invoke(main, ["rollback", runs[1].name, "seed"]).exit_code == 0
    assert CliRunner().invoke(main, ["rollback", runs[0].name, "seed"]).exit_code == 0
    assert tree(site) == original
