"""The neutral description of a target (`TargetSpec`, its LUNs and ACLs)
that the readers fill and the writers emit, and the file names and
parameter tables both sides share."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterable

from sanlint.model.base import Setting
from sanlint.model.iscsi import ChapUser, IscsiConfig, IscsiTarget
from sanlint.source import Span
from sanlint.transform.iscsi import IMPL_OF_STACK, LU_AGENT, TARGET_AGENT, TGT_WCE_OFF  # noqa: F401  (the package's modules read them here)

if TYPE_CHECKING:
    from sanlint.model import Host


TGT_FILE = "etc/tgt/conf.d/sanlint-from-ietd.conf"
LIO_FILE = "etc/target/saveconfig.json"
LIO_SCRIPT = "etc/target/sanlint-migrate.targetcli"
MARK = "sanlint"

# iSCSI keys tgt-admin passes to `tgtadm --mode target --op update` (scripts/tgt-admin, process_options)
TGT_TARGET_KEYS = ("MaxRecvDataSegmentLength", "MaxXmitDataSegmentLength", "HeaderDigest", "DataDigest",
                   "InitialR2T", "MaxOutstandingR2T", "ImmediateData", "FirstBurstLength", "MaxBurstLength",
                   "DataPDUInOrder", "DataSequenceInOrder", "ErrorRecoveryLevel", "IFMarker", "OFMarker",
                   "DefaultTime2Wait", "DefaultTime2Retain", "OFMarkInt", "IFMarkInt", "MaxConnections")
# LIO TPG parameters (configfs tpgt_N/param/, the negotiated keys in their RFC 3720 spelling)
LIO_PARAMS = ("AuthMethod", "HeaderDigest", "DataDigest", "MaxConnections", "TargetAlias", "InitialR2T",
              "ImmediateData", "MaxRecvDataSegmentLength", "MaxXmitDataSegmentLength", "MaxBurstLength",
              "FirstBurstLength", "DefaultTime2Wait", "DefaultTime2Retain", "MaxOutstandingR2T",
              "DataPDUInOrder", "DataSequenceInOrder", "ErrorRecoveryLevel", "IFMarker", "OFMarker",
              "IFMarkInt", "OFMarkInt")
# ietd target keys with an LIO TPG *attribute* instead (configfs tpgt_N/attrib/)
LIO_ATTRS = {"NOPInterval": "nopin_timeout", "NOPTimeout": "nopin_response_timeout",
             "QueuedCommands": "default_cmdsn_depth"}

DAEMON_AGENTS = {
    "ietd": {"lsb:iscsitarget", "lsb:iscsi-target", "lsb:ietd", "lsb:iscsi-scst", "systemd:iscsitarget",
             "service:iscsitarget", "systemd:iscsitarget.service", "upstart:iscsitarget"},
    "tgt": {"lsb:tgtd", "lsb:tgt", "systemd:tgt", "systemd:tgtd", "systemd:tgt.service", "service:tgt",
            "service:tgtd", "upstart:tgt"},
}


# -- the neutral description -----------------------------------------------------

@dataclass
class LunSpec:
    number: int  # in the source stack
    path: str
    span: Span
    io_type: str | None = "fileio"  # fileio | blockio | nullio | None (unknown tgt bs-type)
    write_back: bool = False
    readonly: bool = False
    scsi_id: str | None = None
    scsi_sn: str | None = None
    block_size: str | None = None
    vendor_id: str | None = None
    product_id: str | None = None
    new: int = -1  # in the destination stack
    extra: dict[str, str] = field(default_factory=dict)  # options with no home


@dataclass
class Acl:
    kind: str  # address | name
    value: str
    span: Span | None


@dataclass
class TargetSpec:
    name: str
    stack: str  # ietd | tgt
    span: Span
    target: IscsiTarget
    luns: list[LunSpec] = field(default_factory=list)
    incoming: list[ChapUser] = field(default_factory=list)
    outgoing: list[ChapUser] = field(default_factory=list)
    acls: list[Acl] = field(default_factory=list)
    open: bool = True  # no ACL restricts logins
    params: list[Setting] = field(default_factory=list)
    portals: list[tuple[str, int, Span | None]] = field(default_factory=list)
    alias: str | None = None
    tid: int = 0


@dataclass
class HostSource:
    host: "Host"
    stack: str
    targets: list[TargetSpec]
    configs: list[IscsiConfig]  # the files to comment out
    discovery: list[Setting] = field(default_factory=list)


def redact(text: str, secrets: Iterable[str]) -> str:
    """Mask every secret value in `text` (diffs and reports)."""
    for s in sorted({s for s in secrets if s}, key=len, reverse=True):
        text = text.replace(s, "********")
    return text
