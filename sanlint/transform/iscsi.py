"""iSCSI target stacks: the facts the ISCSI rules and `migrate iscsi-tgt /
iscsi-lio` share (the cluster agents, the `implementation=` values of
resource-agents' iSCSITarget/iSCSILogicalUnit and the stack each stands
for) and the placeholder written where the admin must choose.

>>> IMPL_OF_STACK["lio"], STACK_OF_IMPL["lio-t"]
('lio-t', 'lio')
"""

from __future__ import annotations

TARGET_AGENT = "ocf:heartbeat:iSCSITarget"
LU_AGENT = "ocf:heartbeat:iSCSILogicalUnit"
IMPLEMENTATIONS = ("iet", "tgt", "lio", "lio-t")
STACK_OF_IMPL = {"iet": "ietd", "tgt": "tgt", "lio": "lio", "lio-t": "lio"}
IMPL_OF_STACK = {"ietd": "iet", "tgt": "tgt", "lio": "lio-t"}  # saveconfig.json is targetcli(-fb): lio-t
# a word every syntax (crm, CIB, brace formats) reads back unquoted, as the Pacemaker placeholders
IMPL_PLACEHOLDER = "CHOOSE-iet-tgt-lio-or-lio-t"
