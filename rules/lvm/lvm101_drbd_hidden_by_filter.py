'''DRBD device hidden from LVM: the device filters reject the DRBD device a VG lives on.

## What it checks

On every host with an lvm.conf, for each volume group that lives on DRBD
(its metadata backup names a `/dev/drbdN` PV, or a cluster `LVM`/`LVM-activate`
resource activates it in a cluster that manages DRBD): whether
`devices/filter` or `devices/global_filter` rejects every name sanlint knows
for that DRBD device (`/dev/drbdN`, `/dev/drbd/by-res/RES[/VOL]`).  The first
entry of a filter that matches a name decides; a name no entry matches is
accepted, as in lvm2.

## Why it matters

LVM then never sees the PV: `vgchange -ay vgsan` in the cluster resource's
start fails ("Volume group not found"), the resource fails on every node and
the iSCSI LUNs on top never come up.  Worse, if the backing disk is accepted
instead, LVM activates the VG on the unreplicated lower device (see LVM102).

sanlint only knows the names written in the configuration; LVM also checks
other names of the device in /dev (`/dev/block/147:0`), so a filter that
accepts the device only through such an alias is reported although LVM
would see it.

## Example

```drbd path=etc/drbd.d/r0.res
resource r0 {
  on alpha { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.1:7789; }
  on bravo { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.2:7789; }
}
```

```lvm path=etc/lvm/lvm.conf
devices {
    filter = [ "a|/dev/sd.*|", "r|.*|" ]
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

Unsafe: the fix inserts `"a|^/dev/drbd.*|"` as the first entry of the
rejecting filter array.  That makes every DRBD device visible to LVM on the
host, which changes what LVM scans and may auto-activate (check LVM106), so
the admin confirms it.

## Source

lvm2 `lib/filters/filter-regex.c` (`_extract_pattern`, `_accept_p`: first
matching pattern decides, unmatched devices pass); lvm.conf(5) and
`conf/example.conf.in` (`devices/filter`, `devices/global_filter`); DRBD
User's Guide, "Using LVM with DRBD" (filter must accept `/dev/drbd*` and
reject the backing devices).
'''

from sanlint.rule import Edit, Fix, Rule
from sanlint_rules.lvm import _common as C

DRBD_ACCEPT = '"a|^/dev/drbd.*|"'


class DrbdHiddenByFilter(Rule):
    code = "LVM101"
    name = "drbd-hidden-by-filter"
    severity = "error"
    reads = ("lvm", "drbd", "cluster")
    fix = "unsafe"

    def check(self, ctx):
        site = ctx.site
        for host in site.hosts.values():
            cfg = host.lvm_config
            if cfg is None:
                continue
            devices = C.drbd_names(host, site)
            if not devices:
                continue
            vgs = ", ".join(sorted(C.views.vgs_on_drbd(site)))
            for key, flt in C.filters(cfg).items():
                hidden = [dev for dev, names in devices.items() if not flt.accepts(names)]
                if not hidden:
                    continue
                names = devices[hidden[0]]
                decider = next((e for n in names if (e := flt.decide(n)) is not None), None)
                span = decider.span if decider else flt.setting.span
                yield self.finding(
                    f"devices/{C.short_key(key)} on host {host.name} rejects {', '.join(hidden)} "
                    f"(entry \"{decider.text if decider else '?'}\"), where VG {vgs} lives: LVM cannot find the VG, "
                    "so its activation fails on failover",
                    span,
                    identity=f"lvm host {host.name} / {key} / drbd",
                    fix=_fix(flt),
                )


def _fix(flt):
    where = C.insert_entry_fix_text(flt.setting)
    if where is None:
        return None
    span, sep = where
    return Fix([Edit.insert(span.file, span.start, DRBD_ACCEPT + sep)],
               f"accept DRBD devices first in {flt.setting.key}", safe=False)
