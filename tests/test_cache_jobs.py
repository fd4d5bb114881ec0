"""The parse cache and the process pool (sanlint.cache): a cached, a
parallel and a plain serial run give the same findings and the same model;
the cache survives changed files, version bumps, corrupt entries and
concurrent runs; progress never shows outside a terminal."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import FIXTURES
from sanlint import cache
from sanlint.cache import ParseEngine
from sanlint.cli import main
from sanlint.config import load
from sanlint.formats import BY_NAME
from sanlint.runner import run
from sanlint.site import build

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
import gen  # noqa: E402


def outcome(paths, engine):
    """Everything a user can see of a check: findings (with positions and
    fixes) and the model JSON."""
    settings = load(None)
    site, problems = build([str(p) for p in paths], [], settings.as_dict(), engine=engine)
    result = run(site, problems, settings)
    findings = [(f.code, f.span.path if f.span else f.path, f.span.line if f.span else f.line,
                 f.span.column if f.span else f.column, f.message, f.host, f.severity,
                 tuple((e.file.display, e.start, e.end, e.replacement) for fx in ([f.fix] if f.fix else []) for e in fx.edits))
                for f in result.findings]
    return findings, json.dumps(site.to_json(), sort_keys=True, default=str)


@pytest.fixture
def site(tmp_path):
    """A LINSTOR-style DRBD site (3 x 24 files; the pool threshold is lowered where a test needs the pool), plus
    the seed site's other formats, plus a file that does not parse."""
    s = gen.linstor_site(tmp_path, 24, name="site")
    seed = FIXTURES / "sites" / "seed"
    for h in ("alpha", "bravo"):
        for f in (seed / "san-1").rglob("*"):
            rel = f.relative_to(seed / "san-1")
            if f.is_file() and not (s / h / rel).exists():
                (s / h / rel).parent.mkdir(parents=True, exist_ok=True)
                (s / h / rel).write_bytes(f.read_bytes())
    (s / "cluster.crm").write_bytes((FIXTURES / "sites" / "modern" / "cluster.crm").read_bytes())
    (s / "alpha" / "var/lib/linstor.d/pvc-00007.res").write_text('resource "broken" {\n  net { protocol C;\n')
    return s


@pytest.fixture(autouse=True)
def _drbd_cached(monkeypatch):
    """DRBD files normally skip the cache and the pool (Format.pool=False: the
    parser is faster); these tests use them as cached, pooled files."""
    monkeypatch.setattr(BY_NAME["drbd"], "pool", True)


def test_cheap_formats_skip_the_cache_and_agree(site, tmp_path, monkeypatch):
    monkeypatch.setattr(BY_NAME["drbd"], "pool", False)
    plain = outcome([site], ParseEngine(cache=False, jobs=1))
    cdir = tmp_path / "cache"
    first = outcome([site], ParseEngine(cache=True, cache_dir=cdir, jobs=2))
    again = outcome([site], ParseEngine(cache=True, cache_dir=cdir, jobs=2))
    assert first == plain and again == plain
    entries = [p for p in (cdir / "parsed").rglob("*") if p.is_file()]
    assert 0 < len(entries) < 20  # the seed's other formats only, none of the 72 DRBD files


def test_cached_parallel_and_serial_runs_agree(site, tmp_path, monkeypatch):
    monkeypatch.setattr(cache, "PARALLEL_MIN_FILES", 8)
    plain = outcome([site], ParseEngine(cache=False, jobs=1))
    assert any(code == "SAN001" for code, *_ in plain[0])  # the broken file is reported
    cdir = tmp_path / "cache"
    cold = outcome([site], ParseEngine(cache=True, cache_dir=cdir, jobs=2))  # pool + writes the cache
    assert len(list((cdir / "parsed").rglob("*"))) > 100
    warm = outcome([site], ParseEngine(cache=True, cache_dir=cdir, jobs=1))  # every file from the cache
    parallel = outcome([site], ParseEngine(cache=False, jobs=2))
    assert cold == plain and warm == plain and parallel == plain


def test_a_changed_file_is_parsed_again(site, tmp_path):
    cdir = tmp_path / "cache"
    before = outcome([site], ParseEngine(cache=True, cache_dir=cdir, jobs=1))
    res = site / "bravo" / "var/lib/linstor.d/pvc-00003.res"
    res.write_text(res.read_text().replace("minor 1003", "minor 1004"))  # now clashes with pvc-00004
    warm = outcome([site], ParseEngine(cache=True, cache_dir=cdir, jobs=1))
    assert warm == outcome([site], ParseEngine(cache=False, jobs=1))
    new = set(warm[0]) - set(before[0])
    assert {code for code, *_ in new} == {"DRBD102", "DRBD105"}  # the minor clash, and drift from alpha


def test_another_version_and_corrupt_entries_are_ignored(site, tmp_path, monkeypatch):
    cdir = tmp_path / "cache"
    plain = outcome([site], ParseEngine(cache=False, jobs=1))
    outcome([site], ParseEngine(cache=True, cache_dir=cdir, jobs=1))
    entries = sorted(p for p in (cdir / "parsed").rglob("*") if p.is_file())
    for i, p in enumerate(entries):  # truncated, garbage, empty, a valid pickle of something else
        p.write_bytes([p.read_bytes()[: len(p.read_bytes()) // 2], b"\x80\x05garbage", b"",
                       cache.MAGIC + cache.fingerprint() + b"\0" + b"\x80\x05K\x01."][i % 4])
    assert outcome([site], ParseEngine(cache=True, cache_dir=cdir, jobs=1)) == plain
    # a version bump: the next version neither finds nor accepts this one's entries
    n = len(entries)
    monkeypatch.setattr(cache, "_FINGERPRINT", b"another-version")
    assert outcome([site], ParseEngine(cache=True, cache_dir=cdir, jobs=1)) == plain
    assert len([p for p in (cdir / "parsed").rglob("*") if p.is_file()]) == 2 * n  # all parsed and stored again
    from sanlint.source import SourceFile

    src = SourceFile.from_text("x.res", "resource r { }\n", format="drbd")
    monkeypatch.setattr(cache, "_FINGERPRINT", b"version-a")
    blob = cache.dumps(cache.parse_outcome(src), src)
    assert cache.loads(blob, src)[0] == "ok"
    monkeypatch.setattr(cache, "_FINGERPRINT", b"version-b")
    assert cache.loads(blob, src) is None


def test_two_concurrent_runs_share_a_cache(site, tmp_path):
    cdir = tmp_path / "cache"
    env = dict(os.environ, SANLINT_CACHE_DIR=str(cdir))
    cmd = [sys.executable, "-m", "sanlint", "check", "--format", "json", "-j", "2", str(site)]
    procs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env) for _ in range(2)]
    outs = [p.communicate() for p in procs]
    assert [p.returncode for p in procs] == [1, 1], outs[0][1].decode()[-2000:]
    uncached = subprocess.run(cmd + ["--no-cache"], capture_output=True, env=env)
    assert outs[0][0] == outs[1][0] == uncached.stdout
    assert not [p for p in (cdir / "parsed").rglob(".tmp-*")]  # no half-written entry left


def test_cache_is_bounded(site, tmp_path):
    cdir = tmp_path / "cache"
    e = ParseEngine(cache=True, cache_dir=cdir, jobs=1)
    e.store.max_bytes = 20_000
    outcome([site], e)
    total = sum(p.stat().st_size for p in (cdir / "parsed").rglob("*") if p.is_file())
    assert 0 < total <= 20_000


def test_no_cache_writes_nothing_and_cache_dir_is_where_entries_go(site, tmp_path):
    r = CliRunner().invoke(main, ["check", "--no-cache", "--cache-dir", str(tmp_path / "c1"), str(site)])
    assert r.exit_code == 1 and not (tmp_path / "c1").exists()
    r = CliRunner().invoke(main, ["check", "--cache-dir", str(tmp_path / "c2"), "-j", "1", str(site)])
    assert r.exit_code == 1 and any((tmp_path / "c2" / "parsed").rglob("*"))
    assert not any(p.name == "parsed" for p in site.rglob("*"))  # never inside the site
    assert CliRunner().invoke(main, ["check", "-j", "0", str(site)]).exit_code == 2
    cache.configure(cache=None, cache_dir=None, jobs=None)


def test_progress_never_outside_a_terminal(site, tmp_path):
    env = dict(os.environ, SANLINT_CACHE_DIR=str(tmp_path / "c"))
    for fmt in ("text", "json"):
        p = subprocess.run([sys.executable, "-m", "sanlint", "check", "--format", fmt, "-j", "1", str(site)],
                           capture_output=True, env=env)
        assert b"files parsed" not in p.stderr + p.stdout and b"\r" not in p.stderr


def test_progress_on_a_terminal_after_a_second(tmp_path):
    from sanlint.progress import Progress

    class Tty:
        text = ""

        def write(self, s):
            self.text += s

        def flush(self):
            pass

    out = Tty()
    p = Progress(out, delay=0.0)
    p.start -= 1
    for _ in range(3):
        p(1)
    p.clear()
    assert "sanlint: 1 files parsed" in out.text and out.text.endswith("\r\033[K")
    quiet = Tty()
    q = Progress(quiet, delay=3600)
    q(5)
    q.clear()
    assert quiet.text == ""


def test_rule_pack_list_is_cached_and_refreshed_by_installs(tmp_path, monkeypatch):
    from sanlint import runner

    monkeypatch.setenv("SANLINT_CACHE_DIR", str(tmp_path / "c"))
    monkeypatch.setattr(sys, "path", ["", *sys.path])  # as in `python -m sanlint`: the working directory
    monkeypatch.chdir(tmp_path)
    first = runner.pack_entry_points("sanlint.rules")
    assert ("drbd", "sanlint_rules.drbd") in first
    (kept,) = (tmp_path / "c").glob("entry-points-*.json")
    doc = json.loads(kept.read_text())
    kept.write_text(json.dumps({"key": doc["key"], "points": [["x", "y"]]}))  # the file is what later runs read
    assert runner.pack_entry_points("sanlint.rules") == [("x", "y")]
    (tmp_path / "new-file").write_text("")  # the working directory changes: same key, no second file
    assert runner.pack_entry_points("sanlint.rules") == [("x", "y")]
    assert len(list((tmp_path / "c").glob("entry-points-*"))) == 1
    site = tmp_path / "site"  # a package installed: its dist-info changes the key
    (site / "fake-1.0.dist-info").mkdir(parents=True)
    (site / "fake-1.0.dist-info" / "METADATA").write_text("Metadata-Version: 2.1\nName: fake\nVersion: 1.0\n")
    (site / "fake-1.0.dist-info" / "entry_points.txt").write_text("[sanlint.rules]\nfake = fake_pack\n")
    monkeypatch.syspath_prepend(str(site))
    got = runner.pack_entry_points("sanlint.rules")
    assert ("fake", "fake_pack") in got and ("drbd", "sanlint_rules.drbd") in got
    assert len(list((tmp_path / "c").glob("entry-points-*"))) == 1


def test_a_local_check_imports_only_what_the_site_needs(tmp_path):
    """Start-up: no ssh/archive machinery, no lxml, no Lark DRBD parser for
    a site of local DRBD files (lark itself comes in with corosync helpers)."""
    site = gen.linstor_site(tmp_path, 3, name="site")
    code = ("import sys; from click.testing import CliRunner; from sanlint.cli import main; "
            f"r = CliRunner().invoke(main, ['check', '--no-cache', {str(site)!r}]); "
            "print(r.exit_code, sorted(m for m in ('sanlint.remote.ssh', 'tarfile', 'lxml.etree', "
            "'sanlint.parsers.drbd_lark') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split(" ", 1) == ["0", "[]\n"], out
