"""Shared facts live once, in sanlint.views (doctested); `Rule.reads` drives
the runner (a rule whose inputs are absent is not run) and `sanlint rules`."""

from __future__ import annotations

import doctest

from click.testing import CliRunner

import sanlint.views
from sanlint.api import check
from sanlint.cli import main
from sanlint.runner import has_inputs, load_rules
from sanlint.source import SourceFile


def test_views_doctests():
    result = doctest.testmod(sanlint.views)
    assert result.attempted >= 4 and result.failed == 0


def test_one_node_name_helper_for_drbd104_and_coro103(tmp_path):
    # the host's corosync.conf gives the names; a second corosync file on a host does not add any
    from sanlint.parsers import corosync
    from sanlint.model import Host, Site

    text = "nodelist {\n node {\n  ring0_addr: san-1\n  nodeid: 1\n }\n node {\n  ring0_addr: 10.0.0.2\n" \
           "  name: san-2\n  nodeid: 2\n }\n node {\n  ring0_addr: 10.0.0.3\n  nodeid: 3\n }\n}\n"
    cfg = corosync.parse(SourceFile.from_text("corosync.conf", text, format="corosync"))
    other = corosync.parse(SourceFile.from_text("old.conf", text.replace("san-1", "old-1"), format="corosync"))
    site = Site(hosts={"san-1": Host("san-1", corosync=[cfg, other])})
    assert sanlint.views.cluster_node_names(site) == ["san-1", "san-2"]


def test_rules_whose_inputs_are_absent_are_not_run(tmp_path, capsys, monkeypatch):
    rules = load_rules()
    assert not has_inputs(rules["PCMK101"], {"drbd"}) and has_inputs(rules["PCMK101"], {"cluster"})
    site = tmp_path / "site"
    (site / "san-1/etc/drbd.d").mkdir(parents=True)
    (site / "san-1/etc/drbd.d/r0.res").write_text(
        "resource r0 {\n  on san-1 { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.1:7789; }\n"
        "  on san-2 { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.2:7789; }\n}\n")

    def boom(self, ctx):
        raise RuntimeError("PCMK101 ran on a site without a cluster")

    monkeypatch.setattr(rules["PCMK101"], "check", boom)
    check([str(site)])
    assert "PCMK101 ran" not in capsys.readouterr().err
    monkeypatch.setattr(rules["DRBD101"], "check", boom)
    check([str(site)])
    assert "internal error in rule DRBD101" in capsys.readouterr().err


def test_sanlint_rules_shows_what_each_rule_reads():
    out = CliRunner().invoke(main, ["rules"]).output
    assert "(reads drbd)" in out
