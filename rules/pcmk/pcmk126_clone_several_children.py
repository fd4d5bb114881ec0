"""Clone with several children: a clone or master/slave resource holds more than one resource.

## What it checks

A `<clone>` or `<master>` in a CIB with more than one `<primitive>` or
`<group>` inside.  Pacemaker's schema allows exactly one: `crm_verify`
refuses the file ("Relax-NG validity error : Extra element primitive in
interleave ... Element master failed to validate content") and the
cluster never loads it.  (In crm syntax `ms ms_drbd p_r0 p_r1` is a
syntax error sanlint reports as SAN001: crmsh would quietly turn `p_r1`
into a parameter of the clone and leave `p_r1` unmanaged.)

## Why it matters

A CIB the schema refuses is rejected by `cibadmin --replace` and by the
cluster: the change, often the one that was meant to add a second DRBD
resource, never takes effect.  Each DRBD resource needs its own
master/slave (promotable clone).

## Example

```cib path=@cib.xml
<cib validate-with="pacemaker-3.0" epoch="1" num_updates="0" admin_epoch="0">
  <configuration>
    <crm_config/>
    <nodes/>
    <resources>
      <master id="ms_drbd">
        <meta_attributes id="ms_drbd-meta_attributes">
          <nvpair id="ms_drbd-meta_attributes-notify" name="notify" value="true"/>
        </meta_attributes>
        <primitive id="p_drbd_r0" class="ocf" provider="linbit" type="drbd">
          <instance_attributes id="p_drbd_r0-instance_attributes">
            <nvpair id="p_drbd_r0-instance_attributes-drbd_resource" name="drbd_resource" value="r0"/>
          </instance_attributes>
        </primitive>
        <primitive id="p_drbd_r1" class="ocf" provider="linbit" type="drbd">
          <instance_attributes id="p_drbd_r1-instance_attributes">
            <nvpair id="p_drbd_r1-instance_attributes-drbd_resource" name="drbd_resource" value="r1"/>
          </instance_attributes>
        </primitive>
      </master>
    </resources>
    <constraints/>
  </configuration>
</cib>
```

## Use instead

```cib path=@cib.xml
<cib validate-with="pacemaker-3.0" epoch="1" num_updates="0" admin_epoch="0">
  <configuration>
    <crm_config/>
    <nodes/>
    <resources>
      <master id="ms_drbd_r0">
        <meta_attributes id="ms_drbd_r0-meta_attributes">
          <nvpair id="ms_drbd_r0-meta_attributes-notify" name="notify" value="true"/>
        </meta_attributes>
        <primitive id="p_drbd_r0" class="ocf" provider="linbit" type="drbd">
          <instance_attributes id="p_drbd_r0-instance_attributes">
            <nvpair id="p_drbd_r0-instance_attributes-drbd_resource" name="drbd_resource" value="r0"/>
          </instance_attributes>
        </primitive>
      </master>
      <master id="ms_drbd_r1">
        <meta_attributes id="ms_drbd_r1-meta_attributes">
          <nvpair id="ms_drbd_r1-meta_attributes-notify" name="notify" value="true"/>
        </meta_attributes>
        <primitive id="p_drbd_r1" class="ocf" provider="linbit" type="drbd">
          <instance_attributes id="p_drbd_r1-instance_attributes">
            <nvpair id="p_drbd_r1-instance_attributes-drbd_resource" name="drbd_resource" value="r1"/>
          </instance_attributes>
        </primitive>
      </master>
    </resources>
    <constraints/>
  </configuration>
</cib>
```

## Fix safety

No automatic fix: which constraints should follow which new clone is the
admin's choice.

## Source

Pacemaker `xml/resources-3.0.rng` (`element-clone` and `element-master`
hold one `element-primitive` or `element-group`); `crm_verify --xml-file`
on such a CIB; crmsh `parse.py` `parse_clone` (one child, then
`match_arguments(..., implicit_initial='params')`, which takes a second
name as a parameter).
"""

from __future__ import annotations

from sanlint.model.cluster import Bundle, Clone
from sanlint.rule import Rule


class CloneSeveralChildren(Rule):
    code = "PCMK126"
    name = "clone-several-children"
    severity = "error"
    reads = ("cluster",)

    def check(self, ctx):
        for c in ctx.site.all_clusters():
            kids: dict[str, list] = {}
            for r in c.resources.values():
                if r.parent is not None:
                    kids.setdefault(r.parent, []).append(r)
            for clone in c.clones():
                inner = [r for r in kids.get(clone.id, []) if not isinstance(r, Bundle)]
                if len(inner) < 2:
                    continue
                inner.sort(key=lambda r: r.id)
                kind = "master/slave resource" if clone.element == "master" else (
                    "promotable clone" if clone.promotable else "clone")
                yield self.finding(
                    f"{kind} {clone.id} holds {len(inner)} resources ({', '.join(r.id for r in inner)}): Pacemaker's "
                    f"schema allows one, so crm_verify and the cluster refuse this CIB (give each its own "
                    f"{'ms' if clone.element == 'master' else 'clone'})",
                    clone.id_span or clone.span, identity=f"resource {clone.id} / children")
