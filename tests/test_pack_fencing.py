"""PCMK121/PCMK122 beyond their fixtures: the agent's own delay, per-device
timeouts, stonith-action=off, method=cycle, and Pacemaker versions."""

from __future__ import annotations

from pathlib import Path

from sanlint.api import check
from sanlint.config import from_table

BASE = """node san-1
node san-2
primitive fence-san-1 stonith:fence_ipmilan params ip=10.0.9.1 username=admin password=secret pcmk_host_list=san-1 {p1} op monitor interval=60s
primitive fence-san-2 stonith:fence_ipmilan params ip=10.0.9.2 username=admin password=secret pcmk_host_list=san-2 {p2} op monitor interval=60s
property stonith-enabled=true {props}
"""


def findings(tmp_path: Path, code: str, p1="", p2="", props="", settings=None):
    site = tmp_path / "site"
    (site / "san-1" / "etc").mkdir(parents=True, exist_ok=True)
    (site / "cluster.crm").write_text(BASE.format(p1=p1, p2=p2, props=props))
    return [f.message for f in check([str(site)], settings=settings).findings if f.code == code]


def test_the_agents_own_delay_breaks_the_fence_race(tmp_path):
    assert findings(tmp_path, "PCMK121")
    assert not findings(tmp_path, "PCMK121", p1="delay=10")


def test_device_timeout_and_action(tmp_path):
    # reboot = login 5 + 2 x power 20 + power_wait 2 = 47s > 40s
    assert len(findings(tmp_path, "PCMK122", props="stonith-timeout=40s")) == 2
    # a device's own pcmk_reboot_timeout wins over the cluster's
    assert len(findings(tmp_path, "PCMK122", p1="pcmk_reboot_timeout=120s", props="stonith-timeout=40s")) == 1
    # off needs one power_timeout (27s), and so does method=cycle on a reboot
    assert not findings(tmp_path, "PCMK122", props="stonith-timeout=40s stonith-action=off")
    assert len(findings(tmp_path, "PCMK122", p1="method=cycle", props="stonith-timeout=40s")) == 1
    # the default 60s holds the defaults; the agent's delay counts
    assert not findings(tmp_path, "PCMK122")
    assert len(findings(tmp_path, "PCMK122", p2="delay=20")) == 1


def test_pcmk_delay_base_counts_only_where_pacemaker_does_not_add_it(tmp_path):
    props = "stonith-timeout=60s"
    old = from_table({"pacemaker-version": "2.0"}, "test")
    assert len(findings(tmp_path, "PCMK122", p1="pcmk_delay_base=20s", props=props, settings=old)) == 1
    assert not findings(tmp_path, "PCMK122", p1="pcmk_delay_base=20s", props=props)  # 2.1: added to the timeout
    assert not findings(tmp_path, "PCMK122", p1="pcmk_delay_base=20s pcmk_delay_max=30s", props=props, settings=old)
