"""Verdicts found wrong on public configurations (issue 9 item 8), each
with a fixture written as real configurations write it."""

from __future__ import annotations

from pathlib import Path

from sanlint.api import check

COROSYNC3_TWO_NODES_NO_TWO_NODE = """\
totem {
	version: 2
	cluster_name: san
	transport: knet
}
nodelist {
	node {
		ring0_addr: 192.168.122.11
		name: alpha
		nodeid: 1
	}
	node {
		ring0_addr: 192.168.122.12
		name: bravo
		nodeid: 2
	}
}
quorum {
	provider: corosync_votequorum
}
"""


def site(tmp: Path, crm: str, corosync: str = COROSYNC3_TWO_NODES_NO_TWO_NODE) -> Path:
    for h in ("alpha", "bravo"):
        d = tmp / h / "etc" / "corosync"
        d.mkdir(parents=True)
        (d / "corosync.conf").write_text(corosync)
    (tmp / "cluster.crm").write_text(crm)
    return tmp


def codes(root: Path, code: str) -> list:
    return [f for f in check([str(root)]).findings if f.code == code]


def test_pcmk102_no_quorum_policy_ignore_keeps_resources_running(tmp_path):
    crm = ("node alpha\nnode bravo\nprimitive ip IPaddr2 params ip=192.168.122.100 op monitor interval=10s\n"
           "property stonith-enabled=true no-quorum-policy=ignore\n")
    assert codes(site(tmp_path / "a", crm), "PCMK102") == []
    crm_stop = crm.replace("no-quorum-policy=ignore", "no-quorum-policy=stop")
    assert len(codes(site(tmp_path / "b", crm_stop), "PCMK102")) == 2  # both nodes' corosync.conf


def test_drbd121_uses_the_c_plan_ahead_default_of_the_version_in_use(tmp_path):
    # a syncer section beside `allow-two-primaries yes` (which drbdadm-83 refuses): an 8.4 site, where
    # c-plan-ahead defaults to 20 (the dynamic controller), so the syncer rate is no fixed rate
    res = ("resource r0 {\n\tprotocol C;\n\tnet { allow-two-primaries yes; }\n\tsyncer { rate 100M; }\n"
           "\ton alpha { device /dev/drbd0; disk /dev/vdb; address 192.168.122.11:7788; meta-disk internal; }\n"
           "\ton bravo { device /dev/drbd0; disk /dev/vdb; address 192.168.122.12:7788; meta-disk internal; }\n}\n")
    root = site(tmp_path, "node alpha\nnode bravo\nproperty stonith-enabled=true\n")
    for h in ("alpha", "bravo"):
        (root / h / "etc" / "drbd.d").mkdir()
        (root / h / "etc" / "drbd.d" / "r0.res").write_text(res)
    result = check([str(root)])
    assert result.site.drbd_version == "8.4"
    assert [f for f in result.findings if f.code == "DRBD121"] == []
    protocol_less = res.replace("\tprotocol C;\n\tnet { allow-two-primaries yes; }\n", "\tprotocol C;\n")
    for h in ("alpha", "bravo"):
        (root / h / "etc" / "drbd.d" / "r0.res").write_text(protocol_less)
    again = check([str(root)])
    assert again.site.drbd_version == "8.3"
    assert [f.code for f in again.findings if f.code == "DRBD121"] == ["DRBD121", "DRBD121"]
