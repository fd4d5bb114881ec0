'''DRBD backing disk visible to LVM: the device filters accept the disk under a DRBD device.

## What it checks

On every host with an lvm.conf, when a volume group of the site lives on
DRBD: whether `devices/global_filter` and `devices/filter` together accept a
backing disk of the host's DRBD resources (the `disk` of its `.res` files).
A disk no filter entry matches is accepted, as in lvm2, so a filter that
only accepts `/dev/drbd*` without a final `"r|.*|"` lets the disk through.

## Why it matters

With internal meta-data the backing disk carries the same PV label as the
DRBD device on top of it.  LVM then sees the PV twice ("Found duplicate
PV"), may pick the lower device, and activates the VG on the unreplicated
disk: writes bypass DRBD and never reach the peer, and the next failover
serves stale data.

sanlint only knows the disk names written in the `.res` files; LVM checks
every name of the disk in /dev (`/dev/disk/by-id/...`), so a filter that
accepts the disk only through such an alias is not seen.

## Example

```drbd path=etc/drbd.d/r0.res
resource r0 {
  on alpha { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.1:7789; }
  on bravo { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.2:7789; }
}
```

```lvm path=etc/lvm/lvm.conf
devices {
    filter = [ "a|^/dev/drbd.*|" ]
}
```

```crm path=@cluster.crm
primitive p_drbd_r0 ocf:linbit:drbd params drbd_resource=r0
primitive p_vg ocf:heartbeat:LVM-activate params vgname=vgsan vg_access_mode=system_id
```

## Use instead

```drbd path=etc/drbd.d/r0.res
resource r0 {
  on alpha { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.1:7789; }
  on bravo { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.2:7789; }
}
```

```lvm path=etc/lvm/lvm.conf
devices {
    filter = [ "a|^/dev/drbd.*|", "r|.*|" ]
}
```

```crm path=@cluster.crm
primitive p_drbd_r0 ocf:linbit:drbd params drbd_resource=r0
primitive p_vg ocf:heartbeat:LVM-activate params vgname=vgsan vg_access_mode=system_id
```

## Fix safety

Unsafe: when the host has a `filter` (or `global_filter`) array, the fix
inserts `"r|^/dev/sdb$|"` for the accepted disk as the first entry of that
array (`global_filter` when set, since lvmetad honours only that one).  It
changes which devices LVM scans; if the host also keeps non-DRBD volume
groups on that disk they disappear, so the admin confirms it.  Without any
filter there is no fix: write one that accepts `/dev/drbd*` and the host's
local PVs and rejects everything else.

## Source

lvm2 `lib/filters/filter-regex.c` (`_accept_p`: unmatched devices pass);
lvm.conf(5) `devices/filter`, `devices/global_filter`; DRBD User's Guide,
"Using LVM with DRBD" and "Configuring LVM to recognize the DRBD resource"
(reject the lower-level devices).
'''

import re

from sanlint.rule import Edit, Fix, Rule
from sanlint_rules.lvm import _common as C


class BackingDiskVisible(Rule):
    code = "LVM102"
    name = "backing-disk-visible"
    severity = "error"
    reads = ("lvm", "drbd", "cluster")
    fix = "unsafe"

    def check(self, ctx):
        site = ctx.site
        for host in site.hosts.values():
            cfg = host.lvm_config
            if cfg is None or C.has_invalid_filter(cfg):
                continue
            disks = C.backing_disks(host, site)
            if not disks:
                continue
            flts = C.filters(cfg)
            for disk in disks:
                if not all(f.accepts([disk]) for f in flts.values()):
                    continue
                target = flts.get("devices/global_filter") or flts.get("devices/filter")
                span = target.setting.span if target else cfg.span
                where = (f"by devices/{C.short_key(target.setting.key)}" if target
                         else "(no devices/filter or global_filter is set)")
                yield self.finding(
                    f"DRBD backing disk {disk} on host {host.name} is accepted by LVM {where}: LVM sees the PV "
                    "twice and may activate the VG on the unreplicated lower device",
                    span,
                    identity=f"lvm host {host.name} / backing disk {disk}",
                    fix=_fix(target, disk),
                )


def _fix(flt, disk):
    if flt is None:
        return None
    where = C.insert_entry_fix_text(flt.setting)
    if where is None:
        return None
    span, sep = where
    if re.search(r'[]\\^|"\s]', disk):
        return None
    entry = '"r|^' + re.sub(r"([.$*+?(){}\[])", r"[\1]", disk) + '$|"'
    return Fix([Edit.insert(span.file, span.start, entry + sep)],
               f"reject {disk} first in {flt.setting.key}", safe=False)
