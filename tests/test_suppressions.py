"""Inline suppressions per format (issue 9 item 7).

For each format: a suppression on its own line above the statement
suppresses its finding; one at the end of the line suppresses it only where
the format's own parser reads a trailing `#` as a comment (DRBD, LVM, tgt),
and elsewhere (corosync, crm, ietd, initiators.allow, sbd) it is not
honoured and SAN008 reports it.  The real tool accepts the file with the
suppression where it goes (drbdadm, lvmconfig, tgt-admin, corosync -t,
crmsh, crm_verify), and refuses the misplaced one where it can say so
(corosync -t on an integer value, crmsh on a statement).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from conftest import need
from sanlint.api import check
from sanlint.comments import code_only, comments
from sanlint.source import SourceFile
from test_fix_validation import refusal

DRBD = """resource r0 {
\tnet { cram-hmac-alg sha256; shared-secret "x1234567890"; }
\tdisk { on-io-error pass_on; }
\ton alpha { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.1:7789; }
\ton bravo { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.2:7789; }
}
"""
LVM = "devices {\n\twrite_cache_state = 1\n}\n"
TGT = "<target iqn.2014-02.com.example:t2>\n\tbacking-store /dev/drbd1\n</target>\n"
COROSYNC = """totem {
\tversion: 2
\tcluster_name: san
\tsecauth: off
\ttransport: udpu
}
nodelist {
\tnode {
\t\tring0_addr: 127.0.0.1
\t\tnodeid: 1
\t}
}
quorum {
\tprovider: corosync_votequorum
}
"""
CRM = "property stonith-enabled=false\nprimitive p ocf:heartbeat:Dummy \\\n\tmeta target-role=Started\n"
IETD = "Target iqn.2014-02.com.example:t1\n\tLun 0 Path=/dev/drbd0,Type=fileio,IOMode=wb\n"
SBD = 'SBD_DEVICE="/dev/disk/by-id/scsi-1"\nSBD_PACEMAKER=no\n'
CIB = """<cib validate-with="pacemaker-3.9" epoch="1" num_updates="0" admin_epoch="0">
  <configuration>
    <crm_config>
      <cluster_property_set id="cib-bootstrap-options">
        <nvpair id="opt-stonith" name="stonith-enabled" value="false"/>
      </cluster_property_set>
    </crm_config>
    <nodes/>
    <resources/>
    <constraints/>
  </configuration>
  <status/>
</cib>
"""

# format: (path in the site, text, line of the statement (1-based), code of its finding, trailing # is a comment)
CASES = {
    "drbd": ("san-1/etc/drbd.d/r0.res", DRBD, 3, "DRBD122", True),
    "lvm": ("san-1/etc/lvm/lvm.conf", LVM, 2, "LVM103", True),
    "tgt": ("san-1/etc/tgt/targets.conf", TGT, 2, "ISCSI106", True),
    "corosync": ("san-1/etc/corosync/corosync.conf", COROSYNC, 4, "CORO101", False),
    "crm": ("cluster.crm", CRM, 1, "PCMK101", False),
    "ietd": ("san-1/etc/ietd.conf", IETD, 2, "ISCSI106", False),
    "sbd": ("san-1/etc/sysconfig/sbd", SBD, 2, "SBD104", False),
}
REASON = "; accepted risk CHG-1"  # `--` is refused inside crm comments (crmsh stores them as XML comments)


def own_line(text: str, line: int, code: str) -> str:
    lines = text.splitlines(keepends=True)
    target = lines[line - 1]
    indent = target[:len(target) - len(target.lstrip())]
    lines.insert(line - 1, f"{indent}# sanlint: disable={code} {REASON}\n")
    return "".join(lines)


def trailing(text: str, line: int, code: str) -> str:
    lines = text.splitlines(keepends=True)
    lines[line - 1] = lines[line - 1].rstrip("\n") + f" # sanlint: disable={code} {REASON}\n"
    return "".join(lines)


def site_with(tmp_path: Path, rel: str, text: str) -> Path:
    site = tmp_path / "site"
    (site / rel).parent.mkdir(parents=True, exist_ok=True)
    (site / rel).write_text(text)
    (site / "san-1" / "etc").mkdir(parents=True, exist_ok=True)
    if rel.endswith(("lvm.conf", "targets.conf", "ietd.conf")):  # LVM103, ISCSI106 judge replicated nodes
        (site / "san-1/etc/drbd.d").mkdir(parents=True, exist_ok=True)
        (site / "san-1/etc/drbd.d/r0.res").write_text(DRBD.replace("pass_on", "detach"))
    return site


def codes_at(result, rel: str) -> list[tuple[str, int]]:
    return sorted((f.code, f.line) for f in result.findings if f.path and f.path.endswith(rel))


@pytest.mark.parametrize("fmt", list(CASES))
def test_placement_per_format(fmt, tmp_path):
    rel, text, line, code, trailing_ok = CASES[fmt]
    plain = check([str(site_with(tmp_path / "plain", rel, text))])
    assert (code, line) in codes_at(plain, rel)  # the finding the suppression is for

    above = check([str(site_with(tmp_path / "above", rel, own_line(text, line, code)))])
    got = codes_at(above, rel)
    assert (code, line + 1) not in got and not [c for c, _ in got if c in ("SAN004", "SAN008")], got
    assert [f.code for f in above.suppressed] == [code]

    end = check([str(site_with(tmp_path / "end", rel, trailing(text, line, code)))])
    got = codes_at(end, rel)
    if trailing_ok:
        assert (code, line) not in got and not [c for c, _ in got if c in ("SAN004", "SAN008")], got
        assert [f.code for f in end.suppressed] == [code]
    else:
        assert ("SAN008", line) in got, got
        assert not end.suppressed  # not honoured


def test_comment_lines_between_and_crm_continuations(tmp_path):
    crm = ("# sanlint: disable=PCMK110 ; parked until the SAN is migrated\n# (ticket CHG-7)\n\n"
           "primitive p ocf:heartbeat:Dummy \\\n\top monitor interval=10s \\\n\tmeta target-role=Stopped\n")
    res = check([str(site_with(tmp_path, "cluster.crm", crm))])
    assert [f.code for f in res.suppressed] == ["PCMK110"]  # the finding is on the continued statement's 3rd line
    assert not [f for f in res.findings if f.code in ("PCMK110", "SAN004", "SAN008")]


def test_crm_comment_inside_a_continued_statement_is_misplaced(tmp_path):
    crm = "primitive p ocf:heartbeat:Dummy \\\n# sanlint: disable=PCMK110\n\tmeta target-role=Stopped\n"
    res = check([str(site_with(tmp_path, "cluster.crm", crm))])
    assert ("SAN008", 2) in [(f.code, f.line) for f in res.findings]


def test_crm_reason_after_dashes_is_reported_and_fixed(tmp_path):
    crm = "# sanlint: disable=PCMK101 -- lab cluster\nproperty stonith-enabled=false\n"
    site = site_with(tmp_path, "cluster.crm", crm)
    res = check([str(site)])
    assert [f.code for f in res.suppressed] == ["PCMK101"]  # honoured by sanlint...
    bad = [f for f in res.findings if f.code == "SAN008"]
    assert len(bad) == 1 and "crmsh" in bad[0].message and bad[0].fix is not None and bad[0].fix.safe


def test_trailing_hash_inside_a_drbd_string_is_a_value_not_a_suppression(tmp_path):
    res_text = DRBD.replace('shared-secret "x1234567890"', 'shared-secret "x# sanlint: disable=DRBD122"')
    res = check([str(site_with(tmp_path, CASES["drbd"][0], res_text))])
    assert ("DRBD122", 3) in [(f.code, f.line) for f in res.findings]
    assert not res.suppressed and not [f for f in res.findings if f.code in ("SAN004", "SAN008")]


def test_misplaced_fix_moves_the_suppression_above(tmp_path):
    from sanlint.fixes import apply_edits

    rel, text, line, code, _ = CASES["corosync"]
    res = check([str(site_with(tmp_path, rel, trailing(text, line, code)))])
    f = next(f for f in res.findings if f.code == "SAN008")
    assert not f.fix.safe
    new = apply_edits(f.fix.edits[0].file.data, f.fix.edits).decode()
    assert new == own_line(text, line, code)


def test_comment_scanner_follows_each_parser():
    def found(fmt: str, text: str) -> list[str]:
        src = SourceFile.from_text("f", text, format=fmt)
        return [text[c.start:c.end] for c in comments(src)]

    assert found("drbd", 'a "b # c"; # d\n') == ["# d"]
    assert found("lvm", "a = 'x#y' # z\n") == ["# z"]
    assert found("tgt", "a \\# b # c\n") == ["# c"]
    assert found("corosync", "a: b # c\n  # d\n") == ["# d"]
    assert found("crm", "primitive p Dummy \\\n# in\n# out\n") == ["# out"]
    assert found("ietd", "Lun 0 Path=/x # y\n#z\n") == ["#z"]
    assert found("cib", "<a/><!-- x --> <b/>\n") == ["<!-- x -->"]
    assert found("lio", '{"a": "# x"}\n') == []
    src = SourceFile.from_text("f", "x = 1 # CHOOSE-A\n", format="lvm")
    assert code_only(src) == "x = 1           \n"


# -- the real tools -------------------------------------------------------------------------


def crmsh_load(path: Path, tmp: Path) -> subprocess.CompletedProcess:
    cib = tmp / "crmsh-cib.xml"
    cib.write_text(subprocess.run([need("cibadmin"), "--empty"], capture_output=True, text=True, check=True).stdout)
    return subprocess.run([need("crm"), "configure", "load", "update", str(path)], capture_output=True, text=True,
                          env=dict(os.environ, CIB_file=str(cib)), timeout=60, stdin=subprocess.DEVNULL)


@pytest.mark.oracle
@pytest.mark.parametrize("fmt", ["drbd", "lvm", "tgt", "corosync"])
def test_the_tool_accepts_the_suppression_where_it_goes(fmt, tmp_path):
    from sanlint.site import build

    rel, text, line, code, trailing_ok = CASES[fmt]
    variants = [own_line(text, line, code)] + ([trailing(text, line, code)] if trailing_ok else [])
    for i, variant in enumerate(variants):
        site = site_with(tmp_path / str(i), rel, variant)
        built, _ = build([str(site)])
        why = refusal(fmt, site / rel, built, site / "san-1", tmp_path)
        assert why is None, f"{fmt} variant {i}: {why}"


@pytest.mark.oracle
def test_corosync_reads_a_trailing_hash_as_part_of_the_value(tmp_path):
    conf = tmp_path / "corosync.conf"
    conf.write_text(COROSYNC.replace("\tversion: 2\n", "\tversion: 2 # sanlint: disable=CORO101\n"))
    r = subprocess.run([need("corosync"), "-t", "-c", str(conf)], capture_output=True, text=True, timeout=30)
    assert r.returncode != 0 and "2 # sanlint: disable=CORO101" in r.stdout + r.stderr
    res = check([str(conf)])
    assert any(f.code == "SAN008" and f.line == 2 for f in res.findings)


@pytest.mark.oracle
def test_crmsh_takes_the_suppression_above_and_refuses_the_misplaced_ones(tmp_path):
    rel, text, line, code, _ = CASES["crm"]
    good = tmp_path / "good.crm"
    good.write_text("# sanlint: disable=PCMK110 ; parked\nprimitive q ocf:heartbeat:Dummy \\\n"
                    "\tmeta target-role=Stopped\n" + own_line(text, line, code))
    r = crmsh_load(good, tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    for bad in (trailing(text, line, code),  # a trailing comment: shlex words of the statement
                "primitive q ocf:heartbeat:Dummy \\\n# sanlint: disable=PCMK110\n\tmeta target-role=Stopped\n",
                "# sanlint: disable=PCMK101 -- lab\n" + text):  # `--` in an XML comment
        f = tmp_path / "bad.crm"
        f.write_text(bad)
        assert crmsh_load(f, tmp_path).returncode != 0, bad
        assert any(x.code == "SAN008" for x in check([str(f)]).findings), bad


@pytest.mark.oracle
def test_crm_verify_accepts_a_cib_with_the_suppression(tmp_path):
    cib = CIB.replace('        <nvpair id="opt-stonith"',
                      '        <!-- sanlint: disable=PCMK101 ; lab cluster -->\n        <nvpair id="opt-stonith"')
    path = tmp_path / "cib.xml"
    path.write_text(cib)
    res = check([str(path)])
    assert [f.code for f in res.suppressed] == ["PCMK101"]
    assert refusal("cib", path, None, None, tmp_path) is None


def test_moving_a_crm_suppression_is_not_refused_for_what_the_parse_reveals(tmp_path):
    """A trailing suppression makes crm text unparsable (SAN001); once moved, the
    statement's other findings show: they were hidden, not introduced by the fix."""
    from sanlint.config import Settings
    from sanlint.fixes import plan
    from sanlint.runner import run
    from sanlint.site import build

    site = site_with(tmp_path, "cluster.crm", "property stonith-enabled=false # sanlint: disable=PCMK101 ; lab\n"
                                              "primitive p ocf:heartbeat:Dummy\n")
    settings = Settings()

    def checker(overrides):
        built, problems = build([str(site)], None, settings.as_dict(), overrides)
        return run(built, problems, settings).findings

    outcome = plan(checker, unsafe=True)
    # SAN008 first; then PCMK112 (no monitor), which only the parsed file shows, gets its own fix
    assert [f.code for f in outcome.applied] == ["SAN008", "PCMK112"] and not outcome.rejected
    (new,) = outcome.new_data.values()
    assert new.decode().startswith("# sanlint: disable=PCMK101 ; lab\nproperty stonith-enabled=false\n"
                                   "primitive p ocf:heartbeat:Dummy")


@pytest.mark.parametrize(("rel", "text", "line"), [
    ("san-1/etc/iet/initiators.allow", "iqn.2014-02.com.example:t1 10.0.0.0/24 # sanlint: disable=ISCSI104\n", 1),
    ("san-1/etc/target/saveconfig.json", '{"storage_objects": [], "targets": [],\n'
                                         ' "note": "# sanlint: disable=ISCSI104"}\n', 2),
])
def test_no_trailing_comment_in_allow_files_and_none_in_json(rel, text, line, tmp_path):
    res = check([str(site_with(tmp_path, rel, text))])
    assert ("SAN008", line) in [(f.code, f.line) for f in res.findings], [f.message for f in res.findings]
