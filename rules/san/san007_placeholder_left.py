"""Placeholder left: a value still holds a placeholder meant to be filled in (`CHOOSE-...`, `<a|b>`, `<NODE_IP>`).

## What it checks

The configuration text (comments excluded, as each format's parser reads
comments) of every DRBD, LVM, corosync, crm, CIB, ietd, tgt, LIO and sbd
file for words that only a template or an unfinished edit leaves behind:

* `CHOOSE-...`: what sanlint's fixes and migrators write where the choice
  is the admin's (`CHOOSE-fence-peer-handler`, `CHOOSE-VG`,
  `CHOOSE-iet-tgt-lio-or-lio-t`, `CHOOSE-system_id-tagging-or-lvmlockd`);
* alternatives in angle brackets, `<system_id|tagging|lvmlockd>`, and a
  name in angle brackets, `<NODE_IP>`, `<node>` (in XML, the escaped
  `&lt;NODE_IP&gt;` of an attribute value; tgt's `<target ...>` block tags
  and crm `xml` statements are structure, not placeholders);
* the usual template words `CHANGEME`, `CHANGE_ME`, `REPLACE_ME` (any
  case) and an unrendered Jinja/Ansible `{{ variable }}`.

In a CIB only the configuration counts (the status section holds free-text
exit reasons), and an angle-bracket placeholder only as a whole attribute
value.  A file that does not parse is left to SAN001.

## Why it matters

No tool of the stack knows a placeholder: drbdadm runs a handler named
`CHOOSE-fence-peer-handler` (which does not exist: fencing never happens),
corosync tries to resolve `<NODE_IP>`, Pacemaker passes
`vg_access_mode=CHOOSE-...` to the agent, which fails the resource on
every node.  The file usually still parses, so nothing else complains
until the failover that needs it.

## Example

```drbd path=etc/drbd.d/r0.res
resource r0 {
  disk { fencing resource-only; }
  handlers { fence-peer "CHOOSE-fence-peer-handler"; }  # written by a sanlint fix that needs a choice
  on alpha { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.1:7789; }
  on bravo { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.2:7789; }
}
```

## Use instead

```drbd path=etc/drbd.d/r0.res
resource r0 {
  disk { fencing resource-only; }
  handlers { fence-peer "/usr/lib/drbd/crm-fence-peer.9.sh"; }  # CHOOSE-... in a comment is fine
  on alpha { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.1:7789; }
  on bravo { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.2:7789; }
}
```

## Fix safety

No automatic fix: the value is the admin's choice (`sanlint explain` of the
rule whose fix wrote it says how to choose).  sanlint's own `--fix` never
writes a placeholder: such fixes are listed by `--diff`, never applied.

## Source

drbdadm, corosync, crmsh and tgt-admin accept any word where a script,
address or name goes and fail only when it is used; sanlint's placeholders
are `sanlint.transform` (`FENCE_PEER_PLACEHOLDER`, `PLACEHOLDER`,
`VG_PLACEHOLDER`, `IMPL_PLACEHOLDER`).  Comments are found as each parser
finds them (`sanlint/comments.py`, with the upstream sources it names).
"""

from __future__ import annotations

import re

from sanlint.comments import CONFIGURATION, XML, code_only
from sanlint.rule import Rule

_TEXT = re.compile(
    r"(?<![A-Za-z0-9_-])CHOOSE-[A-Za-z0-9_.|-]*[A-Za-z0-9_]"  # sanlint's own
    r"|<[A-Za-z0-9_.-]+(?:\|[A-Za-z0-9_.-]+)+>"  # <a|b>
    r"|<[A-Za-z][A-Za-z0-9_-]*>"  # <NODE_IP>, <node>
    r"|(?<![A-Za-z0-9_-])(?:[Cc][Hh][Aa][Nn][Gg][Ee]|[Rr][Ee][Pp][Ll][Aa][Cc][Ee])[-_]?[Mm][Ee](?![A-Za-z0-9_])"
    r"|\{\{[ \t]*[A-Za-z_][A-Za-z0-9_.]*[ \t]*\}\}")
_XML = re.compile(
    r"(?<![A-Za-z0-9_-])CHOOSE-[A-Za-z0-9_.|-]*[A-Za-z0-9_]"
    r"|(?<=[\"'])&lt;[A-Za-z0-9_.-]+(?:\|[A-Za-z0-9_.-]+)*&gt;(?=[\"'])"  # a whole attribute value
    r"|(?<![A-Za-z0-9_-])(?:[Cc][Hh][Aa][Nn][Gg][Ee]|[Rr][Ee][Pp][Ll][Aa][Cc][Ee])[-_]?[Mm][Ee](?![A-Za-z0-9_])"
    r"|\{\{[ \t]*[A-Za-z_][A-Za-z0-9_.]*[ \t]*\}\}")
_TGT_TAG = re.compile(r"^[ \t]*</?[A-Za-z]", re.M)
_CIB_STATUS = re.compile(r"<status\b.*?(?:</status>|\Z)", re.S)
_CRM_XML = re.compile(r"^[ \t]*xml\b(?:[^\n]*\\\r?\n)*[^\n]*", re.M | re.I)


class PlaceholderLeftRule(Rule):
    code = "SAN007"
    name = "placeholder-left"
    severity = "error"
    reads = ("files",)
    risk = "outage"

    def check(self, ctx):
        unparsed = {p.path or (p.span.path if p.span is not None else None) for p in ctx.problems if p.code == "SAN001"}
        for src in ctx.site.files:
            if src.format in CONFIGURATION and src.display not in unparsed:  # SAN001 says what is wrong there
                yield from self._scan(src)

    def _scan(self, src):
        text = src.text
        if not _maybe(text, xml=src.format in XML):
            return
        code = code_only(src)
        if src.format == "crm":  # raw XML inside crm `xml` statements is structure
            code = _CRM_XML.sub(_blank, code)
        elif src.format == "cib":  # the status section is the cluster's state, with free-text exit reasons
            code = _CIB_STATUS.sub(_blank, code)
        pattern = _XML if src.format in XML else _TEXT
        seen: dict[str, int] = {}
        for m in pattern.finditer(code):
            word = m.group(0)
            if src.format == "tgt" and word.startswith("<") and _TGT_TAG.match(code, code.rfind("\n", 0, m.start()) + 1) \
                    and code[code.rfind("\n", 0, m.start()) + 1:m.start()].strip() == "":
                continue  # `<target>` block tag
            shown = word.replace("&lt;", "<").replace("&gt;", ">")
            key = _kind(shown)
            seen[key] = seen.get(key, 0) + 1
            nth = f" #{seen[key]}" if seen[key] > 1 else ""
            yield self.finding(
                f"placeholder {shown} left in the configuration: the tools read it literally "
                f"({_what(shown)}); put the real value there", src.span(m.start(), m.end()),
                identity=f"placeholder {_kind(shown)}{nth} in {src.display}", host=src.host)


def _blank(m: re.Match) -> str:
    return re.sub(r"[^\n]", " ", m.group(0))


def _maybe(text: str, xml: bool) -> bool:
    """A cheap first look: most files hold none of the placeholder shapes."""
    return any(w in text for w in ("CHOOSE-", "&lt;", "{{") + (() if xml else ("<",))) or \
        bool(re.search(r"(?i)(change|replace)[-_]?me", text))


def _kind(word: str) -> str:
    """The placeholder in an identity (baselines, SARIF): a template word such
    as CHANGEME may sit where a password goes, so it is not repeated there."""
    return word if word.startswith(("CHOOSE-", "<", "{{")) else "template word"


def _what(word: str) -> str:
    if word.startswith("CHOOSE-"):
        return "a choice sanlint left to you: `sanlint explain` of the rule that wrote it says how to choose"
    if "|" in word:
        return "one of the alternatives must be chosen"
    if word.startswith("{{"):
        return "a template variable that was never rendered"
    return "a template value never filled in"
