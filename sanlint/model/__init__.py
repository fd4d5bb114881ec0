"""The one site model every rule reads: hosts with their DRBD, LVM, iSCSI,
corosync and host facts, plus the cluster configuration(s)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sanlint.model.base import Located, Setting, to_json
from sanlint.model.cluster import ClusterConfig
from sanlint.model.corosync import CorosyncConfig
from sanlint.model.drbd import DrbdConfig, DrbdResource
from sanlint.model.iscsi import IscsiConfig, IscsiTarget
from sanlint.model.lvm import LvmConfig, VolumeGroup
from sanlint.model.network import BootService, Firewall, HostsEntry
from sanlint.model.live import CmapDump, Package, SbdDump
from sanlint.model.sbd import SbdConfig
from sanlint.source import SourceFile, Span

__all__ = ["Site", "Host", "Located", "Setting", "to_json", "SourceFile", "Span"]


@dataclass(eq=False)
class Host:
    """One cluster node (or the single host of a lone file)."""

    name: str
    root: Path | None = None
    drbd: list[DrbdConfig] = field(default_factory=list)  # every parsed DRBD file, includes resolved
    lvm: list[LvmConfig] = field(default_factory=list)  # lvm.conf (usually one)
    volume_groups: list[VolumeGroup] = field(default_factory=list)  # from lvm/backup (+archive)
    iscsi: list[IscsiConfig] = field(default_factory=list)
    corosync: list[CorosyncConfig] = field(default_factory=list)
    clusters: list[ClusterConfig] = field(default_factory=list)  # CIBs / crm files under this host
    firewalls: list[Firewall] = field(default_factory=list)
    boot_services: list[BootService] = field(default_factory=list)
    etc_hosts: list[HostsEntry] = field(default_factory=list)
    has_etc_hosts: bool = False
    sbd: list[SbdConfig] = field(default_factory=list)  # /etc/sysconfig/sbd or /etc/default/sbd
    # command output collected from the running node (sosreport layout; sanlint.parsers.live)
    cmap: list[CmapDump] = field(default_factory=list)  # corosync-cmapctl
    sbd_dumps: list[SbdDump] = field(default_factory=list)  # sbd -d DEV dump
    packages: list[Package] = field(default_factory=list)  # installed-rpms / dpkg -l
    drbd_running: list[DrbdConfig] = field(default_factory=list)  # drbdsetup show all: what the kernel runs
    files: list[SourceFile] = field(default_factory=list, repr=False)

    def __getattr__(self, name: str):
        # a format registered (sanlint.formats) with a Host list that is not
        # a field here: an empty list on first use, kept in the instance
        if name.startswith("_"):
            raise AttributeError(name)
        from sanlint.formats import attach_fields

        if name in attach_fields():
            return self.__dict__.setdefault(name, [])
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def command_outputs(self, pattern: str) -> list[Path]:
        """Collected command outputs of this host, at sosreport's places under
        ROOT/sos_commands/ (`host.command_outputs("drbd/drbdsetup_show*")`):
        sosreports hold them, `sanlint check ssh://...` runs a few read-only
        commands on a live node and puts their output there, a crm report's
        are mapped there (sanlint.remote.archive).  Files inside the root only."""
        if self.root is None:
            return []
        base = self.root / "sos_commands"
        if not base.is_dir():
            return []
        real_root = str(self.root.resolve())
        return sorted(p for p in base.glob(pattern)
                      if p.is_file() and str(p.resolve()).startswith(real_root + "/"))

    # -- views -------------------------------------------------------------
    # The DRBD aggregates are asked for once per resource by the rules: built
    # once per host (rebuilt if a file is attached later), so a host with
    # thousands of resource files stays linear.  Callers must not mutate them.
    def _drbd_index(self) -> tuple:
        idx = self.__dict__.get("_drbd_idx")
        if idx is None or idx[0] != len(self.drbd):
            resources = [r for cfg in self.drbd for r in cfg.resources]
            by_name: dict[str, DrbdResource] = {}
            for r in resources:
                by_name.setdefault(r.name, r)
            commons = [c for cfg in self.drbd for c in cfg.commons]
            common_sections = [s for cfg in self.drbd for s in cfg.common]
            protocol = next((cfg.common_protocol for cfg in self.drbd if cfg.common_protocol is not None), None)
            idx = (len(self.drbd), resources, by_name, commons, common_sections, protocol)
            self.__dict__["_drbd_idx"] = idx
        return idx

    @property
    def drbd_resources(self) -> list[DrbdResource]:
        return self._drbd_index()[1]

    def drbd_resource(self, name: str) -> DrbdResource | None:
        """The first resource of that name (drbdadm reads files in order)."""
        return self._drbd_index()[2].get(name)

    @property
    def drbd_commons(self) -> list[DrbdResource]:
        """Every `common { }` of the host's DRBD files (parsed as resources)."""
        return self._drbd_index()[3]

    @property
    def drbd_common_sections(self) -> list:
        """The sections of every `common { }`, in file order."""
        return self._drbd_index()[4]

    @property
    def drbd_common_protocol(self) -> Setting | None:
        """The first `common { protocol X; }` of the host's files."""
        return self._drbd_index()[5]

    @property
    def targets(self) -> list[IscsiTarget]:
        return [t for cfg in self.iscsi for t in cfg.targets]

    @property
    def lvm_config(self) -> LvmConfig | None:
        return self.lvm[0] if self.lvm else None

    def volume_group(self, name: str) -> VolumeGroup | None:
        current = [vg for vg in self.volume_groups if vg.name == name]
        backups = [vg for vg in current if not vg.archive]
        return (backups or current or [None])[-1]


@dataclass(eq=False)
class Site:
    """One cluster's configuration (everything given in one invocation, when
    it holds one cluster).  Several clusters (a repository of sites, several
    site PATHs) are a Site whose `parts` are the clusters' own Sites: rules
    only ever see one cluster (sanlint.runner runs them per part)."""

    hosts: dict[str, Host] = field(default_factory=dict)
    clusters: list[ClusterConfig] = field(default_factory=list)  # cluster-wide crm files / CIBs
    files: list[SourceFile] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # e.g. version assumptions (--verbose)
    drbd_version: str | None = None  # "8.3" | "8.4" | "9": configured or inferred
    drbd_version_reason: str | None = None
    pacemaker_version: str | None = None  # "1.1" | "2.0" | "2.1"
    pacemaker_version_reason: str | None = None
    corosync_version: str | None = None  # "1" | "2" | "3": configured or inferred; None when nothing tells 2 from 3
    corosync_version_reason: str | None = None
    name: str | None = None  # the cluster's directory as reached from the PATH; None: hosts/files given one by one
    assumed: list[str] = field(default_factory=list)  # layout assumptions (stderr note in text output; also in notes)
    parts: list[tuple["Site", list]] = field(default_factory=list)  # several clusters: (site, input problems) each

    def host(self, name: str) -> Host:
        if name not in self.hosts:
            self.hosts[name] = Host(name=name)
        return self.hosts[name]

    def all_clusters(self) -> list[ClusterConfig]:
        """Cluster-wide configurations first, then per-host CIBs."""
        out = list(self.clusters)
        for h in self.hosts.values():
            out.extend(h.clusters)
        return out

    @property
    def cluster(self) -> ClusterConfig | None:
        """The authoritative cluster configuration (the first one found)."""
        all_ = self.all_clusters()
        return all_[0] if all_ else None

    def drbd_hosts(self) -> list[Host]:
        return [h for h in self.hosts.values() if h.drbd]

    def to_json(self) -> dict:
        if self.parts:
            return {"sites": [{"name": part.name, **part.to_json()} for part, _problems in self.parts]}
        return {
            "hosts": {name: _host_json(h) for name, h in sorted(self.hosts.items())},
            "clusters": [to_json(c) for c in self.clusters],
            "versions": {
                "drbd": {"version": self.drbd_version, "reason": self.drbd_version_reason},
                "pacemaker": {"version": self.pacemaker_version, "reason": self.pacemaker_version_reason},
                "corosync": {"version": self.corosync_version, "reason": self.corosync_version_reason},
            },
            "files": [{"path": f.display, "host": f.host, "format": f.format} for f in self.files],
        }


_NOT_JSON = ("name", "root", "files", "has_etc_hosts")
_ALWAYS_JSON = ("drbd", "lvm", "volume_groups", "iscsi", "corosync", "clusters", "firewalls", "boot_services",
                "etc_hosts")


def _host_json(h: Host) -> dict:
    """Every list of the host: its own fields, then the lists of formats
    registered without a field of their own (sanlint.formats)."""
    from dataclasses import fields

    from sanlint.formats import attach_fields

    names = [f.name for f in fields(Host) if f.name not in _NOT_JSON]
    names += [n for n in attach_fields() if n not in names]
    # the lists of formats added later show only when present: older model snapshots stay valid
    return {n: to_json(getattr(h, n)) for n in names if n in _ALWAYS_JSON or getattr(h, n)}
