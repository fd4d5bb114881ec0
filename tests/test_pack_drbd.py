"""The DRBD rule pack (DRBD1xx): targeted tests beyond the generic
docs/fixture tests: the seed site, version variants, multi-host drift,
crm + DRBD interplay, fixes (exact text, convergence, idempotence), and
agreement with the real drbdadm where it reports the same problem."""

from __future__ import annotations

import os
import shutil
import subprocess
import textwrap
import time
from pathlib import Path

import pytest

from conftest import FIXTURES, need
from sanlint.api import check
from sanlint.config import Settings
from sanlint.fixes import apply_edits, plan
from sanlint.runner import run
from sanlint.site import build

RULES = FIXTURES / "rules"
SEED = FIXTURES / "sites" / "seed"
DRBD_CONF = 'include "drbd.d/*.res";\n'


def make_site(root: Path, files: dict[str, str]) -> Path:
    """files: {"san-1/etc/drbd.d/r0.res": text, "cluster.crm": text}; adds drbd.conf per host."""
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(textwrap.dedent(text).lstrip("\n"))
        if "/etc/drbd.d/" in rel:
            conf = root / rel.split("/etc/")[0] / "etc" / "drbd.conf"
            if not conf.exists():
                conf.write_text(DRBD_CONF)
    return root


def findings(site: Path, code_prefix: str = "DRBD", drbd_version: str | None = None):
    s = Settings(drbd_version=drbd_version)
    return [f for f in check([str(site)], settings=s).findings if f.code.startswith(code_prefix)]


def codes(site: Path, **kw) -> list[tuple[str, str, int]]:
    return sorted((f.code, os.path.relpath(f.path, site), f.line) for f in findings(site, **kw))


def run_fixes(site: Path, unsafe: bool = False, drbd_version: str | None = None, write: bool = True):
    """Plan the verified fixes as `sanlint check --fix` does; write them; return {relpath: new text}."""
    settings = Settings(drbd_version=drbd_version)
    from sanlint.runner import load_rules

    # this pack's and the input rules' findings (other packs' fixes are theirs to test)
    only = [c for c in load_rules() if c.startswith(("DRBD", "SAN"))]

    def checker(overrides):
        st, problems = build([str(site)], None, settings.as_dict(), overrides)
        return run(st, problems, settings, only=only).findings

    out = plan(checker, unsafe=unsafe)
    result = {}
    for real, data in out.new_data.items():
        if write:
            Path(real).write_bytes(data)
        result[os.path.relpath(real, site)] = data.decode()
    return result, out


def node(name, i, ip, minor=0, disk="/dev/vg0/r0", port=7789, node_id=None):
    nid = f" node-id {node_id};" if node_id is not None else ""
    return f"  on {name} {{{nid} device /dev/drbd{minor}; disk {disk}; meta-disk internal; address {ip}:{port}; }}\n"


CRM = """\
node alpha
node bravo
primitive p_drbd_r0 ocf:linbit:drbd params drbd_resource=r0 \\
  op monitor interval=29s role=Master op monitor interval=31s role=Slave
ms ms_drbd_r0 p_drbd_r0 meta master-max=1 clone-max=2 notify=true
"""


# -- the seed site ------------------------------------------------------------------

def test_seed_site_gives_exactly_the_expected_drbd_findings():
    got = codes(SEED)
    want = sorted((code, f"{h}/etc/drbd.d/sandisk0.res", line)
                  for h in ("san-1", "san-2")
                  for code, line in (("DRBD120", 23), ("DRBD121", 24), ("DRBD122", 4), ("DRBD130", 1)))
    assert got == want


def test_seed_version_is_83_and_named_in_version_messages():
    site, _ = build([str(SEED)])
    assert site.drbd_version == "8.3"
    msg = [f.message for f in findings(SEED) if f.code == "DRBD121"][0]
    assert "172.17.50.0/24" in msg and "/24 assumed" in msg and "DRBD 8.3 default c-plan-ahead 0" in msg


SEED_FIXED = """\
resource sandisk0 {
        protocol        C;
        disk {
                on-io-error        detach;
                fencing resource-only;
        }
"""


def test_seed_fixes_converge_and_are_idempotent(tmp_path):
    # the seed is a DRBD 8.3 site (drbdadm-83 accepts it): DRBD122's fix applies, DRBD120 has none
    # there (drbdadm-83 refuses the 8.4 places of the syncer options), and the result stays 8.3
    site = tmp_path / "seed"
    shutil.copytree(SEED, site)
    changed, out = run_fixes(site)
    assert not out.rejected, out.rejected
    assert sorted(changed) == ["san-1/etc/drbd.d/sandisk0.res", "san-2/etc/drbd.d/sandisk0.res"]
    for rel, text in changed.items():
        assert text.startswith(SEED_FIXED)
        assert text.endswith("        syncer {\n                rate 70M;\n        }\n}\n")
        run = subprocess.run([need("/lib/drbd/drbdadm-83"), "-c", str(site / rel), "sh-nop"], capture_output=True,
                             text=True, timeout=30)
        assert run.returncode == 0, run.stderr
    assert codes(site) == sorted((c, f"{h}/etc/drbd.d/sandisk0.res", line) for h in ("san-1", "san-2")
                                 for c, line in (("DRBD120", 23), ("DRBD121", 24), ("DRBD130", 1)))
    again, _ = run_fixes(site)
    assert again == {}


# -- DRBD101-107 -----------------------------------------------------------------------

def test_port_clash_reports_the_later_resource_and_names_the_first():
    fs = [f for f in findings(RULES / "DRBD101" / "bad") if f.code == "DRBD101"]
    assert all("resources r0 and r1" in f.message and f.path.endswith("r1.res") for f in fs)
    assert {"10.0.0.1:7789", "10.0.0.2:7789"} == {m for f in fs for m in ("10.0.0.1:7789", "10.0.0.2:7789") if m in f.message}


def test_port_clash_only_the_own_address_when_the_host_is_known(tmp_path):
    r0 = "resource r0 {\n" + node("san-1", 0, "10.0.0.1") + node("san-2", 1, "10.0.0.2") + "}\n"
    r1 = "resource r1 {\n" + node("san-1", 0, "10.0.0.1", 1, "/dev/vg0/r1") + node("san-2", 1, "10.0.0.2", 1, "/dev/vg0/r1") + "}\n"
    site = make_site(tmp_path, {f"{h}/etc/drbd.d/{n}.res": t for h in ("san-1", "san-2") for n, t in (("r0", r0), ("r1", r1))})
    got = [(os.path.relpath(f.path, site), f.line, f.message.split(" (")[0]) for f in findings(site) if f.code == "DRBD101"]
    assert got == [("san-1/etc/drbd.d/r1.res", 2, "resources r0 and r1 both use 10.0.0.1:7789"),
                   ("san-2/etc/drbd.d/r1.res", 3, "resources r0 and r1 both use 10.0.0.2:7789")]


def test_minor_clash_device_path_without_minor_and_9_host_matching(tmp_path):
    r0 = "resource r0 {\n" + node("ALPHA", 0, "10.0.0.1") + node("bravo", 1, "10.0.0.2") + "}\n"
    r1 = "resource r1 {\n" + node("alpha.example.com", 0, "10.0.0.1", 0, "/dev/vg0/r1", 7790) \
        + node("bravo", 1, "10.0.0.2", 1, "/dev/vg0/r1", 7790) + "}\n"
    site = make_site(tmp_path, {"h/etc/drbd.d/r0.res": r0, "h/etc/drbd.d/r1.res": r1})
    # DRBD 9 compares host names ignoring case and domain: ALPHA == alpha.example.com
    assert [f.line for f in findings(site, drbd_version="9") if f.code == "DRBD102"] == [2]
    # 8.4 compares exactly: different hosts, no clash
    assert [f for f in findings(site, drbd_version="8.4") if f.code == "DRBD102"] == []


def test_bad_address_variants(tmp_path):
    r0 = "resource r0 {\n" + node("alpha", 0, "10.0.0.1", port=0) + node("bravo", 1, "300.0.0.2") + "}\n"
    site = make_site(tmp_path, {"h/etc/drbd.d/r0.res": r0})
    msgs = sorted(f.message for f in findings(site) if f.code == "DRBD107")
    assert len(msgs) == 2
    assert "port 0 is outside 1-65535" in msgs[0] and "300.0.0.2 is not a valid IPv4 address" in msgs[1]


# -- DRBD104: cluster nodes -------------------------------------------------------------

def _named_site(tmp_path, names, crm_nodes):
    r0 = "resource r0 {\n  disk { fencing resource-only; }\n" \
         "  handlers { fence-peer \"/usr/lib/drbd/crm-fence-peer.sh\"; after-resync-target \"/usr/lib/drbd/crm-unfence-peer.sh\"; }\n" \
         + node(names[0], 0, "10.0.0.1") + node(names[1], 1, "10.0.0.2") + "}\n"
    crm = CRM.replace("node alpha\nnode bravo\n", "".join(f"node {n}\n" for n in crm_nodes))
    return make_site(tmp_path, {"san-1/etc/drbd.d/r0.res": r0, "cluster.crm": crm})


def test_host_names_84_exact_vs_9_fqdn_and_case(tmp_path):
    site = _named_site(tmp_path, ("ALPHA", "bravo"), ("alpha.example.com", "bravo.example.com"))
    f84 = [f for f in findings(site, drbd_version="8.4") if f.code == "DRBD104"]
    assert [f.line for f in f84] == [4, 5]
    assert "DRBD 8.4 assumed" in f84[0].message and "alpha.example.com" in f84[0].message
    assert [f for f in findings(site, drbd_version="9") if f.code == "DRBD104"] == []


def test_missing_node_section_and_banned_node(tmp_path):
    site = _named_site(tmp_path, ("alpha", "bravo"), ("alpha", "bravo", "charlie"))
    got = [f for f in findings(site) if f.code == "DRBD104"]
    assert [(f.line, "charlie" in f.message) for f in got] == [(1, True)]
    crm = (site / "cluster.crm").read_text() + "location l_no_drbd_on_charlie ms_drbd_r0 -inf: charlie\n"
    (site / "cluster.crm").write_text(crm)
    assert [f for f in findings(site) if f.code == "DRBD104"] == []


def test_unmanaged_resources_are_not_checked_against_cluster_nodes(tmp_path):
    site = _named_site(tmp_path, ("x", "y"), ("alpha", "bravo"))
    (site / "cluster.crm").write_text("node alpha\nnode bravo\n")
    assert [f for f in findings(site) if f.code in ("DRBD104", "DRBD111", "DRBD116", "DRBD117")] == []


# -- DRBD105: drift ------------------------------------------------------------------------

def test_drift_names_the_first_differing_statement_on_each_side(tmp_path):
    base = "resource r0 {\n  net {\n    protocol C;\n    max-buffers 8000;\n  }\n" \
           + node("san-1", 0, "10.0.0.1") + node("san-2", 1, "10.0.0.2") + "}\n"
    other = base.replace("    max-buffers 8000;\n", "    max-buffers 2048;\n    sndbuf-size 0;\n")
    # the same options in another order and layout are not drift
    reordered = base.replace("    protocol C;\n    max-buffers 8000;\n", "    max-buffers   8000; protocol C;\n")
    site = make_site(tmp_path, {"san-1/etc/drbd.d/r0.res": base, "san-2/etc/drbd.d/r0.res": other,
                                "san-3/etc/drbd.d/r0.res": reordered})
    got = [f for f in findings(site) if f.code == "DRBD105"]
    assert [(os.path.relpath(f.path, site), f.line) for f in got] == [("san-2/etc/drbd.d/r0.res", 4)]
    m = got[0].message
    assert "san-2 has `max-buffers 2048;`" in m and "san-2/etc/drbd.d/r0.res:4" in m
    assert "san-1 has `max-buffers 8000;`" in m and "san-1/etc/drbd.d/r0.res:4" in m


def test_drift_never_shows_a_secret(tmp_path):
    base = "resource r0 {\n  net { cram-hmac-alg sha1; shared-secret \"AAA-secret\"; }\n" \
           + node("san-1", 0, "10.0.0.1") + node("san-2", 1, "10.0.0.2") + "}\n"
    site = make_site(tmp_path, {"san-1/etc/drbd.d/r0.res": base,
                                "san-2/etc/drbd.d/r0.res": base.replace("AAA-secret", "BBB-secret")})
    got = [f for f in findings(site) if f.code == "DRBD105"]
    assert len(got) == 1 and "shared-secret <secret>" in got[0].message
    assert "AAA" not in got[0].message and "BBB" not in got[0].message


def test_drift_in_common_is_reported_once(tmp_path):
    files = {}
    for h in ("san-1", "san-2"):
        for i in range(3):
            files[f"{h}/etc/drbd.d/r{i}.res"] = f"resource r{i} {{\n" + node("san-1", 0, "10.0.0.1", i, f"/dev/vg0/r{i}", 7789 + i) \
                + node("san-2", 1, "10.0.0.2", i, f"/dev/vg0/r{i}", 7789 + i) + "}\n"
        files[f"{h}/etc/drbd.d/global_common.conf"] = "common {\n  net { protocol %s; }\n}\n" % ("C" if h == "san-1" else "A")
    site = make_site(tmp_path, files)
    (site / "san-1/etc/drbd.conf").write_text('include "drbd.d/global_common.conf";\ninclude "drbd.d/*.res";\n')
    (site / "san-2/etc/drbd.conf").write_text('include "drbd.d/global_common.conf";\ninclude "drbd.d/*.res";\n')
    got = [f for f in findings(site) if f.code == "DRBD105"]
    assert [(os.path.relpath(f.path, site), f.line) for f in got] == [("san-2/etc/drbd.d/global_common.conf", 2)]


# -- version variants: DRBD113 / DRBD114 ----------------------------------------------------

HANDLERS_84 = """\
resource r0 {
  disk { fencing resource-only; }
  handlers {
    fence-peer "/usr/lib/drbd/crm-fence-peer.sh";
    after-resync-target "/usr/lib/drbd/crm-unfence-peer.sh";
  }
  on alpha { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.1:7789; }
  on bravo { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.2:7789; }
}
"""


def test_84_handlers_are_right_for_84_and_wrong_for_9(tmp_path):
    site = make_site(tmp_path, {"san-1/etc/drbd.d/r0.res": HANDLERS_84})
    assert [f for f in findings(site) if f.code in ("DRBD110", "DRBD112", "DRBD113", "DRBD114")] == []
    got = [(f.code, f.line) for f in findings(site, drbd_version="9") if f.code in ("DRBD113", "DRBD114")]
    assert sorted(got) == [("DRBD113", 4), ("DRBD113", 5), ("DRBD114", 2)]
    assert all("DRBD 9 assumed: set by drbd-version" in f.message
               for f in findings(site, drbd_version="9") if f.code in ("DRBD113", "DRBD114"))


def test_fixes_under_9_move_fencing_and_swap_the_handlers(tmp_path):
    site = make_site(tmp_path, {"san-1/etc/drbd.d/r0.res": HANDLERS_84.replace("resource r0 {\n", "resource r0 {\n  protocol C;\n")})
    changed, out = run_fixes(site, drbd_version="9")
    assert not out.rejected, out.rejected
    assert changed["san-1/etc/drbd.d/r0.res"] == """\
resource r0 {
  handlers {
    fence-peer "/usr/lib/drbd/crm-fence-peer.9.sh";
    unfence-peer "/usr/lib/drbd/crm-unfence-peer.9.sh";
  }
  net {
    protocol C;
    fencing resource-only;
  }
  on alpha { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.1:7789; }
  on bravo { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.2:7789; }
}
"""
    assert [f for f in findings(site, drbd_version="9") if f.code in ("DRBD113", "DRBD114")] == []
    assert run_fixes(site, drbd_version="9")[0] == {}


def test_9_handlers_under_84_are_swapped_back(tmp_path):
    text = HANDLERS_84.replace("crm-fence-peer.sh", "crm-fence-peer.9.sh").replace(
        'after-resync-target "/usr/lib/drbd/crm-unfence-peer.sh"', 'unfence-peer "/usr/lib/drbd/crm-unfence-peer.9.sh"')
    site = make_site(tmp_path, {"san-1/etc/drbd.d/r0.res": text})
    assert sorted(f.line for f in findings(site, drbd_version="8.4") if f.code == "DRBD113") == [4, 5]
    changed, out = run_fixes(site, drbd_version="8.4")
    assert not out.rejected
    assert changed["san-1/etc/drbd.d/r0.res"] == HANDLERS_84


def test_outdate_peer_under_9_is_renamed(tmp_path):
    text = HANDLERS_84.replace("fence-peer \"/usr/lib/drbd/crm-fence-peer.sh\"", "outdate-peer \"/usr/lib/drbd/crm-fence-peer.9.sh\"") \
        .replace('after-resync-target "/usr/lib/drbd/crm-unfence-peer.sh"', 'unfence-peer "/usr/lib/drbd/crm-unfence-peer.9.sh"') \
        .replace("disk { fencing", "net { fencing")
    site = make_site(tmp_path, {"san-1/etc/drbd.d/r0.res": text})
    got = [f for f in findings(site, drbd_version="9") if f.code.startswith("DRBD11")]
    assert [(f.code, f.line) for f in got] == [("DRBD113", 4)]  # not also DRBD110
    changed, _ = run_fixes(site, drbd_version="9")
    assert '    fence-peer "/usr/lib/drbd/crm-fence-peer.9.sh";\n' in changed["san-1/etc/drbd.d/r0.res"]
    # 8.4 renames outdate-peer itself: only the .9.sh script is wrong there
    assert [f.code for f in findings(site, drbd_version="8.4") if f.code == "DRBD110"] == []


def test_net_fencing_under_84_moves_to_disk(tmp_path):
    text = HANDLERS_84.replace("disk { fencing resource-only; }", "net { fencing resource-only; max-buffers 8000; }")
    site = make_site(tmp_path, {"san-1/etc/drbd.d/r0.res": text})
    # only drbdadm 9 accepts net { fencing }: inferred, the site is 9; said to run 8.4, the option is misplaced
    assert [f for f in findings(site) if f.code == "DRBD114"] == []
    assert [(f.code, f.line) for f in findings(site, drbd_version="8.4") if f.code == "DRBD114"] == [("DRBD114", 2)]
    changed, out = run_fixes(site, drbd_version="8.4")
    assert not out.rejected
    assert changed["san-1/etc/drbd.d/r0.res"].startswith(
        "resource r0 {\n  net { max-buffers 8000; }\n  handlers {\n    fence-peer \"/usr/lib/drbd/crm-fence-peer.sh\";\n"
        "    after-resync-target \"/usr/lib/drbd/crm-unfence-peer.sh\";\n  }\n  disk {\n    fencing resource-only;\n  }\n")


# -- fencing / crm interplay ------------------------------------------------------------------

BARE = """\
resource r0 {
  on alpha { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.1:7789; }
  on bravo { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.2:7789; }
}
"""


def test_managed_without_fencing_unsafe_fix(tmp_path):
    site = make_site(tmp_path, {"san-1/etc/drbd.d/r0.res": BARE, "cluster.crm": CRM})
    assert [(f.code, f.line) for f in findings(site) if f.code.startswith("DRBD11")] == [("DRBD111", 1)]
    f = [f for f in findings(site) if f.code == "DRBD111"][0]
    assert f.fix is not None and not f.fix.safe and "p_drbd_r0" in f.message
    assert run_fixes(site, write=False)[0] == {}  # safe fixes only: nothing
    changed, out = run_fixes(site, unsafe=True)
    assert changed["san-1/etc/drbd.d/r0.res"] == """\
resource r0 {
  disk {
    fencing resource-only;
  }
  handlers {
    fence-peer "/usr/lib/drbd/crm-fence-peer.sh";
    after-resync-target "/usr/lib/drbd/crm-unfence-peer.sh";
  }
  on alpha { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.1:7789; }
  on bravo { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.2:7789; }
}
"""
    assert [f for f in findings(site) if f.code.startswith("DRBD11")] == []


def test_fencing_without_handler_fix_is_safe_only_with_pacemaker(tmp_path):
    text = BARE.replace("resource r0 {\n", "resource r0 {\n  disk {\n    fencing resource-only;\n  }\n")
    site = make_site(tmp_path / "a", {"san-1/etc/drbd.d/r0.res": text})
    f = [f for f in findings(site) if f.code == "DRBD110"][0]
    assert f.fix.needs_choice
    site = make_site(tmp_path / "b", {"san-1/etc/drbd.d/r0.res": text, "cluster.crm": CRM})
    changed, out = run_fixes(site, drbd_version="9")
    # under 9 the fix adds the 9 handlers (and DRBD114 moves fencing to net)
    assert 'fence-peer "/usr/lib/drbd/crm-fence-peer.9.sh";' in changed["san-1/etc/drbd.d/r0.res"]
    assert 'unfence-peer "/usr/lib/drbd/crm-unfence-peer.9.sh";' in changed["san-1/etc/drbd.d/r0.res"]
    assert [f for f in findings(site, drbd_version="9") if f.code.startswith("DRBD11")] == []


def test_unfence_fix_per_version(tmp_path):
    text = BARE.replace("resource r0 {\n", "resource r0 {\n  net { fencing resource-only; }\n"
                        "  handlers {\n    fence-peer \"/lib/drbd/crm-fence-peer.9.sh\";\n  }\n")
    site = make_site(tmp_path, {"san-1/etc/drbd.d/r0.res": text})
    f = [f for f in findings(site, drbd_version="9") if f.code == "DRBD112"]
    assert len(f) == 1 and "DRBD 9 assumed" in f[0].message
    changed, _ = run_fixes(site, drbd_version="9")
    assert '    fence-peer "/lib/drbd/crm-fence-peer.9.sh";\n    unfence-peer "/lib/drbd/crm-unfence-peer.9.sh";\n' \
        in changed["san-1/etc/drbd.d/r0.res"]


def test_become_primary_on_fix_deletes_the_statement_or_section(tmp_path):
    text = BARE.replace("resource r0 {\n", "resource r0 {\n  disk { fencing resource-only; }\n"
                        "  handlers { fence-peer \"/usr/lib/drbd/crm-fence-peer.sh\"; after-resync-target \"/usr/lib/drbd/crm-unfence-peer.sh\"; }\n"
                        "  startup {\n    become-primary-on alpha;\n  }\n")
    site = make_site(tmp_path, {"san-1/etc/drbd.d/r0.res": text, "cluster.crm": CRM})
    changed, out = run_fixes(site)
    assert "startup" not in changed["san-1/etc/drbd.d/r0.res"]
    assert changed["san-1/etc/drbd.d/r0.res"].count("\n") == text.count("\n") - 3


def test_dual_primary_and_protocol_rules(tmp_path):
    text = BARE.replace("resource r0 {\n", "resource r0 {\n  net { protocol A; allow-two-primaries; }\n")
    site = make_site(tmp_path, {"san-1/etc/drbd.d/r0.res": text, "cluster.crm": CRM})
    got = {f.code: f.message for f in findings(site)}
    assert "fencing is not set" in got["DRBD115"] and "protocol A" in got["DRBD115"]
    assert "protocol A" in got["DRBD117"]
    assert "DRBD118" not in got  # no resource-and-stonith


# -- DRBD120 / 121 / 122 fixes --------------------------------------------------------------------

def test_syncer_in_common_becomes_new_sections(tmp_path):
    common = "common {\n  handlers {\n    split-brain \"/usr/lib/drbd/notify-split-brain.sh root\";\n  }\n" \
             "  syncer {\n    rate 33M;\n    al-extents 257;\n    verify-alg sha1;\n    cpu-mask 3;\n    delay-probe-volume 16k;\n  }\n}\n"
    site = make_site(tmp_path, {"san-1/etc/drbd.d/global_common.conf": common, "san-1/etc/drbd.d/r0.res": BARE})
    (site / "san-1/etc/drbd.conf").write_text('include "drbd.d/global_common.conf";\ninclude "drbd.d/*.res";\n')
    assert [(f.code, f.line) for f in findings(site) if f.code == "DRBD120"] == [("DRBD120", 5)]
    changed, out = run_fixes(site, drbd_version="8.4")
    assert not out.rejected
    assert changed["san-1/etc/drbd.d/global_common.conf"] == """\
common {
  handlers {
    split-brain "/usr/lib/drbd/notify-split-brain.sh root";
  }
  disk {
    resync-rate 33M;
    al-extents 257;
  }
  net {
    verify-alg sha1;
  }
  options {
    cpu-mask 3;
  }
}
"""


def test_syncer_has_no_fix_under_83(tmp_path):
    # 8.3 inferred from the syncer section (with the resource-level protocol 8.3 requires): drbdadm-83
    # refuses disk { resync-rate }, so the only valid spelling on that site is the syncer section
    site = make_site(tmp_path, {"san-1/etc/drbd.d/r0.res": BARE.replace(
        "resource r0 {\n", "resource r0 {\n  protocol C;\n  syncer { rate 10M; }\n")})
    changed, out = run_fixes(site)
    assert "san-1/etc/drbd.d/r0.res" not in changed
    assert [f.fix for f in findings(site) if f.code == "DRBD120"] == [None]


def test_syncer_without_protocol_is_not_83(tmp_path):
    # drbdadm-83: "protocol definition missing"; 8.4 accepts the file, so it is checked (and fixed) as 8.4
    site = make_site(tmp_path, {"san-1/etc/drbd.d/r0.res": BARE.replace("resource r0 {\n", "resource r0 {\n  syncer { rate 10M; }\n")})
    changed, out = run_fixes(site)
    # the section is rewritten where it stood, in its own layout (as `migrate drbd-84` does)
    assert changed["san-1/etc/drbd.d/r0.res"].startswith("resource r0 {\n  disk { resync-rate 10M; }\n  on alpha")


def test_totem_network_from_the_nodelist(tmp_path):
    r0 = "resource r0 {\n  disk { resync-rate 100M; c-plan-ahead 0; }\n" + node("san-1", 0, "192.168.7.11") \
         + node("san-2", 1, "192.168.7.12") + "}\n"
    coro = "totem {\n  version: 2\n  cluster_name: c\n  transport: knet\n}\nnodelist {\n  node {\n    name: san-1\n" \
           "    nodeid: 1\n    ring0_addr: 10.9.0.1\n    ring1_addr: 192.168.7.1\n  }\n}\n"
    site = make_site(tmp_path, {"san-1/etc/drbd.d/r0.res": r0, "san-1/etc/corosync/corosync.conf": coro})
    got = [f for f in findings(site) if f.code == "DRBD121"]
    assert len(got) == 1 and "ring1_addr 192.168.7.1 of node san-1" in got[0].message and "192.168.7.11" in got[0].message
    # the dynamic controller (8.4 default) is not a fixed rate: DRBD123 instead
    (site / "san-1/etc/drbd.d/r0.res").write_text(r0.replace(" c-plan-ahead 0;", ""))
    assert sorted(f.code for f in findings(site) if f.code in ("DRBD121", "DRBD123")) == ["DRBD123"]


def test_pass_on_fix_touches_only_the_value(tmp_path):
    text = BARE.replace("resource r0 {\n", "resource r0 {\n  disk {\n    on-io-error   pass_on;   # old default\n  }\n")
    site = make_site(tmp_path, {"san-1/etc/drbd.d/r0.res": text})
    changed, _ = run_fixes(site)
    assert changed["san-1/etc/drbd.d/r0.res"] == text.replace("pass_on;", "detach;")


def test_fix_edits_apply_directly():
    """The edits of a fix are plain byte-span edits (apply_edits)."""
    f = [f for f in check([str(SEED)]).findings if f.code == "DRBD122"][0]
    src = f.fix.edits[0].file
    new = apply_edits(src.data, f.fix.edits).decode()
    assert "on-io-error        detach;" in new and new.count("\n") == src.text.count("\n")


# -- agreement with the real drbdadm ----------------------------------------------------------------

def _drbdadm(conf: Path, *args: str, node: str | None = None) -> subprocess.CompletedProcess:
    exe = need("drbdadm")
    env = dict(os.environ, DRBD_DRIVER_VERSION_OVERRIDE="9.2.0")
    if node:
        env["__DRBD_NODE__"] = node
    return subprocess.run([exe, "-c", str(conf), *args], capture_output=True, text=True, env=env, timeout=30,
                          stdin=subprocess.DEVNULL)


def _sanlint(code: str) -> list:
    site = RULES / code / "bad"
    return [f for f in check([str(site)]).findings if f.code == code]


@pytest.mark.oracle
@pytest.mark.parametrize("code", ["DRBD101", "DRBD102", "DRBD103", "DRBD107", "DRBD114"])
def test_drbdadm_accepts_the_good_fixture(code):
    r = _drbdadm(RULES / code / "good" / "san-1" / "etc" / "drbd.conf", "dump", "all")
    assert r.returncode == 0, r.stderr


@pytest.mark.oracle
def test_drbdadm_agrees_on_port_clash():
    r = _drbdadm(RULES / "DRBD101" / "bad" / "san-1" / "etc" / "drbd.conf", "dump", "all")
    assert r.returncode == 10
    assert "in resource r1" in r.stderr and "ipv4:10.0.0.1:7789 is also used" in r.stderr and "(resource r0)" in r.stderr
    ours = _sanlint("DRBD101")
    assert any("resources r0 and r1 both use 10.0.0.1:7789" in f.message and f.path.endswith("r1.res") for f in ours)
    assert any("10.0.0.2:7789" in f.message for f in ours) == ("ipv4:10.0.0.2:7789 is also used" in r.stderr)


@pytest.mark.oracle
def test_drbdadm_agrees_on_minor_clash():
    r = _drbdadm(RULES / "DRBD102" / "bad" / "san-1" / "etc" / "drbd.conf", "dump", "all")
    assert r.returncode == 10
    assert "conflicting use of device-minor 'device-minor:node1:0'" in r.stderr and "r1.res" in r.stderr
    ours = _sanlint("DRBD102")
    assert [(f.path.endswith("r1.res"), "resources r0 and r1 both use minor 0 on host node1" in f.message) for f in ours] \
        == [(True, True)]


@pytest.mark.oracle
def test_drbdadm_agrees_on_disk_clash():
    r = _drbdadm(RULES / "DRBD103" / "bad" / "san-1" / "etc" / "drbd.conf", "dump", "all")
    assert r.returncode == 10
    assert "conflicting use of disk 'disk:node1:/dev/vg0/r0'" in r.stderr and "r1.res" in r.stderr
    ours = _sanlint("DRBD103")
    assert any(f.path.endswith("r1.res") and "resources r0 and r1 both use backing disk /dev/vg0/r0 on host node1"
               in f.message for f in ours)


@pytest.mark.oracle
def test_drbdadm_agrees_on_port_out_of_range():
    r = _drbdadm(RULES / "DRBD107" / "bad" / "san-1" / "etc" / "drbd.conf", "dump", "all")
    assert r.returncode == 10 and "port 99999 => 99999 out of range [1..65535]" in r.stderr
    line = int(r.stderr.split("r0.res:")[1].split(":")[0])
    ours = [f for f in _sanlint("DRBD107") if "port 99999" in f.message]
    assert [(f.path.endswith("r0.res"), f.line) for f in ours] == [(True, line)]


@pytest.mark.oracle
def test_drbdadm_9_rejects_fencing_in_disk_and_the_fix_makes_it_accept(tmp_path):
    src = RULES / "DRBD114" / "bad"
    r = _drbdadm(src / "san-1" / "etc" / "drbd.conf", "dump", "all")
    assert r.returncode == 10 and "but got 'fencing'" in r.stderr
    line = int(r.stderr.split("r0.res:")[1].split(":")[0])
    assert line in [f.line for f in _sanlint("DRBD114") if "`fencing`" in f.message]
    site = tmp_path / "site"
    shutil.copytree(src, site)
    _, out = run_fixes(site)
    assert not out.rejected
    r = _drbdadm(site / "san-1" / "etc" / "drbd.conf", "dump", "all")
    assert r.returncode == 0, r.stderr
    assert "fencing" in r.stdout and "protocol" in r.stdout


# -- scale ------------------------------------------------------------------------------------------

def test_500_resources_stay_fast(tmp_path):
    files = {}
    crm = ["node san-1", "node san-2"]
    for i in range(500):
        text = f"resource r{i} {{\n  net {{ protocol C; cram-hmac-alg sha1; shared-secret \"x{i}\"; }}\n" \
               f"  disk {{ fencing resource-only; resync-rate 30M; c-max-rate 60M; }}\n" \
               "  handlers { fence-peer \"/usr/lib/drbd/crm-fence-peer.sh\"; after-resync-target \"/usr/lib/drbd/crm-unfence-peer.sh\"; }\n" \
               + node("san-1", 0, "10.0.0.1", i, f"/dev/vg0/r{i}", 7000 + i) \
               + node("san-2", 1, "10.0.0.2", i, f"/dev/vg0/r{i}", 7000 + i) + "}\n"
        for h in ("san-1", "san-2"):
            files[f"{h}/etc/drbd.d/r{i}.res"] = text
        crm.append(f"primitive p{i} ocf:linbit:drbd params drbd_resource=r{i}")
        crm.append(f"ms ms{i} p{i} meta master-max=1 clone-max=2 notify=true")
    files["cluster.crm"] = "\n".join(crm) + "\n"
    site = make_site(tmp_path, files)
    st, problems = build([str(site)])
    from sanlint.runner import load_rules
    from sanlint.rule import Context
    ctx = Context(site=st, settings={}, problems=problems)
    t = time.perf_counter()
    out = []
    for code, rule in load_rules().items():
        if code.startswith("DRBD"):
            out.extend(rule().check(ctx))
    elapsed = time.perf_counter() - t
    assert out == []
    assert elapsed < 5, f"DRBD rules took {elapsed:.2f}s on 500 resources x 2 hosts"
