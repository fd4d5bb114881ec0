'''LUN on unreplicated storage: a LUN's backing path is not on DRBD in a replicated SAN.

## What it checks

In a site with DRBD resources, the backing path of every LUN (ietd `Path=`,
tgt `backing-store`/`direct-store`, LIO backstore `dev`, `iSCSILogicalUnit`
`path`):

* an LV path (`/dev/VG/LV`, `/dev/mapper/VG-LV`) of a VG whose metadata
  backup shows no DRBD PV (and no cluster resource puts it on DRBD);
* a raw disk (`/dev/sdX`, `/dev/vdX`, `/dev/nvme*`, `/dev/disk/by-*`,
  `/dev/md*`, ...), including a DRBD backing disk used directly.

DRBD devices (`/dev/drbdN`, `/dev/drbd/by-res/...`) are replicated; a VG
sanlint knows nothing about and regular files are not judged.

## Why it matters

Data written to such a LUN lives on one node only.  After a failover the
target on the other node serves a different (or no) disk under the same
LUN: the initiator's file system sees old data or an I/O error.  A DRBD
backing disk exported directly bypasses replication and makes the two
DRBD nodes diverge.

## Example

```drbd path=etc/drbd.d/r0.res
resource r0 {
  on alpha { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.1:7789; }
  on bravo { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.2:7789; }
}
```

```ietd path=etc/ietd.conf
Target iqn.2014-02.santnet.sante:target1
        Lun 0 Path=/dev/sdb,Type=blockio
```

## Use instead

```drbd path=etc/drbd.d/r0.res
resource r0 {
  on alpha { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.1:7789; }
  on bravo { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.2:7789; }
}
```

```ietd path=etc/ietd.conf
Target iqn.2014-02.santnet.sante:target1
        Lun 0 Path=/dev/drbd0,Type=blockio
```

## Fix safety

No automatic fix: the data must be moved onto replicated storage first.

## Source

DRBD User's Guide, "Highly available iSCSI storage with DRBD and
Pacemaker" (LUNs on LVs of a VG whose PV is the DRBD device); LINBIT
technical guide "Highly Available iSCSI Storage with DRBD and Pacemaker".
'''

import re

from sanlint import views
from sanlint.rule import Rule
from sanlint.views import lv_of_path
from sanlint_rules.iscsi import _common as C

_RAW = re.compile(r"/dev/(sd[a-z]+\d*|vd[a-z]+\d*|xvd[a-z]+\d*|hd[a-z]+\d*|nvme\d+n\d+(p\d+)?|md\d+|md/.+|"
                  r"disk/by-[a-z-]+/.+|mmcblk\d+(p\d+)?|cciss/.+|dm-\d+)")


class LunNotReplicated(Rule):
    code = "ISCSI102"
    name = "lun-not-replicated"
    severity = "error"
    reads = ("iscsi", "lvm", "drbd", "cluster")

    def check(self, ctx):
        site = ctx.site
        if not C.replicated(site):
            return
        on_drbd = views.vgs_on_drbd(site)
        backing = set().union(*views.drbd_backing_disks(site).values())
        for t in C.all_targets(site):
            for lun in t.luns:
                why = _why(site, t, lun.path, on_drbd, backing)
                if why:
                    yield self.finding(
                        f"{lun.label} of {t.label} is backed by {lun.path}, {why}: after a failover the other node "
                        "serves different data under this LUN",
                        lun.span,
                        identity=f"{t.identity} / lun {lun.number} / path")


def _why(site, t, path, on_drbd, backing):
    if not path or views.is_drbd_device(path, site):
        return None
    if path in backing:
        return "a DRBD backing disk (writes bypass DRBD replication)"
    lv = lv_of_path(path)
    if lv is not None:
        vg_name, _ = lv
        if vg_name in on_drbd:
            return None
        vg = C.volume_group(site, t.host, vg_name)
        if vg is None:
            return None
        pvs = ", ".join(pv.device or "?" for pv in vg.pvs)
        return f"an LV of VG {vg_name} whose PVs ({pvs}) are not DRBD devices"
    if _RAW.fullmatch(path):
        return "a local disk that DRBD does not replicate"
    return None
