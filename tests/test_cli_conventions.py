"""The command-line conventions a ruff user expects (issue 13 §2): each
option or behaviour is run through the real `sanlint` command group."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from sanlint.cli import main

REPO = Path(__file__).resolve().parent.parent
SEED = REPO / "fixtures" / "sites" / "seed"
# one DRBD resource with a safe fix (DRBD122: on-io-error pass_on) and a finding without one
R0 = """resource r0 {
  disk { on-io-error pass_on; }
  on alpha { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.1:7789; }
  on bravo { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.2:7789; }
}
"""


def run(*args, cwd: Path | None = None, input: bytes | str | None = None, env: dict | None = None, color=False):
    old = os.getcwd()
    try:
        os.chdir(cwd or REPO)
        r = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False, input=input, env=env,
                               color=color)
    finally:
        os.chdir(old)
    assert "Traceback" not in r.output
    return r


def findings(r) -> list[dict]:
    return json.loads(r.stdout)["findings"]


@pytest.fixture
def r0(tmp_path) -> Path:
    f = tmp_path / "drbd.d" / "r0.res"
    f.parent.mkdir()
    f.write_text(R0)
    return f


# -- exit status ----------------------------------------------------------------------

def test_exit_zero_turns_findings_into_success_but_not_usage_errors(r0):
    assert run("check", r0).exit_code == 1
    r = run("check", "--exit-zero", r0)
    assert r.exit_code == 0 and "DRBD122" in r.stdout
    assert run("check", "--exit-zero", r0.parent / "nope").exit_code == 2
    assert run("check", "--exit-zero", "--diff", r0).exit_code == 0


def test_help_documents_exit_codes_and_formats():
    text = run("check", "--help").stdout
    for word in ("Exit status:", "0  no finding", "1  at least one", "2  usage error", "--output-format",
                 "--format", "json", "sarif", "junit", "github", "[*]", "[!]", "[?]", "applicability"):
        assert word in text, word


# -- output -------------------------------------------------------------------------

def test_output_format_is_rufs_name_and_format_its_alias(r0):
    a = run("check", "--output-format", "json", r0)
    b = run("check", "--format", "json", r0)
    assert a.exit_code == b.exit_code == 1 and a.stdout == b.stdout and findings(a)


def test_statistics_count_per_code(tmp_path):
    r = run("check", "--statistics", SEED)
    assert r.exit_code == 1
    rows = [re.split(r"\s+", line.strip(), maxsplit=2) for line in r.stdout.splitlines()]
    doc = json.loads(run("check", "--format", "json", SEED).stdout)["findings"]
    counts = {}
    for f in doc:
        counts[f["code"]] = counts.get(f["code"], 0) + 1
    assert {code: int(n) for n, code, _ in rows} == counts
    assert [int(n) for n, _, _ in rows] == sorted((int(n) for n, _, _ in rows), reverse=True)
    marks = {code: rest.split()[0] for _, code, rest in rows if rest.startswith("[")}
    assert marks["PCMK114"] == "[*]" and marks["PCMK103"] == "[!]" and marks["PCMK111"] == "[?]"
    assert "CORO102" not in marks
    js = json.loads(run("check", "--statistics", "--output-format", "json", SEED).stdout)
    assert {row["code"]: row["count"] for row in js} == counts and all("name" in row for row in js)
    assert run("check", "--statistics", "--output-format", "sarif", SEED).exit_code == 2


def test_fixes_marked_apart_with_a_legend_and_json_applicability():
    text = run("check", "--no-color", SEED).stdout
    lines = text.splitlines()
    assert any("PCMK114" in line and line.endswith("[*]") for line in lines)
    assert any("PCMK103" in line and line.endswith("[!]") for line in lines)
    assert any("PCMK111" in line and line.endswith("[?]") for line in lines)
    assert lines[-1] == ("[*] fixable with --fix; [!] fixable with --fix --unsafe-fixes (changes behaviour); "
                         "[?] fix needs your choice (listed by --diff, never written).")
    by_code = {f["code"]: f for f in findings(run("check", "--format", "json", SEED))}
    assert by_code["PCMK114"]["fix"]["applicability"] == "safe" and by_code["PCMK114"]["fixable"] is True
    assert by_code["PCMK103"]["fix"]["applicability"] == "unsafe" and by_code["PCMK103"]["fixable"] is True
    assert by_code["PCMK111"]["fix"]["applicability"] == "display-only" and by_code["PCMK111"]["fixable"] is False
    assert by_code["CORO102"]["fix"] is None and by_code["CORO102"]["fixable"] is False
    assert by_code["PCMK103"]["fix"]["message"]


def test_no_legend_without_fixes(tmp_path):
    f = tmp_path / "drbd.conf"
    f.write_text('include "drbd.d/*.rse";\n')
    assert "[*]" not in run("check", f).stdout


def test_show_fixes_lists_each_fix_and_what_fix_fixed(tmp_path, r0):
    r = run("check", "--show-fixes", "--no-color", r0)
    assert "      = fix (safe): " in r.stdout
    assert "= fix" not in run("check", "--no-color", r0).stdout
    r = run("check", "--fix", "--show-fixes", "--no-color", r0)
    assert r.stdout.startswith(f"Fixed 1 problem:\n- {r0}:\n    1 × DRBD122 (on-io-error-pass-on)\n")


@pytest.mark.parametrize("flag, coloured", [("always", True), ("never", False), ("auto", False)])
def test_color_auto_always_never(r0, flag, coloured):
    # CliRunner's stdout is not a terminal: auto means no colour
    assert ("\033[" in run("check", "--color", flag, r0, color=True).stdout) is coloured


def test_color_never_wins_and_no_color_env_loses_to_always(r0):
    assert "\033[" in run("check", "--color", "always", r0, env={"NO_COLOR": "1"}, color=True).stdout
    assert run("check", "--color", "purple", r0).exit_code == 2


def test_output_dash_is_standard_output(tmp_path, r0):
    r = run("check", "-o", "-", "--format", "json", r0)
    assert r.exit_code == 1 and findings(r)
    assert not (Path(os.getcwd()) / "-").exists() and not (REPO / "-").exists()


def test_output_to_an_unwritable_place_is_a_message(tmp_path, r0):
    r = run("check", "-o", tmp_path / "no" / "out.txt", r0)
    assert r.exit_code == 2 and "could not write" in r.stderr and "no such directory" in r.stderr


# -- standard input -------------------------------------------------------------------

def test_stdin_is_classified_by_stdin_filename(r0):
    r = run("check", "--format", "json", "-", "--stdin-filename", "etc/drbd.d/r0.res", input=R0)
    assert r.exit_code == 1
    got = findings(r)
    assert {f["code"] for f in got} >= {"DRBD122"} and {f["path"] for f in got} == {"etc/drbd.d/r0.res"}
    # the same bytes from the file give the same findings, path aside
    same = findings(run("check", "--format", "json", r0))
    assert [(f["code"], f["line"], f["column"]) for f in got] == [(f["code"], f["line"], f["column"]) for f in same]


def test_stdin_filename_alone_reads_stdin_and_text_names_the_file():
    r = run("check", "--no-color", "--stdin-filename", "r0.res", input=R0)
    assert r.exit_code == 1 and r.stdout.startswith("r0.res:1:1: DRBD130 ") and "\nr0.res:2:" in r.stdout


def test_stdin_without_a_name_is_sniffed_and_shown_as_dash():
    r = run("check", "--format", "json", "-", input="primitive p ocf:heartbeat:Dummy\nms m p\n")
    assert {f["path"] for f in findings(r)} == {"-"} and "PCMK113" in {f["code"] for f in findings(r)}


def test_stdin_parse_error_is_reported_at_the_given_name():
    r = run("check", "-", "--stdin-filename", "/etc/drbd.d/r9.res", input="resource r9 {\n  on a { x }\n")
    assert r.exit_code == 1 and "/etc/drbd.d/r9.res:2:" in r.stdout and "SAN001" in r.stdout


def test_stdin_diff_labels_the_given_name():
    r = run("check", "--diff", "-", "--stdin-filename", "drbd.d/r0.res", input=R0)
    assert "--- a/drbd.d/r0.res" in r.stdout and "on-io-error detach" in r.stdout


@pytest.mark.parametrize("args", [("-", "x.res"), ("--fix", "-"), ("--stdin-filename", "a.res", "x.res"),
                                  ("--host", "a=/etc", "-")])
def test_stdin_usage_errors(tmp_path, args):
    (tmp_path / "x.res").write_text(R0)
    assert run("check", *args, cwd=tmp_path, input=R0).exit_code == 2


# -- selection and configuration --------------------------------------------------------

def test_extend_select_adds_to_the_configured_selection(tmp_path, r0):
    (tmp_path / ".sanlint.toml").write_text('select = ["SAN"]\n')
    assert findings(run("check", "--format", "json", r0, cwd=tmp_path)) == []
    got = findings(run("check", "--format", "json", "--extend-select", "DRBD122", r0, cwd=tmp_path))
    assert {f["code"] for f in got} == {"DRBD122"}


def test_configuration_is_found_from_the_checked_path_upwards_then_the_current_directory(tmp_path, r0):
    elsewhere = tmp_path.parent / (tmp_path.name + "-cwd")
    elsewhere.mkdir()
    try:
        assert "DRBD122" in {f["code"] for f in findings(run("check", "--format", "json", r0, cwd=elsewhere))}
        (elsewhere / ".sanlint.toml").write_text('ignore = ["DRBD"]\n')  # only the cwd has one
        assert "DRBD122" not in {f["code"] for f in findings(run("check", "--format", "json", r0, cwd=elsewhere))}
        (tmp_path / "pyproject.toml").write_text('[tool.sanlint]\nignore = ["DRBD122"]\nselect = ["DRBD", "SAN"]\n')
        got = findings(run("check", "--format", "json", r0, cwd=elsewhere))  # the checked path's wins
        assert got and "DRBD122" not in {f["code"] for f in got}
    finally:
        shutil.rmtree(elsewhere)


@pytest.mark.parametrize("option", ["--select", "--ignore", "--extend-select"])
def test_unknown_code_on_the_command_line_exits_2_with_a_suggestion(r0, option):
    r = run("check", option, "DRBD1O1", r0)
    assert r.exit_code == 2 and "unknown rule code 'DRBD1O1'" in r.stderr and "did you mean DRBD101" in r.stderr
    r = run("check", option, "XYZ", r0)
    assert r.exit_code == 2 and "unknown rule code 'XYZ'" in r.stderr


@pytest.mark.parametrize("table", ['select = ["DRBD12X"]', 'ignore = ["PCMK9"]', 'extend-select = ["LVN"]',
                                   '[per-file-ignores]\n"*.res" = ["DRDB"]', '[severity]\nDRBD999 = "info"'])
def test_unknown_code_in_configuration_exits_2(tmp_path, r0, table):
    (tmp_path / ".sanlint.toml").write_text(table + "\n")
    r = run("check", r0, cwd=tmp_path)
    assert r.exit_code == 2 and ".sanlint.toml" in r.stderr and "unknown rule code" in r.stderr


def test_prefixes_and_all_are_known(r0):
    for sel in ("ALL", "DRBD", "drbd12", "SAN0", "DRBD122"):
        assert run("check", "--select", sel, r0).exit_code in (0, 1), sel


# -- rules and explain ----------------------------------------------------------------

def test_explain_takes_a_name_as_well_as_a_code():
    by_code = run("explain", "DRBD110")
    by_name = run("explain", "fencing-without-handler")
    assert by_code.exit_code == by_name.exit_code == 0 and by_code.stdout == by_name.stdout
    assert by_code.stdout.startswith("DRBD110 fencing-without-handler ")
    r = run("explain", "fencing-without-handlr")
    assert r.exit_code == 2 and "did you mean fencing-without-handler" in r.stderr


def test_rules_lines_fit_an_80_column_terminal():
    lines = run("rules").stdout.splitlines()
    assert len(lines) > 150 and max(len(line) for line in lines) <= 79
    codes = [line.split()[0] for line in lines if not line.startswith(" ")]
    assert len(codes) == len(json.loads(run("rules", "--format", "json").stdout))


# -- migrate ------------------------------------------------------------------------

def test_migrate_without_a_name_says_so_and_lists_the_migrators():
    r = run("migrate")
    assert r.exit_code == 2 and "needs a migrator NAME" in r.stderr
    for name in ("drbd-84", "drbd-9", "iscsi-tgt", "iscsi-lio", "pacemaker-2"):
        assert f"\n{name} " in r.stderr
    assert max(len(line) for line in run("migrate", "--list").stdout.splitlines()) <= 79


def test_migrate_write_with_output_is_a_usage_error(tmp_path):
    site = tmp_path / "s"
    shutil.copytree(SEED, site)
    before = {p: p.read_bytes() for p in site.rglob("*") if p.is_file()}
    r = run("migrate", "drbd-9", "--write", "--output", tmp_path / "out", site)
    assert r.exit_code == 2 and "--write" in r.stderr and "--output" in r.stderr
    assert not (tmp_path / "out").exists() and {p: p.read_bytes() for p in site.rglob("*") if p.is_file()} == before


def test_set_names_are_written_with_dashes(tmp_path):
    listing = run("migrate", "--list").stdout
    names = re.findall(r"--set ([^=]+)=", listing)
    assert names and all(n == n.lower() and "_" not in n for n in names), names
    crm = tmp_path / "c.crm"
    crm.write_text("primitive vg ocf:heartbeat:LVM params volgrpname=vg0\n")
    dashed = run("migrate", "pacemaker-2", "--set", "vg-access-mode=tagging", crm)
    underscored = run("migrate", "pacemaker-2", "--set", "vg_access_mode=tagging", crm)
    assert dashed.exit_code != 2 and dashed.stdout == underscored.stdout and "vg_access_mode=tagging" in dashed.stdout
    r = run("migrate", "pacemaker-2", "--set", "vg-acess-mode=tagging", crm)
    assert r.exit_code == 2 and "vg-access-mode" in r.stderr


# -- parse errors in the admin's words --------------------------------------------------

def test_every_grammar_terminal_has_words():
    """No Lark token name (RBRACE, __ANON_3, OPTVAL) can reach an "expected ..." message."""
    from sanlint.parsers.grammar import _word, get_parser

    for lark in sorted((REPO / "grammars").glob("*.lark")):
        parser = get_parser(lark.stem)
        for t in parser.terminals:
            word = _word(lark.stem, t.name, parser)
            if t.name.startswith("_") or t.name in ("WS", "COMMENT"):  # ignored, never expected
                continue
            assert word is not None and word != t.name.lower().replace("_", "-"), (lark.stem, t.name, word)
            assert not re.search(r"[A-Z]{3,}_|__ANON", word), (lark.stem, t.name, word)


@pytest.mark.parametrize("name, text, message", [
    ("r0.res", "resource r0 {\n  on alpha { address 10.0.0.1:7788 \n}\n",
     "r0.res:3:1: SAN001 [error] cannot parse drbd file: syntax error: found '}', expected ';', 'via' or '{'"),
    ("corosync.conf", "totem {\n version 2\n}\n",
     "corosync.conf:2:10: SAN001 [error] cannot parse corosync file: syntax error: found '2', expected ':' or '{'"),
    ("ietd.conf", "Target iqn.2001-04.com.example:t\n  Lun 0 Path=/dev/x,Type=\n",
     "found end of line, expected an option value"),
    ("c.crm", "colocation c inf: a b\norder o Mandatory:\n",
     "found end of line, expected '(', '[', a word or name=value"),
])
def test_parse_errors_say_what_was_expected_in_the_formats_terms(tmp_path, name, text, message):
    (tmp_path / name).write_text(text)
    r = run("check", "--select", "SAN001", "--no-color", name, cwd=tmp_path)
    assert message in r.stdout.splitlines()[0]
