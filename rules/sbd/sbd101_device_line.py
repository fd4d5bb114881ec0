"""SBD device line: empty entries or more than three devices in `SBD_DEVICE`.

## What it checks

The `SBD_DEVICE` variable of `/etc/sysconfig/sbd` (`/etc/default/sbd` on
Debian), split as sbd's `parse_device_line` splits it: at each `;`, blanks
around an entry dropped.  The rule fires on an empty entry (`a;;b`, a
leading or trailing `;`, `a; ;b`) and on more than three devices.

## Why it matters

sbd logs "Could not parse" for an empty entry and goes on with the others,
so the node runs with fewer devices than the admin counted on, while the
fence agent splits the same line differently and does not skip empty
entries (SUSE Trento 61451E: "sbd ignores consecutive semicolons, but the
fencing agent does not"); when every
entry is empty sbd refuses to start ("Invalid device line") and with it
Pacemaker (sbd.service is `RequiredBy=pacemaker.service`).  sbd(8) supports
one to three devices: with three, a node self-fences only when it loses
two; a fourth device adds another disk whose loss counts against the
majority without making fencing any safer.

## Example

```sbd path=etc/sysconfig/sbd
SBD_DEVICE="/dev/disk/by-id/scsi-SBD-A;;/dev/disk/by-id/scsi-SBD-B;"
SBD_PACEMAKER=yes
SBD_WATCHDOG_DEV=/dev/watchdog
```

## Use instead

```sbd path=etc/sysconfig/sbd
SBD_DEVICE="/dev/disk/by-id/scsi-SBD-A;/dev/disk/by-id/scsi-SBD-B"
SBD_PACEMAKER=yes
SBD_WATCHDOG_DEV=/dev/watchdog
```

## Fix safety

Safe fix for empty entries: the line is rewritten with the devices sbd
already uses, joined by `;` (the daemon's view does not change).  No fix
for more than three devices: which one to drop is the admin's choice.

## Source

ClusterLabs sbd `src/sbd-inquisitor.c` (`parse_device_line`, "Invalid
device line"), `src/sbd.sysconfig` ("use ; as separator"), sbd(8) `-d`
("up to three times") and "One device / Two devices / Three devices";
SUSE Trento check 61451E (multiple SBD devices, SBD_DEVICE syntax).
"""

from __future__ import annotations

from sanlint.rule import Edit, Fix, Rule
from sanlint_rules.sbd._common import sbd_of

MAX_DEVICES = 3


class DeviceLine(Rule):
    code = "SBD101"
    name = "sbd-device-line"
    severity = "warning"
    reads = ("sbd",)
    fix = "safe"

    def check(self, ctx):
        for h in ctx.site.hosts.values():
            cfg = sbd_of(h)
            if cfg is None:
                continue
            setting = cfg.get("SBD_DEVICE")
            if setting is None:
                continue
            where = f" on {h.name}" if h.name else ""
            if cfg.empty_devices:
                fix = None
                if cfg.devices and setting.value_span is not None:
                    fix = Fix([Edit.replace(setting.value_span, ";".join(d.path for d in cfg.devices))],
                              "drop the empty entries", safe=True)
                if cfg.devices:
                    what = (f"has {len(cfg.empty_devices)} empty entr{'y' if len(cfg.empty_devices) == 1 else 'ies'}: "
                            f"sbd skips {'it' if len(cfg.empty_devices) == 1 else 'them'} with \"Could not parse\" "
                            f"and uses only {len(cfg.devices)} device(s)")
                else:
                    what = "has only empty entries: sbd refuses to start (\"Invalid device line\") and Pacemaker with it"
                yield self.finding(f"SBD_DEVICE{where} {what}", setting.span,
                                   identity="sbd / SBD_DEVICE / empty entry", fix=fix)
            if len(cfg.devices) > MAX_DEVICES:
                yield self.finding(
                    f"SBD_DEVICE{where} lists {len(cfg.devices)} devices; sbd supports one to three "
                    f"(three tolerate the loss of one), a fourth only adds a disk whose loss counts against the majority",
                    cfg.devices[MAX_DEVICES].span, identity="sbd / SBD_DEVICE / too many devices")
