"""The clean modern site (`fixtures/sites/modern/`): DRBD 9, corosync 3
(knet, two links, crypto), LVM 2.03 with system_id, LIO via iSCSITarget,
Pacemaker 2.1 promotable clone, fencing with a race guard.

1. sanlint reports no warning and no error on it (every pack must agree
   that this is what a good SAN looks like);
2. the real tools accept it: drbdadm (9 parser), crmsh + crm_verify,
   corosync -t, nft -c and lvmconfig --validate.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import FIXTURES, need
from sanlint.api import check

SITE = FIXTURES / "sites" / "modern"
HOSTS = ("alpha", "bravo")


def test_sanlint_finds_no_warning_or_error():
    result = check([str(SITE)])
    bad = [f"{f.path}:{f.line}: {f.code} [{f.severity}] {f.message}" for f in result.findings
           if f.severity in ("warning", "error")]
    assert bad == []


def test_site_is_read_as_intended():
    result = check([str(SITE)])
    assert not [f for f in result.findings if f.code.startswith("SAN")]
    from sanlint.site import build

    site, _ = build([str(SITE)], None, {}, None)
    assert sorted(site.hosts) == list(HOSTS)
    assert site.drbd_version == "9" and site.pacemaker_version == "2.1"
    for name in HOSTS:
        host = site.hosts[name]
        assert [r.name for r in host.drbd_resources] == ["r0"]
        assert [c.version for c in host.corosync] == ["3"]
        assert host.has_etc_hosts and [f.kind for f in host.firewalls] == ["nftables"]
        assert [vg.name for vg in host.volume_groups] == ["vgsan"]
    assert [n.uname for n in site.cluster.nodes] == list(HOSTS)


# -- real tools ----------------------------------------------------------------

@pytest.mark.parametrize("host", HOSTS)
def test_drbdadm_9_dumps_the_configuration(host):
    tool = need("drbdadm")
    env = dict(os.environ, DRBD_DRIVER_VERSION_OVERRIDE="9.2.0")
    run = subprocess.run([tool, "-c", str(SITE / host / "etc" / "drbd.conf"), "dump", "all"],
                         capture_output=True, text=True, env=env, timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stderr.strip() == "", run.stderr
    assert re.search(r"on alpha \{\s*node-id 0;\s*address\s+ipv4 10\.0\.10\.1:7789;", run.stdout), run.stdout
    assert "fencing          resource-only;" in run.stdout and "unfence-peer" in run.stdout


@pytest.mark.parametrize("host", HOSTS)
def test_drbdadm_9_accepts_it_as_that_node(host):
    """With `__DRBD_NODE__` drbdadm takes the `on` section of that host as its own."""
    tool = need("drbdadm")
    env = dict(os.environ, DRBD_DRIVER_VERSION_OVERRIDE="9.2.0", __DRBD_NODE__=host)
    run = subprocess.run([tool, "-c", str(SITE / host / "etc" / "drbd.conf"), "sh-resources"],
                         capture_output=True, text=True, env=env, timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["r0"]


def _crm_load(tmp_path: Path, crm_file: Path) -> tuple[subprocess.CompletedProcess, Path]:
    cibadmin, crm = need("cibadmin"), need("crm")
    empty = subprocess.run([cibadmin, "--empty"], capture_output=True, text=True, timeout=60, check=True).stdout
    cib = tmp_path / "cib.xml"
    cib.write_text(empty)
    env = dict(os.environ, CIB_file=str(cib))
    run = subprocess.run([crm, "configure", "load", "update", str(crm_file)], capture_output=True, text=True,
                         env=env, timeout=120, cwd=tmp_path)
    return run, cib


# An empty CIB has no node status, so the scheduler sees two unclean nodes
# without quorum: that warning is about the offline file, not the configuration.
QUORUM_NOISE = re.compile(r"lack of quorum|is unclean but cannot be fenced")


def test_crmsh_loads_it_with_agent_checks_and_crm_verify_passes(tmp_path):
    run, cib = _crm_load(tmp_path, SITE / "cluster.crm")
    output = run.stdout + run.stderr
    assert run.returncode == 0, output
    complaints = [line for line in output.splitlines()
                  if re.search(r"ERROR|WARNING", line) and not QUORUM_NOISE.search(line)]
    assert complaints == [], output  # e.g. "timeout ... smaller than the advised", "parameter ... is not known"
    xml = cib.read_text()
    assert 'id="drbd_r0-clone"' in xml and 'with-rsc-role="Promoted"' in xml and 'first-action="promote"' in xml
    # crm_verify on the configuration alone (without <status/>: see research/pacemaker.md §4)
    stripped = tmp_path / "config.xml"
    stripped.write_text(re.sub(r"<status>.*?</status>|<status/>", "", xml, flags=re.S))
    verify = subprocess.run([need("crm_verify"), "--xml-file", str(stripped), "-VV"], capture_output=True,
                            text=True, timeout=60)
    assert verify.returncode == 0, verify.stderr
    noise = [line for line in (verify.stdout + verify.stderr).splitlines()
             if line.strip() and not QUORUM_NOISE.search(line)]
    assert noise == [], verify.stderr


def test_crmsh_oracle_is_sensitive(tmp_path):
    """The same load refuses a parameter the agent does not know and warns
    about a timeout below the advised one: so a clean load means something."""
    text = (SITE / "cluster.crm").read_text()
    bad = text.replace("op monitor interval=30s timeout=90s", "op monitor interval=30s timeout=30s")
    bad = bad.replace("pcmk_host_list=bravo", "pcmk_host_list=bravo no_such_param=1")
    crm_file = tmp_path / "bad.crm"
    crm_file.write_text(bad)
    run, _ = _crm_load(tmp_path, crm_file)
    output = run.stdout + run.stderr
    assert run.returncode != 0, output
    assert "smaller than the advised" in output and "no_such_param" in output, output


@pytest.mark.parametrize("host", HOSTS)
def test_corosync_accepts_the_configuration(host, tmp_path):
    """`corosync -t` checks the file fully, but needs the authkey the crypto
    settings call for and must find the local node among the ring
    addresses: give it a key and make this node's link 0 address local."""
    tool = need("corosync")
    key = tmp_path / "authkey"
    key.write_bytes(os.urandom(256))
    key.chmod(0o400)
    text = (SITE / host / "etc" / "corosync" / "corosync.conf").read_text()
    own = {"alpha": "10.0.1.1", "bravo": "10.0.1.2"}[host]
    assert f"ring0_addr: {own}" in text
    text = text.replace(f"ring0_addr: {own}", "ring0_addr: 127.0.0.1")
    text = text.replace("    transport: knet\n", f"    transport: knet\n    keyfile: {key}\n")
    conf = tmp_path / "corosync.conf"
    conf.write_text(text)
    run = subprocess.run([tool, "-t", "-c", str(conf)], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "error" not in (run.stdout + run.stderr).lower(), run.stdout + run.stderr


def test_corosync_files_are_identical():
    a, b = ((SITE / h / "etc" / "corosync" / "corosync.conf").read_bytes() for h in HOSTS)
    assert a == b


@pytest.mark.parametrize("host", HOSTS)
def test_nft_accepts_the_firewall(host):
    tool = need("nft")
    run = subprocess.run([tool, "-c", "-f", str(SITE / host / "etc" / "nftables.conf")], capture_output=True,
                         text=True, timeout=60)
    if run.returncode != 0 and "Operation not permitted" in run.stderr and not os.environ.get("CI"):
        pytest.skip("nft -c needs CAP_NET_ADMIN here")
    assert run.returncode == 0, run.stderr


@pytest.mark.parametrize("host", HOSTS)
def test_lvmconfig_validates_lvm_conf(host, tmp_path):
    tool = need("lvmconfig")
    shutil.copyfile(SITE / host / "etc" / "lvm" / "lvm.conf", tmp_path / "lvm.conf")
    env = dict(os.environ, LVM_SYSTEM_DIR=str(tmp_path), LVM_SUPPRESS_FD_WARNINGS="1")
    run = subprocess.run([tool, "--validate"], capture_output=True, text=True, env=env, timeout=60)
    assert run.returncode == 0, run.stderr
    assert "LVM configuration valid" in run.stdout + run.stderr
