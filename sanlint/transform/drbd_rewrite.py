"""The DRBD 8.3/8.4 -> 8.4/9 rewriting engine: per file, per resource or
`common` scope, what moves, is dropped or rewritten, turned into minimal
non-overlapping byte edits (only the statements that change are touched;
comments, order and indentation elsewhere stay byte-identical).  `migrate
drbd-84/drbd-9` run it on whole files (`FileRewrite`); rule fixes run one
step of it (`syncer_scope`, through `sanlint.transform.drbd.dissolve_syncer`).

Facts: `sanlint.transform.drbd` (option homes per version, renamed switches),
research/drbd.md §1.6, §2.2, §2.3, §5.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from types import SimpleNamespace

from sanlint.edit.brace import (body_end_insert, body_start_insert, delete_statement, indent_unit, is_multiline,
                                statement_indent, statement_text)
from sanlint.edit.text import indent_at, line_end, line_start, starts_line, trailing_comment_end
from sanlint.migrate.base import Change, Item, MigrationPlan
from sanlint.model.base import Setting
from sanlint.model.drbd import DrbdConfig, DrbdHost, DrbdResource, DrbdSection
from sanlint.rule import Edit
from sanlint.source import SourceFile, Span
from sanlint.transform.drbd import BARE_NO, BARE_YES, IGNORED_SINCE_84, SYNCER_HOME

_CRM_FENCE = re.compile(r"crm-fence-peer\.sh")
_CRM_UNFENCE_ONLY = re.compile(r"^\s*(\S*/)?crm-unfence-peer\.sh\s*$")
_DISCARD_NODE = re.compile(r"^discard-node-")


@dataclass
class SiteState:
    resources: list[str] = field(default_factory=list)
    handler_paths: set[str] = field(default_factory=set)
    from_83: bool = False
    multi_peer: list[str] = field(default_factory=list)
    changed: bool = False


# -- one file ----------------------------------------------------------------------

class FileRewrite:
    def __init__(self, m, plan: MigrationPlan, cfg: DrbdConfig, state: SiteState) -> None:
        self.m, self.plan, self.cfg, self.state = m, plan, cfg, state
        self.src: SourceFile = cfg.span.file
        self.unit = indent_unit(self.src)
        self.nine = m.target == "9"

    def run(self) -> None:
        if self.cfg.version_hint == "9" and not self.nine:
            self.plan.item("info", "DRBD 9 syntax: drbd-84 does not migrate down; file left as it is",
                           self.cfg.version_hint_span or self.cfg.span, kind="note")
            return
        if self.cfg.version_hint == "8.3":
            self.state.from_83 = True
            self.plan.item(
                "info", "8.3 syntax: defaults changed in 8.4 where the file sets nothing: on-io-error pass_on -> "
                "detach, al-extents 127 -> 1237, c-min-rate 4096k -> 250k, use-rle off -> on, and the dynamic "
                "resync controller (c-plan-ahead 20) replaces the fixed rate", self.cfg.version_hint_span, kind="note")
        for scope in self.cfg.commons:
            _Scope(self, scope, common=True).run()
        for res in self.cfg.resources:
            self.state.resources.append(res.name)
            _Scope(self, res, common=False).run()


class _OneSection:
    """What a `_Scope` reads from its file, when it transforms one section
    for a rule fix instead of a whole file for a migration."""

    def __init__(self, src: SourceFile, target: str, fixed_rate: bool) -> None:
        self.plan = MigrationPlan(f"drbd-{target}")
        self.src, self.nine, self.unit = src, target == "9", indent_unit(src)
        self.m = SimpleNamespace(target=target, choices={"fixed-resync-rate": "yes" if fixed_rate else "no"})
        self.state = SiteState()


def syncer_scope(container: DrbdResource, sec: DrbdSection, *, target: str, fixed_rate: bool,
                 common: bool = False) -> tuple[list[Edit], list[Item]]:
    """`sanlint.transform.drbd.dissolve_syncer`: one syncer section through the migration's own code."""
    f = _OneSection(container.span.file, target, fixed_rate)
    _Scope(f, container, common=common, only=sec).run()
    return f.plan.edits(), f.plan.items


@dataclass
class _Add:
    text: str
    change: Change


class _Scope:
    """One resource or `common` section: collects what moves, is dropped or
    rewritten, then turns it into non-overlapping edits."""

    def __init__(self, f: "FileRewrite | _OneSection", res: DrbdResource, common: bool,
                 only: DrbdSection | None = None) -> None:
        self.f, self.res, self.common, self.only = f, res, common, only
        self.plan, self.nine, self.src = f.plan, f.nine, f.src
        self.data = f.src.data
        self.label = "common" if common else f"resource {res.name}"
        self.dropped: dict[int, Change] = {}  # id(statement) -> change
        self.moved: set[int] = set()  # dropped because they moved (their comments move with them)
        self.rewrites: list[tuple[Edit, Change]] = []
        self.adds: dict[str, list[_Add]] = {}
        self.anchors: dict[str, Span] = {}
        self.inserts: list[tuple[Edit, Change]] = []
        self.loose: list[Setting] = []  # dropped statements outside option sections

    # -- recording ------------------------------------------------------------------
    def text_of(self, st: Setting) -> str:
        return statement_text(st.span)

    def renamed(self, st: Setting, name: str, value: str | None = None) -> str:
        """The statement as written with a new name (and, for a bare switch, a value)."""
        raw = self.data[st.span.start:trailing_comment_end(self.data, st.span.end)].decode("utf-8", "surrogateescape")
        rest = raw[len(st.name):]
        if value is not None:  # bare `name;` (+ comment)
            rest = f" {value}" + rest
        return name + rest

    def move(self, st: Setting, kind: str, text: str, reason: str, anchor: Span) -> Change:
        c = self.plan.change(reason, st.span)
        self.dropped[id(st)] = c
        self.moved.add(id(st))
        if st is self.res.protocol:
            self.loose.append(st)
        self.adds.setdefault(kind, []).append(_Add(text, c))
        self.anchors.setdefault(kind, anchor)
        return c

    def drop(self, st: Setting, reason: str, loose: bool = False) -> Change:
        c = self.plan.change(reason, st.span)
        self.dropped[id(st)] = c
        if loose:  # not an option of a section: emit() must find it in self.loose
            self.loose.append(st)
        return c

    def rewrite(self, st: Setting, start: int, end: int, text: str, reason: str) -> None:
        c = self.plan.change(reason, st.span)
        self.rewrites.append((Edit(self.src, start, end, text), c))

    # -- analysis -------------------------------------------------------------------
    def run(self) -> None:
        res = self.res
        if self.only is not None:  # one syncer section, for a rule fix (sanlint.transform.drbd)
            self.syncer(self.only, top=True)
            self.emit()
            return
        if res.protocol is not None:
            self.protocol(res.protocol)
        for sec in res.sections:
            self.section(sec, top=True)
        for h in res.hosts:
            for sec in h.sections:
                self.section(sec, top=False)
            for v in h.volumes:
                for sec in v.sections:
                    self.section(sec, top=False)
        for v in res.volumes:
            for sec in v.sections:
                self.section(sec, top=False)
        if not self.common:
            self.hosts()
            for st in res.ignore_on:
                if self.nine:
                    self.drop(st, f"{self.label}: `{st.span.text}` removed (DRBD 9 has no ignore-on; drbdadm 9 refuses it)",
                              loose=True)
                    self.plan.item("warning", f"{self.label}: `ignore-on {st.value}` removed: DRBD 9 has no such "
                                   "statement; keep this resource's file off that host instead", st.span)
        self.emit()

    def protocol(self, st: Setting) -> None:
        net_proto = self.res.option("net", "protocol")
        if net_proto is not None:
            if (net_proto.value or "") == (st.value or ""):
                self.drop(st, f"{self.label}: duplicate resource-level `protocol {st.value};` removed "
                              "(net { } already says so)", loose=True)
            else:
                self.plan.item("error", f"{self.label}: `protocol {st.value};` here and `protocol {net_proto.value};` "
                               "in net { }: decide which one holds and delete the other", st.span, kind="decision")
            return
        self.move(st, "net", self.text_of(st),
                  f"{self.label}: `protocol {st.value};` moved into `net {{ }}` (its place since 8.4)", st.span)

    def section(self, sec: DrbdSection, top: bool) -> None:
        kind = sec.kind
        if kind == "syncer":
            self.syncer(sec, top)
            return
        for st in sec.options:
            self.option(sec, st, top)

    def syncer(self, sec: DrbdSection, top: bool) -> None:
        rate = sec.get("rate")
        if not sec.options and top:
            self.plan.change(f"{self.label}: empty `syncer {{ }}` section removed (gone since 8.4)", sec.span)
        for st in sec.options:
            home = SYNCER_HOME.get(st.name)
            if st.name in IGNORED_SINCE_84:
                self.drop(st, f"{self.label}: `syncer {{ {st.name} }}` removed (ignored since 8.4, refused by drbdadm 9)")
                self.plan.item("info", f"{self.label}: `{st.name}` removed: it has had no effect since 8.4",
                               st.span, kind="note")
                continue
            if home is None or not top:
                self.plan.item("error", f"{self.label}: `syncer {{ {st.name} }}` has no known DRBD 8.4/9 home; "
                               "left in place (move or delete it by hand)", st.span)
                continue
            kind, name = home
            value = "yes" if st.value is None and name in BARE_YES else None
            text = self.renamed(st, name, value)
            what = f"`syncer {{ {st.name} }}` became `{kind} {{ {name} }}`" if name != st.name else \
                f"`{st.name}` moved from `syncer` to `{kind}`"
            self.move(st, kind, text, f"{self.label}: {what} (the syncer section is gone since 8.4)", sec.span)
        if rate is not None and top and self.res.option("disk", "c-plan-ahead") is None \
                and sec.get("c-plan-ahead") is None:
            if self.f.m.choices.get("fixed-resync-rate") == "yes":
                c = self.plan.change(f"{self.label}: `c-plan-ahead 0;` added to keep the fixed resync rate of 8.3 "
                                     "(--set fixed-resync-rate=yes)", rate.span)
                self.adds.setdefault("disk", []).append(_Add("c-plan-ahead 0;", c))
                self.anchors.setdefault("disk", sec.span)
            else:
                self.plan.item(
                    "warning", f"{self.label}: `rate {rate.value}` was a fixed resync rate in 8.3; since 8.4 the dynamic "
                    f"resync controller (c-plan-ahead 20) only starts at resync-rate and is capped by c-max-rate",
                    rate.span, kind="decision",
                    choice="keep the 8.3 behaviour with `--set fixed-resync-rate=yes` (adds `c-plan-ahead 0;`), "
                           "or tune c-max-rate/c-fill-target for the controller")

    def option(self, sec: DrbdSection, st: Setting, top: bool) -> None:
        kind, name, label = sec.kind, st.name, self.label
        if kind == "handlers":
            self.handler(sec, st)
            return
        if name in IGNORED_SINCE_84 and kind in ("disk", "syncer"):
            self.drop(st, f"{label}: `{name}` removed (ignored since 8.4, refused by drbdadm 9)")
            self.plan.item("info", f"{label}: `{name}` removed: it has had no effect since 8.4", st.span, kind="note")
            return
        if kind == "net" and name == "discard-my-data":
            self.drop(st, f"{label}: `discard-my-data` removed from net {{ }} (8.4 and 9 refuse it there)")
            self.plan.item("warning", f"{label}: `discard-my-data` removed: since 8.4 it is a one-shot option of "
                           "`drbdadm connect --discard-my-data RES`, not a configuration setting", st.span)
            return
        if kind == "disk" and name == "on-no-data-accessible" and top:
            self.move(st, "options", self.text_of(st),
                      f"{label}: `on-no-data-accessible` moved from `disk` to `options` (8.4 and 9 refuse it in disk)",
                      sec.span)
            return
        if self.nine:
            if kind == "disk" and name == "fencing":
                if top:
                    self.move(st, "net", self.text_of(st), f"{label}: `fencing {st.value}` moved from `disk` to `net` "
                              "(DRBD 9 fences per connection; drbdadm 9.22 refuses it in disk)", sec.span)
                else:
                    self.plan.item("error", f"{label}: `fencing` in a host or volume disk section: DRBD 9 wants it in "
                                   "the resource's net { }; move it by hand", st.span)
                return
            if kind == "disk" and name in ("max-bio-bvecs", "use-bmbv"):
                self.drop(st, f"{label}: `{name}` removed (DRBD 9 has no such option; drbdadm 9 refuses it)")
                self.plan.item("info", f"{label}: `{name}` removed: a workaround for old kernels' bio merging that "
                               "DRBD 9 no longer has", st.span, kind="note")
                return
            if kind == "net" and name == "unplug-watermark":
                self.drop(st, f"{label}: `unplug-watermark` removed (DRBD 9 has no such option; drbdadm 9 refuses it)")
                self.plan.item("info", f"{label}: `unplug-watermark {st.value}` removed: DRBD 9 has no equivalent",
                               st.span, kind="note")
                return
            if kind == "net" and name in ("after-sb-0pri", "after-sb-1pri", "after-sb-2pri") \
                    and _DISCARD_NODE.match(st.value or ""):
                self.drop(st, f"{label}: `{name} {st.value}` removed (DRBD 9 refuses discard-node-NAME)")
                self.plan.item("error", f"{label}: `{name} {st.value}` cannot be carried over: DRBD 9 has no "
                               "discard-node-NAME (discard-local/discard-remote are relative to the node that "
                               "decides); the policy falls back to `disconnect`", st.span, kind="unmappable",
                               choice="add `net { on-congestion ... }`-free manual policy per node, or accept "
                                      "`disconnect` and resolve split brains by hand")
                return
            if kind == "proxy" and name == "compression" and (st.value or "") in ("on", "off"):
                self.drop(st, f"{label}: proxy `compression {st.value}` removed (drbdadm 9 wants a number there)")
                self.plan.item("warning", f"{label}: proxy `compression {st.value}` removed: DRBD Proxy 3 with "
                               "drbd-utils 9 compresses through a `plugin {{ zlib level N; }}` (or lz4/lzma) block"
                               + ("; this resource has a plugin block already" if sec.sections else
                                  "; add one to keep compressing"), st.span)
                return
            if kind == "startup" and name == "become-primary-on":
                self.drop(st, f"{label}: `become-primary-on {st.value}` removed (DRBD 9 ignores it)")
                self.plan.item("warning", f"{label}: `become-primary-on {st.value}` removed: DRBD 9 drops it silently; "
                               "promotion is done by auto-promote (on by default) or by the cluster manager",
                               st.span)
                return
        # 8.3 bare switches
        if st.value is None and kind in ("disk", "net", "startup", "options"):
            if name in BARE_NO:
                new = name[3:]
                self.rewrite(st, st.span.start, st.span.end, f"{new} no;",
                             f"{label}: 8.3 switch `{name};` written as `{new} no;` (booleans take yes/no since 8.4)")
            elif name in BARE_YES:
                self.rewrite(st, st.span.start, st.span.end, f"{name} yes;",
                             f"{label}: 8.3 switch `{name};` written as `{name} yes;` (booleans take yes/no since 8.4)")

    def handler(self, sec: DrbdSection, st: Setting) -> None:
        label, names = self.label, {o.name for o in sec.options}
        value = st.value or ""
        if "drbd-peer-outdater" in value and self.nine:
            self.plan.item("warning", f"{label}: handler `{st.name}` runs drbd-peer-outdater (Heartbeat's dopd), which "
                           "does not work with DRBD 9; use crm-fence-peer.9.sh with Pacemaker", st.span,
                           kind="unmappable")
        path = value.split()[0] if value.split() else ""
        if path.startswith("/"):
            self.f.state.handler_paths.add(path)
        if st.name == "outdate-peer":
            if "fence-peer" in names:
                self.drop(st, f"{label}: `outdate-peer` removed (a fence-peer handler is already set)")
                self.plan.item("warning", f"{label}: both `outdate-peer` and `fence-peer` were set; outdate-peer "
                               "was removed (8.4 renames it, DRBD 9 never runs it)", st.span)
                return
            self.rewrite(st, st.span.start, st.span.start + len(st.name.encode()), "fence-peer",
                         f"{label}: handler `outdate-peer` renamed `fence-peer` (8.4 renamed it; DRBD 9 would never run it)")
            if self.nine:
                self.script(st)
            return
        if not self.nine:
            return
        if st.name == "fence-peer":
            self.script(st)
        elif st.name == "after-resync-target" and _CRM_UNFENCE_ONLY.match(value):
            if "unfence-peer" in names:
                self.drop(st, f"{label}: `after-resync-target crm-unfence-peer.sh` removed (unfence-peer is set)")
                return
            vs = st.value_span
            raw = self.data[vs.start:vs.end].decode("utf-8", "surrogateescape")
            new_value = raw.replace("crm-unfence-peer.sh", "crm-unfence-peer.9.sh")
            self.rewrite(st, st.span.start, st.span.start + len(st.name.encode()), "unfence-peer",
                         f"{label}: `after-resync-target crm-unfence-peer.sh` became `unfence-peer "
                         "crm-unfence-peer.9.sh` (DRBD 9's dedicated unfence handler)")
            self.rewrites.append((Edit(self.src, vs.start, vs.end, new_value), self.plan.changes[-1]))
            self.f.state.handler_paths.add(new_value.strip().split()[0])
            self.f.state.handler_paths.discard(path)

    def script(self, st: Setting) -> None:
        vs = st.value_span
        if vs is None:
            return
        raw = self.data[vs.start:vs.end].decode("utf-8", "surrogateescape")
        m = _CRM_FENCE.search(raw)
        if m is None:
            return
        start = vs.start + len(raw[:m.start()].encode("utf-8", "surrogateescape"))
        self.rewrite(st, start, start + len(m.group(0)), "crm-fence-peer.9.sh",
                     f"{self.label}: `crm-fence-peer.sh` became `crm-fence-peer.9.sh` (the 8.x script does not "
                     "understand DRBD 9's per-connection calls)")
        old = raw.split()[0] if raw.split() else ""
        self.f.state.handler_paths.discard(old)
        self.f.state.handler_paths.add(old.replace("crm-fence-peer.sh", "crm-fence-peer.9.sh"))

    def hosts(self) -> None:
        res = self.res
        for h in res.hosts:
            if h.alternate_address is not None and self.nine:
                span = self.alt_statement(h)
                if span is not None:
                    st = Setting("alternate-link-address", h.alternate_address.address, span=span)
                    self.drop(st, f"{self.label}: `alternate-link-address` of {h.name} removed (drbdadm 9 refuses it)",
                              loose=True)
                    self.plan.item("error", f"{self.label}: the alternate link of {h.name} "
                                   f"({h.alternate_address.address}:{h.alternate_address.port}) is not carried over: "
                                   "DRBD 9 expresses it as a second `path { }` in a `connection { }`", span,
                                   choice="write `connection { path { host A address ...; host B address ...; } "
                                          "path { ... alternate addresses ... } }`")
            if h.kind == "stacked-on-top-of" and self.nine:
                self.plan.item("warning", f"{self.label}: stacked resources are deprecated in DRBD 9 (multi-node "
                               "resources replace them); drbdadm 9 still reads this", h.span, kind="note")
        if not self.nine:
            return
        hosts = [h for h in res.hosts if h.kind in ("on", "floating", "stacked-on-top-of")]
        if not hosts:
            return
        used = {h.node_id for h in hosts if h.node_id is not None}
        missing = [h for h in hosts if h.node_id is None]
        if not missing:
            return
        on_hosts = [h for h in res.hosts if h.kind == "on"]
        if len(on_hosts) > 2 and not res.connections:
            self.f.state.multi_peer.append(res.name)
            self.plan.item("warning", f"{self.label}: {len(on_hosts)} `on` hosts and no connection: DRBD 9 connects "
                           "more than two hosts only through `connection-mesh { hosts ...; }` or `connection { }` "
                           "sections (8.4 used the extra hosts for IP failover)", res.span, kind="decision")
        ids, nxt = [], 0
        for h in missing:
            while nxt in used:
                nxt += 1
            ids.append((h, nxt))
            used.add(nxt)
            nxt += 1
        for h, nid in ids:
            self.node_id(h, nid)
        shown = ", ".join(f"{h.name or h.kind}={n}" for h, n in ids)
        self.plan.item(
            "warning", f"{self.label}: node-ids assigned in the order of the host sections ({shown}); "
            "without them drbdadm 9 derives ids from an address hash, and the ids are recorded in the DRBD 9 "
            "metadata (one bitmap slot per peer)", res.span, kind="decision",
            choice=f"if {res.name} already runs DRBD 9 somewhere, use the ids `drbdadm dump {res.name}` prints there; "
                   "otherwise confirm these before `drbdadm create-md`")

    def alt_statement(self, h: DrbdHost) -> Span | None:
        a = h.alternate_address.span
        kw = self.data.rfind(b"alternate-link-address", h.span.start, a.start)
        semi = self.data.find(b";", a.end, h.span.end)
        if kw < 0 or semi < 0:
            return None
        return Span(self.src, kw, semi + 1)

    def node_id(self, h: DrbdHost, nid: int) -> None:
        who = h.name or h.kind
        c = self.plan.change(f"{self.label}: `node-id {nid};` for {who} (explicit, the same on every node)", h.span)
        stmt = f"node-id {nid};"
        if h.body_span is None:  # `floating A:P;` -> `floating A:P { node-id N; }`
            end = h.span.end
            if self.data[end - 1:end] == b";":
                self.inserts.append((Edit(self.src, end - 1, end, f" {{ {stmt} }}"), c))
            return
        ind = statement_indent(self.src, h.body_span, indent_at(self.data, h.span.start) + self.f.unit)
        self.inserts.append((body_start_insert(self.src, h.body_span, stmt, ind), c))

    # -- emission -------------------------------------------------------------------
    def emit(self) -> None:
        res, data, unit = self.res, self.data, self.f.unit
        edits: list[tuple[Edit, Change]] = []
        deleted: list[tuple[DrbdSection, Change]] = []
        for sec in res.sections:
            if sec.kind == "syncer" and not sec.options:
                deleted.append((sec, self.empty_change(sec)))
            elif sec.options and not sec.sections and all(id(o) in self.dropped for o in sec.options):
                deleted.append((sec, self.dropped[id(sec.options[0])]))
        deleted_ids = {id(s) for s, _ in deleted}
        in_deleted = {id(o) for s, _ in deleted for o in s.options}
        # where new sections go: anchor start -> [(kind, statements)]
        new_at: dict[int, list[tuple[str, list[_Add]]]] = {}
        anchor_span: dict[int, Span] = {}
        for kind, adds in self.adds.items():
            existing = [s for s in res.sections if s.kind == kind and id(s) not in deleted_ids]
            if existing and existing[0].body_span is not None:
                sec = existing[0]
                ind = statement_indent(self.src, sec.body_span, indent_at(data, sec.span.start) + unit)
                for a in adds:
                    edits.append((body_end_insert(self.src, sec.body_span, a.text, ind), a.change))
                continue
            anchor = self.anchors[kind]
            new_at.setdefault(anchor.start, []).append((kind, adds))
            anchor_span[anchor.start] = anchor
        multi_default = any(s.body_span is not None and is_multiline(s.body_span) for s in res.sections) \
            or not res.sections
        consumed: set[int] = set()

        def sections_text(groups, ind: str, multi: bool) -> list[str]:
            return [_section_text(kind, [a.text for a in adds], ind, unit, multi) for kind, adds in groups]

        def removal(span: Span, change: Change, keep_comments: bool) -> None:
            groups = new_at.get(span.start) or []
            consumed.add(span.start)
            ce = trailing_comment_end(data, span.end)
            tail = data[ce:line_end(data, ce)].strip(b" \t\r")
            comments = self.kept_comments(span) if keep_comments else []
            if starts_line(data, span.start) and not tail:
                ind = indent_at(data, span.start)
                start, stop = line_start(data, span.start), min(line_end(data, ce) + 1, len(data))
                multi = is_multiline(span) or (not _is_section(span) and multi_default)
                text = "".join(f"{ind}{c}\n" for c in comments)
                text += "".join(t + "\n" for t in sections_text(groups, ind, multi))
                if stop == len(data) and not data.endswith(b"\n") and text.endswith("\n"):
                    text = text[:-1]
                edits.append((Edit(self.src, start, stop, text), change))
            elif groups or comments:
                text = " ".join(sections_text(groups, "", False) + comments)
                edits.append((Edit(self.src, span.start, ce if comments else span.end, text), change))
            else:
                edits.append((delete_statement(span), change))

        for sec, c in deleted:
            removal(sec.span, c, keep_comments=True)
        nested = [s for h in res.hosts for s in h.sections] + [s for v in res.volumes for s in v.sections] \
            + [s for h in res.hosts for v in h.volumes for s in v.sections]
        for sec in res.sections + nested:
            if id(sec) in deleted_ids:
                continue
            for o in sec.options:
                if id(o) in self.dropped and id(o) not in in_deleted:
                    removal(o.span, self.dropped[id(o)], keep_comments=False)
        for st in self.loose:
            if id(st) in self.dropped:
                removal(st.span, self.dropped[id(st)], keep_comments=False)
        # new sections whose anchor stays: after the anchor's line
        for start, groups in new_at.items():
            if start in consumed:
                continue
            span = anchor_span[start]
            ce = trailing_comment_end(data, span.end)
            first = groups[0][1][0].change
            if starts_line(data, span.start):
                ind = indent_at(data, span.start)
                pos = min(line_end(data, ce) + 1, len(data))
                multi = is_multiline(span) or (not _is_section(span) and multi_default)
                text = "".join(t + "\n" for t in sections_text(groups, ind, multi))
                if pos == len(data) and not data.endswith(b"\n"):
                    text = "\n" + text.rstrip("\n")
                edits.append((Edit(self.src, pos, pos, text), first))
            else:
                text = "".join(" " + t for t in sections_text(groups, "", False))
                edits.append((Edit(self.src, span.end, span.end, text), first))
        edits.extend(self.rewrites)
        edits.extend(self.inserts)
        for e, c in edits:
            c.edits.append(e)
        if edits:
            self.f.state.changed = True

    def empty_change(self, sec: DrbdSection) -> Change:
        for c in self.plan.changes:
            if c.span is sec.span:
                return c
        return self.plan.change(f"{self.label}: empty `syncer {{ }}` section removed", sec.span)

    def kept_comments(self, span: Span) -> list[str]:
        """Comments inside a section that is deleted, except those that move
        with their statements (or are deleted with them)."""
        data = self.data
        taken = []
        for sec in self.res.sections:
            if sec.span.start == span.start:
                for o in sec.options:
                    taken.append((o.span.start, trailing_comment_end(data, o.span.end)))
        ce = trailing_comment_end(data, span.end)
        return [text for pos, text in _comments(data, span.start, ce) if not any(s <= pos < e for s, e in taken)]


def _is_section(span: Span) -> bool:
    return span.file.data[span.start:span.end].rstrip().endswith(b"}")


def _section_text(kind: str, stmts: list[str], indent: str, unit: str, multi: bool) -> str:
    if multi:
        body = "".join(f"{indent}{unit}{s}\n" for s in stmts)
        return f"{indent}{kind} {{\n{body}{indent}}}"
    # a statement with a trailing comment cannot be followed by more text on its line
    if any("#" in _strip_quoted(s) for s in stmts):
        body = "".join(f"{indent}{unit}{s}\n" for s in stmts)
        return f"{indent}{kind} {{\n{body}{indent}}}"
    return f"{indent}{kind} {{ {' '.join(stmts)} }}"


def _strip_quoted(s: str) -> str:
    return re.sub(r'"(?:[^"\\]|\\.)*"', '""', s)


def _comments(data: bytes, start: int, end: int):
    """(offset, text) of every `#` comment in data[start:end], outside quotes."""
    i, q = start, False
    while i < end:
        ch = data[i:i + 1]
        if q:
            if ch == b"\\":
                i += 2
                continue
            if ch == b'"':
                q = False
        elif ch == b'"':
            q = True
        elif ch == b"#":
            stop = line_end(data, i)
            yield i, data[i:stop].rstrip(b"\r").decode("utf-8", "surrogateescape")
            i = stop
            continue
        i += 1
