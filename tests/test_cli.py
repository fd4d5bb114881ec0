"""The command-line contract (spec/cli.md): inputs, exit codes, formats,
configuration, suppressions, and bad input that must never crash."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from sanlint.cli import main

R0 = """resource r0 {
  on alpha { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.1:7789; }
  on bravo { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.2:7789; }
}
"""


def run(*args, cwd: Path | None = None, color: bool = False):
    runner = CliRunner()
    old = os.getcwd()
    try:
        if cwd:
            os.chdir(cwd)
        result = runner.invoke(main, list(args), catch_exceptions=False, color=color)
    finally:
        os.chdir(old)
    assert "Traceback" not in (result.output or "")
    return result


def host(tmp: Path, name: str, files: dict[str, str]) -> Path:
    root = tmp / name
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    return root


def test_missing_path_is_a_usage_error(tmp_path):
    r = run("check", str(tmp_path / "nope"))
    assert r.exit_code == 2
    assert "no such file or directory" in r.output


def test_bad_host_option_is_a_usage_error(tmp_path):
    r = run("check", "--host", "justaname", str(tmp_path))
    assert r.exit_code == 2


def test_include_glob_without_match_gives_SAN005_and_exit_1(tmp_path):
    site = tmp_path / "site"
    host(site, "san-1", {"etc/drbd.conf": 'include "drbd.d/*.rse";\n'})
    r = run("check", "--format", "json", str(site))
    assert r.exit_code == 1
    doc = json.loads(r.output)
    assert [f["code"] for f in doc["findings"]] == ["SAN005"]
    f = doc["findings"][0]
    assert f["path"] == f"{site}/san-1/etc/drbd.conf" and f["line"] == 1 and f["column"] == 1
    assert f["host"] == "san-1" and f["severity"] == "warning" and f["fixable"] is False
    assert f["cluster"] == str(site)  # the site directory, as given
    counts = {"files": 1, "hosts": 1, "error": 0, "warning": 1, "info": 0}
    assert doc["summary"] == {**counts, "clusters": [{"name": str(site), **counts}]}
    assert set(doc) == {"sanlint", "findings", "summary"}


def test_fail_on_error_ignores_warnings(tmp_path):
    site = tmp_path / "site"
    host(site, "san-1", {"etc/drbd.conf": 'include "drbd.d/*.rse";\n'})
    assert run("check", "--fail-on", "error", str(site)).exit_code == 0
    assert run("check", "--fail-on", "warning", str(site)).exit_code == 1


def test_syntax_error_is_SAN001_with_position_and_others_still_checked(tmp_path):
    site = tmp_path / "site"
    host(site, "san-1", {
        "etc/drbd.conf": 'include "drbd.d/*.res";\ninclude "missing.conf";\n',
        "etc/drbd.d/r0.res": "resource r0 {\n  on alpha {\n    disk /dev/sdb\n    device /dev/drbd0;\n  }\n}\n",
    })
    r = run("check", "--format", "json", str(site))
    doc = json.loads(r.output)
    codes = {(f["code"], Path(f["path"]).name, f["line"]) for f in doc["findings"]}
    assert ("SAN001", "r0.res", 4) in codes  # `device` found where ';' was expected
    assert ("SAN002", "drbd.conf", 2) in codes  # still checked after the syntax error
    msg = next(f["message"] for f in doc["findings"] if f["code"] == "SAN001")
    assert "device" in msg and "';'" in msg


def test_text_format_shows_line_caret_and_summary(tmp_path):
    site = tmp_path / "site"
    host(site, "san-1", {"etc/drbd.conf": 'include "drbd.d/*.rse";\n'})
    r = run("check", "--no-color", str(site))
    lines = r.output.splitlines()
    assert lines[0].startswith(f"{site}/san-1/etc/drbd.conf:1:1: SAN005 [warning] ")
    assert lines[0].endswith("(san-1)")
    assert lines[1].strip() == '1 | include "drbd.d/*.rse";'
    assert lines[2].strip().startswith("| ^")
    assert lines[-1] == "Found 1 problem (0 errors, 1 warning, 0 info) in 1 file on 1 host."
    assert "\033[" not in r.output


def test_colour_only_when_asked(tmp_path):
    site = tmp_path / "site"
    host(site, "san-1", {"etc/drbd.conf": 'include "drbd.d/*.rse";\n'})
    assert "\033[" in run("check", "--color", "always", str(site), color=True).output
    assert "\033[" not in run("check", str(site), color=True).output  # not a terminal


def test_binary_unreadable_and_looping_inputs_are_messages_not_crashes(tmp_path, monkeypatch):
    site = tmp_path / "site"
    root = host(site, "san-1", {"etc/drbd.d/r0.res": R0, "etc/drbd.d/secret.res": R0.replace("r0", "r9")})
    (root / "etc/drbd.d/blob.res").write_bytes(b"\x7fELF\x00\x01\x02")
    (root / "etc/drbd.d/loop").symlink_to(root / "etc/drbd.d")
    real_open = os.open

    def fake_open(file, *a, **kw):
        if str(file).endswith("secret.res"):
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *a, **kw)

    monkeypatch.setattr("os.open", fake_open)
    r = run("check", "--format", "json", str(site))
    doc = json.loads(r.output)
    messages = {Path(f["path"]).name: f["message"] for f in doc["findings"] if f["code"] == "SAN001"}
    assert "binary file" in messages["blob.res"]
    assert "Permission denied" in messages["secret.res"]
    assert "directory loop" in messages["loop"]
    assert r.exit_code == 1


def test_huge_file_is_refused_with_a_message(tmp_path, monkeypatch):
    monkeypatch.setattr("sanlint.site.MAX_FILE_BYTES", 100)
    site = tmp_path / "site"
    host(site, "san-1", {"etc/drbd.d/r0.res": R0 + "#" * 200 + "\n"})
    doc = json.loads(run("check", "--format", "json", str(site)).output)
    assert any(f["code"] == "SAN001" and "too large" in f["message"] for f in doc["findings"])


def test_config_select_ignore_severity_and_per_file_ignores(tmp_path):
    site = tmp_path / "site"
    host(site, "san-1", {"etc/drbd.conf": 'include "drbd.d/*.rse";\n'})
    (tmp_path / ".sanlint.toml").write_text('[tool.sanlint]\nseverity = { SAN005 = "error" }\n')
    doc = json.loads(run("check", "--format", "json", str(site), cwd=tmp_path).output)
    assert doc["findings"][0]["severity"] == "error"
    (tmp_path / ".sanlint.toml").write_text('ignore = ["SAN"]\n')
    assert json.loads(run("check", "--format", "json", str(site), cwd=tmp_path).output)["findings"] == []
    (tmp_path / ".sanlint.toml").write_text('ignore = ["SAN"]\nextend-select = ["SAN005"]\n')
    assert len(json.loads(run("check", "--format", "json", str(site), cwd=tmp_path).output)["findings"]) == 1
    (tmp_path / ".sanlint.toml").write_text('per-file-ignores = { "etc/drbd.conf" = ["SAN005"] }\n')
    assert json.loads(run("check", "--format", "json", str(site), cwd=tmp_path).output)["findings"] == []
    (tmp_path / ".sanlint.toml").write_text('select = ["SAN00"]\nbogus = 1\n')
    r = run("check", str(site), cwd=tmp_path)
    assert r.exit_code == 2 and "unknown sanlint setting" in r.output


def test_pyproject_tool_table(tmp_path):
    site = tmp_path / "site"
    host(site, "san-1", {"etc/drbd.conf": 'include "drbd.d/*.rse";\n'})
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n[tool.sanlint]\nfail-on = "error"\n')
    assert run("check", str(site), cwd=tmp_path).exit_code == 0


def test_inline_suppression_and_unused_suppression(tmp_path):
    site = tmp_path / "site"
    root = host(site, "san-1", {"etc/drbd.conf": '# sanlint: disable=SAN005 -- the directory is filled by puppet\n'
                                                 'include "drbd.d/*.rse";\n'
                                                 'include "drbd.d/*.res"; # sanlint: disable=SAN005,DRBD9999\n',
                                "etc/drbd.d/r0.res": R0})
    doc = json.loads(run("check", "--format", "json", "--select", "SAN", str(site)).output)
    got = sorted((f["code"], f["line"], f["message"]) for f in doc["findings"])
    assert [(c, l) for c, l, _ in got] == [("SAN004", 3), ("SAN004", 3)]
    assert any("unknown rule code DRBD9999" in m for _, _, m in got)
    assert any("SAN005 suppresses nothing" in m for _, _, m in got)
    r = run("check", "--fix", "--select", "SAN", str(site))
    assert r.exit_code == 0, r.output
    assert (root / "etc/drbd.conf").read_text() == ('# sanlint: disable=SAN005 -- the directory is filled by puppet\n'
                                                    'include "drbd.d/*.rse";\n'
                                                    'include "drbd.d/*.res";\n')
    runs = list((site / ".sanlint/backups").iterdir())
    assert len(runs) == 1 and (runs[0] / "0.orig").read_text().count("DRBD9999") == 1  # the original, kept
    assert not list(site.rglob("*.sanlint-bak"))


def test_diff_writes_nothing(tmp_path):
    site = tmp_path / "site"
    root = host(site, "san-1", {"etc/drbd.conf": 'include "drbd.d/*.res"; # sanlint: disable=SAN005\n',
                                "etc/drbd.d/r0.res": R0})
    before = (root / "etc/drbd.conf").read_bytes()
    r = run("check", "--diff", str(site))
    assert f"--- a/{site}/san-1/etc/drbd.conf" in r.output
    assert '+include "drbd.d/*.res";' in r.output
    assert (root / "etc/drbd.conf").read_bytes() == before
    assert not (site / ".sanlint").exists()


def test_rules_and_explain():
    r = run("rules", "--format", "json")
    rows = json.loads(r.output)
    assert {"SAN001", "SAN002", "SAN003", "SAN004", "SAN005"} <= {row["code"] for row in rows}
    e = run("explain", "san001")
    assert e.exit_code == 0 and "## What it checks" in e.output and "## Use instead" in e.output
    assert run("explain", "NOPE1").exit_code == 2


def test_single_file_and_host_option(tmp_path):
    f = tmp_path / "r0.res"
    f.write_text(R0)
    r = run("check", "--format", "json", str(f))
    assert json.loads(r.output)["summary"]["files"] == 1
    root = host(tmp_path, "h", {"etc/drbd.d/r0.res": R0})
    r = run("check", "--format", "json", "--host", f"alpha={root}")
    doc = json.loads(r.output)
    assert doc["summary"]["hosts"] == 1 and doc["summary"]["files"] == 1


def test_parse_prints_the_model_with_sources(tmp_path):
    site = tmp_path / "site"
    host(site, "san-1", {"etc/drbd.d/r0.res": R0})
    r = run("parse", "--format", "json", str(site))
    doc = json.loads(r.output)
    res = doc["hosts"]["san-1"]["drbd"][0]["resources"][0]
    assert res["name"] == "r0"
    assert res["source"]["line"] == 1 and res["source"]["path"].endswith("etc/drbd.d/r0.res")


def test_verbose_says_which_versions_were_assumed_and_why(tmp_path):
    from conftest import FIXTURES

    seed = str(FIXTURES / "sites" / "seed")
    out = run("check", "--verbose", "--no-color", seed).output.splitlines()
    assert out[0].startswith("note: DRBD 8.3 assumed: inferred from the syntax: ")
    assert "sandisk0.res uses 8.3 syntax" in out[0]
    assert out[1].startswith("note: Pacemaker 1.1 assumed: inferred from dc-version 1.1.6 at ")
    doc = json.loads(run("check", "--verbose", "--format", "json", seed).output)
    assert any(n.startswith("DRBD 8.3 assumed") for n in doc["notes"])
    assert "notes" not in json.loads(run("check", "--format", "json", seed).output)


def test_configured_drbd_version_overrides_the_inference(tmp_path):
    """The seed's crm-fence-peer.sh handlers are right for 8.x; told the
    site runs DRBD 9, DRBD113 must fire on them and --verbose says why."""
    from conftest import FIXTURES

    seed = str(FIXTURES / "sites" / "seed")
    inferred = json.loads(run("check", "--format", "json", "--select", "DRBD113", seed).output)
    assert inferred["findings"] == []
    (tmp_path / ".sanlint.toml").write_text('drbd-version = "9"\n')
    doc = json.loads(run("check", "--format", "json", "--verbose", "--select", "DRBD113", seed, cwd=tmp_path).output)
    assert sorted(f["host"] for f in doc["findings"]) == ["san-1", "san-1", "san-2", "san-2"]  # fence + unfence
    assert all(f["message"].endswith("(DRBD 9 assumed: set by drbd-version in the configuration)")
               for f in doc["findings"])
    assert "DRBD 9 assumed: set by drbd-version in the configuration" in doc["notes"]


def test_the_engine_never_imports_the_command_line():
    """The CLI package imports the engine, never the reverse (no import circles)."""
    import ast

    root = Path(__file__).resolve().parent.parent
    offenders = []
    for folder in ("sanlint", "rules"):
        for py in (root / folder).rglob("*.py"):
            if py.is_relative_to(root / "sanlint" / "cli") or py.name == "__main__.py":
                continue
            for node in ast.walk(ast.parse(py.read_text())):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                    [f"{node.module}.{a.name}" for a in node.names] if isinstance(node, ast.ImportFrom) else []
                offenders += [f"{py.relative_to(root)}: {n}" for n in names if n == "sanlint.cli" or n.startswith("sanlint.cli.")]
    assert offenders == []


def test_every_listed_command_loads():
    from sanlint.cli import COMMANDS

    for name in COMMANDS:
        assert run(name, "--help").exit_code == 0, name
    assert sorted(COMMANDS) == sorted(main.list_commands(None))
