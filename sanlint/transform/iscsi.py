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
# What a LUN's write caching means on a failover SAN, in the words ISCSI106 and the iscsi migrations both
# use.  Write-through (ietd fileio without IOMode=wb: IET build_write_response syncs before answering; tgt
# `write-cache off`; LIO write_back=false; block I/O) acknowledges a write once the device (DRBD) has it;
# write-back (ietd IOMode=wb, tgt's default write-cache on, LIO fileio write_back=true, which targetcli and
# iSCSILogicalUnit's `targetcli /backstores/fileio create` default to) acknowledges it from the page cache.
WRITE_BACK_LOSS = ("writes acknowledged from the target node's page cache (write-back) are lost when that node "
                   "fails or is fenced, since they never reached DRBD and the peer")
WRITE_THROUGH_SAFE = "write-through: every write reaches the device before it is acknowledged"
# resource-agents iSCSITarget start (4.12): lio-t without allowed_initiators runs `targetcli .../tpg1/ set
# attribute ... demo_mode_write_protect=0 generate_node_acls=1`, lio `lio_node --permissive` (ISCSI104, migrations)
OPEN_LIO_TARGET = "sets generate_node_acls=1 on the TPG (demo mode: any initiator logs in and writes)"
# tgt's write-cache off, as tgt-admin sends it (add_params "write-cache")
TGT_WCE_OFF = "mode_page=8:0:18:0x10:0:0xff:0xff:0:0:0xff:0xff:0xff:0xff:0x80:0x14:0:0:0:0:0:0"
# a word every syntax (crm, CIB, brace formats) reads back unquoted, as the Pacemaker placeholders
IMPL_PLACEHOLDER = "CHOOSE-iet-tgt-lio-or-lio-t"
