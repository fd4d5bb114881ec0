"""Support archives as input: sosreports and crm report / hb_report
tarballs (or their unpacked directories), built here from the example site
in the layouts sos and crmsh write (sos: a copy of the node's files at their
paths, `sos_commands/`, a `hostname` file; crmsh `crmsh/report/collect.py`:
one directory per node with `cib.xml`, `corosync.conf`, `drbd.conf`,
`drbd.d/`, `sysinfo.txt`, files identical on every node moved to the top and
linked, `utils.consolidate`).  Each gives the findings of the site itself.
"""

from __future__ import annotations

import json
import os
import shutil
import tarfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FIXTURES

from sanlint.cli import main

SEED = FIXTURES / "sites" / "seed"
CRM = "cluster-santnet-san.conf"


def run(*args):
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert "Traceback" not in (result.output or "")
    return result


def findings(output: str) -> list[tuple]:
    doc = json.loads(output)
    return sorted((f["code"], f["host"], f["line"], f["message"],
                   Path(f["path"]).name if f["path"] else None) for f in doc["findings"])


def sosreport(tmp: Path, host: str) -> Path:
    top = tmp / f"sosreport-{host}-2026-11-25-abcdef"
    shutil.copytree(SEED / host, top)
    (top / "sos_commands" / "drbd").mkdir(parents=True)
    (top / "sos_commands" / "drbd" / "drbdadm_dump").write_text("# collected\n")
    (top / "sos_reports").mkdir()
    (top / "hostname").write_text(f"{host}\n")
    (top / "version.txt").write_text("sosreport: 4.5.6\n")
    return top


def tar(src: Path, dest: Path, mode: str) -> Path:
    with tarfile.open(dest, mode) as tf:
        tf.add(src, arcname=src.name)
    return dest


def crm_report(tmp: Path) -> Path:
    """crm report's layout for the seed site (the cluster configuration as the CIB: crm_mon-less, STOPPED)."""
    top = tmp / "report-Wed-25-Nov-2026"
    top.mkdir()
    (top / "description.txt").write_text("crm report\n")
    converted = run("convert", "crm2cib", str(SEED / CRM))  # the seed's crm file as the CIB a node holds
    assert converted.exit_code == 0, converted.output
    (top / "cib.xml").write_text(converted.output)
    for host in ("san-1", "san-2"):
        node = top / host
        node.mkdir()
        shutil.copytree(SEED / host / "etc" / "drbd.d", node / "drbd.d")
        for f in ("drbd.conf", "corosync/corosync.conf"):
            if (SEED / host / "etc" / f).exists():
                shutil.copy(SEED / host / "etc" / f, node / Path(f).name)
        os.symlink("../cib.xml", node / "cib.xml")  # consolidate(): identical on every node
        (node / "sysinfo.txt").write_text("Platform: Linux\n")
        (node / "STOPPED").write_text("")
    return top


@pytest.mark.parametrize("packed", [None, "w:xz", "w:gz"])
def test_sosreports_read_as_their_hosts(tmp_path, packed):
    args = []
    for host in ("san-1", "san-2"):
        top = sosreport(tmp_path, host)
        args.append(str(tar(top, tmp_path / f"{top.name}.tar.{packed[2:]}", packed)) if packed else str(top))
    local = run("check", "--format", "json", "--host", f"san-1={SEED}/san-1", "--host", f"san-2={SEED}/san-2",
                str(SEED / CRM))
    got = run("check", "--format", "json", *args, str(SEED / CRM))
    assert got.exit_code == local.exit_code == 1, got.output
    assert findings(got.output) == findings(local.output)
    if packed:
        assert any(f"{args[0]}:sosreport-san-1-" in f["path"] for f in json.loads(got.output)["findings"]
                   if f["path"])


@pytest.mark.parametrize("packed", [None, "w:bz2"])
def test_crm_report_read_as_its_nodes(tmp_path, packed):
    top = crm_report(tmp_path)
    arg = str(tar(top, tmp_path / "report.tar.bz2", packed)) if packed else str(top)
    got = run("check", "--format", "json", "--verbose", arg)
    assert got.exit_code == 1, got.output
    hosts = {f["host"] for f in json.loads(got.output)["findings"]}
    assert {"san-1", "san-2"} <= hosts
    # the DRBD findings are those of the hosts themselves
    local = run("check", "--format", "json", "--host", f"san-1={SEED}/san-1", "--host", f"san-2={SEED}/san-2")
    drbd = [f for f in findings(local.output) if f[0].startswith("DRBD")]
    assert drbd and drbd == [f for f in findings(got.output) if f[0].startswith("DRBD")]
    # the CIB (consolidated to the top, linked from each node) is read
    assert any(f[0].startswith("PCMK") for f in findings(got.output))


def test_hostile_archive_members_stay_inside(tmp_path):
    evil = tmp_path / "sosreport-x.tar"
    with tarfile.open(evil, "w") as tf:
        for name, kind in (("sosreport-x/etc/drbd.conf", "file"), ("../../escape.res", "file"),
                           ("/abs.res", "file"), ("sosreport-x/etc/link", "outlink"),
                           ("sosreport-x/etc/link/drbd.d/r0.res", "file"), ("sosreport-x/sos_commands", "dir")):
            info = tarfile.TarInfo(name)
            if kind == "file":
                data = b"resource r0 { }\n"
                info.size = len(data)
                import io

                tf.addfile(info, io.BytesIO(data))
            elif kind == "dir":
                info.type = tarfile.DIRTYPE
                tf.addfile(info)
            else:
                info.type = tarfile.SYMTYPE
                info.linkname = str(tmp_path)
                tf.addfile(info)
    r = run("check", str(evil))
    assert r.exit_code in (1, 2)
    assert not (tmp_path / "escape.res").exists() and not Path("/abs.res").exists()
    assert not (tmp_path / "drbd.d").exists()


def test_unreadable_archive_is_exit_2(tmp_path):
    bad = tmp_path / "broken.tar.gz"
    bad.write_bytes(b"not a tarball")
    r = run("check", str(bad))
    assert r.exit_code == 2 and "broken.tar.gz: not a readable archive" in r.output


def test_sosreport_command_outputs_reach_the_host(tmp_path):
    from sanlint.model import Host
    from sanlint.remote.ssh import open_targets

    top = sosreport(tmp_path, "san-1")
    with open_targets([str(tar(top, tmp_path / "s.tar.xz", "w:xz"))], []) as nodes:
        (node,) = nodes.fetched
        host = Host(node.name, Path(node.local))
        assert node.name == "san-1"
        assert [p.name for p in host.command_outputs("drbd/*")] == ["drbdadm_dump"]
        (Path(node.local) / "sos_commands" / "drbd" / "link").symlink_to("/etc/passwd")
        assert [p.name for p in host.command_outputs("drbd/*")] == ["drbdadm_dump"]  # nothing outside the root
