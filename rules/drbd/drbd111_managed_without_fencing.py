"""No fencing: a Pacemaker-managed resource has no fencing policy.

## What it checks

A resource that an `ocf:linbit:drbd` primitive manages (`drbd_resource`)
whose effective `fencing` policy (own or from `common`) is missing or
`dont-care`.  Under DRBD 9, a resource with `quorum` enabled on three or
more nodes is accepted instead.

## Why it matters

Without resource-level fencing, a broken replication link while Pacemaker
can still talk lets Pacemaker promote the outdated peer: both sides
accept writes and the data splits (split brain); the LINBIT guide calls
running Pacemaker with DRBD and without fencing a bad idea, and recovery
means discarding one side's writes.

## Example

```drbd path=etc/drbd.d/r0.res
resource r0 {
  on alpha { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.1:7789; }
  on bravo { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.2:7789; }
}
```

```crm path=@cluster.crm
node alpha
node bravo
primitive p_drbd_r0 ocf:linbit:drbd params drbd_resource=r0
ms ms_drbd_r0 p_drbd_r0 meta master-max=1 clone-max=2 notify=true
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

```crm path=@cluster.crm
node alpha
node bravo
primitive p_drbd_r0 ocf:linbit:drbd params drbd_resource=r0
ms ms_drbd_r0 p_drbd_r0 meta master-max=1 clone-max=2 notify=true
```

## Fix safety

Unsafe (changes behaviour, needs `--unsafe-fixes`): the fix sets `fencing
resource-only` (in `disk` for 8.x, `net` for 9) and adds Pacemaker's
fence-peer/unfence handlers for the version in force when they are
missing.  From then on a link failure places a constraint that keeps the
peer from being promoted.

## Source

LINBIT users guide 8.4 `pacemaker.adoc` and 9 `drbd-pacemaker.adoc`
(resource-level fencing with crm-fence-peer); drbd.conf(5) `fencing`;
https://github.com/LINBIT/linbit-documentation, drbd.conf(5) at
https://manpages.debian.org/drbd.conf.5.
"""

from __future__ import annotations

from sanlint import views
from sanlint.rule import Context, Edit, Fix, Rule
from sanlint.edit.brace import put_options
from sanlint_rules.drbd._common import fence_handlers, find, handler_dir, has_unfence, host_resources, version, version_note


class ManagedWithoutFencing(Rule):
    code = "DRBD111"
    name = "managed-without-fencing"
    severity = "error"
    reads = ("drbd", "cluster")
    fix = "unsafe"

    def check(self, ctx: Context):
        site = ctx.site
        managed = views.managed_drbd(site)
        if not managed:
            return
        ver = version(site)
        for host, res in host_resources(site):
            prim = managed.get(res.name)
            if prim is None:
                continue
            f = find(host, res, ("disk", "net"), ("fencing",))
            if f is not None and (f.value or "").lower() != "dont-care":
                continue
            if ver == "9":
                q = find(host, res, ("options",), ("quorum",))
                if q is not None and (q.value or "off") != "off" and len(res.hosts) >= 3:
                    continue
            edits: list[Edit] = []
            if f is not None and not f.in_common and f.setting.value_span is not None:
                edits.append(Edit.replace(f.setting.value_span, "resource-only"))
            else:
                edits.append(put_options(res, "net" if ver == "9" else "disk", ["fencing resource-only;"]))
            if find(host, res, ("handlers",), ("fence-peer", "outdate-peer")) is None:
                stmts = fence_handlers(ver, handler_dir(host, res), unfence=not has_unfence(host, res))
                edits.append(put_options(res, "handlers", stmts))
            span = f.setting.span if f is not None and not f.in_common else res.span
            yield self.finding(
                f"resource {res.name} is managed by Pacemaker ({prim.id}) but has "
                + ("fencing dont-care" if f is not None else "no fencing policy")
                + ": if the replication link fails while the cluster still communicates, Pacemaker can "
                  f"promote the outdated peer and the data splits; set fencing resource-only with "
                  f"crm-fence-peer ({version_note(site)})",
                span, identity=f"drbd resource {res.name} / fencing",
                fix=Fix(edits, "set fencing resource-only and add Pacemaker's fence-peer handlers", safe=False))
