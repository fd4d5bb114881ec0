"""Baselines: findings are matched on host, path, code and identity (never
the line), with multiset semantics."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from conftest import REPO
from report_sites import SEED, run_cli
from sanlint.baseline import BaselineError, filter_new, fingerprint, write
from sanlint.rule import Finding
from sanlint.source import SourceFile

def _findings(site: Path, *extra: str) -> list[dict]:
    r = run_cli("check", "--format", "json", *extra, str(site))
    assert r.exit_code in (0, 1), r.output
    return json.loads(r.output)["findings"]


def _push_every_finding_down(site: Path, findings: list[dict]) -> None:
    """Insert a blank and a comment line above every line that has a finding
    (and at the top of every file), so every finding changes its line."""
    by_file: dict[str, set[int]] = {}
    for f in findings:
        by_file.setdefault(f["path"], set()).add(f["line"])
    for p in sorted(site.rglob("*")):
        if not p.is_file() or "/lvm/backup/" in str(p) or "/lvm/archive/" in str(p):
            continue
        lines = p.read_text().splitlines(keepends=True)
        marked = by_file.get(str(p), set())
        out = ["\n", "# sanlint baseline test\n"]
        for i, line in enumerate(lines, 1):
            if i in marked and not line.rstrip().endswith("\\") and not _continues(lines, i):
                out += ["\n", "# moved\n"]
            out.append(line)
        p.write_text("".join(out))


def _continues(lines: list[str], i: int) -> bool:
    """Line i is inside a backslash-continued crm statement."""
    return i >= 2 and lines[i - 2].rstrip().endswith("\\")


def test_baseline_ignores_moved_lines_and_reports_exactly_the_new_problem(tmp_path):
    site = tmp_path / "seed"
    shutil.copytree(REPO / SEED, site)
    baseline = tmp_path / "baseline.json"
    before = _findings(site)
    assert before, "the seed has findings"

    r = run_cli("check", "--write-baseline", str(baseline), str(site))
    assert r.exit_code == 0, r.output
    doc = json.loads(baseline.read_text())
    assert len(doc["findings"]) == len(before)
    assert {"fingerprint", "code", "path", "host", "message"} <= set(doc["findings"][0])

    _push_every_finding_down(site, before)
    moved = _findings(site)
    assert len(moved) == len(before)
    assert sorted(f["line"] for f in moved) != sorted(f["line"] for f in before)  # lines did move
    r = run_cli("check", "--format", "json", "--baseline", str(baseline), str(site))
    assert json.loads(r.output)["findings"] == []
    assert r.exit_code == 0

    # one new problem: LVM's persistent device cache switched on on san-1 (LVM103)
    conf = site / "san-1/etc/lvm/lvm.conf"
    text = conf.read_text()
    assert "write_cache_state = 0" in text
    conf.write_text(text.replace("write_cache_state = 0", "write_cache_state = 1"))
    all_now = _findings(site)
    assert len(all_now) == len(before) + 1
    r = run_cli("check", "--format", "json", "--baseline", str(baseline), str(site))
    new = json.loads(r.output)["findings"]
    assert len(new) == 1, new
    assert (new[0]["code"], new[0]["host"], new[0]["path"]) == ("LVM103", "san-1", str(conf))
    line = conf.read_text().splitlines()[new[0]["line"] - 1]
    assert "write_cache_state = 1" in line
    assert r.exit_code == 1


def _f(code="DRBD101", line=1, identity="drbd resource r0 / address", host="a", path="a/etc/r0.res"):
    src = SourceFile.from_text(path, "x\n" * 10, host=host)
    return Finding(code, "error", "msg", span=src.span(2 * (line - 1), 2 * (line - 1) + 1), identity=identity)


def test_fingerprint_depends_on_host_path_code_identity_not_line():
    assert fingerprint(_f(line=1)) == fingerprint(_f(line=7))
    assert fingerprint(_f()) != fingerprint(_f(host="b"))
    assert fingerprint(_f()) != fingerprint(_f(path="a/etc/r1.res"))
    assert fingerprint(_f()) != fingerprint(_f(code="DRBD102"))
    assert fingerprint(_f()) != fingerprint(_f(identity="drbd resource r1 / address"))


def test_multiset_semantics(tmp_path):
    bl = tmp_path / "b.json"
    assert write(str(bl), [_f(line=2)]) == 1
    twice = [_f(line=3), _f(line=5)]
    assert len(filter_new(str(bl), twice)) == 1  # the second identical finding is new
    write(str(bl), twice)
    assert filter_new(str(bl), [_f(line=9), _f(line=1)]) == []
    assert len(filter_new(str(bl), [_f(), _f(), _f()])) == 1


@pytest.mark.parametrize("content, message", [
    (None, "does not exist"),
    ("{not json", "not valid JSON"),
    ('{"sanlint-baseline": 1}', "not a sanlint baseline"),
    ('{"sanlint-baseline": 99, "findings": []}', "unsupported version"),
    ('{"sanlint-baseline": 1, "findings": [{"code": "X"}]}', "no fingerprint"),
])
def test_bad_baselines_are_errors(tmp_path, content, message):
    bl = tmp_path / "b.json"
    if content is not None:
        bl.write_text(content)
    with pytest.raises(BaselineError, match=message):
        filter_new(str(bl), [_f()])
    r = run_cli("check", "--baseline", str(bl), SEED)
    assert r.exit_code == 2
    assert message in r.output
