"""Helpers of the SBD pack: a host's SBD configuration as the daemon reads
it, the cluster's SBD fence resources, and whether a site uses SBD."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sanlint.model import Host, Site
    from sanlint.model.cluster import ClusterConfig, Primitive
    from sanlint.model.sbd import SbdConfig

# The fence agents that shoot through SBD: fence-agents' fence_sbd and the
# cluster-glue plugin (crmsh/SUSE) external/sbd, both as the model resolves them.
SBD_AGENTS = ("stonith:fence_sbd", "stonith:external/sbd")


def sbd_of(host: "Host") -> "SbdConfig | None":
    """The host's SBD file (/etc/sysconfig/sbd wins over /etc/default/sbd when both exist)."""
    if not host.sbd:
        return None
    for cfg in host.sbd:
        if "sysconfig" in cfg.span.path:
            return cfg
    return host.sbd[0]


def sbd_resources(site: "Site") -> list[tuple["ClusterConfig", "Primitive"]]:
    return [(c, p) for c in site.all_clusters() for p in c.primitives() if c.agent_of(p) in SBD_AGENTS]


def crm_is_true(v: str | None) -> bool:
    """Pacemaker's `crm_is_true`, which sbd uses for SBD_PACEMAKER: anything else is false."""
    return (v or "").strip().lower() in ("true", "on", "yes", "y", "1")


_SHORT_OPTS = re.compile(r"^-[A-Za-z]+$")


def pacemaker_integration(cfg: "SbdConfig") -> tuple[bool, str]:
    """(enabled, why) as sbd decides it: SBD_PACEMAKER (crm_is_true; the
    default is on), then each `-P` in SBD_OPTS toggles it (odd count on,
    even count off: `arg_enabled`)."""
    enabled, why = True, "default"
    v = cfg.value("SBD_PACEMAKER")
    if v is not None:
        enabled, why = crm_is_true(v), f"SBD_PACEMAKER={v}"
    opts = cfg.value("SBD_OPTS") or ""
    count = sum(w.count("P") for w in opts.split() if _SHORT_OPTS.match(w))
    if count:
        enabled, why = count % 2 == 1, f"SBD_OPTS {'-' + 'P' * count}"
    return enabled, why


def uses_watchdog_fencing(cluster: "ClusterConfig") -> bool:
    """`stonith-watchdog-timeout` set to a non-zero value: Pacemaker
    counts on the nodes' watchdogs (diskless SBD) to fence."""
    p = cluster.property("stonith-watchdog-timeout")
    if p is None or p.value is None:
        return False
    v = p.value.strip().lower()
    return v not in ("", "0", "0s", "false", "no", "off")


def has_qdevice(site: "Site") -> bool:
    for h in site.hosts.values():
        for cc in h.corosync:
            quorum = cc.section("quorum")
            if quorum is not None and quorum.children("device"):
                return True
    return False


def msgwait_s(site: "Site") -> tuple[int, str] | None:
    """SBD's msgwait in seconds and where it comes from: the on-disk header
    (`sbd dump` output collected from a host, the largest when devices
    differ), else 2 × SBD_WATCHDOG_TIMEOUT (sbd's and crmsh's default when
    the device was created; 5 s watchdog by default), else None when no
    host has an SBD configuration with devices."""
    dumps = [(d.msgwait, f"sbd dump of {d.device} on {h.name or 'the host'}")
             for h in site.hosts.values() for d in getattr(h, "sbd_dumps", []) or [] if d.msgwait is not None]
    if dumps:
        return max(dumps)
    for h in site.hosts.values():
        cfg = sbd_of(h)
        if cfg is not None and cfg.devices:
            v = cfg.value("SBD_WATCHDOG_TIMEOUT")
            wd = int(v) if v and v.strip().isdigit() else 5
            return 2 * wd, f"estimated as 2 × SBD_WATCHDOG_TIMEOUT ({wd}s) on {h.name or 'the host'}; `sbd dump` tells the real value"
    return None
