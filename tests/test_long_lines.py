"""A finding on a very long source line (a one-line CIB, a generated crm file) shows a window of
the line around the caret, not the whole line."""

from __future__ import annotations

from click.testing import CliRunner

from sanlint.cli import main
from sanlint.output.text import WINDOW


def test_deeply_nested_one_line_cib_shows_a_window_at_the_error(tmp_path):
    cib = tmp_path / "cib.xml"
    text = ("<cib><configuration><resources>" + '<group id="g">' * 3000 + "</group>" * 3000
            + "</resources></configuration></cib>")
    cib.write_text(text)
    r = CliRunner().invoke(main, ["check", "--no-cache", str(cib)])
    assert r.exit_code == 1, r.output
    lines = r.output.splitlines()
    head = next(i for i, line in enumerate(lines) if "SAN001" in line)
    loc = lines[head].split(": SAN001")[0]
    line, column = (int(x) for x in loc.rsplit(":", 2)[1:])
    assert line == 1 and column > 3000  # where libxml2 stopped (near depth 256; libxml2 versions differ by a column), not 1:1
    source, caret = lines[head + 1], lines[head + 2]
    assert len(source) < WINDOW + 20 and source.split("| ", 1)[1].startswith("…")
    col = caret.index("^")
    assert source[col:col + 20] == text[column - 1:column + 19]  # the caret under that column of the file
    assert len(r.output) < 2000


def test_the_caret_stays_under_the_offending_word(tmp_path):
    crm = tmp_path / "cluster.crm"
    pad = " ".join(f"p{i}=v{i}" for i in range(200))
    crm.write_text(f"primitive ip IPaddr2 params {pad} ip=10.0.0.1 cidr_netmask=24 bogus_option\n")
    r = CliRunner().invoke(main, ["check", "--no-cache", str(crm)])
    lines = r.output.splitlines()
    for i, line in enumerate(lines):
        if line.startswith(str(crm)) and i + 2 < len(lines) and "^" in lines[i + 2]:
            source, caret = lines[i + 1], lines[i + 2]
            assert len(source) < WINDOW + 20
            col = caret.index("^")
            width = len(caret) - col
            assert source[col:col + width].strip(), (source, caret)
            break
    else:
        raise AssertionError(r.output)


def test_many_findings_on_one_line_with_a_secret_keep_it_redacted_and_carets_right(tmp_path):
    """The line is read and scrubbed once for all its findings (was once per finding: quadratic on
    a generated one-line file); the secret stays redacted and each caret under its own word."""
    crm = tmp_path / "cluster.crm"
    pad = " ".join(f"bogus{i}=v{i}" for i in range(300))
    crm.write_text(f"primitive fence-1 stonith:fence_ipmilan params ip=10.0.0.9 username=admin "
                   f"password=Sup3rS3cretPW {pad}\n")
    r = CliRunner().invoke(main, ["check", "--no-cache", str(crm)])
    assert "Sup3rS3cretPW" not in r.output
    lines = r.output.splitlines()
    checked = 0
    for i, line in enumerate(lines):
        if line.startswith(str(crm)) and "bogus" in line and i + 2 < len(lines) and "^" in lines[i + 2]:
            word = line.split("bogus", 1)[1].split()[0].strip("'\"`:,")
            source, caret = lines[i + 1], lines[i + 2]
            col = caret.index("^")
            assert source[col:].startswith(f"bogus{word}"), (line, source, caret)
            checked += 1
    assert checked >= 100, r.output[:3000]
