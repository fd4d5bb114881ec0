"""Handler version mismatch: handler scripts written for another DRBD version.

## What it checks

The `handlers` of every resource and of `common`, against the DRBD version
in force (configured `drbd-version`, else inferred from the syntax):

* DRBD 9: `crm-fence-peer.sh` (8.x script), an `after-resync-target
  crm-unfence-peer.sh` unfence, or an `outdate-peer` handler (DRBD 9 never
  runs it: it only calls `fence-peer`);
* DRBD 8.x: `crm-fence-peer.9.sh` or `crm-unfence-peer.9.sh`.

## Why it matters

The 8.x script does not understand DRBD 9's per-connection calls and
places wrong constraints; the 9 script fails on 8.x.  Under DRBD 9 the
parser accepts `outdate-peer` but never renames it, so `drbdadm
fence-peer` finds no handler and fencing silently does nothing.  Either
way the protection against split brain is gone without any error.

## Example

```drbd path=etc/drbd.d/r0.res
resource r0 {
  net { fencing resource-only; }
  handlers {
    fence-peer "/usr/lib/drbd/crm-fence-peer.sh";
    unfence-peer "/usr/lib/drbd/crm-unfence-peer.9.sh";
  }
  on alpha { node-id 0; device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.1:7789; }
  on bravo { node-id 1; device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.2:7789; }
}
```

## Use instead

```drbd path=etc/drbd.d/r0.res
resource r0 {
  net { fencing resource-only; }
  handlers {
    fence-peer "/usr/lib/drbd/crm-fence-peer.9.sh";
    unfence-peer "/usr/lib/drbd/crm-unfence-peer.9.sh";
  }
  on alpha { node-id 0; device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.1:7789; }
  on bravo { node-id 1; device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.2:7789; }
}
```

## Fix safety

Safe: the fix swaps the script names for the version in force (keeping
the directory and any arguments), renames `outdate-peer` to `fence-peer`
under 9, and turns the unfence handler into the version's form (9:
`unfence-peer crm-unfence-peer.9.sh`; 8.x: `after-resync-target
crm-unfence-peer.sh`).  If the version was inferred wrongly, set
`drbd-version` in the configuration first.

## Source

LINBIT users guide 9 `drbd-pacemaker.adoc` (about lines 200-226); drbd-utils
`user/v9/config_flags.c` handlers_ctx and `user/v84`
check_and_change_deprecated_alias (8.4 renames outdate-peer, 9 does not);
https://github.com/MicrosoftDocs/azure-docs/issues/99894;
https://github.com/LINBIT/drbd-utils,
https://github.com/LINBIT/linbit-documentation.
"""

from __future__ import annotations

import re

from sanlint.rule import Context, Edit, Fix, Rule
from sanlint.edit.brace import delete_statement
from sanlint_rules.drbd._common import Once, commons, resource_sections, version, version_note

_SCRIPT = re.compile(r"crm-(un)?fence-peer(\.9)?\.sh")


def _script_edit(o, new_suffix: str) -> tuple[Edit | None, str | None]:
    """Edit the crm script name inside a handler's value to `crm-...{new_suffix}`."""
    vs = o.value_span
    if vs is None:
        return None, None
    raw = vs.file.data[vs.start:vs.end].decode("utf-8", "surrogateescape")
    m = _SCRIPT.search(raw)
    if m is None:
        return None, None
    new = f"crm-{'un' if m.group(1) else ''}fence-peer{new_suffix}"
    if m.group(0) == new:
        return None, new
    start = vs.start + len(raw[:m.start()].encode("utf-8", "surrogateescape"))
    end = start + len(m.group(0).encode())
    return Edit(vs.file, start, end, new), new


def _rename(o, name: str) -> Edit:
    return Edit(o.span.file, o.span.start, o.span.start + len(o.name.encode()), name)


class HandlerVersionMismatch(Rule):
    code = "DRBD113"
    name = "handler-version-mismatch"
    severity = "error"
    reads = ("drbd",)
    fix = "safe"

    def check(self, ctx: Context):
        site = ctx.site
        nine = version(site) == "9"
        note = version_note(site)
        once = Once()
        for host in site.hosts.values():
            scopes = [(f"drbd resource {r.name}", r.name, [s for s in resource_sections(r) if s.kind == "handlers"])
                      for r in host.drbd_resources]
            scopes += [("drbd common", "common", [s for s in c.sections if s.kind == "handlers"])
                       for c in commons(host)]
            for ident, label, sections in scopes:
                for sec in sections:
                    names = {o.name for o in sec.options}
                    for o in sec.options:
                        if not once.first(o.span):
                            continue
                        found = self._check(o, names, nine)
                        if found is None:
                            continue
                        problem, edits = found
                        where = f"resource {label}" if label != "common" else "common"
                        yield self.finding(
                            f"{where}: {problem} ({note})", o.span,
                            identity=f"{ident} / handlers / {o.name}",
                            fix=Fix(edits, "use the handler form of the DRBD version in force") if edits else None)

    def _check(self, o, names: set[str], nine: bool):
        value = o.value or ""
        m = _SCRIPT.search(value)
        if nine:
            if o.name == "outdate-peer":
                edits = [] if "fence-peer" in names else [_rename(o, "fence-peer")]
                e, _ = _script_edit(o, ".9.sh")
                if e is not None and edits:
                    edits.append(e)
                return ("handler `outdate-peer` is never run by DRBD 9 (it only calls fence-peer), so fencing "
                        "silently does nothing; name it fence-peer", edits)
            if m is None or m.group(2):
                return None
            if o.name == "after-resync-target" and m.group(1):
                if "unfence-peer" in names:
                    return ("after-resync-target crm-unfence-peer.sh is the DRBD 8 way to unfence; DRBD 9 has an "
                            "unfence-peer handler already", [delete_statement(o.span)])
                e, _ = _script_edit(o, ".9.sh")
                return ("after-resync-target crm-unfence-peer.sh is the DRBD 8 way to unfence; DRBD 9 needs "
                        "unfence-peer crm-unfence-peer.9.sh", [_rename(o, "unfence-peer")] + ([e] if e else []))
            if o.name in ("fence-peer", "unfence-peer"):
                e, new = _script_edit(o, ".9.sh")
                return (f"{o.name} runs {m.group(0)}, the DRBD 8 script, which places wrong constraints under "
                        f"DRBD 9; use {new}", [e] if e else [])
            return None
        if m is None or not m.group(2):
            return None
        if o.name == "unfence-peer":
            if "after-resync-target" in names:
                return (f"unfence-peer runs {m.group(0)}, a DRBD 9 script; DRBD 8 unfences with "
                        "after-resync-target crm-unfence-peer.sh", None)
            e, _ = _script_edit(o, ".sh")
            return (f"unfence-peer runs {m.group(0)}, a DRBD 9 script; DRBD 8 unfences with "
                    "after-resync-target crm-unfence-peer.sh", [_rename(o, "after-resync-target")] + ([e] if e else []))
        if o.name in ("fence-peer", "outdate-peer", "after-resync-target"):
            e, new = _script_edit(o, ".sh")
            return (f"{o.name} runs {m.group(0)}, a DRBD 9 script, which fails under DRBD 8; use {new}",
                    [e] if e else [])
        return None
