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
    assert loc.endswith(":1:3587")  # where libxml2 stopped (depth 256), not 1:1
    source, caret = lines[head + 1], lines[head + 2]
    assert len(source) < WINDOW + 20 and source.split("| ", 1)[1].startswith("…")
    col = caret.index("^")
    assert source[col:col + 20] == text[3586:3606]  # the caret under column 3587 of the file
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
