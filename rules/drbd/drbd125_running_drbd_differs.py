"""Running DRBD differs from the configuration: the kernel runs options (`drbdsetup show`) the `.res` files do not say.

## What it checks

On a host whose `drbdsetup show all` output was collected (sosreport:
`sos_commands/drbd/drbdsetup_show_all`), every option the kernel reports
for a resource (in `options`, `net`, `disk`, the host's volume `disk`
sections and DRBD 9 connections) against the value the host's DRBD
configuration gives it (the resource, its own `on` section, its
connections, else `common`):

* a different value, compared as the kernel holds it: numbers in the
  option's own unit (drbd-utils `drbd_limits.h`: `resync-rate 100M` in the
  file is `102400k` in `drbdsetup show`, `c-fill-target 50k` is `100s`,
  sectors), a bare flag (`allow-two-primaries;`) is `yes`, quotes and case
  ignored, the unit comments drbdsetup prints (`# bytes/second`,
  `# default`) skipped;
* an option the configuration does not set at all (`drbdsetup show`
  prints only what differs from the defaults, so the kernel got it from a
  `drbdsetup`/`drbdadm` command run by hand).

A resource the kernel runs but no configuration file defines is reported
too.  Secrets (`shared-secret`) are compared but never printed.

## Why it matters

drbdadm applies the files only on `drbdadm adjust` or when the resource
is brought up.  A setting changed at runtime (a resync rate raised during
an incident, a `fencing` policy removed for a test) or a file edited but
never adjusted lives until the next reboot or failover, which then
changes replication behaviour without warning, in the middle of the
failover.

## Example

```drbd path=etc/drbd.d/r0.res
resource r0 {
    net {
        protocol C;
        fencing resource-only;
    }
    on san-1 { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.4.1:7789; }
    on san-2 { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.4.2:7789; }
}
```

```text path=sos_commands/drbd/drbdsetup_show_all
resource r0 {
    options {
    }
    net {
        fencing         	dont-care;
    }
    _remote_host {
        address			ipv4 10.0.4.2:7789;
    }
    _this_host {
        address			ipv4 10.0.4.1:7789;
        volume 0 {
            device			minor 0;
            disk			"/dev/sdb";
            meta-disk			internal;
            disk {
                resync-rate     	102400k; # bytes/second
            }
        }
    }
}
```

## Use instead

```drbd path=etc/drbd.d/r0.res
resource r0 {
    net {
        protocol C;
        fencing resource-only;
    }
    disk {
        resync-rate 100M;
    }
    on san-1 { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.4.1:7789; }
    on san-2 { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.4.2:7789; }
}
```

```text path=sos_commands/drbd/drbdsetup_show_all
resource r0 {
    options {
    }
    net {
        fencing         	resource-only;
    }
    _remote_host {
        address			ipv4 10.0.4.2:7789;
    }
    _this_host {
        address			ipv4 10.0.4.1:7789;
        volume 0 {
            device			minor 0;
            disk			"/dev/sdb";
            meta-disk			internal;
            disk {
                resync-rate     	102400k; # bytes/second
            }
        }
    }
}
```

## Fix safety

No automatic fix: either `drbdadm adjust RES` (applies the files) or put
the running value into the files; which one is meant is the admin's call.

## Source

drbdsetup(8) `show` (the kernel's current configuration of a resource,
printed in drbd.conf syntax; only values that differ from the defaults
unless `--show-defaults`); drbdadm(8) `adjust`; drbd-utils
`user/v9/drbdsetup.c` / `user/v84/drbdsetup.c` (`show` prints
`_this_host`/`_remote_host`, DRBD 9's `connection { _peer_node_id; path;
_cstate; net; volume N { disk } }`, `__print_options`: `name value; #
unit[, default]`), `user/v9/config_flags.c` (`get_numeric` prints the
number with the scale letter; the `.unit` strings), `user/v84/linux/drbd_limits.h`
(`*_SCALE`), `user/shared/shared_tool.c` `new_strtoll` (file units); sos
`sos/report/plugins/drbd.py` (collects `drbdsetup show all`).
"""

from __future__ import annotations

import re

from sanlint.model.base import is_secret
from sanlint.rule import Rule
from sanlint.views import same_host

STRUCTURE = {"device", "disk", "meta-disk", "flexible-meta-disk", "address", "node-id", "protocol"}

# The unit a bare number is in (drbd-utils drbd_limits.h `DRBD_*_SCALE`: k = KiB, s = 512-byte
# sectors, else 1).  drbdsetup show prints a number in that unit with its letter (`256000k`,
# `100s`) and a comment naming the unit (`# bytes/second`); a file may write it bare, in the
# same unit, or with a suffix that new_strtoll converts (k/K, m/M, g/G, s).
SCALE = {"resync-rate": "k", "rate": "k", "c-max-rate": "k", "c-min-rate": "k", "al-stripe-size": "k",
         "c-fill-target": "s", "cong-fill": "s", "size": "s"}
_BYTES = {"": 1, "1": 1, "k": 1024, "m": 1024 ** 2, "g": 1024 ** 3, "s": 512}
_NUMBER = re.compile(r"^(\d+)([kKmMgGs]?)$")


def norm(v: str | None, name: str | None = None) -> str:
    """A value as the kernel holds it: numbers in bytes (`100M` of resync-rate = `102400k` =
    `102400`), a bare flag (`allow-two-primaries;`) as `yes`, quotes and case dropped."""
    if v is None:
        return "yes"
    s = v.strip().strip('"')
    m = _NUMBER.match(s)
    if m:
        unit = m.group(2).lower() or SCALE.get(name or "", "1")
        return str(int(m.group(1)) * _BYTES[unit])
    return s.lower()


def running_options(res) -> dict[str, object]:
    """Every option the kernel reports for a resource: name -> Setting."""
    out: dict[str, object] = {}
    sections = list(res.sections)
    for h in res.hosts:
        sections += h.sections
        for v in h.volumes:
            sections += v.sections
    for v in res.volumes:
        sections += v.sections
    for c in res.connections:
        sections += c.sections
        for v in c.volumes:
            sections += v.sections
    for s in sections:
        for o in s.options:
            if not o.name.startswith("_") and o.name not in STRUCTURE:
                out.setdefault(o.name, o)
    return out


def configured_options(host, res) -> dict[str, object]:
    out: dict[str, object] = {}
    sections = list(res.sections)
    for h in res.hosts:
        if not host.name or any(same_host(n, host.name) for n in h.names):
            sections += h.sections
            for v in h.volumes:
                sections += v.sections
    for v in res.volumes:
        sections += v.sections
    for c in res.connections:
        sections += c.sections
        for v in c.volumes:
            sections += v.sections
    sections += list(host.drbd_common_sections)
    for s in sections:
        for o in s.options:
            out.setdefault(o.name, o)
    return out


class RunningDrbdDiffers(Rule):
    code = "DRBD125"
    name = "running-drbd-differs"
    severity = "warning"
    reads = ("drbd", "live")

    def check(self, ctx):
        for h in ctx.site.hosts.values():
            if not h.drbd_running:
                continue
            where = h.name or "this host"
            for running in (r for cfg in h.drbd_running for r in cfg.resources):
                res = h.drbd_resource(running.name)
                if res is None:
                    yield self.finding(
                        f"the kernel on {where} runs DRBD resource {running.name}, which no configuration file "
                        f"defines: it was set up by hand and vanishes on the next reboot",
                        running.span, identity=f"drbd running {running.name}")
                    continue
                conf = configured_options(h, res)
                for name, live in running_options(running).items():
                    want = conf.get(name)
                    if want is not None and norm(want.value, name) == norm(live.value, name):
                        continue
                    secret = is_secret(name)
                    shown = "a different value" if secret else (live.value or "").strip()
                    if want is None:
                        msg = (f"the kernel on {where} runs resource {running.name} with {name} {shown}, which its "
                               f"configuration does not set: the next `drbdadm adjust`, reboot or failover drops it")
                        span = res.span
                    else:
                        file_v = "" if secret else f" {(want.value or '').strip()}"
                        msg = (f"the kernel on {where} runs resource {running.name} with {name} {shown} but the "
                               f"configuration says{file_v or ' otherwise'}: the next `drbdadm adjust`, reboot or "
                               f"failover changes it")
                        span = want.span
                    yield self.finding(msg, span, identity=f"drbd running {running.name} / {name}")
