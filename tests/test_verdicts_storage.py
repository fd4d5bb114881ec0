"""Verdicts on DRBD, corosync and iSCSI found wrong on public configurations
(issue 9 items 2 and 8), each against the real tool where there is one:
corosync -t 3.1.7, drbdadm 9 / 8.4, the installed iSCSITarget agent."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import FIXTURES, need
from test_oracle_corosync_timing import keyfile, localized  # noqa: F401 (keyfile is a fixture)
from sanlint.api import check
from sanlint.config import Settings

RULES = FIXTURES / "rules"


def findings(site: Path, code: str) -> list:
    return [f for f in check([str(site)]).findings if f.code == code]


# -- corosync -------------------------------------------------------------------

def corosync_t(text: str, key: Path, tmp: Path) -> tuple[bool, str]:
    """`corosync -t` on `text` localized as test_oracle_corosync_timing does (bindnetaddr 10.0.1.0 too)."""
    text = localized(text.replace("bindnetaddr: 10.0.1.0", "bindnetaddr: 127.0.0.0"), key)
    f = tmp / "corosync.conf"
    f.write_text(text)
    env = dict(os.environ, RES_OPTIONS="timeout:1 attempts:1")  # a name that is no address fails in 1 s, not 5
    run = subprocess.run([need("corosync"), "-t", "-c", str(f)], capture_output=True, text=True, timeout=60, env=env)
    return run.returncode == 0, run.stdout + run.stderr


@pytest.mark.oracle
def test_coro111_corosync3_refuses_a_file_without_nodelist(keyfile, tmp_path):
    bad = (RULES / "CORO111" / "bad" / "san-1" / "etc" / "corosync" / "corosync.conf").read_text()
    good = (RULES / "CORO111" / "good" / "san-1" / "etc" / "corosync" / "corosync.conf").read_text()
    ok, out = corosync_t(bad, keyfile, tmp_path)
    assert not ok and "No valid name found for local host" in out, out
    ok, out = corosync_t(good, keyfile, tmp_path)
    assert ok, out


def test_coro111_needs_the_site_to_run_corosync3(tmp_path):
    """The same multicast file is valid corosync 2: without the package list nothing says 3, so no
    finding, and --verbose says the version is not known; the setting or a knet peer file says 3."""
    site = tmp_path / "site"
    shutil.copytree(RULES / "CORO111" / "bad", site)
    (site / "san-1" / "installed-rpms").unlink()
    result = check([str(site)])
    assert not [f for f in result.findings if f.code == "CORO111"]
    assert any(n.startswith("corosync version not known") for n in result.site.notes), result.site.notes
    configured = check([str(site)], settings=Settings(corosync_version="3"))
    assert len([f for f in configured.findings if f.code == "CORO111"]) == 2
    knet = RULES / "CORO111" / "good" / "san-2" / "etc" / "corosync" / "corosync.conf"
    shutil.copyfile(knet, site / "san-2" / "etc" / "corosync" / "corosync.conf")
    got = findings(site, "CORO111")
    assert [(f.host, "san-2/etc/corosync/corosync.conf uses knet syntax" in f.message) for f in got] \
        == [("san-1", True)]


def test_verbose_says_which_corosync_version_and_why():
    result = check([str(RULES / "CORO111" / "bad")])
    assert result.site.corosync_version == "3"
    assert "corosync 3 assumed: package corosync 3.1.7-1.el9 installed on san-1" in result.site.notes


ADDRESS_CASES = [  # (ring0_addr of the first node, corosync refuses it)
    ("10.0.1.1", False),
    ("localhost", False),  # a host name: resolved when corosync starts
    ("10.0.1.1    # bond0", True),
    ("10.0.1.1#bond0", True),
    ("<NODE_IP>", True),
    ("10.0.1.1/24", True),  # a network where an address is wanted
    ("10.0.1.1:5405", True),  # a port: corosync takes it from mcastport/knet, never from the address
]


@pytest.mark.oracle
@pytest.mark.parametrize("addr,refused", ADDRESS_CASES)
def test_coro112_agrees_with_corosync_on_addresses(addr, refused, keyfile, tmp_path):
    text = (RULES / "CORO112" / "good" / "san-1" / "etc" / "corosync" / "corosync.conf").read_text()
    text = text.replace("ring0_addr: 10.0.1.1\n", f"ring0_addr: {addr}\n", 1).replace("san-2-hb", "10.0.2.2")
    ok, out = corosync_t(text, keyfile, tmp_path)
    assert ok == (not refused), out
    if refused:
        assert "failed to parse node address" in out, out
    site = tmp_path / "site" / "san-1" / "etc" / "corosync"
    site.mkdir(parents=True)
    (site / "corosync.conf").write_text(text)
    got = findings(tmp_path / "site", "CORO112")
    assert bool(got) == refused, [f.message for f in got]
