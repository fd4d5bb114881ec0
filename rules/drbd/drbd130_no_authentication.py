"""No authentication: the replication link is not authenticated.

## What it checks

A resource whose `net` options (its own, its connections', or `common`'s)
do not set both `cram-hmac-alg` and `shared-secret`: neither (reported at
the resource), or only one of the pair (reported at the one that is
there).

## Why it matters

Without peer authentication anything that can reach the replication
port can connect as the peer and, as a (stale) sync target or source,
read or overwrite the replicated disk.  Authentication needs both
options: drbdsetup-options says the algorithm "also requires a
shared-secret" and vice versa, and one alone is either refused or
ignored.

## Example

```drbd path=etc/drbd.d/r0.res
resource r0 {
  on alpha { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.1:7789; }
  on bravo { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.2:7789; }
}
```

## Use instead

```drbd path=etc/drbd.d/r0.res
resource r0 {
  net { cram-hmac-alg sha1; shared-secret "FooFunFactory"; }
  on alpha { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.1:7789; }
  on bravo { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.2:7789; }
}
```

## Fix safety

No automatic fix: the secret must be generated and distributed to every
node by the admin (both nodes switch at the same `drbdadm adjust`).

## Source

drbd-utils `documentation/v9/drbdsetup-options.xml` `cram-hmac-alg`,
`shared-secret`; LINBIT users guide 9 `drbd-configure.adoc` (example
`cram-hmac-alg sha1; shared-secret "FooFunFactory";`);
https://github.com/LINBIT/drbd-utils,
https://github.com/LINBIT/linbit-documentation.
"""

from __future__ import annotations

from sanlint.rule import Context, Rule
from sanlint_rules.drbd._common import Once, find, host_resources, where


class NoAuthentication(Rule):
    code = "DRBD130"
    name = "no-authentication"
    severity = "warning"
    reads = ("drbd",)

    def check(self, ctx: Context):
        once = Once()
        for host, res in host_resources(ctx.site):
            alg = find(host, res, ("net",), ("cram-hmac-alg",))
            secret = find(host, res, ("net",), ("shared-secret",))
            if alg is not None and secret is not None:
                continue
            if alg is None and secret is None:
                yield self.finding(
                    f"resource {res.name} does not authenticate its peer (no cram-hmac-alg and shared-secret in "
                    f"net): anything that reaches the replication port can connect as the peer",
                    res.span, identity=f"drbd resource {res.name} / authentication")
                continue
            have, missing = (alg, "shared-secret") if alg is not None else (secret, "cram-hmac-alg")
            if not once.first(have.setting.span, res.name):
                continue
            yield self.finding(
                f"resource {res.name} sets {have.setting.name} without {missing}: authentication needs both, so "
                f"the link is not authenticated",
                have.setting.span, identity=f"{where(have, res)} / net / {missing}")
