"""Output paths (issue 10): what cannot be encoded is escaped, never a
crash; a newline in a path cannot split a record; messages name their own
object (linear output)."""

from __future__ import annotations

import json
import os

import pytest
from click.testing import CliRunner

from sanlint.cli import main

R0 = b"resource r0 {\n  syncer { rate 70M; } # caf\xe9\n  on alpha { device /dev/drbd0; disk /dev/sdb; " \
     b"meta-disk internal; address 10.0.0.1:7789; }\n}\n"


def run(*args):
    r = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert "Traceback" not in (r.output or "")
    return r


@pytest.fixture
def latin1_site(tmp_path):
    site = tmp_path / "site"
    d = os.path.join(os.fsencode(site), b"san-\xe9", b"etc", b"drbd.d")
    os.makedirs(d)
    with open(os.path.join(d, b"r0.res"), "wb") as fh:
        fh.write(R0)
    return site


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "junit", "github"])
def test_latin1_line_and_directory_name_in_every_format(latin1_site, tmp_path, fmt):
    out = tmp_path / f"out.{fmt}"
    r = run("check", "--format", fmt, "-o", str(out), str(latin1_site))
    assert r.exit_code == 1
    data = out.read_bytes()
    text = data.decode("utf-8")  # valid UTF-8: the stray bytes are escaped
    if fmt in ("json", "sarif"):
        doc = json.loads(text)
        if fmt == "json":
            assert doc["findings"][0]["path"].encode("utf-8", "surrogateescape").endswith(b"/san-\xe9/etc/drbd.d/r0.res")
        else:
            uri = doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            assert "san-%E9/etc/drbd.d/r0.res" in uri


def test_baseline_with_a_latin1_directory_round_trips(latin1_site, tmp_path):
    bl = tmp_path / "b.json"
    run("check", "--write-baseline", str(bl), str(latin1_site))
    bl.read_bytes().decode("utf-8")
    r = run("check", "--baseline", str(bl), str(latin1_site))
    assert r.exit_code == 0 and "No problems found" in r.output


@pytest.mark.parametrize("name", ["audit.html", "audit.md"])
def test_reports_with_a_latin1_directory(latin1_site, tmp_path, name):
    r = run("report", str(latin1_site), "-o", str(tmp_path / name))
    assert r.exit_code in (0, 1)
    assert (tmp_path / name).exists()


def test_a_newline_in_a_path_cannot_split_a_record(tmp_path):
    root = tmp_path / "site" / "a\nb"
    (root / "etc/drbd.d").mkdir(parents=True)
    (root / "etc/drbd.d/r0.res").write_text("resource r0 {\n  syncer { rate 70M; }\n}\n")
    for fmt in ("text", "github"):
        out = run("check", "--format", fmt, str(tmp_path / "site")).output
        records = [ln for ln in out.splitlines() if "DRBD" in ln and ":1:1:" in ln or ln.startswith("::")]
        assert records, out
        for ln in records:
            assert ("a\\nb" in ln or "a%0Ab" in ln), ln


@pytest.mark.parametrize("target, words", [("/nonexistent/x", "no such directory"), ("/tmp", "is a directory")])
def test_unwritable_output(tmp_path, target, words):
    (tmp_path / "r0.res").write_text("resource r0 {\n  syncer { rate 70M; }\n}\n")
    r = run("check", "-o", target, str(tmp_path / "r0.res"))
    assert r.exit_code == 2 and words in r.output


def test_drbd140_names_its_own_resource_only(tmp_path):
    res = "".join(f"resource r{i} {{\n  on a {{ device /dev/drbd{i}; disk /dev/sdb{i}; meta-disk internal; "
                  f"address 10.0.0.1:{7000 + i}; }}\n}}\n" for i in range(300))
    d = tmp_path / "etc/drbd.d"
    d.mkdir(parents=True)
    (d / "all.res").write_text(res)
    r = run("check", "--select", "DRBD140", "--format", "json", str(tmp_path))
    got = json.loads(r.output)["findings"]
    assert len(got) == 299
    assert all(len(f["message"]) < 200 for f in got)
    assert "r150.res" in got[149]["message"] and "r151" not in got[149]["message"]
