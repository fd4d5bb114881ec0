"""CORO102's advice follows the corosync version the site runs: rrp_mode and a second interface
for corosync 1.x/2.x, a second knet link in the nodelist for corosync 3 (which has no rrp_mode)."""

from __future__ import annotations

import shutil

from conftest import FIXTURES
from sanlint.api import check


def coro102(path) -> list[str]:
    return [f.message for f in check([str(path)]).findings if f.code == "CORO102"]


def test_corosync3_without_nodelist_is_told_about_knet_links_not_rrp_mode(tmp_path):
    site = tmp_path / "site"
    shutil.copytree(FIXTURES / "rules" / "CORO111" / "bad", site)  # corosync 3.1.7 installed, no nodelist
    got = coro102(site)
    assert got and all("ring1_addr" in m and "knet" in m and "rrp_mode passive" not in m for m in got), got


def test_corosync2_without_nodelist_keeps_the_redundant_ring_advice(tmp_path):
    site = tmp_path / "site"
    shutil.copytree(FIXTURES / "rules" / "CORO111" / "bad", site)
    for rpms in site.glob("*/installed-rpms"):
        rpms.write_text(rpms.read_text().replace("corosync-3.1.7-1.el9", "corosync-2.4.5-7.el7"))
    got = coro102(site)
    assert got and all("rrp_mode passive" in m for m in got), got
