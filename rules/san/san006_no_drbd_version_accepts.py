"""DRBD version conflict: no drbdadm generation accepts every line, or the configured one refuses some.

## What it checks

drbd-utils has three configuration parsers, `drbdadm` (DRBD 9),
`drbdadm-84` and `drbdadm-83`, and runs the one of the loaded kernel
module.  This rule reports a site whose DRBD files no single one of them
accepts (say, 8.3 switches beside 8.4 options beside a `syncer { rate }`
that drbdadm 9 refuses), naming the lines each refuses.  When no
`drbd-version` is configured, sanlint checks a site as the version whose
drbdadm accepts every line (`--verbose` says which and why).

## Why it matters

Whatever DRBD the nodes run, `drbdadm adjust` stops at the first line its
parser refuses: the resources of that file are not configured at all, and
a failover that needs them fails.  sanlint then checks the site as the
version named in `--verbose`, which cannot be right for every line.

## Example

```drbd path=etc/drbd.d/r0.res
resource r0 {
  protocol C;
  net { fencing resource-only; allow-two-primaries yes; }
  syncer { rate 40M; }
  on alpha { device /dev/drbd1; disk /dev/vdb1; meta-disk internal; address 192.168.122.11:7790; }
  on bravo { device /dev/drbd1; disk /dev/vdb1; meta-disk internal; address 192.168.122.12:7790; }
}
```

## Use instead

```drbd path=etc/drbd.d/r0.res
resource r0 {
  protocol C;
  disk { fencing resource-only; resync-rate 40M; }
  net { allow-two-primaries yes; }
  on alpha { device /dev/drbd1; disk /dev/vdb1; meta-disk internal; address 192.168.122.11:7790; }
  on bravo { device /dev/drbd1; disk /dev/vdb1; meta-disk internal; address 192.168.122.12:7790; }
}
```

## Fix safety

No automatic fix: which generation is right is the admin's knowledge
(`cat /proc/drbd` on a node); `sanlint migrate drbd-84` or `drbd-9` then
rewrites the file for it.

## Source

drbd-utils v9.22.0 `user/v83/drbdadm_scanner.fl` (8.3 keywords and bare
switches), `user/v84/config_flags.c` and `user/v9/config_flags.c` (option
tables per section), `user/v9/drbdadm_usage_cnt.c`
`maybe_exec_legacy_drbdadm()` (the parser is chosen by the kernel
module's version); every refusal is checked against drbdadm-83, -84 and 9
(`tests/test_drbd_versions.py`).
"""

from sanlint.drbd_versions import VERSIONS, describe, site_refusals
from sanlint.rule import Rule


class NoDrbdVersionAccepts(Rule):
    code = "SAN006"
    name = "drbd-version-conflict"
    severity = "error"
    reads = ("drbd",)

    def check(self, ctx):
        refused = site_refusals(ctx.site)
        if not refused:
            return
        if ctx.settings.get("drbd-version"):
            return  # the configured version's refusals are the DRBD rules' findings (DRBD114, DRBD118...)
        if all(any(r.version == v for r in refused) for v in VERSIONS):
            first = min(refused, key=lambda r: (r.span.path, r.span.line))
            yield self.finding(f"no DRBD version accepts this configuration: {describe(refused)}",
                               first.span, identity="drbd version conflict")
