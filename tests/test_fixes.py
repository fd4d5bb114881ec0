"""Fixes: every fixable rule's bad fixture is repaired by `--fix`
(`--unsafe-fixes` where needed), the rule no longer fires, nothing else
appears, a second run changes nothing, and bytes outside the edits stay
identical.  (Writing them: tests/test_apply.py.)"""

from __future__ import annotations

import difflib
import shutil
from pathlib import Path

import pytest

from conftest import FIXTURES
from sanlint.api import check
from sanlint.config import Settings
from sanlint.fixes import apply_edits, plan, write_atomically
from sanlint.rule import Edit
from sanlint.runner import load_rules
from sanlint.source import SourceFile

RULES = load_rules()
FIXABLE = sorted(code for code, r in RULES.items() if r.fix in ("safe", "unsafe")
                 and (FIXTURES / "rules" / code / "bad").is_dir())


def _fix_site(site: Path, unsafe: bool):
    settings = Settings()

    def checker(overrides):
        return check([str(site)], settings=settings, overrides=overrides).findings

    outcome = plan(checker, unsafe=unsafe)
    if outcome.new_data:
        write_atomically(outcome.new_data, backup=False)
    return outcome


@pytest.mark.parametrize("code", FIXABLE)
def test_fix_repairs_bad_fixture_and_is_idempotent(code, tmp_path):
    site = tmp_path / "site"
    shutil.copytree(FIXTURES / "rules" / code / "bad", site)
    (site / "expect.json").unlink()
    before = {p: p.read_bytes() for p in site.rglob("*") if p.is_file()}
    first = check([str(site)])
    assert any(f.code == code for f in first.findings)
    outcome = _fix_site(site, unsafe=True)
    assert not outcome.rejected or all(f.code != code for f, _ in outcome.rejected), outcome.rejected
    after = check([str(site)])
    assert not [f for f in after.findings if f.code == code], f"{code} still fires after --fix"
    old_keys = {(f.code, f.identity) for f in first.findings}
    assert all((f.code, f.identity) in old_keys for f in after.findings), "the fix introduced a new finding"
    # untouched lines stay byte-identical: every changed file differs only in the edited region
    for p, old in before.items():
        new = p.read_bytes()
        if new != old:
            sm = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
            changed = [op for op in sm.get_opcodes() if op[0] != "equal"]
            assert changed and sum(i2 - i1 for _, i1, i2, _, _ in changed) < len(old)
    again = _fix_site(site, unsafe=True)
    assert again.new_data == {}, "fixing a fixed site changed it again"


def test_apply_edits_keeps_everything_else():
    src = SourceFile.from_text("x", "a = 1  # keep\nb = 2\n")
    new = apply_edits(src.data, [Edit(src, 4, 5, "9"), Edit.insert(src, 21, "c = 3\n")])
    assert new == b"a = 9  # keep\nb = 2\nc = 3\n"


# -- diffs built from edits -------------------------------------------------------

def _apply_unified(old: str, diff: str) -> str:
    """A strict unified-diff applier: every context and removed line must be
    exactly where the hunk header says."""
    import re

    src = old.splitlines(keepends=True)
    out, pos = [], 0
    lines = diff.splitlines(keepends=True)[2:]
    i = 0
    while i < len(lines):
        m = re.match(r"@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@", lines[i])
        assert m, lines[i]
        a, alen = int(m.group(1)), int(m.group(2) or 1)
        start = a - 1 if alen else a  # an empty range names the line before
        out += src[pos:start]
        pos = start
        i += 1
        while i < len(lines) and not lines[i].startswith("@@"):
            kind, text = lines[i][0], lines[i][1:]
            if i + 1 < len(lines) and lines[i + 1].startswith("\\"):
                text = text[:-1]  # "\ No newline at end of file"
                i += 1
            if kind in " -":
                assert src[pos] == text, (pos, src[pos], text)
                pos += 1
            if kind in " +":
                out.append(text)
            i += 1
    return "".join(out + src[pos:])


from hypothesis import given, settings, strategies as st  # noqa: E402


@settings(max_examples=400, deadline=None)
@given(lines=st.lists(st.sampled_from(["a", "b", "", "x y", "b"]), max_size=30),
       final_newline=st.booleans(),
       edits=st.lists(st.tuples(st.integers(0, 400), st.integers(0, 8),
                                st.sampled_from(["", "Z", "Q\n", "\nR\n", "k", "\n", "a\n"])), min_size=1, max_size=5))
def test_edits_diff_applies_to_give_the_edited_file(lines, final_newline, edits):
    from sanlint.fixes import edits_diff

    text = "\n".join(lines) + ("\n" if final_newline and lines else "")
    src = SourceFile.from_text("f", text)
    chosen, pos = [], 0
    for start, length, repl in sorted(edits):
        start = min(max(start, pos), len(src.data))
        end = min(start + length, len(src.data))
        if start < pos:
            continue
        chosen.append(Edit(src, start, end, repl))
        pos = end + 1
    new = apply_edits(src.data, chosen).decode()
    diff = edits_diff(src.data, chosen, "f")
    assert (diff == "") == (new == text)
    if diff:
        assert diff.startswith("--- a/f\n+++ b/f\n@@ ")
        assert _apply_unified(text, diff) == new
