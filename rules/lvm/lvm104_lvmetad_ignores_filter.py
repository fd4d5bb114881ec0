'''lvmetad ignores `filter`: `use_lvmetad = 1` while only `filter` hides a DRBD backing disk.

## What it checks

On a host whose lvm.conf sets `global/use_lvmetad = 1`: a DRBD backing
disk (from the `.res` files) that `devices/filter` rejects but
`devices/global_filter` does not (or there is no `global_filter`), while a
volume group of the site lives on DRBD.

## Why it matters

lvmetad and its udev-triggered `pvscan --cache` apply only
`global_filter`; `filter` is applied later, per command.  lvmetad therefore
caches the PV label found on the backing disk, and event-based
auto-activation (`pvscan --cache -aay`) can activate the VG on the
unreplicated lower device at boot, before Pacemaker and DRBD are up.
Pacemaker's HA-LVM setups require `use_lvmetad = 0` for the same reason.

## Example

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
global {
    use_lvmetad = 1
}
```

```crm path=@cluster.crm
primitive p_drbd_r0 ocf:linbit:drbd params drbd_resource=r0
primitive p_vg ocf:heartbeat:LVM params volgrpname=vgsan
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
    global_filter = [ "a|^/dev/drbd.*|", "r|.*|" ]
}
global {
    use_lvmetad = 1
}
```

```crm path=@cluster.crm
primitive p_drbd_r0 ocf:linbit:drbd params drbd_resource=r0
primitive p_vg ocf:heartbeat:LVM params volgrpname=vgsan
```

## Fix safety

Unsafe: the fix sets `use_lvmetad = 0` (what `lvmconf --enable-halvm`
does).  The `lvm2-lvmetad` service and socket must then be stopped and
disabled, or LVM commands warn that lvmetad is running but disabled; the
admin confirms that.  Moving the rejecting entries into `global_filter` is
the alternative when lvmetad must stay.

## Source

lvm2 `conf/example.conf.in` (`devices/global_filter`: "Because devices are
not filtered by lvmetad, the global_filter is the only filter that applies
to lvmetad"; `global/use_lvmetad`); lvmetad(8); Red Hat High Availability
Add-On, "Configuring an LVM volume with an ext4 file system" (`lvmconf
--enable-halvm`, `use_lvmetad = 0`).
'''

from sanlint.rule import Edit, Fix, Rule
from sanlint_rules.lvm import _common as C


class LvmetadIgnoresFilter(Rule):
    code = "LVM104"
    name = "lvmetad-ignores-filter"
    severity = "error"
    reads = ("lvm", "drbd", "cluster")
    fix = "unsafe"

    def check(self, ctx):
        site = ctx.site
        for host in site.hosts.values():
            cfg = host.lvm_config
            if cfg is None or C.has_invalid_filter(cfg):
                continue
            value, s = C.int_setting(cfg, "global/use_lvmetad")
            if value != 1:
                continue
            flts = C.filters(cfg)
            flt, gflt = flts.get("devices/filter"), flts.get("devices/global_filter")
            if flt is None:
                continue
            leaking = [d for d in C.backing_disks(host, site)
                       if not flt.accepts([d]) and (gflt is None or gflt.accepts([d]))]
            if not leaking:
                continue
            fix = Fix([Edit.replace(s.value_span, "0")], "set use_lvmetad = 0", safe=False) if s.value_span else None
            yield self.finding(
                f"use_lvmetad = 1 on host {host.name} but only devices/filter (not global_filter) rejects DRBD "
                f"backing disk {', '.join(leaking)}: lvmetad ignores filter, caches the PV on the lower device and "
                "may auto-activate the VG there",
                s.span,
                identity=f"lvm host {host.name} / global/use_lvmetad",
                fix=fix,
            )
