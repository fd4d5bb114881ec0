"""Live checks (issue 14 item 5) over the real sshd: nodes whose ROOT holds
the command outputs a live node collects (sosreport layout, as
sanlint.remote.ssh.LIVE_COMMANDS and the archive readers store them) are
checked with `sanlint check ssh://...`, and the running-versus-file rules
report what they report on the same roots read locally: corosync's runtime
values (corosync-cmapctl, CORO110), the DRBD configuration the kernel runs
(drbdsetup show, in drbd-utils 9's real output format, DRBD125), SBD's
on-disk timeouts (sbd dump, SBD107) and the stack's package versions
(dpkg -l, PCMK125).  The node's CIB and its crm_mon output are made by the
real cibadmin and crm_mon on a CIB file (CIB_file=), as they are on a
node; drbdsetup and sbd need a kernel module and a device, so their
outputs are fixtures written from drbd-utils' and sbd's print code."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import FIXTURES, need
from sanlint.cli import main
from sanlint.migrate.pacemaker.crm2cib import crm_to_cib
from sanlint.source import SourceFile

RULES = FIXTURES / "rules"
LIVE_CODES = {"CORO110", "DRBD125", "SBD107", "PCMK125"}
DPKG = """Desired=Unknown/Install/Remove/Purge/Hold
| Status=Not/Inst/Conf-files/Unpacked/halF-conf/Half-inst/trig-aWait/Trig-pend
|/ Err?=(none)/Reinst-required (Status,Err: uppercase=bad)
||/ Name                 Version              Architecture Description
+++-====================-====================-============-=================================================
ii  corosync             3.1.7-1              amd64        cluster engine daemon and utilities
ii  drbd-utils           9.22.0-1.1           amd64        RAID 1 over TCP/IP for Linux (user utilities)
ii  pacemaker            {pacemaker:<20} amd64        cluster resource manager
"""


def copy(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dst)


def tool_env(cib: Path) -> dict:
    return {**os.environ, "CIB_file": str(cib)}


def node_root(top: Path, name: str, pacemaker: str) -> Path:
    root = top / name
    (root / "etc").mkdir(parents=True)
    (root / "etc" / "hostname").write_text(name + "\n")
    for case, rel in (("CORO110/bad", "etc/corosync/corosync.conf"),
                      ("CORO110/bad", "sos_commands/corosync/corosync-cmapctl"),
                      ("DRBD125/bad-drbd9", "etc/drbd.d/data.res"),
                      ("SBD107/bad", "etc/sysconfig/sbd")):
        copy(RULES / case / name / rel, root / rel)
    for dump in (RULES / "SBD107" / "bad" / name / "sos_commands" / "sbd").iterdir():
        copy(dump, root / "sos_commands" / "sbd" / dump.name)
    running = RULES / "DRBD125" / "bad-drbd9" / name / "sos_commands" / "drbd" / "drbdsetup_show_all"
    if running.is_file():
        copy(running, root / "sos_commands" / "drbd" / "drbdsetup_show_all")
    (root / "sos_commands" / "dpkg").mkdir(parents=True)
    (root / "sos_commands" / "dpkg" / "dpkg_-l").write_text(DPKG.format(pacemaker=pacemaker))
    # the node's CIB and crm_mon output, by the real tools on a CIB file
    crm = RULES / "SBD107" / "bad" / "cluster.crm"
    xml, problems = crm_to_cib(SourceFile.from_text(str(crm), crm.read_text(), format="crm"))
    assert not problems, problems
    draft = top / f"{name}-draft.xml"
    draft.write_text(xml)
    cib = root / "var" / "lib" / "pacemaker" / "cib" / "cib.xml"
    cib.parent.mkdir(parents=True)
    q = subprocess.run([need("cibadmin"), "--query"], env=tool_env(draft), capture_output=True, text=True, timeout=60)
    assert q.returncode == 0, q.stderr
    cib.write_text(q.stdout)
    mon = subprocess.run([need("crm_mon"), "-1"], env=tool_env(cib), capture_output=True, text=True, timeout=60)
    assert mon.returncode == 0 and "Cluster Summary" in mon.stdout, mon.stderr
    (root / "sos_commands" / "pacemaker").mkdir(parents=True)
    (root / "sos_commands" / "pacemaker" / "crm_mon_-1").write_text(mon.stdout)
    return root


def findings(output: str, prefixes: dict[str, str]) -> list[tuple]:
    doc = json.loads(output)
    out = []
    for f in doc["findings"]:
        path = f["path"] or ""
        for old, new in prefixes.items():
            path = path.replace(old, new)
        out.append((f["code"], path, f["line"], f["host"], f["message"]))
    return sorted(out)


def run(*args):
    r = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert "Traceback" not in (r.output or "")
    return r


def test_live_checks_over_ssh_report_what_the_collected_roots_report(server, tmp_path):
    top = tmp_path / "nodes"
    roots = {"san-1": node_root(top, "san-1", "2.1.5-1+deb12u1"), "san-2": node_root(top, "san-2", "2.1.6-1")}
    remote = run("check", "--format", "json", "--ssh-config", server.config,
                 *[a for n, r in roots.items() for a in ("--host", f"{n}={server.url(r)}")])
    local = run("check", "--format", "json", *[a for n, r in roots.items() for a in ("--host", f"{n}={r}")])
    assert remote.exit_code == local.exit_code == 1, remote.output
    got = findings(remote.output, {f"127.0.0.1:{server.port}:{top}": "N", str(top): "N"})
    assert got == findings(local.output, {str(top): "N"})
    by_code = {}
    for code, path, line, host, message in got:
        by_code.setdefault(code, []).append((host, path, message))
    assert LIVE_CODES <= set(by_code), sorted(by_code)
    assert {h for h, _, _ in by_code["PCMK125"]} and "pacemaker" in by_code["PCMK125"][0][2]
    assert any("runtime.config.totem.token" in m or "token" in m for _, _, m in by_code["CORO110"])
    assert any(p.endswith("sbd_-d_.dev.disk.by-id.scsi-36001405a1b2c3d4e5f60718293a4b5c6_dump")
               for _, p, _ in by_code["SBD107"])
    drbd = [m for h, _, m in by_code["DRBD125"] if h == "san-1"]
    assert any("resync-rate 256000k" in m for m in drbd), drbd
    assert not any("c-fill-target" in m for m in drbd), drbd  # 100s sectors = the file's 50k: no difference


def test_live_node_outputs_get_sos_names(tmp_path):
    """A live node (ROOT /) stores each command's output under the name sos gives it, SBD's
    `sbd -d DEV dump` for every device its sbd configuration names, so the readers above see
    the same files in a sosreport, a `sanlint collect` directory and an ssh:// node."""
    from sanlint.remote.ssh import LIVE_COMMANDS, sbd_devices, sos_name

    assert [sos_name(argv) for _, argv in LIVE_COMMANDS] == [
        "drbdsetup_show_all", "drbdadm_--version", "corosync-cmapctl", "crm_mon_-1", "dpkg_-l"]
    dumps = sorted(p.name for p in (RULES / "SBD107" / "bad" / "san-1" / "sos_commands" / "sbd").iterdir())
    copy(RULES / "SBD107" / "bad" / "san-1" / "etc" / "sysconfig" / "sbd", tmp_path / "etc" / "sysconfig" / "sbd")
    assert [sos_name(["sbd", "-d", dev, "dump"]) for dev in sbd_devices(str(tmp_path))] == dumps
