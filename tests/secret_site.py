"""A site full of secrets, in every written form sanlint reads (used by the
secret tests and the fuzz suite's oracle)."""

from __future__ import annotations

from pathlib import Path

# distinctive cores: none of them may appear in any output
SECRETS = ["Drbd1Esc9Q", "plainDrbd7Zk", "space4Tq", "brokenDrbd3Vv", "ietdIn5Rr", "ietdOut6Ss", "tgtIn8Pp",
           "tgtOut9Mm", "lioChap1Aa", "lioMut2Gg", "crmPass1Bb", "crmPass2Cc", "iscsiIn3Dd", "brokenCrm4Ee",
           "contCrm6Hh", "cibPass5Ff", "cibIsc7Jj"]

R0 = r'''resource r0 {
  net {
    cram-hmac-alg sha1;
    shared-secret "a\"Drbd1Esc9Q\\c";
  }
  syncer { rate 70M; }
  on alpha { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.1:7789; }
  on bravo { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.2:7789; }
}
'''
R1 = '''resource r1 {
  net { cram-hmac-alg sha1; shared-secret plainDrbd7Zk; }
  syncer { rate 70M; }
  on alpha { device /dev/drbd1; disk /dev/sdc; meta-disk internal; address 10.0.0.1:7790; }
  on bravo { device /dev/drbd1; disk /dev/sdc; meta-disk internal; address 10.0.0.2:7790; }
}
'''
R2 = '''resource r2 {
  net {
    cram-hmac-alg sha1; shared-secret "with space4Tq"; }
  on alpha { device /dev/drbd2; disk /dev/sdd; meta-disk internal; address 10.0.0.1:7791; }
  on bravo { device /dev/drbd2; disk /dev/sdd; meta-disk internal; address 10.0.0.2:7791; }
}
'''
BROKEN_DRBD = '''resource r3 {
  net { cram-hmac-alg sha1; shared-secret brokenDrbd3Vv }
}
'''
IETD = '''Target iqn.2024-03.com.example:t1
\tIncomingUser u1 ietdIn5Rr
\tOutgoingUser u2 ietdOut6Ss
\tLun 0 Path=/dev/vgsan/lun0,Type=fileio
'''
TGT = '''<target iqn.2024-03.com.example:t2>
    backing-store /dev/vgsan/lun1
    incominguser tu tgtIn8Pp
    outgoinguser to tgtOut9Mm
</target>
'''
LIO = '''{
  "storage_objects": [{"plugin": "block", "name": "lun2", "dev": "/dev/vgsan/lun2", "write_back": true}],
  "targets": [{"wwn": "iqn.2024-03.com.example:t3", "fabric": "iscsi", "tpgs": [{"tag": 1, "enable": true,
    "attributes": {"authentication": 1}, "portals": [{"ip_address": "0.0.0.0", "port": 3260}],
    "luns": [{"index": 0, "storage_object": "/backstores/block/lun2"}],
    "node_acls": [{"node_wwn": "iqn.2024-03.com.example:esx1", "chap_userid": "lu",
      "chap_password": "lioChap1Aa", "chap_mutual_userid": "mu", "chap_mutual_password": "lioMut2Gg",
      "mapped_luns": []}]}]}]
}
'''
CRM = r'''node 1: alpha
node 2: bravo
primitive fence-alpha stonith:fence_ipmilan \
    params ipaddr=10.0.99.1 login=admin passwd=crmPass1Bb pcmk_host_list=alpha \
    op monitor interval=60s
primitive fence-bravo stonith:fence_ipmilan \
    params ipaddr=10.0.99.2 login=admin password="crm crmPass2Cc" pcmk_host_list=bravo \
    op monitor interval=60s
primitive target ocf:heartbeat:iSCSITarget \
    params iqn="iqn.2024-03.com.example:t1" incoming_username=sanchap \
    incoming_password=iscsiIn3Dd \
    op monitor interval=10s
primitive cont ocf:heartbeat:Dummy \
    params passwd="contCrm6Hh"
ms ms_r0 drbd_r0 meta master-max=1 notify=true
primitive drbd_r0 ocf:linbit:drbd params drbd_resource=r0 op monitor interval=29s role=Master op monitor interval=31s role=Slave
property cib-bootstrap-options: stonith-enabled=true
'''
BROKEN_CRM = r'''primitive fence-x stonith:fence_ipmilan \
    params ipaddr=10.0.99.3 passwd=brokenCrm4Ee = = \
    op monitor interval=60s
'''
CIB = '''<cib validate-with="pacemaker-1.2" admin_epoch="0" epoch="1" num_updates="0">
  <configuration>
    <crm_config><cluster_property_set id="o"><nvpair id="o-s" name="stonith-enabled" value="true"/></cluster_property_set></crm_config>
    <nodes><node id="1" uname="alpha"/><node id="2" uname="bravo"/></nodes>
    <resources>
      <primitive id="f" class="stonith" type="fence_ipmilan">
        <instance_attributes id="f-ia">
          <nvpair id="f-ip" name="ipaddr" value="10.0.99.4"/>
          <nvpair id="f-pw" name="passwd" value="cibPass5Ff"/>
        </instance_attributes>
      </primitive>
      <primitive id="t" class="ocf" provider="heartbeat" type="iSCSITarget">
        <instance_attributes id="t-ia"><nvpair id="t-iqn" name="iqn" value="iqn.2024-03.com.example:t9"/>
          <nvpair id="t-pw" value="cibIsc7Jj" name="incoming_password"/></instance_attributes>
      </primitive>
      <master id="ms"><primitive id="d" class="ocf" provider="linbit" type="drbd">
        <instance_attributes id="d-ia"><nvpair id="d-r" name="drbd_resource" value="r0"/></instance_attributes>
      </primitive></master>
    </resources>
    <constraints/>
  </configuration>
</cib>
'''


def build(dest: Path) -> Path:
    """Write the site under `dest` and return it."""
    files = {
        "san-1/etc/drbd.conf": 'include "drbd.d/*.res";\n',
        "san-1/etc/drbd.d/r0.res": R0, "san-1/etc/drbd.d/r1.res": R1, "san-1/etc/drbd.d/r2.res": R2,
        "san-1/etc/drbd.d/r3.res": BROKEN_DRBD,
        "san-1/etc/ietd.conf": IETD,
        "san-1/etc/crm/broken.crm": BROKEN_CRM,
        "san-2/etc/drbd.conf": 'include "drbd.d/*.res";\n',
        "san-2/etc/drbd.d/r0.res": R0, "san-2/etc/drbd.d/r1.res": R1,
        "san-2/etc/tgt/targets.conf": TGT,
        "san-2/etc/target/saveconfig.json": LIO,
        "san-2/var/lib/pacemaker/cib/cib.xml": CIB,
        "cluster.crm": CRM,
    }
    for rel, text in files.items():
        p = dest / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    return dest
