"""Cluster service enabled at boot: a service the cluster manages also starts at boot.

## What it checks

A host enables at boot (systemd `*.wants/` link, SysV `rc?.d/S*` link) a
service that a cluster resource manages: `lsb:`/`systemd:`/`service:`
resources by name, and the daemons behind the stack's OCF agents (DRBD:
`drbd`; iSCSITarget: `tgt`/`tgtd`, `iscsitarget`, `target`,
`rtslib-fb-targetctl`).

## Why it matters

The init system starts the service before Pacemaker does: DRBD comes up
outside the cluster's control (possibly Primary on both nodes after a
reboot), an iSCSI target exports the LUN from the node that is not
Primary, and Pacemaker's probe finds the resource running where it should
not and has to recover it.  Pacemaker's documentation says not to enable
cluster-managed services.

## Example

```crm path=@cluster.crm
primitive tgt systemd:tgt op monitor interval=30s
```

```text path=etc/systemd/system/multi-user.target.wants/tgt.service
```

## Use instead

```crm path=@cluster.crm
primitive tgt systemd:tgt op monitor interval=30s
```

## Fix safety

No automatic fix: run `systemctl disable <service>` (or `update-rc.d
<service> disable`) on the host.

## Source

Pacemaker Explained, "Resource Agents: systemd / LSB" ("make sure the
service is not enabled at boot"); LINBIT DRBD User's Guide ("disable the
drbd service when Pacemaker manages DRBD").
"""

from __future__ import annotations

from sanlint.rule import Rule

AGENT_SERVICES = {
    "ocf:linbit:drbd": ("drbd",),
    "ocf:heartbeat:drbd": ("drbd",),
    "ocf:heartbeat:iSCSITarget": ("tgt", "tgtd", "iscsitarget", "iscsi-target", "target", "rtslib-fb-targetctl", "iscsi-scst"),
}
IMPL_SERVICES = {"tgt": ("tgt", "tgtd"), "iet": ("iscsitarget", "iscsi-target"), "lio": ("target",),
                 "lio-t": ("target", "rtslib-fb-targetctl")}


def managed_services(site) -> dict[str, str]:
    """service name -> id of the resource managing it."""
    out: dict[str, str] = {}
    for c in site.all_clusters():
        for p in c.primitives():
            agent = c.agent_of(p)
            cls, _, rest = agent.partition(":")
            if cls in ("lsb", "systemd", "service", "upstart"):
                name = rest.split(":")[-1]
                for suffix in (".service",):
                    if name.endswith(suffix):
                        name = name[: -len(suffix)]
                out.setdefault(name, p.id)
                continue
            names = AGENT_SERVICES.get(agent, ())
            if agent == "ocf:heartbeat:iSCSITarget":
                impl = p.params_dict().get("implementation")
                names = IMPL_SERVICES.get(impl or "", names)
            for n in names:
                out.setdefault(n, p.id)
    return out


class ManagedServiceEnabledAtBoot(Rule):
    code = "PCMK109"
    name = "managed-service-enabled-at-boot"
    severity = "warning"
    reads = ("cluster", "files")

    def check(self, ctx):
        services = None
        for h in ctx.site.hosts.values():
            for b in h.boot_services:
                if services is None:
                    services = managed_services(ctx.site)
                    if not services:
                        return
                rid = services.get(b.name)
                if rid is None:
                    continue
                how = "systemd" if b.via == "systemd" else "SysV init"
                yield self.finding(
                    f"service {b.name} is enabled at boot ({how}) on {h.name or 'this host'} but cluster resource "
                    f"{rid} manages it: it starts outside Pacemaker's control after a reboot",
                    b.span, identity=f"host {h.name} / boot service {b.name}")
