"""Fencing without handler: a fencing policy is set but no `fence-peer` handler.

## What it checks

A resource whose effective `fencing` policy (its own, or inherited from
`common`; in `disk { }` for 8.x, `net { }` for 9) is `resource-only` or
`resource-and-stonith`, while no `fence-peer` handler is defined for it
(8.x also runs an old `outdate-peer` handler; under DRBD 9 that case is
DRBD113's).

## Why it matters

When the replication link breaks, DRBD calls the fence-peer handler and
waits for its answer.  drbdadm returns 0 for an undefined handler, which
the kernel treats as "fence-peer helper broken, returned 0": the peer is
never outdated, and with `resource-and-stonith` all I/O stays frozen
until someone intervenes, so the iSCSI initiators hang.

## Example

```drbd path=etc/drbd.d/r0.res
resource r0 {
  disk { fencing resource-only; }
  on alpha { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.1:7789; }
  on bravo { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.2:7789; }
}
```

## Use instead

```drbd path=etc/drbd.d/r0.res
resource r0 {
  disk { fencing resource-only; }
  handlers {
    fence-peer "/usr/lib/drbd/crm-fence-peer.sh";
    after-resync-target "/usr/lib/drbd/crm-unfence-peer.sh";
  }
  on alpha { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.1:7789; }
  on bravo { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.2:7789; }
}
```

## Fix safety

Safe when Pacemaker manages the resource: the fix adds Pacemaker's
fence-peer handler and its unfence counterpart for the DRBD version in
force (8.x: `crm-fence-peer.sh` + `after-resync-target
crm-unfence-peer.sh`; 9: `crm-fence-peer.9.sh` + `unfence-peer
crm-unfence-peer.9.sh`), into the `handlers` section next to the policy.
Without Pacemaker the handler is the admin's choice (a placeholder is
shown with `--diff`, never applied).

## Source

drbd-utils `user/v9/drbdadm_main.c` `adm_khelper()`; LINBIT/drbd
`drbd/drbd_nl.c` `conn_try_outdate_peer()` ("fence-peer helper broken"); LINBIT
users guide `drbd-pacemaker.adoc` (resource-level fencing);
https://github.com/LINBIT/drbd-utils, https://github.com/LINBIT/drbd,
https://github.com/LINBIT/linbit-documentation.
"""

from __future__ import annotations

from sanlint import views
from sanlint.rule import Context, Fix, Rule
from sanlint.edit.brace import put_options, stmt
from sanlint.transform.drbd import FENCE_PEER_PLACEHOLDER
from sanlint_rules.drbd._common import Once, fence_handlers, find, handler_dir, has_unfence, host_resources, version, where

POLICIES = ("resource-only", "resource-and-stonith")


class FencingWithoutHandler(Rule):
    code = "DRBD110"
    name = "fencing-without-handler"
    severity = "error"
    reads = ("drbd", "cluster")
    fix = "choice"

    def check(self, ctx: Context):
        site = ctx.site
        ver = version(site)
        managed = views.managed_drbd(site)
        once = Once()
        for host, res in host_resources(site):
            f = find(host, res, ("disk", "net"), ("fencing",))
            if f is None or (f.value or "").lower() not in POLICIES:
                continue
            if find(host, res, ("handlers",), ("fence-peer", "outdate-peer")) is not None:
                continue
            if not once.first(f.setting.span):
                continue
            container = f.container
            if res.name in managed:
                stmts = fence_handlers(ver, handler_dir(host, res), unfence=not has_unfence(host, res))
                fix = Fix([put_options(container, "handlers", stmts)],
                          "add Pacemaker's fence-peer handler (and its unfence counterpart)")
            else:
                fix = Fix([put_options(container, "handlers", [stmt("fence-peer", FENCE_PEER_PLACEHOLDER)])],
                          "add a fence-peer handler (choose the script)", needs_choice=True)
            yield self.finding(
                f"resource {res.name} sets fencing {f.value} but defines no fence-peer handler: on a "
                f"replication-link failure the peer is never outdated"
                + (" and I/O stays frozen" if f.value == "resource-and-stonith" else "")
                + (" (the policy comes from common)" if f.in_common else ""),
                f.setting.span, identity=f"{where(f, res)} / fencing / fence-peer", fix=fix)
