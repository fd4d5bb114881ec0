"""Support archives as input: an sosreport and a `crm report` / hb_report,
as a tarball or unpacked, read as the host roots they hold.

* **sosreport** (`sosreport-HOST-...tar.xz` or its directory): the archive
  is a copy of one node's files at their own paths (`etc/drbd.d/...`,
  `var/lib/pacemaker/cib/cib.xml`) plus collected command outputs under
  `sos_commands/<plugin>/`; the node is named by its `hostname` file.  It
  is read as a host root as it is.
* **crm report / hb_report** (`report.tar.bz2` or its directory): one
  directory per node (crmsh's `crmsh/report/collect.py`: `cib.xml`,
  `corosync.conf`, `drbd.conf`, `drbd.d/`, `sbd`, `crm_mon.txt`,
  `sysinfo.txt`, `RUNNING`/`STOPPED`, ...), files identical on every node
  moved to the top and linked from the node directories (`consolidate`).
  Each node directory is laid out again as a host root in a private
  directory: `drbd.conf` -> `etc/drbd.conf`, `drbd.d/` -> `etc/drbd.d/`,
  `corosync.conf` -> `etc/corosync/corosync.conf`, `cib.xml` ->
  `var/lib/pacemaker/cib/cib.xml`, `sbd` -> `etc/sysconfig/sbd`, and the
  command outputs at sosreport's places (`sbd.txt` ->
  `sos_commands/sbd/sbd_dump`, `crm_mon.txt` ->
  `sos_commands/pacemaker/crm_mon_-1`), so one reader serves both.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

TAR_SUFFIXES = (".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tbz", ".tar.xz", ".txz")
MAX_UNPACKED = 1024 * 1024 * 1024  # an archive that unpacks to more than this is refused

# crm report node directory -> host root path
CRM_REPORT_MAP = {
    "drbd.conf": "etc/drbd.conf",
    "drbd.d": "etc/drbd.d",
    "corosync.conf": "etc/corosync/corosync.conf",
    "cib.xml": "var/lib/pacemaker/cib/cib.xml",
    "sbd": "etc/sysconfig/sbd",
    "sbd.txt": "sos_commands/sbd/sbd_dump",
    "crm_mon.txt": "sos_commands/pacemaker/crm_mon_-1",
    "members.txt": "sos_commands/pacemaker/members",
    "corosync_status.txt": "sos_commands/corosync/corosync_status",
}
CRM_NODE_MARKERS = ("sysinfo.txt", "RUNNING", "STOPPED", "members.txt", "crm_mon.txt", "permissions.txt")


class ArchiveError(Exception):
    pass


def is_tarball(path: str) -> bool:
    return path.endswith(TAR_SUFFIXES) and os.path.isfile(path)


def is_sos_dir(d: Path) -> bool:
    return d.is_dir() and ((d / "sos_commands").is_dir() or (d / "sos_reports").is_dir()) and (d / "etc").is_dir()


def crm_nodes(d: Path) -> list[Path]:
    """The node directories of a crm report (empty: not a crm report)."""
    if not d.is_dir() or (d / "etc").is_dir():
        return []
    out = []
    for sub in sorted(d.iterdir()):
        if sub.is_dir() and not sub.is_symlink() and any((sub / m).exists() for m in CRM_NODE_MARKERS):
            out.append(sub)
    return out


def is_archive_dir(path: str) -> bool:
    d = Path(path)
    return is_sos_dir(d) or bool(crm_nodes(d))


def unpack(path: str, dest: str) -> Path:
    """Unpack a tarball safely into `dest`; returns the directory it holds
    (its single top directory, or `dest`)."""
    import tarfile

    from sanlint.remote.ssh import unpack_members

    try:
        with tarfile.open(path, mode="r:*") as tf:
            unpack_members(tf, dest, MAX_UNPACKED)
    except (tarfile.TarError, EOFError, OSError) as e:
        raise ArchiveError(f"{path}: not a readable archive ({e})") from None
    entries = [e for e in os.listdir(dest) if not e.startswith(".")]
    if len(entries) == 1 and os.path.isdir(os.path.join(dest, entries[0])):
        return Path(dest) / entries[0]
    return Path(dest)


def sos_name(d: Path) -> str:
    for cand in (d / "hostname", d / "etc" / "hostname", d / "sos_commands" / "general" / "hostname"):
        try:
            first = cand.read_text(encoding="utf-8", errors="replace").split()
        except OSError:
            continue
        if first and re.match(r"^[A-Za-z0-9_.-]+$", first[0]):
            return first[0]
    m = re.match(r"^sosreport-([A-Za-z0-9_.-]+?)(-\d|$)", d.name)
    return m.group(1) if m else d.name


def crm_node_root(node: Path, report: Path, dest: Path) -> None:
    """Lay a crm report node directory out again as a host root under `dest`."""
    real_report = os.path.realpath(report)
    for name, rel in CRM_REPORT_MAP.items():
        src = node / name
        real = os.path.realpath(src)
        if not os.path.exists(real) or not (real == real_report or real.startswith(real_report + os.sep)):
            continue  # missing, or a link leading out of the report
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if os.path.isdir(real):
            shutil.copytree(real, target, symlinks=True)
        else:
            shutil.copyfile(real, target)



def open_archive(path: str, work: str) -> list:
    """An archive (tarball or directory) as `Fetched` host roots, one per node."""
    from sanlint.remote.ssh import Fetched

    if is_tarball(path):
        os.makedirs(work, exist_ok=True)
        unpacked = os.path.join(work, "unpacked")
        os.makedirs(unpacked)
        top = unpack(path, unpacked)
        shown = f"{path}:{top.name}/" if str(top) != unpacked else f"{path}:"
    else:
        top, shown = Path(path), path.rstrip("/") + "/"
    if is_sos_dir(top):
        name = sos_name(top)
        return [Fetched(None, str(top), name, [f"{path}: read as the sosreport of {name}"], display=shown,
                        label=path)]
    nodes = crm_nodes(top)
    if not nodes:
        raise ArchiveError(f"{path}: neither an sosreport nor a crm report / hb_report (no sos_commands/, no node "
                           "directories with sysinfo.txt, crm_mon.txt, RUNNING or STOPPED)")
    out = []
    for node in nodes:
        dest = Path(work) / "nodes" / node.name
        dest.mkdir(parents=True)
        crm_node_root(node, top, dest)
        out.append(Fetched(None, str(dest), node.name,
                           [(f"{path}: node {node.name} of a crm report, its files laid out as a host root "
                             "(drbd.conf -> etc/drbd.conf, cib.xml -> var/lib/pacemaker/cib/cib.xml, ...)")],
                           display=f"{shown}{node.name}/", label=f"{path}:{node.name}"))
    return out
