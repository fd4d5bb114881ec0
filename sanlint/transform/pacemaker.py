"""Pacemaker 1.1 -> 2.x: the facts (renames, placeholders) and the
transformations, as functions returning edits.  One owner for each: the
rule fixes (PCMK111, PCMK113) and `migrate pacemaker-2` (crm text and CIB
XML) call these, so a `--fix` and a migration that make the same change
write the same bytes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sanlint.edit import crm as crm_edit
from sanlint.edit.cib import CibEditor, attrs, editor_for, nvpair
from sanlint.edit.cluster import syntax
from sanlint.edit.ids import IdStore
from sanlint.rule import Edit

# -- facts -------------------------------------------------------------------------------

ROLE_NEW = {"master": "Promoted", "slave": "Unpromoted"}  # OCF 1.1 role names (Pacemaker 2.1)
META_RENAMES = {"master-max": "promoted-max", "master-node-max": "promoted-node-max"}  # Pacemaker 2.0
AGENT_RENAMES = {"ocf:heartbeat:drbd": "ocf:linbit:drbd", "ocf:heartbeat:LVM": "ocf:heartbeat:LVM-activate"}
VG_ACCESS_MODES = ("system_id", "tagging", "lvmlockd")
# what stands where the admin must choose: a valid crm word and XML attribute value
PLACEHOLDER = "CHOOSE-system_id-tagging-or-lvmlockd"
VG_PLACEHOLDER = "CHOOSE-VG"


def is_true(v: str | None) -> bool:
    return (v or "").strip().lower() in ("true", "yes", "1", "on", "y")


def cib_ids(ed: CibEditor) -> IdStore:
    return IdStore(e.get("id") for e in ed.root.iter() if isinstance(e.tag, str) and e.get("id"))


# Pacemaker 1.1 -> 2.x configuration facts (upgrade-2.10.xsl and the 2.0/2.1 release notes)
TARGET_SCHEMA = "pacemaker-3.7"  # the first schema with Promoted/Unpromoted (Pacemaker 2.1.0)
TARGET_SCHEMA_VERSION = (3, 7)
OLD_INFRA = ("heartbeat", "openais", "classic openais", "classic openais (with plugin)", "cman")

# upgrade-2.10.xsl `cluster-properties`: old name -> new name (same place)
PROPERTY_RENAMES = {
    "cluster_recheck_interval": "cluster-recheck-interval", "dc_deadtime": "dc-deadtime",
    "election_timeout": "election-timeout", "no_quorum_policy": "no-quorum-policy",
    "remove_after_stop": "remove-after-stop", "shutdown_escalation": "shutdown-escalation",
    "startup_fencing": "startup-fencing", "stonith_action": "stonith-action", "stonith_enabled": "stonith-enabled",
    "stop_orphan_actions": "stop-orphan-actions", "stop_orphan_resources": "stop-orphan-resources",
    "symmetric_cluster": "symmetric-cluster", "transition_idle_timeout": "cluster-delay",
}
# old name -> (section, new name)
PROPERTY_MOVES = {
    "default-resource-stickiness": ("rsc_defaults", "resource-stickiness"),
    "default_resource_stickiness": ("rsc_defaults", "resource-stickiness"),
    "is-managed-default": ("rsc_defaults", "is-managed"),
    "is_managed_default": ("rsc_defaults", "is-managed"),
    "default-action-timeout": ("op_defaults", "timeout"),
    "default_action_timeout": ("op_defaults", "timeout"),
}
FAILURE_STICKINESS = ("default-resource-failure-stickiness", "default_resource_failure_stickiness")
PROPERTY_DROPS = {
    "default-migration-threshold": "Pacemaker 2 removed it; migration-threshold in rsc_defaults can be configured instead",
    "default_migration_threshold": "Pacemaker 2 removed it; migration-threshold in rsc_defaults can be configured instead",
    "expected-quorum-votes": "corosync 2+ tracks quorum on its own (the pacemaker-3.x schemas reject it)",
    "notification-agent": "Pacemaker 2 removed it; configure alerts instead",
    "notification-recipient": "Pacemaker 2 removed it; configure alerts instead",
    "dc-version": "status written by the DC at run time; the 1.1 value is stale",
    "last-lrm-refresh": "status written by the cluster at run time; the old value is stale",
}
STATUS_PROPERTIES = frozenset({"dc-version", "last-lrm-refresh"})  # dropped, but the 3.x schemas accept them
# where the meaning of a dropped 1.x property lives in 2.x, when it lives anywhere
DROPPED_TO = {
    "default-migration-threshold": "rsc_defaults migration-threshold",
    "default_migration_threshold": "rsc_defaults migration-threshold",
    "notification-agent": "an alert (`alert` / <alerts>)",
    "notification-recipient": "an alert recipient",
}
UPGRADE_XSL = "upgrade-2.10-1.xsl"


@dataclass(frozen=True)
class PropertyFate:
    """What Pacemaker 2.x makes of one Pacemaker 1.x cluster property, decided once for
    PCMK114 and for `migrate pacemaker-2` on crm text and on CIB XML alike (Pacemaker's
    xml/upgrade-2.10-1.xsl `cluster-properties`, xml/options-3.0.rng).

    kind: "rename" (same place, new name), "value" (same name, new value), "move" (to
    `section` as `new_name`), "drop" (gone; `why`).  `rejected`: the pacemaker-3.x schemas
    (Pacemaker 2.0 and later) refuse the name, so crm_verify and cibadmin refuse the CIB.

    >>> property_fate("no_quorum_policy", "ignore").where()
    'no-quorum-policy'
    >>> property_fate("default-resource-stickiness", "100").change()
    'property default-resource-stickiness=100 -> rsc_defaults resource-stickiness=100 (Pacemaker 2.0 removed the cluster option; upgrade-2.10-1.xsl)'
    >>> property_fate("stonith_action", "poweroff").new_value
    'off'
    >>> property_fate("cluster-infrastructure", "corosync") is None
    True
    """
    name: str
    value: str
    kind: str
    new_name: str = ""
    section: str = ""
    new_value: str | None = None
    why: str = ""
    note: str = ""
    rejected: bool = False

    def where(self) -> str:
        """Where the property's meaning lives in 2.x (PCMK114's advice)."""
        if self.kind == "rename":
            return self.new_name
        if self.kind == "move":
            return f"{self.section} {self.new_name}"
        if self.name in FAILURE_STICKINESS:
            return "rsc_defaults migration-threshold"
        return DROPPED_TO.get(self.name, "(nothing: removed)")

    def change(self, already: bool = False) -> str:
        """The migration plan's sentence for the name (`already`: the section sets it)."""
        n, v = self.name, self.value
        if self.kind == "rename":
            return f"property {n} -> {self.new_name} (Pacemaker 2.0 removed the underscore names; {UPGRADE_XSL})"
        if self.kind == "value":
            return self.value_change()
        if self.kind == "move" and already:
            return (f"property {n}={v} dropped: {self.section} already sets {self.new_name} "
                    f"(Pacemaker 2.0 removed the cluster option; {UPGRADE_XSL})")
        if self.kind == "move":
            return (f"property {n}={v} -> {self.section} {self.new_name}={self.new_value} "
                    f"(Pacemaker 2.0 removed the cluster option; {UPGRADE_XSL})")
        return f"property {n}={v} dropped: {self.why}"

    def value_change(self) -> str:
        return (f"property stonith-action={self.value} -> {self.new_value} (poweroff is deprecated since "
                f"2.0.1 and removed in 3.0)")


def property_fate(name: str, value: str | None) -> PropertyFate | None:
    """The 2.x fate of a 1.x cluster property, or None when 2.x keeps it as it is."""
    value = value or ""
    poweroff = value.strip() == "poweroff"
    if name in PROPERTY_RENAMES:
        new = PROPERTY_RENAMES[name]
        return PropertyFate(name, value, "rename", new_name=new, rejected=True,
                            new_value="off" if new == "stonith-action" and poweroff else None)
    if name == "stonith-action" and poweroff:
        return PropertyFate(name, value, "value", new_name=name, new_value="off")
    if name in PROPERTY_MOVES:
        section, new = PROPERTY_MOVES[name]
        return PropertyFate(name, value, "move", new_name=new, section=section, new_value=value, rejected=True)
    if name in FAILURE_STICKINESS:
        if value.strip().upper() in ("-INFINITY", "-INF"):
            return PropertyFate(name, value, "move", new_name="migration-threshold", section="rsc_defaults",
                                new_value="1", rejected=True)
        return PropertyFate(name, value, "drop", rejected=True,
                            why=f"Pacemaker 2.0 removed it; only -INFINITY maps to migration-threshold=1 ({UPGRADE_XSL})",
                            note=f"{name}={value} is gone: set rsc_defaults migration-threshold if wanted")
    if name in PROPERTY_DROPS:
        return PropertyFate(name, value, "drop", why=PROPERTY_DROPS[name], rejected=name not in STATUS_PROPERTIES)
    if name == "cluster-infrastructure" and value.lower() in OLD_INFRA:
        return PropertyFate(name, value, "drop", rejected=True,
                            why=f"Pacemaker 2 runs on corosync 2+ only; the value {value} is rejected by the "
                                f"pacemaker-3.x schemas")
    return None


# per-resource meta and params the XSL rewrites, which sanlint reports instead
XSL_ONLY_META = ("isolation", "isolation-host", "isolation-instance", "isolation-wrapper")
PCMK_CMD = re.compile(r"^pcmk_(list|monitor|off|on|reboot|status)_cmd$")
OP_OPTION_NAMES = frozenset({"name", "interval", "interval-origin", "start-delay", "enabled", "on-fail",
                             "record-pending", "role", "timeout", "requires"})

LVM_SETUP = {
    "system_id": ["set `system_id_source = \"uname\"` in the global section of /etc/lvm/lvm.conf on every node",
                  "give the VG the active node's system ID once: `vgchange --systemid $(uname -n) VG` "
                  "(LVM-activate moves it on failover)",
                  "the PV must not be visible through another path on the other node (DRBD backing disk "
                  "filtered out: a `filter`/`global_filter` that rejects it)",
                  "rebuild the initramfs so early boot uses the same lvm.conf"],
    "tagging": ["set `volume_list` in the activation section of /etc/lvm/lvm.conf on every node so that it "
                "does NOT list the cluster VG (only local VGs, e.g. the root VG)",
                "disable lvmetad (`use_lvmetad = 0`, stop lvm2-lvmetad) on LVM versions that have it",
                "rebuild the initramfs so early boot does not activate the VG"],
    "lvmlockd": ["set `use_lvmlockd = 1` in the global section of /etc/lvm/lvm.conf on every node",
                 "add cloned ocf:pacemaker:controld (dlm) and ocf:heartbeat:lvmlockd resources ordered "
                 "before the VG",
                 "convert the VG to a shared VG: `vgchange --lock-type dlm VG`",
                 "activation_mode=shared only if the LVs are to be active on several nodes at once"],
}


def schema_version(schema: str | None) -> tuple[int, int] | None:
    m = re.fullmatch(r"pacemaker-(\d+)\.(\d+)", schema or "")
    return (int(m.group(1)), int(m.group(2))) if m else None


def order_kind(score: str) -> str:
    s = score.strip().lstrip("+")
    return "Optional" if s in ("0", "-0") else "Mandatory"


# -- ocf:heartbeat:drbd -> ocf:linbit:drbd ---------------------------------------------------

def linbit_drbd_crm(prim: Any) -> Edit:
    return Edit.replace(prim.agent_span, AGENT_RENAMES["ocf:heartbeat:drbd"])


def linbit_drbd(prim: Any) -> Edit | None:
    """The agent of a model primitive: crm `ocf:linbit:drbd`, CIB `provider="linbit"`."""
    if prim.agent_span is None:
        return None
    if syntax(prim.span) == "crm":
        return linbit_drbd_crm(prim)
    found = editor_for(prim.span)
    return found[0].set_attr(found[1], "provider", "linbit") if found else None


# -- ocf:heartbeat:LVM -> ocf:heartbeat:LVM-activate -------------------------------------------

def lvm_activate_crm(prim: Any, mode: str | None) -> list[Edit]:
    """crm: the agent, `volgrpname` -> `vgname`, `vg_access_mode` (the
    placeholder without a `mode`) and `activation_mode=exclusive` after it;
    `exclusive=` goes."""
    src = prim.agent_span.file
    mode = mode or PLACEHOLDER
    edits = [Edit.replace(prim.agent_span, AGENT_RENAMES["ocf:heartbeat:LVM"])]
    vg, excl = prim.param("volgrpname"), prim.param("exclusive")
    if vg is None:
        edits.append(Edit.insert(src, prim.agent_span.end, f" params vgname={VG_PLACEHOLDER} vg_access_mode={mode} "
                                                           f"activation_mode=exclusive"))
    else:
        edits.append(crm_edit.rename_pair(vg, "vgname"))
        edits.append(Edit.insert(src, vg.span.end, f" vg_access_mode={crm_edit.quote_like(vg, mode)}"
                                                   f" activation_mode={crm_edit.quote_like(vg, 'exclusive')}"))
    if excl is not None:
        edits.append(crm_edit.delete_token(excl.span))
    return edits


def lvm_params_cib(elem: Any) -> tuple[Any, Any]:
    """The `volgrpname` and `exclusive` nvpairs of an LVM `<primitive>` (None when absent)."""
    vg = excl = None
    for ia in elem.findall("instance_attributes"):
        for p in ia.iter("nvpair"):
            if p.get("name") == "volgrpname" and vg is None:
                vg = p
            elif p.get("name") == "exclusive":
                excl = p
    return vg, excl


def lvm_activate_cib(ed: CibEditor, elem: Any, mode: str | None, ids: IdStore) -> list[Edit]:
    """CIB: the same change on a `<primitive>`: `type`, the nvpairs (crmsh ids)."""
    mode = mode or PLACEHOLDER
    edits = [ed.set_attr(elem, "type", "LVM-activate")]
    vg, excl = lvm_params_cib(elem)
    if vg is not None:
        edits.append(ed.set_attr(vg, "name", "vgname"))
        set_id = vg.getparent().get("id") or f"{elem.get('id')}-instance_attributes"
        edits.append(ed.insert_after(vg, [nvpair(ids.new("nvpair", set_id, "vg_access_mode"), "vg_access_mode", mode),
                                          nvpair(ids.new("nvpair", set_id, "activation_mode"), "activation_mode",
                                                 "exclusive")]))
    if excl is not None:
        edits.append(ed.delete(excl))
    return edits


def vg_access_decision(plan: Any, ident: str, span: Any, chosen: str | None, vg: str | None) -> None:
    """The migration item for LVM-activate's vg_access_mode: what the chosen
    mode needs on every node, or the decision the placeholder stands for."""
    if chosen:
        plan.item("warning", f"{ident}: vg_access_mode={chosen} needs on every node: " + "; ".join(LVM_SETUP[chosen]),
                  span, kind="note")
    else:
        plan.item("warning", f"{ident}: LVM-activate needs vg_access_mode for VG {vg or '?'}: the placeholder "
                             f"{PLACEHOLDER} must be replaced by system_id, tagging or lvmlockd, and LVM set up to "
                             f"match (system_id: system_id_source in lvm.conf; tagging: volume_list; lvmlockd: "
                             f"use_lvmlockd with dlm)",
                  span, kind="decision", choice="--set vg_access_mode=system_id|tagging|lvmlockd")


def lvm_activate(prim: Any, mode: str | None = None) -> list[Edit] | None:
    """The change for a model primitive (a rule fix), crm or CIB."""
    if prim.agent_span is None:
        return None
    if syntax(prim.span) == "crm":
        return lvm_activate_crm(prim, mode)
    found = editor_for(prim.span)
    if found is None:
        return None
    ed, elem = found
    return lvm_activate_cib(ed, elem, mode, cib_ids(ed))


# -- ms / master -> clone with promotable=true --------------------------------------------

def promotable_clone_crm(res: Any) -> list[Edit]:
    edits = [Edit.replace(res.keyword_span, "clone")]
    src = res.keyword_span.file
    existing = res.meta_pair("promotable")
    target = next((s for s in res.meta if not s.rules and s.id_ref is None), None)
    if existing is not None and existing.value_span is not None:
        if not is_true(existing.value):
            edits.append(Edit.replace(existing.value_span, "true"))
    elif target is not None and target.pairs:
        edits.append(Edit.insert(src, target.span.end, " promotable=" + crm_edit.quote_like(target.pairs[-1], "true")))
    else:
        edits.append(Edit.insert(src, res.span.end, " meta promotable=true"))
    return edits


def promotable_clone_cib(ed: CibEditor, elem: Any, ids: IdStore) -> list[Edit]:
    start, tag_end, end = ed.range(elem)
    edits = [Edit.replace(ed.tag_span(elem), "clone")]
    close = ed.data.rfind(b"</", start, end)
    if close > tag_end:
        edits.append(Edit(ed.src, close + 2, close + 2 + len("master"), "clone"))
    meta = next((c for c in elem if c.tag == "meta_attributes" and c.find("rule") is None
                 and c.get("id-ref") is None), None)
    existing = next((p for c in elem if c.tag == "meta_attributes" for p in c.iter("nvpair")
                     if p.get("name") == "promotable"), None)
    if existing is not None:
        if not is_true(existing.get("value")):
            s = ed.attr_span(existing, "value")
            if s is not None:
                edits.append(Edit.replace(s, "true"))
    elif meta is not None and ed.located(meta):
        set_id = meta.get("id") or elem.get("id")
        edits.append(ed.append_child(meta, [nvpair(ids.new("nvpair", set_id, "promotable"), "promotable", "true")]))
    else:
        set_id = ids.new("meta_attributes", elem.get("id"))
        edits.append(ed.prepend_child(elem, [
            f"<meta_attributes{attrs([('id', set_id)])}>",
            f"{ed.unit}{nvpair(ids.new('nvpair', set_id, 'promotable'), 'promotable', 'true')}",
            "</meta_attributes>"]))
    return edits


def promotable_clone(res: Any) -> list[Edit] | None:
    """The change for a model `ms`/`master` (a rule fix), crm or CIB."""
    if syntax(res.span) == "crm":
        return promotable_clone_crm(res) if res.keyword_span is not None else None
    found = editor_for(res.span)
    if found is None:
        return None
    ed, elem = found
    return promotable_clone_cib(ed, elem, cib_ids(ed))


def rename_meta(pair: Any, new: str) -> Edit | None:
    """`master-max` -> `promoted-max` on a crm token or a CIB nvpair."""
    if syntax(pair.span) == "crm":
        return crm_edit.rename_pair(pair, new)
    found = editor_for(pair.span)
    return found[0].set_attr(found[1], "name", new) if found else None
