"""Secrets (issue 10): one scrubber over every byte sanlint prints or writes
for humans, knowing every written form of a secret and touching nothing
else.  The site (tests/secret_site.py) holds secrets in every form the
formats write them: DRBD shared-secret quoted, bare, with spaces and with
escapes (`"a\\"b\\\\c"`), crm passwd=/password=, iSCSITarget
incoming_password on a continuation line, ietd IncomingUser/OutgoingUser,
tgt incominguser/outgoinguser, LIO chap passwords, CIB passwd nvpairs in
either attribute order, and files that fail to parse on a secret's line."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

import secret_site
from sanlint.cli import main
from sanlint.output.secrets import REDACTED, Scrubber, redact_text


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return secret_site.build(tmp_path_factory.mktemp("secrets") / "site")


def run(*args) -> str:
    r = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert "Traceback" not in (r.output or "")
    return r.output + (r.stderr if r.stderr_bytes is not None else "")


def leaked(text: str) -> list[str]:
    return [s for s in secret_site.SECRETS if s in text]


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "junit", "github"])
def test_every_check_format(site, fmt):
    out = run("check", "--format", fmt, "--verbose", str(site))
    assert "SAN001" in out  # the broken files are reported, their lines quoted
    assert leaked(out) == []


@pytest.mark.parametrize("args", [("--diff",), ("--diff", "--unsafe-fixes")])
def test_fix_diffs(site, args):
    out = run("check", *args, str(site))
    assert "@@" in out  # there are diffs, around the secret lines
    assert leaked(out) == []


def test_parse_model(site):
    assert leaked(run("parse", str(site))) == []


@pytest.mark.parametrize("kind", ["drbd-84", "drbd-9", "iscsi-tgt", "iscsi-lio", "pacemaker-2"])
@pytest.mark.parametrize("how", [("--diff",), (), ("--format", "json", "--diff")])
def test_migration_diffs_and_reports(site, kind, how):
    out = run("migrate", kind, *how, str(site))
    assert leaked(out) == []


@pytest.mark.parametrize("name", ["audit.html", "audit.md"])
def test_reports(site, tmp_path, name):
    run("report", str(site), "-o", str(tmp_path / name))
    text = (tmp_path / name).read_text()
    assert "SAN001" in text and leaked(text) == []


def test_baseline_file(site, tmp_path):
    run("check", "--write-baseline", str(tmp_path / "b.json"), str(site))
    assert leaked((tmp_path / "b.json").read_text()) == []


def test_the_escaped_drbd_secret_is_found_in_every_form():
    s = Scrubber({'a"b\\c-Drbd1Esc9Q'})
    for form in ['a"b\\c-Drbd1Esc9Q', 'a\\"b\\\\c-Drbd1Esc9Q', json.dumps('a"b\\c-Drbd1Esc9Q'),
                 json.dumps('a\\"b\\\\c-Drbd1Esc9Q'), "a&quot;b\\c-Drbd1Esc9Q"]:
        assert "Drbd1Esc9Q" not in s(f"x {form} y"), form


@pytest.mark.parametrize("line, kept", [
    ('  shared-secret "a\\"b\\\\c";', '  shared-secret "********";'),
    ("  shared-secret plain;", "  shared-secret ********;"),
    ("net { shared-secret x1; cram-hmac-alg sha1; }", "net { shared-secret ********; cram-hmac-alg sha1; }"),
    ("    params ipaddr=10.0.0.1 passwd=pw1 login=admin \\", "    params ipaddr=10.0.0.1 passwd=******** login=admin \\"),
    ('    params password="p w" x=1', '    params password="********" x=1'),
    ("    incoming_password=pw2 \\", "    incoming_password=******** \\"),
    ("\tIncomingUser u1 pw3", "\tIncomingUser u1 ********"),
    ("\tOutgoingUser u2 pw4", "\tOutgoingUser u2 ********"),
    ("    incominguser u pw5", "    incominguser u ********"),
    ('  "chap_password": "pw6",', '  "chap_password": "********",'),
    ('<nvpair id="x" name="passwd" value="pw7"/>', '<nvpair id="x" name="passwd" value="********"/>'),
    ('<nvpair id="x" value="pw8" name="passwd"/>', '<nvpair id="x" value="********" name="passwd"/>'),
])
def test_written_forms(line, kept):
    assert redact_text(line) == kept


@pytest.mark.parametrize("line", [
    'include "/etc/passwd";',
    'include "/etc/drbd.d/secret-*.res";',
    "# the password rotation is monthly",
    '<nvpair id="st-passwd-login" name="login" value="admin"/>',
    "params keyboard=us monkey=1",
    "IncomingUser u1",
    "primitive passwd-store ocf:heartbeat:Dummy",
])
def test_lines_without_a_secret_are_untouched(line):
    assert redact_text(line) == line


def test_include_naming_passwd_is_not_mangled(tmp_path):
    root = tmp_path / "site" / "san-1"
    (root / "etc").mkdir(parents=True)
    (root / "etc/drbd.conf").write_text('include "/etc/passwd.d/*.res";\n')
    out = run("check", str(tmp_path / "site"))
    assert '| include "/etc/passwd.d/*.res";' in out
    assert REDACTED not in out


def test_the_caret_stays_under_the_error_after_redaction(tmp_path):
    d = tmp_path / "etc/drbd.d"
    d.mkdir(parents=True)
    (d / "r3.res").write_text("resource r3 {\n  net { shared-secret averylongsecretvalue123 }\n}\n")
    out = run("check", str(tmp_path)).splitlines()
    i = next(n for n, ln in enumerate(out) if "shared-secret" in ln and "|" in ln)
    line, caret = out[i], out[i + 1]
    assert "averylongsecretvalue123" not in line
    assert line[caret.index("^")] == "}"
