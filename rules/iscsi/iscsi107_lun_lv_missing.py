'''LUN names a missing LV: the LUN's path is an LV that the VG metadata backup does not contain.

## What it checks

Every LUN whose backing path is an LV path (`/dev/VG/LV` or
`/dev/mapper/VG-LV`) of a VG for which sanlint has the metadata backup
(`/etc/lvm/backup/VG` of the same host, else of another host): the LV must
be listed in it.  Archives (`/etc/lvm/archive`) are history and are not
used when a backup exists.

## Why it matters

The target cannot open the device: ietd skips the LUN ("No such file or
directory"), tgt-admin skips the backing store, `iSCSILogicalUnit` fails to
start (its monitor sees no device) and Pacemaker stops or moves the whole
group.  Usually the LV was renamed or removed and the target configuration
was not updated, or the backup is stale because `backup = 0`.

## Example

```lvm-metadata path=etc/lvm/backup/vgsan
vgsan {
	id = "Xq3Bc9-l0Ue-7Nvq-mTqA-8ZfS-3RkL-2hVdP1"
	seqno = 5
	format = "lvm2"
	status = ["RESIZEABLE", "READ", "WRITE"]
	flags = []
	extent_size = 8192
	max_lv = 0
	max_pv = 0
	metadata_copies = 0

	physical_volumes {
		pv0 {
			id = "d3Lw7E-Hk2a-Fq9P-0vZm-Jt5R-cY1s-UeN8xb"
			device = "/dev/drbd0"
			status = ["ALLOCATABLE"]
			flags = []
			dev_size = 209715200
			pe_start = 2048
			pe_count = 25599
		}
	}

	logical_volumes {
		lun0 {
			id = "a1b2c3-d4e5-f6g7-h8i9-j0k1-l2m3-n4o5p6"
			status = ["READ", "WRITE", "VISIBLE"]
			flags = []
			segment_count = 1

			segment1 {
				start_extent = 0
				extent_count = 1024
				type = "striped"
				stripe_count = 1
				stripes = [
					"pv0", 0
				]
			}
		}
	}
}
```

```ietd path=etc/ietd.conf
Target iqn.2014-02.santnet.sante:target1
        Lun 0 Path=/dev/vgsan/lun1,Type=blockio
```

## Use instead

```lvm-metadata path=etc/lvm/backup/vgsan
vgsan {
	id = "Xq3Bc9-l0Ue-7Nvq-mTqA-8ZfS-3RkL-2hVdP1"
	seqno = 5
	format = "lvm2"
	status = ["RESIZEABLE", "READ", "WRITE"]
	flags = []
	extent_size = 8192
	max_lv = 0
	max_pv = 0
	metadata_copies = 0

	physical_volumes {
		pv0 {
			id = "d3Lw7E-Hk2a-Fq9P-0vZm-Jt5R-cY1s-UeN8xb"
			device = "/dev/drbd0"
			status = ["ALLOCATABLE"]
			flags = []
			dev_size = 209715200
			pe_start = 2048
			pe_count = 25599
		}
	}

	logical_volumes {
		lun0 {
			id = "a1b2c3-d4e5-f6g7-h8i9-j0k1-l2m3-n4o5p6"
			status = ["READ", "WRITE", "VISIBLE"]
			flags = []
			segment_count = 1

			segment1 {
				start_extent = 0
				extent_count = 1024
				type = "striped"
				stripe_count = 1
				stripes = [
					"pv0", 0
				]
			}
		}
	}
}
```

```ietd path=etc/ietd.conf
Target iqn.2014-02.santnet.sante:target1
        Lun 0 Path=/dev/vgsan/lun0,Type=blockio
```

## Fix safety

No automatic fix: either the path or the LV is wrong, and only the admin
knows which.

## Source

lvm2 metadata format (`/etc/lvm/backup`, vgcfgbackup(8)); ietd.conf(5)
(`Path`); resource-agents `heartbeat/iSCSILogicalUnit.in` (monitor: "[ -e
path ] || return OCF_NOT_RUNNING").
'''

from sanlint.rule import Rule
from sanlint.views import lv_of_path
from sanlint_rules.iscsi import _common as C


class LunLvMissing(Rule):
    code = "ISCSI107"
    name = "lun-lv-missing"
    severity = "error"
    reads = ("iscsi", "lvm", "cluster")

    def check(self, ctx):
        site = ctx.site
        for t in C.all_targets(site):
            for lun in t.luns:
                lv = lv_of_path(lun.path)
                if lv is None:
                    continue
                vg = C.volume_group(site, t.host, lv[0])
                if vg is None or any(x.name == lv[1] for x in vg.lvs):
                    continue
                yield self.finding(
                    f"{lun.label} of {t.label} uses {lun.path}, but the metadata backup of VG {vg.name} "
                    f"({vg.span.path}) has no LV {lv[1]}: the target cannot open it",
                    lun.span,
                    identity=f"{t.identity} / lun {lun.number} / lv {lv[0]}/{lv[1]}")
