"""Refused combination: net options the DRBD kernel module rejects together.

## What it checks

* `fencing resource-and-stonith` with protocol A;
* `on-congestion pull-ahead` or `disconnect` (anything but `block`)
  without protocol A.

Options are taken where drbdadm takes them: the resource, its
connections, or `common`.

## Why it matters

drbdadm accepts both, but the kernel refuses the net options when the
connection is configured ("Fencing policy resource-and-stonith only with
prot B or C allowed", `ERR_STONITH_AND_PROT_A`; `ERR_CONG_NOT_PROTO_A`), so
`drbdadm up` / `adjust` fails and the resource never connects: it runs
without a replica until someone reads the kernel log.

## Example

```drbd path=etc/drbd.d/r0.res
resource r0 {
  net { protocol A; }
  disk { fencing resource-and-stonith; }
  handlers { fence-peer "/usr/lib/drbd/stonith_admin-fence-peer.sh"; }
  on alpha { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.1:7789; }
  on bravo { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.2:7789; }
}
```

## Use instead

```drbd path=etc/drbd.d/r0.res
resource r0 {
  net { protocol C; }
  disk { fencing resource-and-stonith; }
  handlers { fence-peer "/usr/lib/drbd/stonith_admin-fence-peer.sh"; }
  on alpha { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.1:7789; }
  on bravo { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.2:7789; }
}
```

## Fix safety

No automatic fix: whether to change the protocol or the policy is the
admin's call.

## Source

LINBIT/drbd `drbd/drbd_nl.c` `_check_net_options()`; drbd-utils
`user/v9/drbdsetup.c` error_messages; https://github.com/LINBIT/drbd-utils,
https://github.com/LINBIT/drbd.
"""

from __future__ import annotations

from sanlint.rule import Context, Rule
from sanlint_rules.drbd._common import Once, find, host_resources, protocol


class KernelRefusesOptions(Rule):
    code = "DRBD118"
    name = "kernel-refuses-options"
    severity = "error"
    reads = ("drbd",)

    def check(self, ctx: Context):
        once = Once()
        for host, res in host_resources(ctx.site):
            proto, _ = protocol(host, res)
            fen = find(host, res, ("disk", "net"), ("fencing",))
            if fen is not None and (fen.value or "").lower() == "resource-and-stonith" and proto == "A" \
                    and once.first(fen.setting.span, res.name):
                yield self.finding(
                    f"resource {res.name}: fencing resource-and-stonith with protocol A is refused by the kernel "
                    f"(\"only with prot B or C allowed\"): the resource never connects",
                    fen.setting.span, identity=f"drbd resource {res.name} / fencing / protocol A")
            cong = find(host, res, ("net",), ("on-congestion",))
            if cong is not None and (cong.value or "block").lower() != "block" and proto != "A" \
                    and once.first(cong.setting.span, res.name):
                yield self.finding(
                    f"resource {res.name}: on-congestion {cong.value} needs protocol A (protocol is {proto}); "
                    f"the kernel refuses the net options and the resource never connects",
                    cong.setting.span, identity=f"drbd resource {res.name} / on-congestion")
