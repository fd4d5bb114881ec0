"""Machine formats (sarif, junit, github) and the terminal output.

Snapshots are taken from the CLI on the seed site, run from the repository
root with a relative path.  The seed's findings grow as rule packs land, so
the structural assertions below never depend on the exact rule set
(regenerate the snapshots with `pytest --snapshot-update`)."""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from conftest import REPO, on_a_terminal
from report_sites import SECRETS, SEED, run_cli, secret_site
from sanlint.baseline import FINGERPRINT_KEY, fingerprint
from sanlint.output.github import annotation, escape_data, escape_property
from sanlint.rule import Edit, Finding, Fix
from sanlint.source import SourceFile

SCHEMA = json.loads((REPO / "tests/data/sarif-schema-2.1.0.json").read_text())


def _json_findings(*paths: str) -> list[dict]:
    return json.loads(run_cli("check", "--format", "json", *paths).output)["findings"]


def _sarif(*paths: str) -> dict:
    r = run_cli("check", "--format", "sarif", *paths)
    assert r.exit_code in (0, 1), r.output
    return json.loads(r.output)


# -- SARIF ---------------------------------------------------------------------------


def test_sarif_on_seed_validates_against_the_official_schema():
    doc = _sarif(SEED)
    jsonschema.Draft4Validator(SCHEMA).validate(doc)
    assert doc["version"] == "2.1.0"
    assert len(doc["runs"]) == 1


def test_sarif_structure_matches_the_findings():
    doc = _sarif(SEED)
    findings = _json_findings(SEED)
    run = doc["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "sanlint"
    rules = {r["id"]: r for r in driver["rules"]}
    assert len(rules) == len(driver["rules"])  # no duplicates
    results = run["results"]
    assert len(results) == len(findings)
    for res, f in zip(results, findings):
        assert res["ruleId"] == f["code"]
        assert driver["rules"][res["ruleIndex"]]["id"] == f["code"]
        assert res["level"] == {"error": "error", "warning": "warning", "info": "note"}[f["severity"]]
        loc = res["locations"][0]["physicalLocation"]
        assert loc["artifactLocation"]["uri"] == f["path"]  # relative, as given
        assert not loc["artifactLocation"]["uri"].startswith(("/", "file:"))
        assert loc["region"]["startLine"] == f["line"]
        assert loc["region"]["startColumn"] == f["column"]
        assert set(res["partialFingerprints"]) == {FINGERPRINT_KEY}
    # every rule that ran has metadata, with its documentation as help
    for rule in rules.values():
        assert rule["shortDescription"]["text"]
        assert rule["fullDescription"]["text"]
        assert "## What it checks" in rule["help"]["markdown"]
        assert rule["help"]["text"]
        assert rule["defaultConfiguration"]["level"] in ("error", "warning", "note")
    assert {f["code"] for f in findings} <= set(rules)


def test_sarif_fixes_are_byte_replacements_of_the_real_files():
    doc = _sarif(SEED)
    fixes = [(r, fx) for r in doc["runs"][0]["results"] for fx in r.get("fixes", [])]
    assert fixes, "the seed has fixable findings"
    for res, fx in fixes:
        assert fx["description"]["text"]
        for change in fx["artifactChanges"]:
            data = (REPO / change["artifactLocation"]["uri"]).read_bytes()
            for rep in change["replacements"]:
                region = rep["deletedRegion"]
                assert 0 <= region["byteOffset"] <= region["byteOffset"] + region["byteLength"] <= len(data)


def _with_blank_lines_above_everything(site: Path) -> None:
    for p in site.rglob("*"):
        if p.is_file() and "lvm/backup" not in str(p) and "lvm/archive" not in str(p):
            text = p.read_text()
            p.write_text("\n\n" + text.replace("\n\n", "\n\n\n"))


def test_sarif_fingerprints_survive_moved_lines(tmp_path):
    site = tmp_path / "seed"
    shutil.copytree(REPO / SEED, site)
    before = _sarif(str(site))["runs"][0]["results"]
    _with_blank_lines_above_everything(site)
    after = _sarif(str(site))["runs"][0]["results"]
    lines_before = sorted(r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in before)
    lines_after = sorted(r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in after)
    assert lines_before != lines_after  # the lines did move
    fp = lambda rs: sorted(r["partialFingerprints"][FINGERPRINT_KEY] for r in rs)  # noqa: E731
    assert fp(before) == fp(after)


def test_sarif_fingerprint_is_the_baseline_fingerprint(monkeypatch):
    from sanlint.api import check

    monkeypatch.chdir(REPO)
    result = check([SEED])
    doc = _sarif(SEED)
    assert [r["partialFingerprints"][FINGERPRINT_KEY] for r in doc["runs"][0]["results"]] == \
        [fingerprint(f) for f in result.findings]


def test_sarif_keeps_secrets_out(tmp_path):
    site = secret_site(tmp_path)
    r = run_cli("check", "--format", "sarif", str(site))
    for secret in SECRETS:
        assert secret not in r.output
    jsonschema.Draft4Validator(SCHEMA).validate(json.loads(r.output))


def test_sarif_leaves_out_a_fix_that_would_carry_a_secret():
    from sanlint.output.sarif import _fix
    from sanlint.output.secrets import Scrubber

    src = SourceFile.from_text("r0.res", 'resource r0 {\n  net { shared-secret "zz-top-secret"; }\n}\n')
    edit = Edit.insert(src, 14, '  net { shared-secret "zz-top-secret"; }\n')
    f = Finding("DRBD999", "error", "m", span=src.span(0, 8), fix=Fix([edit], "move it"))
    assert _fix(f, Scrubber({"zz-top-secret"})) is None
    assert _fix(f, Scrubber()) is None  # caught by the line redaction even when the value is unknown
    ok = Finding("DRBD999", "error", "m", span=src.span(0, 8), fix=Fix([Edit.insert(src, 14, "# x\n")], "c"))
    fx = _fix(ok, Scrubber({"zz-top-secret"}))
    assert fx["artifactChanges"][0]["replacements"] == [
        {"deletedRegion": {"byteOffset": 14, "byteLength": 0}, "insertedContent": {"text": "# x\n"}}]


def test_sarif_snapshot(snapshot):
    doc = _sarif(SEED)
    run = doc["runs"][0]
    # rule documentation changes with every doc edit: the snapshot keeps the
    # rule ids; the structural tests check the metadata itself
    run["tool"]["driver"]["rules"] = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert doc == snapshot


# -- JUnit ----------------------------------------------------------------------------


def test_junit_is_valid_xml_with_one_failure_per_finding():
    r = run_cli("check", "--format", "junit", SEED)
    root = ET.fromstring(r.output.encode())
    findings = _json_findings(SEED)
    assert root.tag == "testsuites"
    failures = root.findall(".//failure")
    assert len(failures) == len(findings)
    cases = root.findall(".//testcase")
    assert int(root.get("tests")) == len(cases)
    assert int(root.get("failures")) == len([c for c in cases if c.find("failure") is not None])
    for suite in root.findall("testsuite"):
        assert int(suite.get("tests")) == len(suite.findall("testcase"))
    # one testcase per (rule, file) that has findings
    pairs = {(f["code"], f["path"]) for f in findings}
    failing = {(c.get("name").split()[0], c.get("file")) for c in cases if c.find("failure") is not None}
    assert failing == pairs
    assert len([c for c in cases if c.find("failure") is not None]) == len(pairs)


def test_junit_survives_control_characters_and_markup():
    from types import SimpleNamespace

    from sanlint.model import Site
    from sanlint.output.junit import render

    f = Finding("SAN001", "error", 'bad \x01 byte & <tag> "q"', path="a&b.conf")
    out = render(SimpleNamespace(findings=[f], site=Site(), rules_run=["SAN001"]), {})
    root = ET.fromstring(out.encode())
    fail = root.find(".//failure")
    assert fail.get("message") == 'bad \ufffd byte & <tag> "q"'
    assert root.find(".//testcase").get("file") == "a&b.conf"


def test_junit_snapshot(snapshot):
    assert run_cli("check", "--format", "junit", SEED).output == snapshot


# -- GitHub ----------------------------------------------------------------------------

_ANNOTATION = re.compile(r"^::(error|warning|notice) file=[^,:]+,line=\d+,col=\d+(,endLine=\d+)?,title=[A-Z]+\d+::.+$")


def test_github_one_annotation_per_finding():
    r = run_cli("check", "--format", "github", SEED)
    findings = _json_findings(SEED)
    lines = r.output.splitlines()
    assert len(lines) == len(findings)
    for line, f in zip(lines, findings):
        assert _ANNOTATION.match(line), line
        assert f"file={f['path']},line={f['line']},col={f['column']}," in line
        assert f",title={f['code']}::" in line


def test_github_escaping():
    assert escape_data("50% done\r\nnext") == "50%25 done%0D%0Anext"
    assert escape_property("a:b,c%d\ne") == "a%3Ab%2Cc%25d%0Ae"
    src = SourceFile.from_text("site/odd,name:1.res", "x\ny\n", host="h")
    f = Finding("DRBD101", "warning", "100% bad,\nreally: yes", span=src.span(2, 3))
    line = annotation(f)
    assert line == ("::warning file=site/odd%2Cname%3A1.res,line=2,col=1,title=DRBD101::"
                    "100%25 bad,%0Areally: yes (h)")
    assert "\n" not in line


def test_github_snapshot(snapshot):
    assert run_cli("check", "--format", "github", SEED).output == snapshot


def test_machine_formats_keep_secrets_out(tmp_path):
    site = secret_site(tmp_path)
    for fmt in ("text", "json", "junit", "github"):
        out = run_cli("check", "--format", fmt, str(site)).output
        assert out.strip()
        for secret in SECRETS:
            assert secret not in out, (fmt, secret)


def test_formats_are_registered():
    from sanlint.output import FORMATS

    assert {"text", "json", "sarif", "junit", "github"} <= set(FORMATS)


# -- terminal output -----------------------------------------------------------------------


def _on_a_terminal(env_extra: dict[str, str]) -> str:
    """Run `sanlint check SEED` with stdout on a pseudo-terminal."""
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    env.update(env_extra)
    return on_a_terminal([sys.executable, "-m", "sanlint", "check", SEED], env=env, stderr=False, cwd=REPO)[1]


def test_colour_on_a_terminal_unless_NO_COLOR():
    coloured = _on_a_terminal({})
    assert "\033[" in coloured
    plain = _on_a_terminal({"NO_COLOR": "1"})
    assert "\033[" not in plain
    assert "Found " in plain and SEED in plain
    # the same text once the colours are stripped
    assert re.sub(r"\033\[[0-9;]*m", "", coloured) == plain


def test_NO_COLOR_loses_to_an_explicit_color_flag():
    r = run_cli("check", "--color", "always", SEED, env={"NO_COLOR": "1"}, color=True)
    assert "\033[" in r.output
    r = run_cli("check", SEED, env={"NO_COLOR": "1"}, color=True)
    assert "\033[" not in r.output


@pytest.mark.parametrize("line, secret", [
    ('        <nvpair id="st-passwd" name="passwd" value="f3nce-pw"/>', "f3nce-pw"),
    ("<nvpair name='password' value='zz-top'/>", "zz-top"),
    ('  params ipaddr=10.0.0.9 login=admin passwd="f3nce" pcmk_host_list=a', "f3nce"),
    ('          "chap_password": "lio-secret-1",', "lio-secret-1"),
    ('  shared-secret "s3cr3t";', "s3cr3t"),
    ("        IncomingUser u p4ssw0rd-x", "p4ssw0rd-x"),
])
def test_quoted_source_lines_are_redacted(line, secret):
    from sanlint.output.secrets import redact_text as _redact_line

    out = _redact_line(line)
    assert secret not in out
    assert "********" in out


def test_harmless_xml_lines_are_left_alone():
    from sanlint.output.secrets import redact_text as _redact_line

    line = '<nvpair id="st-passwd-login" name="login" value="admin"/>'
    assert _redact_line(line) == line
