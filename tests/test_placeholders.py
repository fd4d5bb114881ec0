"""SAN007: a placeholder left in a configuration is an error in every format
where it can appear; inside a comment (as the format's own parser reads
comments) it is none; public configurations give no false alarm."""

from __future__ import annotations

import pytest

from conftest import need_shared
from sanlint.api import check
from sanlint.source import SourceFile
from sanlint_rules.san.san007_placeholder_left import PlaceholderLeftRule

# format: (path in a host root or site, text with one placeholder, its line, the same placeholder in a comment)
CASES = {
    "drbd": ("san-1/etc/drbd.d/r0.res", 'resource r0 {\n  handlers { fence-peer "CHOOSE-fence-peer-handler"; }\n}\n', 2,
             'resource r0 {\n  handlers { fence-peer "/usr/lib/drbd/crm-fence-peer.9.sh"; } # not CHOOSE-x\n}\n'),
    "corosync": ("san-1/etc/corosync/corosync.conf",
                 "nodelist {\n  node {\n    ring0_addr: <NODE_IP>\n    nodeid: 1\n  }\n}\n", 3,
                 "nodelist {\n  node {\n    # ring0_addr: <NODE_IP>\n    ring0_addr: 10.0.0.1\n    nodeid: 1\n  }\n}\n"),
    "crm": ("cluster.crm", "primitive vg ocf:heartbeat:LVM-activate \\\n"
            "  params vgname=vgsan vg_access_mode=<system_id|tagging|lvmlockd>\n", 2,
            "# vg_access_mode=<system_id|tagging|lvmlockd> before the migration\n"
            "primitive vg ocf:heartbeat:LVM-activate params vgname=vgsan vg_access_mode=system_id\n"),
    "cib": ("cib.xml", '<cib validate-with="pacemaker-3.9" epoch="1" num_updates="0" admin_epoch="0"><configuration>'
            '<crm_config/><nodes/><resources><primitive id="ip" class="ocf" provider="heartbeat" type="IPaddr2">\n'
            '<instance_attributes id="ip-ia"><nvpair id="ip-ia-ip" name="ip" value="&lt;VIP&gt;"/>'
            '</instance_attributes></primitive></resources><constraints/></configuration><status/></cib>\n', 2,
            '<cib validate-with="pacemaker-3.9" epoch="1" num_updates="0" admin_epoch="0"><configuration>'
            '<crm_config/><nodes/><resources/><constraints/></configuration>\n<!-- ip="CHOOSE-VIP" -->\n'
            '<status><node_state id="1"><lrm><lrm_resources><lrm_resource id="x"><lrm_rsc_op id="o" '
            'exit-reason="local node &lt;node1&gt; is started"/></lrm_resource></lrm_resources></lrm></node_state>'
            '</status></cib>\n'),
    "tgt": ("san-1/etc/tgt/targets.conf", "<target iqn.2014-02.com.example:t1>\n  backing-store /dev/drbd0\n"
            "  incominguser iscsi CHANGEME\n</target>\n", 3,
            "<target iqn.2014-02.com.example:t1>\n  backing-store /dev/drbd0 # was CHANGEME\n</target>\n"),
    "ietd": ("san-1/etc/ietd.conf", "Target iqn.2014-02.com.example:t1\n  Lun 0 Path={{lun0_path}},Type=blockio\n", 2,
             "Target iqn.2014-02.com.example:t1\n  # Path={{lun0_path}}\n  Lun 0 Path=/dev/drbd0,Type=blockio\n"),
    "lvm": ("san-1/etc/lvm/lvm.conf", 'activation {\n  volume_list = [ "vgroot", "<cluster_vg>" ]\n}\n', 2,
            'activation {\n  volume_list = [ "vgroot" ] # add "<cluster_vg>"\n}\n'),
    "lio": ("san-1/etc/target/saveconfig.json",
            '{"storage_objects": [{"plugin": "block", "name": "lun0",\n "dev": "CHOOSE-device"}], "targets": []}\n', 2,
            None),
    "sbd": ("san-1/etc/sysconfig/sbd", 'SBD_DEVICE="<SBD_DEVICE>"\n', 1,
            '# SBD_DEVICE="<SBD_DEVICE>"\nSBD_DEVICE="/dev/disk/by-id/scsi-1"\n'),
}


def site(tmp_path, rel: str, text: str):
    root = tmp_path / "site"
    (root / rel).parent.mkdir(parents=True, exist_ok=True)
    (root / rel).write_text(text)
    (root / "san-1" / "etc").mkdir(parents=True, exist_ok=True)
    return root


@pytest.mark.parametrize("fmt", list(CASES))
def test_placeholder_is_an_error_in_every_format_but_not_in_a_comment(fmt, tmp_path):
    rel, text, line, commented = CASES[fmt]
    res = check([str(site(tmp_path / "bad", rel, text))])
    assert not [f for f in res.findings if f.code == "SAN001"], [f.message for f in res.findings]
    got = [(f.line, f.severity) for f in res.findings if f.code == "SAN007"]
    assert got == [(line, "error")], [f.message for f in res.findings]
    if commented is not None:
        res = check([str(site(tmp_path / "good", rel, commented))])
        assert not [f for f in res.findings if f.code in ("SAN007", "SAN001")], [f.message for f in res.findings]


def test_no_false_alarm_on_legitimate_values(tmp_path):
    rule = PlaceholderLeftRule()
    texts = {  # values that look a little like placeholders but are what the tools want
        "tgt": "<target iqn.2014-02.com.example:t1>\n  backing-store /dev/drbd0\n</target>\n",
        "crm": 'xml <primitive id="p" class="ocf" provider="heartbeat" type="Dummy"><meta/></primitive>\n'
               'primitive q Dummy meta description="exchange-me-not choose-later"\n',
        "drbd": 'resource r0 { handlers { split-brain "/usr/lib/drbd/notify-split-brain.sh root"; } }\n',
        "cib": '<cib><configuration><nodes><node id="1" uname="a"/></nodes></configuration></cib>\n',
    }
    for fmt, text in texts.items():
        src = SourceFile.from_text(f"f.{fmt}", text, format=fmt)
        assert not list(rule._scan(src)), fmt


def test_public_corpora_give_no_false_alarm():
    rule = PlaceholderLeftRule()
    corpus = need_shared("corpus/pacemaker-cts")
    files = sorted(corpus.glob("*.xml"))
    assert len(files) > 800
    hits = []
    for path in files:
        src = SourceFile(display=str(path), data=path.read_bytes(), path=path, format="cib")
        hits += [f.message for f in rule._scan(src)]
    samples = need_shared("research/samples")
    for path in sorted(samples.rglob("*")):
        if path.is_file():
            src = SourceFile(display=str(path), data=path.read_bytes(), path=path, format="drbd")
            hits += [f.message for f in rule._scan(src)]
    for path in sorted(need_shared("research/pacemaker-artifacts").glob("*.crm")):
        src = SourceFile(display=str(path), data=path.read_bytes(), path=path, format="crm")
        hits += [f.message for f in rule._scan(src)]
    assert hits == []
