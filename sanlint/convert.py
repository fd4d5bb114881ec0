"""Translate one cluster configuration between crmsh syntax and CIB XML
(the `crm2cib` and `cib2crm` converters of `sanlint convert`): what the two
directions share.  The writers are `sanlint.migrate.pacemaker.crm2cib` and
`sanlint.migrate.pacemaker.cib2crm`.

Both directions go through the cluster model (`sanlint.model.cluster`),
which the crm and CIB parsers fill alike.  `crm2cib` writes the XML crmsh
4.4.1 would commit for the same text (`crm configure load update`), with
the ids crmsh generates (crmsh `idmgmt.new`): `<rsc>-instance_attributes`,
`<rsc>-meta_attributes`, `<rsc>-utilization`, nvpairs `<set>-<name>`, ops
`<rsc>-<op>-<interval>` (`<operations-id>-...` under `operations $id=`),
resource sets `<cons>-<N>`, rules `<cons>-rule`, expressions
`<rule>-expression`, date specs `<expr>-date_spec`; an id already taken
gets `-0`, `-1`, ... appended; numeric prefixes become `num-<n>`.  Ids
written in the text (`$id=`, `$id:name=value`) are kept.

`cib2crm` writes crm text that crmsh and sanlint's crm parser read back to
the same XML: ids that differ from the ones crmsh would generate are
written explicitly where crm syntax can hold them (`$id=` on attribute
lists and rules, `$id:name=` on nvpairs, `id=` on ops); resource-set,
expression and date-spec ids cannot be written in crm syntax and come
back as crmsh generates them.

Both functions are pure (text in, text out) and linear in the size of the
configuration.
"""

from __future__ import annotations

import re

SCHEMA = "pacemaker-3.9"  # what `cibadmin --empty` of Pacemaker 2.1.5 starts from
FEATURE_SET = "3.16.1"
NUMERIC_SCORE = re.compile(r"^[+-]?(inf|infinity|\d+)$", re.I)
ACL_SHORTCUTS = {  # crmsh constants.acl_shortcuts
    "meta": ("//primitive[@id='@@']/meta_attributes", "/nvpair[@name='@@']"),
    "params": ("//primitive[@id='@@']/instance_attributes", "/nvpair[@name='@@']"),
    "utilization": ("//primitive[@id='@@']/utilization",),
    "location": ("//rsc_location[@id='cli-prefer-@@' and @rsc='@@']",),
    "property": ("//crm_config/cluster_property_set", "/nvpair[@name='@@']"),
    "nodeattr": ("//nodes/node/instance_attributes", "/nvpair[@name='@@']"),
    "nodeutil": ("//nodes/node/utilization", "[@uname='@@']"),
    "node": ("//nodes/node", "[@uname='@@']"),
    "status": ("/cib/status",),
    "cib": ("/cib",),
}
