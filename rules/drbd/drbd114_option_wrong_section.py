"""Misplaced option: an option sits in the section another DRBD version expects.

## What it checks

Options whose section moved between DRBD versions, against the version in
force (configured `drbd-version`, else inferred from the syntax):

* DRBD 9: `fencing` in a `disk { }` section (9 wants it in `net { }`), and
  `protocol` written at resource or `common` level instead of in `net { }`;
* DRBD 8.3/8.4: `fencing` in `net { }` (8.x wants it in `disk { }`);
* DRBD 8.3: `protocol` inside `net { }` (8.3 only knows the resource-level
  statement).

## Why it matters

drbdadm 9.22 refuses `disk { fencing ...; }` with a confusing parse error
("'resync-rate | c-plan-ahead | ... | bitmap' expected, but got 'fencing'"),
so after an upgrade to DRBD 9 no resource can be adjusted or brought up;
drbdadm-84 refuses `net { fencing }` and drbdadm-83 refuses `net {
protocol }` the same way.  The resource-level `protocol` is still read by
9, but only as a legacy form that `drbdadm dump` rewrites.

## Example

```drbd path=etc/drbd.d/r0.res
resource r0 {
  protocol C;
  disk { fencing resource-only; }
  handlers {
    fence-peer "/usr/lib/drbd/crm-fence-peer.9.sh";
    unfence-peer "/usr/lib/drbd/crm-unfence-peer.9.sh";
  }
  on alpha { node-id 0; device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.1:7789; }
  on bravo { node-id 1; device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.2:7789; }
}
```

## Use instead

```drbd path=etc/drbd.d/r0.res
resource r0 {
  net { protocol C; fencing resource-only; }
  handlers {
    fence-peer "/usr/lib/drbd/crm-fence-peer.9.sh";
    unfence-peer "/usr/lib/drbd/crm-unfence-peer.9.sh";
  }
  on alpha { node-id 0; device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.1:7789; }
  on bravo { node-id 1; device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.2:7789; }
}
```

## Fix safety

Safe: the fix moves the statement, unchanged, into the section the
version expects (an existing one at the same level, or a new one), and
deletes a section left empty.  If the version was inferred wrongly, set
`drbd-version` in the configuration first.

## Source

drbd-utils `user/v9/config_flags.c` (net options include fencing; disk options
do not) and `user/v84/config_flags.c`; drbd.conf(5) v9 `fencing`; LINBIT users
guide 9 `drbd-upgrading-8.4-to-9.x.adoc` (tested on drbdadm 9.22);
https://github.com/LINBIT/drbd-utils,
https://github.com/LINBIT/linbit-documentation, drbd.conf(5) at
https://manpages.debian.org/drbd.conf.5.
"""

from __future__ import annotations

from sanlint.rule import Context, Fix, Rule
from sanlint.edit.brace import add_first_statement, delete_statement, put_options, remove_statement
from sanlint_rules.drbd._common import Once, commons, version, version_note


def _text(setting) -> str:
    f = setting.span.file
    return " ".join(f.data[setting.span.start:setting.span.end].decode("utf-8", "surrogateescape").split())


class OptionWrongSection(Rule):
    code = "DRBD114"
    name = "option-wrong-section"
    severity = "error"
    reads = ("drbd",)
    fix = "safe"

    def check(self, ctx: Context):
        site = ctx.site
        ver = version(site)
        note = version_note(site)
        once = Once()
        for host in site.hosts.values():
            containers = [(r, f"drbd resource {r.name}", f"resource {r.name}") for r in host.drbd_resources]
            containers += [(c, "drbd common", "common") for c in commons(host)]
            for cont, ident, label in containers:
                for sec, level in self._sections(cont):
                    for o in sec.options:
                        if not once.first(o.span):
                            continue
                        if ver == "9" and sec.kind == "disk" and o.name == "fencing":
                            target = "net"
                        elif ver != "9" and sec.kind == "net" and o.name == "fencing":
                            target = "disk"
                        elif ver == "8.3" and sec.kind == "net" and o.name == "protocol":
                            target = "resource"
                        else:
                            continue
                        if target == "resource":
                            edits = [remove_statement(o, sec), add_first_statement(cont, _text(o))]
                        else:
                            edits = [remove_statement(o, sec), put_options(cont, target, [_text(o)], exclude=[sec])]
                        dest = "the resource level" if target == "resource" else f"`{target} {{ }}`"
                        yield self.finding(
                            f"{label}: `{o.name}` sits in `{sec.kind} {{ }}`{level}, but DRBD {ver} expects it in "
                            f"{dest}; drbdadm of that version refuses the file ({note})",
                            o.span, identity=f"{ident} / {sec.kind} / {o.name}",
                            fix=Fix(edits, f"move {o.name} to {dest}"))
                if ver == "9" and cont.protocol is not None and once.first(cont.protocol.span):
                    p = cont.protocol
                    edits = [delete_statement(p.span), put_options(cont, "net", [_text(p)], exclude=[p])]
                    yield self.finding(
                        f"{label}: `protocol` is written at the {'common' if label == 'common' else 'resource'} "
                        f"level, the DRBD 8 placement; DRBD {ver} expects it in `net {{ }}` ({note})",
                        p.span, identity=f"{ident} / protocol",
                        fix=Fix(edits, "move protocol into net { }"))

    @staticmethod
    def _sections(cont):
        for s in cont.sections:
            yield s, ""
        for v in cont.volumes:
            for s in v.sections:
                yield s, f" of volume {v.number or 0}"
