"""Numbers, types and sizes (issue 10): a number of thousands of digits in
any format is a SAN001 finding at the number (never an internal error at
1:1, never exit 0); configuration values of the wrong type are a clear
message (exit 2); a baseline or settings file that is a fifo, a device, a
directory or nested too deeply is a message, not a hang or a crash."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from sanlint.cli import main

BIG = "9" * 5000

# (file name, text with the big number, line and column of the number)
NUMBERS = [
    ("ietd.conf", f"Target iqn.2024-03.com.example:t1\n\tLun {BIG} Path=/dev/vg/l,Type=fileio\n", 2, 6),
    ("targets.conf", f"<target iqn.2024-03.com.example:t2>\n    <backing-store /dev/vg/l>\n        lun {BIG}\n"
                     "    </backing-store>\n</target>\n", 3, 13),
    ("saveconfig.json", '{"storage_objects": [], "targets": [{"wwn": "iqn.2024-03.com.example:t3", "fabric": "iscsi",\n'
                        f' "tpgs": [{{"tag": {BIG}, "luns": []}}]}}]}}\n', 2, 19),
    ("lvm.conf", f"global {{\n use_lvmetad = {BIG}\n}}\ndevices {{\n filter = [ \"a|.*|\" ]\n}}\n", 2, 16),
    ("rules.v4", f"*filter\n:INPUT DROP [0:0]\n-A INPUT -p tcp --dport {BIG} -j ACCEPT\nCOMMIT\n", 3, 25),
    ("nftables.conf", f"table inet filter {{\n chain input {{\n  type filter hook input priority 0; policy drop;\n"
                      f"  tcp dport {BIG} accept\n }}\n}}\n", 4, 13),
    ("x.vg", f'vg {{\nid = "x"\nseqno = {BIG}\nformat = "lvm2"\n}}\ncontents = "Text Format Volume Group"\n', 3, 9),
]


def run(*args, cwd=None):
    old = os.getcwd()
    try:
        if cwd:
            os.chdir(cwd)
        r = CliRunner().invoke(main, list(args), catch_exceptions=False)
    finally:
        os.chdir(old)
    assert "Traceback" not in (r.output or "")
    return r


@pytest.mark.parametrize("name, text, line, column", NUMBERS, ids=[n[0] for n in NUMBERS])
def test_huge_numbers_are_findings_at_the_number(tmp_path, name, text, line, column):
    (tmp_path / name).write_text(text)
    r = run("check", "--format", "json", str(tmp_path / name))
    got = [f for f in json.loads(r.output)["findings"] if f["code"] == "SAN001"]
    assert len(got) == 1, got
    assert "number out of range (5000 digits)" in got[0]["message"]
    assert (got[0]["line"], got[0]["column"]) == (line, column)
    assert "internal" not in r.output
    assert r.exit_code == 1


def test_firewalld_port(tmp_path):
    d = tmp_path / "etc/firewalld/zones"
    d.mkdir(parents=True)
    (d / "public.xml").write_text(f'<?xml version="1.0"?>\n<zone><port protocol="tcp" port="{BIG}"/></zone>\n')
    r = run("check", "--format", "json", str(tmp_path))
    got = [f for f in json.loads(r.output)["findings"] if f["code"] == "SAN001"]
    assert [(f["line"], "number out of range" in f["message"]) for f in got] == [(2, True)]


def test_crm_interval_of_thousands_of_digits_is_no_internal_error(tmp_path):
    (tmp_path / "c.crm").write_text(f"primitive p ocf:heartbeat:Dummy op monitor interval={BIG}s timeout={BIG}\n"
                                    f"primitive q ocf:heartbeat:Dummy op monitor interval=PT{BIG}S\n")
    p = subprocess.run([sys.executable, "-m", "sanlint", "check", str(tmp_path / "c.crm")], capture_output=True,
                       text=True, timeout=120)
    assert "internal error" not in p.stderr and "Traceback" not in p.stderr


def test_numbers_within_64_bits_still_parse():
    from sanlint.source import NumberTooLarge, bounded_int

    assert bounded_int(str(2**63 - 1)) == 2**63 - 1
    assert bounded_int("0" * 100 + "7") == 7
    with pytest.raises(NumberTooLarge):
        bounded_int(str(2**63))
    with pytest.raises(NumberTooLarge):
        bounded_int(BIG)


# -- configuration -----------------------------------------------------------

@pytest.mark.parametrize("toml, words", [
    ("tool = 5\n", "`tool` must be a table"),
    ("[tool]\nsanlint = 5\n", "[tool.sanlint] must be a table"),
    ('[tool.sanlint]\nper-file-ignores = { "x.res" = 5 }\n', "per-file-ignores.'x.res' must be a list of rule codes"),
    ('[tool.sanlint]\nper-file-ignores = { "x.res" = [5] }\n', "must be a list of rule codes"),
    ('[tool.sanlint]\ndrbd-version = "banana"\n', "drbd-version must be a version"),
    ('[tool.sanlint]\npacemaker-version = true\n', "pacemaker-version must be a version"),
    ("[tool.sanlint]\nhosts = { a = 5 }\n", "hosts must be a table"),
    ('[tool.sanlint]\nfail-on = ["error"]\n', "fail-on must be"),
    ("[tool.sanlint]\nseverity = { DRBD101 = 1 }\n", "severity must map"),
    ("[tool.sanlint]\nselect = [1]\n", "select must be a list"),
])
def test_wrong_types_in_the_configuration(tmp_path, toml, words):
    (tmp_path / "pyproject.toml").write_text(toml)
    (tmp_path / "r0.res").write_text("resource r0 { }\n")
    r = run("check", "r0.res", cwd=tmp_path)
    assert r.exit_code == 2
    assert words in r.output


@pytest.mark.parametrize("value, expected", [('"8.4"', "8.4"), ("8.4", "8.4"), ("9", "9"), ('"9.2.4"', "9")])
def test_versions_in_the_configuration(tmp_path, value, expected):
    from sanlint.config import load
    from sanlint.site import _norm_drbd

    (tmp_path / ".sanlint.toml").write_text(f"drbd-version = {value}\n")
    assert _norm_drbd(load(start=tmp_path).drbd_version) == expected


def test_settings_and_baseline_that_are_not_regular_files(tmp_path):
    (tmp_path / "r0.res").write_text("resource r0 { }\n")
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100000 + "]" * 100000)
    cases = [("--baseline", str(fifo), "a fifo, not a regular file"),
             ("--baseline", "/dev/zero", "a character device, not a regular file"),
             ("--baseline", str(tmp_path), "a directory, not a regular file"),
             ("--baseline", str(deep), "nested too deeply"),
             ("--config", str(fifo), "a fifo, not a regular file"),
             ("--config", "/dev/zero", "a character device, not a regular file")]
    for opt, value, words in cases:
        # a subprocess, so that a hang would be a failure of this test, not of the suite
        p = subprocess.run([sys.executable, "-m", "sanlint", "check", opt, value, str(tmp_path / "r0.res")],
                           capture_output=True, text=True, timeout=120)
        assert p.returncode == 2 and words in p.stderr, (opt, value, p.stderr)
        assert "Traceback" not in p.stderr
