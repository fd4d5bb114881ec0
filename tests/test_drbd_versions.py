"""Which drbdadm generations accept a DRBD configuration
(sanlint.drbd_versions), with drbdadm-83, drbdadm-84 and drbdadm 9 as the
oracles; and the DRBD version a site is checked as."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from conftest import need
from sanlint.api import check
from sanlint.config import Settings
from sanlint.drbd_versions import REFUSED, SWITCHES_83, VERSIONS, refusals
from sanlint.parsers import drbd
from sanlint.source import SourceFile

TOOLS = {"8.3": "/lib/drbd/drbdadm-83", "8.4": "/lib/drbd/drbdadm-84", "9": "drbdadm"}
VALUES = {"protocol": "C", "verify-alg": "sha1", "csums-alg": "sha1", "fencing": "resource-only",
          "after": "r1", "resync-after": "r1", "on-no-data-accessible": "io-error",
          "read-balancing": "prefer-local", "quorum": "majority", "on-no-quorum": "suspend-io",
          "on-suspended-primary-outdated": "force-secondary", "transport": "tcp", "_name": "x",
          "rate": "10M", "resync-rate": "10M", "c-plan-ahead": "20", "c-delay-target": "10",
          "c-fill-target": "100", "c-max-rate": "100M", "c-min-rate": "250k", "al-extents": "257",
          "rs-discard-granularity": "4096", "peer-ack-window": "4096", "max-io-depth": "8000",
          "twopc-timeout": "300", "twopc-retry-timeout": "1", "auto-promote-timeout": "20",
          "peer-ack-delay": "100", "unplug-watermark": "128", "max-bio-bvecs": "1", "socket-check-timeout": "1",
          "quorum-minimum-redundancy": "1", "delay-probe-volume": "16384", "delay-probe-interval": "5"}
YES_NO = {"csums-after-crash-only", "tcp-cork", "use-rle", "allow-remote-read", "disk-barrier", "disk-flushes",
          "disk-drain", "md-flushes", "al-updates", "discard-zeroes-if-aligned", "disable-write-same",
          "auto-promote", "bitmap"}
HOSTS = """  on alpha {{ device /dev/drbd{n}; disk /dev/sdb{n}; address 10.0.0.1:77{n}0; meta-disk internal; }}
  on bravo {{ device /dev/drbd{n}; disk /dev/sdb{n}; address 10.0.0.2:77{n}0; meta-disk internal; }}"""


def statement(section: str, option: str) -> str:
    if section == "handlers":
        return f'{option} "/bin/true";'
    if option in YES_NO:
        return f"{option} yes;"
    if option == "use-bmbv":
        return f"{option};"
    return f"{option} {VALUES.get(option, '1')};"


def config(section: str, stmt: str) -> str:
    return (f"resource r0 {{\n  protocol C;\n  {section} {{ {stmt} }}\n{HOSTS.format(n=1)}\n}}\n"
            f"resource r1 {{\n  protocol C;\n{HOSTS.format(n=2)}\n}}\n")


def oracle(tmp: Path, text: str) -> set[str]:
    """The versions whose drbdadm refuses the text (exit 10: a configuration error)."""
    f = tmp / "t.conf"
    f.write_text(text)
    out = set()
    for v, tool in TOOLS.items():
        run = subprocess.run([need(tool), "-c", str(f), "dump", "all"], capture_output=True, text=True, timeout=30)
        if run.returncode == 10:
            out.add(v)
    return out


def ours(text: str) -> set[str]:
    cfg = drbd.parse(SourceFile.from_text("t.conf", text))
    return {r.version for r in refusals([cfg])}


CASES = [(sec, opt) for sec, opt in sorted(REFUSED)]


@pytest.mark.parametrize("section,option", CASES, ids=[f"{s}-{o}" for s, o in CASES])
def test_refused_option_agrees_with_drbdadm(section, option, tmp_path):
    text = config(section, statement(section, option))
    assert ours(text) == oracle(tmp_path, text)


@pytest.mark.parametrize("text", [
    config("net", "allow-two-primaries yes;"),      # 8.3 switches take no value
    config("net", "allow-two-primaries;"),
    config("disk", "no-disk-flushes; no-md-flushes;"),
    config("syncer", "rate 40M; al-extents 257;"),  # 8.3 and 8.4; drbdadm 9 refuses rate
    config("syncer", "al-extents 257; verify-alg sha1;"),
    config("options", "cpu-mask 1;"),               # resource options: 8.4 and 9
    "resource r0 {\n" + HOSTS.format(n=1) + "\n}\n",  # no protocol: drbdadm-83 "protocol definition missing"
    "common { protocol C; }\nresource r0 {\n" + HOSTS.format(n=1) + "\n}\n",
    "resource r0 {\n  protocol C;\n  volume 0 { device /dev/drbd1; disk /dev/sdb1; meta-disk internal; }\n"
    "  on alpha { address 10.0.0.1:7788; }\n  on bravo { address 10.0.0.2:7788; }\n}\n",
    "resource r0 {\n  on alpha { node-id 0; device /dev/drbd1; disk /dev/sdb1; address 10.0.0.1:7788; "
    "meta-disk internal; }\n  on bravo { node-id 1; device /dev/drbd1; disk /dev/sdb1; address 10.0.0.2:7788; "
    "meta-disk internal; }\n}\n",
], ids=["switch-with-value", "switch", "no-flushes", "syncer-rate", "syncer-kept", "options", "no-protocol",
        "common-protocol", "volume", "node-id"])
def test_whole_configurations_agree_with_drbdadm(text, tmp_path):
    assert ours(text) == oracle(tmp_path, text)


def test_switches_are_the_83_scanner_s():
    assert SWITCHES_83 >= {"allow-two-primaries", "no-disk-flushes"}
    assert set(VERSIONS) == set(TOOLS)


# ---- the version a site is checked as ----------------------------------------

def site(tmp: Path, res: str, common: str = "") -> Path:
    etc = tmp / "alpha" / "etc"
    (etc / "drbd.d").mkdir(parents=True)
    (etc / "drbd.conf").write_text('include "drbd.d/global_common.conf";\ninclude "drbd.d/*.res";\n')
    (etc / "drbd.d" / "global_common.conf").write_text(common or "global { usage-count no; }\ncommon { }\n")
    (etc / "drbd.d" / "r0.res").write_text(res)
    return tmp


def test_a_syncer_section_beside_84_syntax_is_84(tmp_path):
    res = ("resource r0 {\n  protocol C;\n  net { allow-two-primaries yes; }\n  syncer { rate 40M; }\n"
           + HOSTS.format(n=1).replace("alpha", "alpha") + "\n}\n")
    root = site(tmp_path, res)
    assert oracle(tmp_path, res) == {"8.3", "9"}
    result = check([str(root)])
    assert result.site.drbd_version == "8.4", result.site.drbd_version_reason
    assert "drbdadm-83 refuses" in result.site.drbd_version_reason
    assert not [f for f in result.findings if f.code == "SAN006"]


def test_no_version_accepts_is_an_error_naming_the_lines(tmp_path):
    # 8.4 refuses net fencing, 9 refuses syncer rate, 8.3 refuses the value of a switch
    res = ("resource r0 {\n  protocol C;\n  net { fencing resource-only; allow-two-primaries yes; }\n"
           "  syncer { rate 40M; }\n" + HOSTS.format(n=1) + "\n}\n")
    root = site(tmp_path, res)
    assert oracle(tmp_path, res) == {"8.3", "8.4", "9"}
    found = [f for f in check([str(root)]).findings if f.code == "SAN006"]
    assert len(found) == 1 and found[0].severity == "error"
    msg = found[0].message
    assert "drbdadm-83 refuses" in msg and "drbdadm-84 refuses" in msg and "drbdadm refuses" in msg
    assert "r0.res:3" in msg and "r0.res:4" in msg


def test_a_configured_version_is_kept(tmp_path):
    res = "resource r0 {\n  protocol C;\n  net { allow-two-primaries yes; }\n" + HOSTS.format(n=1) + "\n}\n"
    root = site(tmp_path, res)
    result = check([str(root)], settings=Settings(drbd_version="8.3"))
    assert result.site.drbd_version == "8.3"
    assert not [f for f in result.findings if f.code == "SAN006"]
