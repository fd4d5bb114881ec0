"""Helpers of the LVM pack: LVM's device filters, evaluated the way
lvm2 `lib/filters/filter-regex.c` does, and the device names sanlint
knows for a host's DRBD devices and backing disks.

Filter semantics (lvm2 `_extract_pattern`, `_accept_p`):

* an entry is `a` or `r`, a delimiter character, a regex, and the same
  delimiter as the *last* character (`(`, `[` and `{` close with `)`, `]`,
  `}`);
* the regex is searched (not anchored) in each name of a device; the
  *first* entry of the array that matches decides; a device that no entry
  matches is accepted;
* a device is accepted when any of its names is accepted, rejected when a
  name is rejected and none accepted;
* `global_filter` and `filter` both apply to commands; lvmetad (and its
  udev-triggered scans) only applies `global_filter`.

LVM checks every name a device has in /dev (`/dev/disk/by-id/...`,
`/dev/block/MAJ:MIN`, ...).  sanlint only knows the names written in the
configuration (`/dev/drbd0`, `/dev/drbd/by-res/r0/0`, the `disk` of the
`.res` files), so a filter that accepts a backing disk only through an
alias (`"a|/dev/disk/by-id/.*|"`) is not seen; rules say "may".

The regex engine is libdm's (`libdm/regex`), close to POSIX extended
regexes without intervals or back-references.  `to_python_regex`
translates one into Python `re` syntax conservatively and raises
`ValueError` on what libdm refuses (checked against `pvs` of lvm2 2.03:
an empty regex, a repetition operator with nothing to repeat, `(?`,
unbalanced parentheses or brackets).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sanlint import views

if TYPE_CHECKING:
    from sanlint.model import Host, Site
    from sanlint.model.lvm import LvmConfig, LvmSetting
    from sanlint.source import Span

FILTER_KEYS = ("devices/global_filter", "devices/filter")
_CLOSE = {"(": ")", "[": "]", "{": "}"}
_CLASSES = {
    "alpha": "a-zA-Z", "digit": "0-9", "alnum": "a-zA-Z0-9", "upper": "A-Z", "lower": "a-z",
    "space": r" \t\n\r\f\v", "blank": r" \t", "punct": r"!-/:-@\[-`{-~", "xdigit": "0-9A-Fa-f",
    "cntrl": r"\x00-\x1f\x7f", "print": r"\x20-\x7e", "graph": r"\x21-\x7e",
}


@dataclass
class FilterEntry:
    accept: bool
    regex: re.Pattern[str]
    text: str  # the entry as written (without quotes)
    span: "Span"


@dataclass
class Filter:
    setting: "LvmSetting"
    entries: list[FilterEntry]

    def decide(self, name: str) -> FilterEntry | None:
        """The entry that decides for `name` (None: no entry matches -> accepted)."""
        for e in self.entries:
            if e.regex.search(name):
                return e
        return None

    def accepts(self, names: list[str]) -> bool:
        """LVM's `_accept_p` over the names of one device."""
        rejected = False
        for n in names:
            e = self.decide(n)
            if e is None:
                continue
            if e.accept:
                return True
            rejected = True
        return not rejected


class FilterError(ValueError):
    pass


def split_entry(text: str) -> tuple[bool, str]:
    """`a|regex|` -> (accept, regex); raises FilterError as lvm2 would refuse it."""
    if not text or text[0] not in "ar":
        raise FilterError("must begin with 'a' (accept) or 'r' (reject)")
    if len(text) < 2:
        raise FilterError("has no delimiter after the 'a'/'r'")
    sep = _CLOSE.get(text[1], text[1])
    body = text[2:]
    if not body or body[-1] != sep:
        raise FilterError(f"does not end with its delimiter {sep!r}")
    return text[0] == "a", body[:-1]


def to_python_regex(rx: str) -> str:
    """libdm regex -> Python `re` syntax; ValueError when libdm refuses it."""
    if rx == "":
        raise FilterError("has an empty regex")
    out: list[str] = []
    i, n = 0, len(rx)
    can_repeat = False  # is there an atom before a repetition operator?
    last_was_quant = False
    depth = 0
    while i < n:
        c = rx[i]
        if c == "\\":
            if i + 1 >= n:
                raise FilterError("ends with a lone backslash")
            out.append(re.escape(rx[i + 1]))
            i += 2
            can_repeat, last_was_quant = True, False
            continue
        if c in "*+?":
            if last_was_quant:  # `a**`: libdm repeats the repetition, Python refuses it
                i += 1
                continue
            if not can_repeat:
                raise FilterError(f"has a repetition operator {c!r} with nothing to repeat")
            out.append(c)
            last_was_quant = True
            i += 1
            continue
        last_was_quant = False
        if c == "(":
            depth += 1
            out.append("(?:")
            can_repeat = False
        elif c == ")":
            if depth == 0:
                raise FilterError("has an unbalanced ')'")
            depth -= 1
            out.append(")")
            can_repeat = True
        elif c == "|":
            out.append("|")
            can_repeat = False
        elif c == "[":
            j, cls = _bracket(rx, i)
            out.append(cls)
            i = j
            can_repeat = True
            continue
        elif c in "{}":
            out.append("\\" + c)  # libdm has no intervals: literal braces
            can_repeat = True
        elif c in "^$.":
            out.append(c)
            can_repeat = c == "."
        else:
            out.append(re.escape(c))
            can_repeat = True
        i += 1
    if depth:
        raise FilterError("has an unbalanced '('")
    py = "".join(out)
    try:
        re.compile(py)
    except re.error as e:  # pragma: no cover - the translation should prevent it
        raise FilterError(f"does not compile ({e})") from None
    return py


def _bracket(rx: str, i: int) -> tuple[int, str]:
    """A bracket expression starting at rx[i] == '['; returns (end index, Python class)."""
    j = i + 1
    out = ["["]
    if j < len(rx) and rx[j] == "^":
        out.append("^")
        j += 1
    first = True
    while j < len(rx):
        c = rx[j]
        if c == "]" and not first:
            out.append("]")
            return j + 1, "".join(out)
        if c == "[" and rx[j + 1:j + 2] == ":":
            end = rx.find(":]", j + 2)
            if end < 0:
                raise FilterError("has an unterminated character class")
            name = rx[j + 2:end]
            if name not in _CLASSES:
                raise FilterError(f"names an unknown character class [:{name}:]")
            out.append(_CLASSES[name])
            j = end + 2
        elif c in "\\[]^":
            out.append("\\" + c)
            j += 1
        else:
            out.append(c)
            j += 1
        first = False
    raise FilterError("has an unterminated bracket expression '['")


def entry_items(setting: "LvmSetting") -> list[tuple[object, "Span"]]:
    """(value, span) of each entry; a single string counts as a one-entry array."""
    if isinstance(setting.value, list):
        return [(it.value, it.span) for it in setting.items]
    return [(setting.value, setting.value_span or setting.span)]


def compile_filter(setting: "LvmSetting") -> tuple[Filter | None, list[tuple[str, "Span", str]]]:
    """The filter, or None with the problems (entry text, span, why) that make LVM refuse it."""
    entries, problems = [], []
    for value, span in entry_items(setting):
        if not isinstance(value, str):
            problems.append((str(value), span, "is not a quoted string"))
            continue
        try:
            accept, rx = split_entry(value)
            entries.append(FilterEntry(accept, re.compile(to_python_regex(rx)), value, span))
        except FilterError as e:
            problems.append((value, span, str(e)))
    return (None if problems else Filter(setting, entries)), problems


def filters(cfg: "LvmConfig") -> dict[str, Filter]:
    """The valid filters of one lvm.conf by key (`devices/filter`, `devices/global_filter`)."""
    out = {}
    for key in FILTER_KEYS:
        s = cfg.get(key)
        if s is not None:
            f, problems = compile_filter(s)
            if f is not None:
                out[key] = f
    return out


def has_invalid_filter(cfg: "LvmConfig") -> bool:
    return any((s := cfg.get(k)) is not None and compile_filter(s)[0] is None for k in FILTER_KEYS)


def short_key(key: str) -> str:
    return key.split("/", 1)[1]


def int_setting(cfg: "LvmConfig", key: str) -> tuple[int | None, "LvmSetting | None"]:
    s = cfg.get(key)
    if s is None:
        return None, None
    try:
        return int(s.value), s
    except (TypeError, ValueError):
        return None, s


# -- which device names matter ------------------------------------------------

def drbd_names(host: "Host", site: "Site") -> dict[str, list[str]]:
    """DRBD device -> its names sanlint knows, for the devices holding a VG of the site.

    Keyed by the PV device of the VG metadata (e.g. `/dev/drbd0`), or by
    `/dev/drbd<minor>` of every resource of the host when the VG is only
    known from a cluster resource."""
    on_drbd = views.vgs_on_drbd(site)
    out: dict[str, list[str]] = {}
    res_names = _resource_names(host)
    pv_devices = set()
    for h in site.hosts.values():
        for vg in h.volume_groups:
            if vg.name in on_drbd:
                for pv in vg.pvs:
                    if views.is_drbd_device(pv.device, site):
                        pv_devices.add(pv.device)
    for dev in sorted(pv_devices):
        names = [dev]
        for aliases in res_names.values():
            if dev in aliases:
                names = sorted(set(aliases))
        out[dev] = names
    if on_drbd and not pv_devices:
        for aliases in res_names.values():
            out[aliases[0]] = sorted(set(aliases))
    return out


def _resource_names(host: "Host") -> dict[str, list[str]]:
    """resource/volume -> device names of that DRBD volume on this host."""
    out: dict[str, list[str]] = {}
    for r in host.drbd_resources:
        vols = list(r.volumes) + [v for dh in r.hosts for v in dh.volumes]
        for v in vols:
            key = f"{r.name}/{v.number if v.number is not None else 0}"
            names = out.setdefault(key, [])
            minor = views.drbd_minor(v.device, v.minor)
            for n in (f"/dev/drbd{minor}" if minor is not None else None, v.device,
                      f"/dev/drbd/by-res/{r.name}/{v.number if v.number is not None else 0}"):
                if n and n not in names:
                    names.append(n)
            if v.number in (None, 0) and f"/dev/drbd/by-res/{r.name}" not in names:
                names.append(f"/dev/drbd/by-res/{r.name}")
    return {k: v for k, v in out.items() if v}


def backing_disks(host: "Host", site: "Site") -> list[str]:
    """Backing disks of this host's DRBD volumes (its own `on` section, or
    the resource-level `disk`), when a VG of the site lives on DRBD."""
    if not views.vgs_on_drbd(site):
        return []
    disks: set[str] = set()
    for r in host.drbd_resources:
        mine = [dh for dh in r.hosts if any(views.same_host(n, host.name) for n in dh.names)]
        vols = list(r.volumes) + [v for dh in (mine or r.hosts) for v in dh.volumes]
        disks.update(v.disk for v in vols if v.disk and v.disk != "none")
    return sorted(disks)


def is_cluster_node(host: "Host", site: "Site") -> bool:
    return bool(host.drbd_resources or site.all_clusters() or host.corosync)


def insert_entry_fix_text(setting: "LvmSetting") -> tuple["Span", str] | None:
    """Where to put a new first entry of a filter array and the separator to append."""
    if isinstance(setting.value, list) and setting.items:
        return setting.items[0].span, ", "
    return None
