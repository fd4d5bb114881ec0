'''Persistent device cache on a cluster node: `write_cache_state = 1`.

## What it checks

`devices/write_cache_state = 1` in the lvm.conf of a host that is a
cluster node (it has DRBD resources, a corosync configuration, or the site
has a Pacemaker configuration).

## Why it matters

With `write_cache_state = 1` LVM (2.02 and older; 2.03 dropped the cache) writes
the list of devices it found to `/etc/lvm/cache/.cache` and trusts it on
the next run.  On a failover node that cache was written while DRBD was
Secondary or the VG was not there: after a failover LVM looks at stale
device names, does not find the PV on the DRBD device, or finds it on the
backing disk, and the VG activation in the cluster resource fails or picks
the wrong device.

## Example

```lvm path=etc/lvm/lvm.conf
devices {
    filter = [ "a|^/dev/drbd.*|", "r|.*|" ]
    write_cache_state = 1
}
```

```crm path=@cluster.crm
primitive p_vg ocf:heartbeat:LVM params volgrpname=vgsan
```

## Use instead

```lvm path=etc/lvm/lvm.conf
devices {
    filter = [ "a|^/dev/drbd.*|", "r|.*|" ]
    write_cache_state = 0
}
```

```crm path=@cluster.crm
primitive p_vg ocf:heartbeat:LVM params volgrpname=vgsan
```

## Fix safety

Safe: the fix sets the value to `0`.  LVM then scans the devices on each
command (what current lvm2 always does); nothing else changes.  Delete
`/etc/lvm/cache/.cache` afterwards.

## Source

lvm2 `conf/example.conf.in` (`devices/write_cache_state`, "the cache file
... persistent filter"); DRBD User's Guide, "Using LVM with DRBD"
(`write_cache_state = 0` and removing `/etc/lvm/cache/.cache`); Linux-HA
DRBD+LVM+iSCSI guides.
'''

from sanlint.rule import Edit, Fix, Rule
from sanlint_rules.lvm import _common as C


class WriteCacheState(Rule):
    code = "LVM103"
    name = "write-cache-state"
    severity = "warning"
    reads = ("lvm", "drbd", "cluster", "corosync")
    fix = "safe"

    def check(self, ctx):
        for host in ctx.site.hosts.values():
            cfg = host.lvm_config
            if cfg is None or not C.is_cluster_node(host, ctx.site):
                continue
            value, s = C.int_setting(cfg, "devices/write_cache_state")
            if value != 1:
                continue
            fix = Fix([Edit.replace(s.value_span, "0")], "set write_cache_state = 0") if s.value_span else None
            yield self.finding(
                f"devices/write_cache_state = 1 on cluster node {host.name}: LVM trusts a persistent device cache "
                "that is stale after a failover (wrong or missing PV for the DRBD device)",
                s.span,
                identity=f"lvm host {host.name} / devices/write_cache_state",
                fix=fix,
            )
