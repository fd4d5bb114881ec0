"""The audit report as evidence (issue 13): the run's facts and every input
file's SHA-256, the waiver register, ranking by severity then risk,
`--compare`, the Markdown size bound, file modes from the umask, natural
sort, rule pages that cite public sources, and the printed (PDF) report."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
from datetime import datetime, timezone
from pathlib import Path

import pytest

from conftest import REPO, need
from report_sites import SEED, run_cli, write_site
from sanlint.report.markdown import LIMIT
from sanlint.report.natsort import natural_key, natural_sorted
from sanlint.report.ranking import RISKS, SEVERITY_RANK, rank, risk_of


def _report(tmp_path: Path, name: str, *args: str, env: dict | None = None) -> tuple[str, dict]:
    out = tmp_path / name
    r = run_cli("report", *args, "-o", str(out), env=env)
    assert r.exit_code == 0, r.output
    side = json.loads(out.with_suffix(".json").read_text())
    return (out.read_text() if name.endswith((".html", ".md")) else ""), side


def _copy_seed(tmp_path: Path) -> Path:
    dst = tmp_path / "seed"
    shutil.copytree(REPO / SEED, dst)
    return dst


# -- evidence ------------------------------------------------------------------------------


def test_evidence_records_the_run_the_site_and_every_input(tmp_path):
    html, side = _report(tmp_path, "audit.html", SEED, env={"SOURCE_DATE_EPOCH": "1764000000"})
    ev = side["evidence"]
    assert side["sanlint-report"] == 1
    assert ev["generated"] == "2025-11-24T16:00:00Z"  # UTC, ISO 8601
    from sanlint import __version__

    assert ev["sanlint"] == __version__
    assert re.fullmatch(r"[0-9a-f]{64}", ev["ruleset_hash"]) and ev["rules_run"] > 50
    assert ev["command"] == f"sanlint report --output {tmp_path / 'audit.html'} {SEED}"
    assert ev["nodes"] == ["san-1.example.com", "san-2.example.com"] and ev["hosts"] == ["san-1", "san-2"]
    assert {(v["component"], v["version"]) for v in ev["versions"]} == {("DRBD", "8.3"), ("Pacemaker", "1.1"), ("corosync", "1")}
    assert all(v["reason"] for v in ev["versions"])
    on_disk = sorted(p for p in (REPO / SEED).rglob("*") if p.is_file())
    assert len(ev["inputs"]) == len(on_disk) == 15
    for f in ev["inputs"]:
        p = REPO / f["path"]
        data = p.read_bytes()
        assert f["sha256"] == hashlib.sha256(data).hexdigest()
        assert f["size"] == len(data)
        assert f["mtime"] == datetime.fromtimestamp(p.stat().st_mtime, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        assert f["status"] == "checked"
        assert f["sha256"] in html and f["path"] in html
    for needle in ('id="evidence"', 'id="waivers"', 'id="signoff"', "Audited by", "Versions assumed",
                   "<time>2025-11-24T16:00:00Z</time>", ev["ruleset_hash"]):
        assert needle in html, needle


def test_ruleset_hash_follows_the_rules_that_ran(tmp_path):
    _, a = _report(tmp_path, "a.md", SEED)
    _, b = _report(tmp_path, "b.md", SEED)
    _, c = _report(tmp_path, "c.md", SEED, "--select", "DRBD")
    assert a["evidence"]["ruleset_hash"] == b["evidence"]["ruleset_hash"] != c["evidence"]["ruleset_hash"]


def test_inputs_not_checked_are_listed_with_their_hash(tmp_path):
    site = write_site(tmp_path / "s", {"h1/etc/drbd.d/r0.res": "resource r0 { on h1 { device /dev/drbd0; disk /dev/sdb; "
                                                               "meta-disk internal; address 10.0.0.1:7789; } }\n"})
    blob = site / "h1/etc/drbd.d/junk.res"
    blob.write_bytes(b"\x00\x01binary")
    _, side = _report(tmp_path, "r.md", str(site))
    junk = [f for f in side["evidence"]["inputs"] if f["path"].endswith("junk.res")]
    assert len(junk) == 1 and junk[0]["status"].startswith("not checked: binary file")
    assert junk[0]["sha256"] == hashlib.sha256(b"\x00\x01binary").hexdigest() and junk[0]["size"] == 8


def test_waiver_register_lists_suppressed_and_baselined_findings_with_reasons(tmp_path):
    site = _copy_seed(tmp_path)
    res = site / "san-1/etc/drbd.d/sandisk0.res"
    text = res.read_text().replace("on-io-error        pass_on;",
                                   "on-io-error        pass_on; # sanlint: disable=DRBD122 -- controller retries, see CHG-1234")
    res.write_text(text)
    cfg = tmp_path / "sanlint.toml"
    cfg.write_text('[tool.sanlint]\nper-file-ignores = { "*/san-2/etc/ietd.conf" = ["ISCSI105"] }\n')
    baseline = tmp_path / "baseline.json"
    r = run_cli("check", "--select", "PCMK101", "--write-baseline", str(baseline), str(site))
    assert r.exit_code == 0, r.output
    doc = json.loads(baseline.read_text())
    doc["findings"][0]["reason"] = "accepted until the fence devices arrive (RISK-7)"
    baseline.write_text(json.dumps(doc))
    html, side = _report(tmp_path, "r.html", str(site), "--config", str(cfg), "--baseline", str(baseline))
    waivers = {(w["kind"], w["code"]): w for w in side["evidence"]["waivers"]}
    assert waivers[("inline", "DRBD122")]["reason"] == "controller retries, see CHG-1234"
    assert waivers[("per-file-ignores", "ISCSI105")]["reason"].startswith('per-file-ignores "*/san-2/etc/ietd.conf"')
    assert waivers[("baseline", "PCMK101")]["reason"] == "accepted until the fence devices arrive (RISK-7)"
    codes = [f["code"] for f in side["findings"]]
    assert "PCMK101" not in codes and codes.count("DRBD122") == 1 and codes.count("ISCSI105") == 1
    assert "controller retries, see CHG-1234" in html and "RISK-7" in html


# -- ranking -------------------------------------------------------------------------------


def test_findings_are_ranked_by_severity_then_risk(tmp_path):
    _, side = _report(tmp_path, "r.md", SEED)
    found = side["findings"]
    assert [f["rank"] for f in found] == list(range(1, len(found) + 1))
    keys = [(-SEVERITY_RANK[f["severity"]], -RISKS[f["risk"]].weight) for f in found]
    assert keys == sorted(keys)
    assert found[0]["code"] == "PCMK101"  # STONITH off: the worst risk of the seed
    assert {f["risk"] for f in found if f["code"] == "ISCSI104"} == {"exposure"}


def test_rank_orders_severity_before_risk_and_spread_within_risk():
    class R:
        def __init__(self, code, severity, host="h1"):
            self.code, self.severity, self.host, self.path = code, severity, host, f"{host}/f"
            self.line = self.column = 1
            self.message = code
            self.risk = risk_of(code, severity)

    rows = [R("PCMK114", "error"), R("DRBD124", "warning"), R("CORO101", "warning"), R("DRBD120", "warning"),
            R("CORO102", "warning"), R("CORO102", "warning", "h2")]
    assert [r.code for r in rank(rows)] == ["PCMK114", "DRBD124", "CORO101", "CORO102", "CORO102", "DRBD120"]


# -- compare ---------------------------------------------------------------------------------


def test_compare_with_a_previous_sidecar_and_with_a_baseline(tmp_path):
    site = _copy_seed(tmp_path)
    _, first = _report(tmp_path, "first.md", str(site))
    baseline = tmp_path / "bl.json"
    assert run_cli("check", "--write-baseline", str(baseline), str(site)).exit_code == 0
    crm = site / "cluster-santnet-san.conf"
    crm.write_text(crm.read_text().replace('        cluster-infrastructure="openais" \\\n', ""))  # resolved
    for host in ("san-1", "san-2"):
        res = site / host / "etc/drbd.d/sandisk0.res"
        res.write_text(res.read_text().replace("protocol        C;", "protocol        A;"))  # new: async failover
    for previous in (tmp_path / "first.json", baseline):
        md, side = _report(tmp_path, "second.md", str(site), "--compare", str(previous))
        cmp = side["compare"]
        new = [f for f in side["findings"] if f["fingerprint"] in cmp["new"]]
        assert {f["code"] for f in new} == {"DRBD117"}
        assert [(e["code"], e["message"].split("=")[0]) for e in cmp["resolved"]] == [
            ("PCMK114", "property cluster-infrastructure")]
        assert cmp["unchanged"] == len(first["findings"]) - 1
        assert cmp["previous_kind"] == ("report" if previous.name == "first.json" else "baseline")
        assert "## Changes since the last audit" in md and "Resolved since the last audit (1)" in md
        assert f"{len(cmp['new'])} new, 1 resolved" in md
    html, _ = _report(tmp_path, "second.html", str(site), "--compare", str(tmp_path / "first.json"))
    assert 'id="changes"' in html and '<span class="badge">new</span>' in html


def test_compare_with_something_else_is_a_usage_error(tmp_path):
    bad = tmp_path / "x.json"
    bad.write_text('{"findings": 3}')
    r = run_cli("report", SEED, "-o", str(tmp_path / "r.md"), "--compare", str(bad))
    assert r.exit_code == 2 and "neither a sanlint report sidecar nor a baseline" in r.output
    r = run_cli("report", SEED, "-o", str(tmp_path / "r.md"), "--compare", str(tmp_path / "missing.json"))
    assert r.exit_code == 2 and "no such file" in r.output


# -- Markdown size bound -----------------------------------------------------------------------


def _large_site(root: Path, hosts: int = 30, targets: int = 12, luns: int = 4) -> Path:
    for h in range(1, hosts + 1):
        lines = []
        for t in range(1, targets + 1):
            lines.append(f"Target iqn.2024-01.example.h{h}:t{t}")
            lines += [f"        Lun {n} Path=/dev/vg{t}/lv{n},Type=fileio,IOMode=wb" for n in range(luns)]
        write_site(root / f"node{h}", {"etc/ietd.conf": "\n".join(lines) + "\n"})
    # a cluster makes it a failover SAN: every write-back file I/O LUN is a finding (ISCSI106)
    write_site(root, {"cluster.crm": "".join(f"node node{h}\n" for h in range(1, hosts + 1))})
    return root


def test_markdown_stays_under_a_pull_request_comment_and_counts_what_it_left_out(tmp_path):
    site = _large_site(tmp_path / "big")
    md, side = _report(tmp_path, "big.md", str(site))
    total = len(side["findings"])
    assert total > 1000
    assert len(md) < LIMIT
    assert md.count("<details>") == md.count("</details>")
    shown = len(re.findall(r"^#### \d+\. ", md, re.M)) + len(re.findall(r"^\| \d+ \| \*\*", md, re.M))
    left = sum(int(n) for n in re.findall(r"^\*(\d+) (?:error|warning|info) findings not shown", md, re.M))
    assert shown + left == total and left > 0
    assert re.search(r"\*\d+ input files not shown", md)
    assert "entries were left out to keep this comment under 65,536 characters" in md
    # natural order of hosts: node2 before node10
    hosts = side["evidence"]["hosts"]
    assert hosts[:3] == ["node1", "node2", "node3"] and hosts.index("node9") < hosts.index("node10")


@pytest.mark.parametrize("fixture", ["fixtures/crm", "fixtures/cib"])
def test_report_of_cluster_fixtures_with_resource_sets(tmp_path, fixture):
    # constraints with resource sets hold lists of dicts: the scrubber once took them for dicts
    md, side = _report(tmp_path, "r.md", fixture)
    assert len(md) < LIMIT and side["findings"]


# -- files ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_report_files_follow_the_umask(tmp_path, umask, mode):
    old = os.umask(umask)
    try:
        r = run_cli("report", SEED, "-o", str(tmp_path / "r.html"))
    finally:
        os.umask(old)
    assert r.exit_code == 0, r.output
    for name in ("r.html", "r.json"):
        assert (tmp_path / name).stat().st_mode & 0o777 == mode, name


def test_natural_sort():
    assert natural_sorted(["r10", "r2", "r1", "R3", "r2b"]) == ["r1", "r2", "r2b", "R3", "r10"]
    assert sorted(["san-10", "san-9", "san-1"], key=natural_key) == ["san-1", "san-9", "san-10"]
    assert natural_sorted(["lun10", "lun9", "lun09"]) == ["lun09", "lun9", "lun10"]  # equal numbers: by text


def test_topology_names_sort_naturally_and_tie_resources_to_nodes(tmp_path):
    res = "".join(f"resource r{i} {{\n  on node2 {{ device /dev/drbd{i}; disk /dev/sd{chr(97 + i)}; meta-disk internal; "
                  f"address 10.0.0.2:{7780 + i}; }}\n  on node10 {{ device /dev/drbd{i}; disk /dev/sd{chr(97 + i)}; "
                  f"meta-disk internal; address 10.0.0.10:{7780 + i}; }}\n}}\n" for i in (10, 2, 1))
    crm = ("node node2\nnode node10\nprimitive ip1 ocf:heartbeat:IPaddr2 params ip=192.168.7.5 cidr_netmask=24\n"
           "primitive tgt ocf:heartbeat:iSCSITarget params iqn=iqn.2024-01.example:t1 "
           "allowed_initiators=\"iqn.2024-01.example:esx1 iqn.2024-01.example:esx2\"\n"
           "group g ip1 tgt\nlocation g-prefers g 100: node10\n")
    site = write_site(tmp_path / "s", {"node10/etc/drbd.d/all.res": res, "node2/etc/drbd.d/all.res": res,
                                       "cluster.crm": crm})
    md, side = _report(tmp_path, "r.md", str(site))
    assert side["evidence"]["hosts"] == ["node2", "node10"]
    assert md.index("**host node2**") < md.index("**host node10**")
    block = md[md.index("**host node2**"):md.index("**host node10**")]
    assert block.index("`r1`") < block.index("`r2`") < block.index("`r10`")
    assert "prefers `node10` 100 (g-prefers)" in md
    assert "service IP `192.168.7.5/24`" in md
    assert "allowed initiators: `iqn.2024-01.example:esx1`, `iqn.2024-01.example:esx2`" in md
    assert re.search(r"network `10\.0\.0\.0/24`: DRBD r1 replication \(node2\)", md)
    html, _ = _report(tmp_path, "r.html", str(site))
    assert re.search(r'class="edge placement prefers" data-resource="g" data-node="node10"', html)
    assert re.search(r'class="edge membership" data-node="node2"', html)


# -- rule pages ---------------------------------------------------------------------------------


def test_rule_sources_are_public_and_summaries_are_whole_sentences():
    from sanlint.rule import doc_sections
    from sanlint.runner import load_rules

    for code, rule in load_rules().items():
        source = doc_sections(rule.doc()).get("Source", "")
        assert not re.search(r"research\s*§|§\s*\d|internal note", source, re.I), code
        summary = rule.summary()
        assert summary[:1].isupper() or summary[:1] in "`/" or summary.split()[0].islower(), code
        assert summary.endswith((".", "?", "!")) and not summary.endswith(":."), (code, summary)


# -- print: PDF through headless Chromium --------------------------------------------------------


def test_pdf_report_prints_the_seed_site(tmp_path):
    need("chromium")
    pdftoppm = need("pdftoppm")
    out = tmp_path / "audit.pdf"
    r = run_cli("report", SEED, "-o", str(out))
    assert r.exit_code == 0, r.output
    data = out.read_bytes()
    assert data.startswith(b"%PDF-") and (tmp_path / "audit.json").exists()
    pages = subprocess.run([pdftoppm, "-gray", "-r", "30", str(out), str(tmp_path / "page")],
                           capture_output=True, text=True, timeout=120)
    assert pages.returncode == 0, pages.stderr
    images = sorted(tmp_path.glob("page-*.pgm"))
    assert len(images) >= 3  # summary, findings, topology, evidence, rule pages: several A4 pages
    for k, img in enumerate(images):
        raw = img.read_bytes()
        m = re.match(rb"P5\s+(\d+)\s+(\d+)\s+255\s", raw)
        assert m, img
        w, h = int(m.group(1)), int(m.group(2))
        assert 0.65 < w / h < 0.75  # A4 portrait
        pixels = raw[m.end():]
        ink = sum(1 for p in pixels[::5] if p < 200) / len(pixels[::5])  # small text is grey at 30 dpi
        # text on a white page: never a blank page, never a black screen; the first page is full
        assert (0.05 if k == 0 else 0.005) < ink < 0.5, (img, ink)
    # the print stylesheet applies: the dark header band of the screen version is gone
    first = images[0].read_bytes()
    m = re.match(rb"P5\s+(\d+)\s+(\d+)\s+255\s", first)
    w = int(m.group(1))
    top_rows = first[m.end():m.end() + w * 12]
    assert sum(1 for p in top_rows if p < 64) / len(top_rows) < 0.2


def test_pdf_without_chromium_says_so(tmp_path):
    r = run_cli("report", SEED, "-o", str(tmp_path / "audit.pdf"), env={"SANLINT_CHROMIUM": str(tmp_path / "none")})
    assert r.exit_code == 2
    assert "writing a PDF needs Chromium" in r.output and "Traceback" not in r.output
    assert not (tmp_path / "audit.pdf").exists()
