'''No CHAP: a target accepts logins without CHAP authentication, or a CHAP secret has the wrong length.

## What it checks

Every target must authenticate initiators with CHAP: ietd `IncomingUser`
inside the `Target`, tgt `incominguser`, LIO `chap_userid`/`chap_password`
on the node ACLs or the TPG, cluster `iSCSITarget` `incoming_username` and
`incoming_password` (the `lio` implementation of the agent always disables
authentication, so it counts as no CHAP).  Every CHAP secret given (incoming
and outgoing) must be 12 to 16 characters long.

## Why it matters

Without CHAP the only barrier is the initiator ACL (an IP address or an
initiator name, both trivially spoofed on the storage LAN).  Secrets
shorter than 12 characters are refused by the Microsoft initiator and by
some targets; longer than 16 are refused by several initiators: after a
failover to a node whose secret differs in length, logins fail and the
LUNs disappear from the initiators.  (Secrets are never printed.)

## Example

```ietd path=etc/ietd.conf
Target iqn.2014-02.santnet.sante:target1
        Lun 0 Path=/dev/vgsan/lun0,Type=blockio
```

## Use instead

```ietd path=etc/ietd.conf
Target iqn.2014-02.santnet.sante:target1
        IncomingUser sanuser s3cretPassw0rd
        Lun 0 Path=/dev/vgsan/lun0,Type=blockio
```

## Fix safety

No automatic fix: the secret must be chosen and given to the initiators too.

## Source

RFC 3720 section 8.2.1 (CHAP) and RFC 7143; ietd.conf(5) (`IncomingUser`,
`OutgoingUser`); targets.conf(5); Microsoft iSCSI Initiator (CHAP secret
12-16 bytes); resource-agents `heartbeat/iSCSITarget.in`
(`incoming_username`, `lio_node --disableauth`).
'''

from sanlint.rule import Rule
from sanlint_rules.iscsi import _common as C


class NoChap(Rule):
    code = "ISCSI105"
    name = "no-chap"
    severity = "warning"
    reads = ("iscsi", "cluster")

    def check(self, ctx):
        for t in C.all_targets(ctx.site):
            if t.primitive is not None:
                yield from self._cluster(t)
                continue
            incoming = [u for u in t.target.chap if u.direction == "incoming"]
            if not incoming:
                yield self._missing(t, "no incoming CHAP user is configured")
            for u in t.target.chap:
                yield from self._length(t, u.password, f"{u.direction} CHAP user {u.user}", u.span)

    def _cluster(self, t):
        p = t.primitive
        user = C.param(p, "incoming_username")
        if not user:
            yield self._missing(t, "the resource sets no incoming_username")
            return
        if t.implementation == "lio":
            yield self._missing(t, "implementation=lio: the agent disables authentication (lio_node --disableauth)")
            return
        pw = C.param(p, "incoming_password")
        span = C.value_span(p, "incoming_password") or p.span
        yield from self._length(t, pw, f"incoming CHAP user {user}", span)

    def _missing(self, t, why):
        return self.finding(
            f"{t.label} does not require CHAP: {why}; anyone who passes the initiator ACL can log in",
            t.span, identity=f"{t.identity} / chap")

    def _length(self, t, password, who, span):
        if password is None or 12 <= len(password) <= 16:
            return
        yield self.finding(
            f"{who} of {t.label} has a CHAP secret of {len(password)} characters (12 to 16 are required by "
            "common initiators): logins fail or are refused",
            span, identity=f"{t.identity} / chap {who} / length")
