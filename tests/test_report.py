"""`sanlint report`: the self-contained HTML audit report (checked in real
headless Chromium) and its Markdown twin (snapshot-tested on the seed)."""

from __future__ import annotations

import json
import re
import struct
import subprocess
from pathlib import Path

import pytest

from conftest import need
from report_sites import SECRETS, SEED, run_cli, secret_site, write_site
from sanlint.report.html import markdown_html

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _report(tmp_path: Path, name: str, *paths: str) -> str:
    out = tmp_path / name
    r = run_cli("report", *paths, "-o", str(out))
    assert r.exit_code == 0, r.output
    return out.read_text()


def _findings(*paths: str) -> list[dict]:
    return json.loads(run_cli("check", "--format", "json", *paths).output)["findings"]


@pytest.fixture(scope="module")
def seed_html(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("report") / "report.html"
    r = run_cli("report", SEED, "-o", str(out))
    assert r.exit_code == 0, r.output
    return out


def test_html_is_one_self_contained_file(seed_html):
    html = seed_html.read_text()
    assert html.startswith("<!DOCTYPE html>")
    assert "<script" not in html and "<link" not in html and "@import" not in html and "<img" not in html
    # nothing is fetched: no src, no url(), every link is to an anchor of the page
    # (URLs in the rule documentation's text are text)
    assert not re.search(r"""\b(src|srcset|data|xlink:href|action)\s*=\s*["']""", html)
    assert "url(" not in html.replace("url(#arrow)", "")
    assert re.findall(r"""href\s*=\s*["']([^"']*)""", html)
    assert all(h.startswith("#") for h in re.findall(r"""href\s*=\s*["']([^"']*)""", html))
    for needle in ('id="topology"', 'id="chart-severity"', 'id="chart-packs"', 'id="rules"'):
        assert needle in html


def test_html_has_every_finding_and_its_rule_documentation(seed_html):
    html = seed_html.read_text()
    findings = _findings(SEED)
    assert html.count('<article class="finding ') == len(findings)
    for code in {f["code"] for f in findings}:
        assert f'id="rule-{code}"' in html
        assert f'href="#rule-{code}"' in html
    assert "<h4>What it checks</h4>" in html
    assert "<pre><code" in html
    for host in ("san-1", "san-2"):
        assert f'data-host="{host}"' in html  # a table and a topology column per host


def test_topology_shows_the_stack(seed_html):
    html = seed_html.read_text()
    svg = html[html.index('<svg xmlns="http://www.w3.org/2000/svg" id="topology"'):]
    svg = svg[: svg.index("</svg>") + 6]
    assert "DRBD sandisk0" in svg and "172.17.50.21:7676" in svg and "172.17.50.22:7676" in svg
    assert 'class="edge replication"' in svg
    assert "VG vgsan (on DRBD)" in svg
    assert "iqn.2014-02.santnet.sante:target1" in svg and "/dev/vgsan/lun0" in svg
    assert "group iscsi-group" in svg and "ms sandisk_ms" in svg
    assert "order vgsan-after-drbd" in svg
    assert re.search(r'class="edge constraint order[^"]*" data-id="vgsan-after-drbd"', svg)


def test_html_renders_in_headless_chromium(seed_html, tmp_path):
    chromium = need("chromium")
    profile = tmp_path / "profile"
    flags = [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}"]
    url = seed_html.resolve().as_uri()
    dom = subprocess.run(flags + ["--dump-dom", url], capture_output=True, text=True, timeout=120)
    assert dom.returncode == 0, dom.stderr[-2000:]
    page = dom.stdout
    assert "<title>sanlint audit report</title>" in page
    for needle in ('id="topology"', 'class="topology"', 'id="chart-severity"', 'class="chart"',
                   'id="chart-packs"', 'class="bar error"', 'class="node drbd', 'class="node vg',
                   'class="node target', 'class="node resource', 'class="host"'):
        assert needle in page, needle
    assert page.count('<article class="finding ') == len(_findings(SEED))

    shot = tmp_path / "shot.png"
    r = subprocess.run(flags + [f"--screenshot={shot}", "--window-size=1280,2000", url],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1280, 2000)
    assert len(data) > 60_000  # a blank page compresses to a few kB


def test_reports_never_contain_secrets(tmp_path):
    site = secret_site(tmp_path)
    html = _report(tmp_path, "r.html", str(site))
    md = _report(tmp_path, "r.md", str(site))
    assert "shared-secret" in html or "IncomingUser" in html or "CHAP" in html  # the secrets' places are shown...
    sidecar = (tmp_path / "r.json").read_text()  # the JSON sidecar of the last report (diffs, sources, waivers)
    for secret in SECRETS:  # ...never their values
        assert secret not in html, secret
        assert secret not in md, secret
        assert secret not in sidecar, secret
    # the source lines next to the findings are redacted
    assert "IncomingUser u ********" in html


def test_markdown_report_structure(tmp_path):
    md = _report(tmp_path, "r.md", SEED)
    findings = _findings(SEED)
    assert md.startswith("# sanlint audit report\n")
    for heading in ("## Executive summary", "**Top risks**", "## Top findings", "## Other findings", "## Waivers",
                    "## Topology", "## Evidence", "## Sign-off"):
        assert f"\n{heading}" in md, heading
    top = re.findall(r"^#### (\d+)\. (error|warning|info) · (\S+) ", md, re.M)
    rows = [line for line in md.splitlines() if re.match(r"^\| \d+ \| \*\*(error|warning|info)\*\* \| ", line)]
    assert len(top) + len(rows) == len(findings)  # every finding once: in full or as a table row
    assert [int(n) for n, _, _ in top] == list(range(1, len(top) + 1))
    assert md.count("<details>") == md.count("</details>")
    # every table row has the same number of cells as its header (pipes escaped)
    for line in rows:
        assert len(re.findall(r"(?<!\\)\|", line)) == 6, line
    assert "not shown" not in md  # the seed fits whole


def test_markdown_snapshot(tmp_path, snapshot):
    r = run_cli("report", SEED, "-o", str(tmp_path / "report.md"), env={"SOURCE_DATE_EPOCH": "1764000000"})
    assert r.exit_code == 0, r.output
    md = (tmp_path / "report.md").read_text()
    assert "generated 2025-11-24T16:00:00Z" in md
    # checkout times and the temporary output path differ from run to run
    md = re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \| `", "MTIME | `", md)
    md = md.replace(str(tmp_path), "TMP")
    # the rule set's hash and size change with every rule edit anywhere: checked in test_report_evidence
    md = re.sub(r"rule set of \d+ rules, SHA-256 `[0-9a-f]{64}`", "rule set of N rules, SHA-256 `HASH`", md)
    head, _, rest = md.partition("<details><summary>Rules that fired")
    assert head == snapshot(name="report")
    assert re.findall(r"^\| (\S+) \S+ \| ", rest, re.M) == snapshot(name="fired-rules")


def test_report_of_a_single_file_and_of_a_plain_site(tmp_path):
    res = write_site(tmp_path / "one", {"r0.res": "resource r0 {\n  on a { device /dev/drbd0; disk /dev/sdb; "
                                                  "meta-disk internal; address 10.0.0.1:7789; }\n}\n"})
    html = _report(tmp_path, "one.html", str(res / "r0.res"))
    assert "DRBD r0" in html and "(single host)" in html
    md = _report(tmp_path, "one.md", str(res / "r0.res"))
    assert "DRBD resource `r0`" in md


def test_report_usage_errors(tmp_path):
    r = run_cli("report", SEED)
    assert r.exit_code == 2 and "--output" in r.output
    r = run_cli("report", SEED, "-o", str(tmp_path / "report.txt"))
    assert r.exit_code == 2 and ".html, .md or .pdf" in r.output
    r = run_cli("report", SEED, "--format", "markdown", "-o", str(tmp_path / "report.txt"))
    assert r.exit_code == 0 and (tmp_path / "report.txt").read_text().startswith("# sanlint audit report")
    r = run_cli("report", str(tmp_path / "missing"), "-o", str(tmp_path / "x.html"))
    assert r.exit_code == 2


def test_markdown_to_html_escapes_everything():
    doc = ("Title <b>line</b>\n\n## What it checks\n\nUse `a<b>` and **bold** & *it*.\n\n"
           "- one `x|y`\n- two\n  continued\n\n```crm path=@cluster.crm\n<script>alert(1)</script>\n```\n")
    html = markdown_html(doc)
    assert "<script>" not in html and "<b>line</b>" not in html
    assert "<p>Title &lt;b&gt;line&lt;/b&gt;</p>" in html
    assert "<h4>What it checks</h4>" in html
    assert "<code>a&lt;b&gt;</code>" in html and "<strong>bold</strong> &amp; <em>it</em>" in html
    assert "<ul><li>one <code>x|y</code></li><li>two continued</li></ul>" in html
    assert '<div class="doc-file">crm path=@cluster.crm</div>' in html
    assert "<pre><code class=\"language-crm\">&lt;script&gt;alert(1)&lt;/script&gt;</code></pre>" in html
