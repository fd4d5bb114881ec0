'''Cluster-managed VG may be auto-activated at boot.

## What it checks

For every volume group a Pacemaker resource activates (`ocf:heartbeat:LVM`
`volgrpname`, `ocf:heartbeat:LVM-activate` `vgname`), on every host with an
lvm.conf, whether anything stops LVM from activating it by itself at boot:

* `activation/auto_activation_volume_list` is set and does not list the VG
  (an entry `VG`, `VG/LV` or `@*`), or `activation/volume_list` is set and
  does not list it; or
* the resource is `LVM-activate` with `vg_access_mode=system_id` and the
  host sets `global/system_id_source` (not `none`), so the VG belongs to
  one host at a time; or `vg_access_mode=lvmlockd` (a shared VG is only
  activated with a lock).

`@tag` entries other than `@*` are taken as not matching: sanlint does not
know the VG's tags.  `LVM-activate` with `vg_access_mode=system_id` but no
`system_id_source` is reported even when a list would protect the VG,
because the agent then cannot work as configured.

## Why it matters

At boot, udev/`pvscan --cache -aay` or the `lvm2-activation` service
activates every VG it finds.  A VG on shared or replicated storage that is
active on a node Pacemaker did not choose is a second writer: the LVs are
opened on a stale DRBD Secondary (or on the backing disk), the cluster's
start fails with "VG already active", or two nodes write the same LVs.

## Example

```lvm path=etc/lvm/lvm.conf
devices {
    filter = [ "a|^/dev/drbd.*|", "r|.*|" ]
}
```

```crm path=@cluster.crm
primitive p_vg ocf:heartbeat:LVM params volgrpname=vgsan
```

## Use instead

```lvm path=etc/lvm/lvm.conf
devices {
    filter = [ "a|^/dev/drbd.*|", "r|.*|" ]
}
activation {
    auto_activation_volume_list = [ "vgroot" ]
}
```

```crm path=@cluster.crm
primitive p_vg ocf:heartbeat:LVM params volgrpname=vgsan
```

## Fix safety

No automatic fix: the list must keep the host's own VGs (root, swap), which
only the admin knows.

## Source

lvm2 `conf/example.conf.in` (`activation/auto_activation_volume_list`,
`activation/volume_list`, `global/system_id_source`); lvmsystemid(7);
resource-agents `heartbeat/LVM-activate` (`vg_access_mode`, system_id
checks); Red Hat High Availability Add-On, "Ensuring a volume group is not
activated on multiple cluster nodes".
'''

from sanlint import views
from sanlint.rule import Rule


class ClusterVgAutoactivated(Rule):
    code = "LVM106"
    name = "cluster-vg-autoactivated"
    severity = "warning"
    reads = ("lvm", "cluster")

    def check(self, ctx):
        managed: dict[str, object] = {}
        for c in ctx.site.all_clusters():
            for p in c.primitives():
                vg = views.cluster_vg(p)
                if vg:
                    managed.setdefault(vg, p)
        if not managed:
            return
        for host in ctx.site.hosts.values():
            cfg = host.lvm_config
            if cfg is None:
                continue
            source = cfg.get("global/system_id_source")
            has_sysid = source is not None and str(source.value).strip() not in ("", "none")
            auto = cfg.get("activation/auto_activation_volume_list")
            vlist = cfg.get("activation/volume_list")
            for vg, prim in sorted(managed.items()):
                mode = (prim.params_dict().get("vg_access_mode") or "") if prim.agent.endswith("LVM-activate") else ""
                if mode == "system_id" and not has_sysid:
                    why = ("resource {0} uses vg_access_mode=system_id but global/system_id_source is not set, "
                           "so the VG has no owner and any node activates it").format(prim.id)
                elif mode in ("lvmlockd", "system_id"):
                    continue
                elif _excludes(auto, vg) or _excludes(vlist, vg):
                    continue
                else:
                    why = ("neither activation/auto_activation_volume_list nor activation/volume_list excludes it "
                           f"(resource {prim.id}, {prim.agent})")
                section = cfg.section("activation") or cfg.section("global")
                span = section.span if section is not None else cfg.span
                yield self.finding(
                    f"cluster-managed VG {vg} may be auto-activated at boot on host {host.name}: {why}; "
                    "it can then be active on a node Pacemaker did not choose",
                    span,
                    identity=f"lvm host {host.name} / vg {vg} / auto-activation",
                )


def _excludes(setting, vg: str) -> bool:
    """True when a list setting is defined and does not let `vg` activate."""
    if setting is None:
        return False
    values = setting.value if isinstance(setting.value, list) else [setting.value]
    for v in values:
        v = str(v)
        if v == "@*" or v == vg or v.startswith(vg + "/"):
            return False
    return True
