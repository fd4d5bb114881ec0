'''Write-back file I/O LUN on a block device: writes acknowledged from the page cache are lost on failover.

## What it checks

In a failover SAN (DRBD resources or a Pacemaker configuration), every LUN
whose backing path is a block device (under `/dev/`) served through the
page cache in write-back mode:

* ietd `Type=fileio` (the default `Type`) with `IOMode=wb`;
* tgt `bs-type rdwr` or `mmap` (rdwr is tgt's default) without
  `bsoflags direct`, with tgt's default `write-cache on`;
* a LIO `fileio` backstore with `write_back` true;
* `iSCSILogicalUnit` with `implementation=tgt` and `tgt_bstype` rdwr/mmap
  (or unset) unless `additional_parameters` turns the write cache off, or
  `implementation=lio-t` with `liot_bstype=fileio` (the agent's `targetcli
  /backstores/fileio create` takes targetcli's default write_back=true).
  With `iet` and `lio` the agent itself uses blockio/iblock for block
  devices.

File I/O in write-through mode (ietd fileio without `IOMode=wb`, tgt
`write-cache off`, LIO `write_back` false) is not reported: IET's
`build_write_response` syncs each write before it answers, tgt's bs_rdwr
calls fdatasync when the write cache is off.

## Why it matters

In write-back mode writes acknowledged from the target node's page cache
are lost when that node fails or is fenced, since they never reached DRBD
and the peer: the initiator's file system or database loses data it was
told was safe.  Write-through means every write reaches the device before
it is acknowledged; blockio (tgt `aio`, LIO
`block`) submits the I/O to the device directly.  `sanlint migrate
iscsi-lio` says the same of a write-through LUN it turns into a
write-back LIO fileio LUN.

## Example

```ietd path=etc/ietd.conf
Target iqn.2014-02.santnet.sante:target1
        Lun 0 Path=/dev/vgsan/lun0,Type=fileio,IOMode=wb
```

```crm path=@cluster.crm
primitive p_vg ocf:heartbeat:LVM params volgrpname=vgsan
```

## Use instead

```ietd path=etc/ietd.conf
Target iqn.2014-02.santnet.sante:target1
        Lun 0 Path=/dev/vgsan/lun0,Type=blockio
```

```crm path=@cluster.crm
primitive p_vg ocf:heartbeat:LVM params volgrpname=vgsan
```

## Fix safety

Unsafe: the fix writes `Type=blockio` (ietd), `bs-type aio` (tgt, where
`bs-type` is written), `tgt_bstype=aio` or `liot_bstype=block` (cluster
resources).  It changes the caching behaviour and the performance profile
of the LUN and takes effect only when the target is restarted, so the admin
confirms it.  LIO fileio backstores and tgt stores without a written
`bs-type` get no automatic fix.

## Source

ietd.conf(5) (`Type=fileio|blockio`, `IOMode=wb`); iscsitarget
`kernel/target_disk.c` `build_write_response()` (`tio_sync` unless
`LUWCache`, which only `IOMode=wb` sets: `kernel/volume.c`);
tgt `usr/bs_rdwr.c` and `usr/bs_aio.c` (O_DIRECT); targetcli(8) (fileio
`write_back`, block backstores); resource-agents
`heartbeat/iSCSILogicalUnit.in` (iet picks blockio for block devices,
`tgt_bstype`); DRBD User's Guide, iSCSI chapter (use blockio).
'''

from sanlint.rule import Edit, Fix, Rule
from sanlint.transform.iscsi import WRITE_BACK_LOSS
from sanlint_rules.iscsi import _common as C


class FileioOnBlockDevice(Rule):
    code = "ISCSI106"
    name = "fileio-on-block-device"
    severity = "warning"
    reads = ("iscsi", "cluster", "drbd")
    fix = "unsafe"

    def check(self, ctx):
        if not C.failover(ctx.site):
            return
        for t in C.all_targets(ctx.site):
            for lun in t.luns:
                if lun.io_type != "fileio" or not lun.write_back or not (lun.path or "").startswith("/dev/"):
                    continue
                yield self.finding(
                    f"{lun.label} of {t.label} serves block device {lun.path} with write-back file I/O "
                    f"({_how(t, lun)}): {WRITE_BACK_LOSS}",
                    _span(lun),
                    identity=f"{t.identity} / lun {lun.number} / io type",
                    fix=_fix(t, lun))


def _how(t, lun):
    if lun.primitive is not None:
        return f"implementation={C.lu_implementation(lun.primitive, t)}"
    return {"ietd": "Type=fileio,IOMode=wb", "tgt": "bs-type rdwr/mmap, write-cache on",
            "lio": "fileio backstore, write_back true"}.get(t.stack, "fileio")


def _span(lun):
    if lun.lun is not None and lun.lun.io_type_span is not None:
        return lun.lun.io_type_span
    return lun.span


def _fix(t, lun):
    desc = "use block I/O"
    if lun.primitive is not None:
        p = lun.primitive
        impl = C.lu_implementation(p, t)
        name, new = ("tgt_bstype", "aio") if impl == "tgt" else ("liot_bstype", "block")
        span = C.value_span(p, name)
        if span is None or C.param(p, name) is None:
            return None
        return Fix([Edit.replace(span, new)], f"set {name}={new}", safe=False)
    host_lun = lun.lun
    if t.stack == "ietd":
        if host_lun.io_type_span is not None:
            return Fix([Edit.replace(host_lun.io_type_span, "blockio")], desc + " (Type=blockio)", safe=False)
        end = lun.span.end
        if lun.span.file.data[end - 1:end].isspace():
            return None
        return Fix([Edit.insert(lun.span.file, end, ",Type=blockio")], desc + " (Type=blockio)", safe=False)
    if t.stack == "tgt" and host_lun.io_type_span is not None:
        return Fix([Edit.replace(host_lun.io_type_span, "aio")], desc + " (bs-type aio)", safe=False)
    return None
