"""/etc/sysconfig/sbd and /etc/default/sbd: shell variable assignments as
sbd.sh sources them (bash is the oracle) and SBD_DEVICE split as sbd's
parse_device_line splits it."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from hypothesis import given, settings, strategies as st

from conftest import FIXTURES
from sanlint.discovery import classify_name
from sanlint.parsers.sbd import parse
from sanlint.source import ParseError, SourceFile


def sbd(text: str):
    return parse(SourceFile.from_text("etc/sysconfig/sbd", text, format="sbd"))


def bash_values(text: str, names: list[str], tmp_path) -> dict[str, str]:
    """What `. /etc/sysconfig/sbd` (sbd.sh) gives each variable."""
    f = tmp_path / "sbd"
    f.write_text(text)
    script = f'. "{f}"; ' + "; ".join(f'printf "%s\\0" "${{{n}}}"' for n in names)
    out = subprocess.run(["bash", "--norc", "--noprofile", "-c", script], capture_output=True, check=True).stdout
    return dict(zip(names, out.decode().split("\0")))


def test_the_template_sbd_ships():
    cfg = sbd(open(FIXTURES / "rules" / "SBD101" / "good" / "san-1" / "etc" / "sysconfig" / "sbd").read())
    assert [d.path for d in cfg.devices] == ["/dev/disk/by-id/scsi-36001405a1b2c3d4e5f60718293a4b5c6",
                                             "/dev/disk/by-id/scsi-36001405f0e1d2c3b4a5968778695a4b3"]
    assert cfg.value("SBD_PACEMAKER") == "yes" and cfg.value("SBD_OPTS") is None  # empty = unset (get_env_option)
    assert cfg.value("SBD_WATCHDOG_TIMEOUT") == "5"


def test_quoting_export_comments_and_last_assignment_wins(tmp_path):
    text = ("# comment\n; systemd comment\nexport SBD_DEVICE='/dev/a;/dev/b' # two\n"
            'SBD_OPTS="-W \\"x\\""\nSBD_PACEMAKER=no\nSBD_PACEMAKER=ye"s"\nSBD_STARTMODE=\n')
    cfg = sbd(text)
    assert [d.path for d in cfg.devices] == ["/dev/a", "/dev/b"]
    assert cfg.value("SBD_OPTS") == '-W "x"'
    assert cfg.value("SBD_PACEMAKER") == "yes"
    assert cfg.value("SBD_STARTMODE") is None
    # device spans point at the devices in the file
    dev = cfg.devices[1]
    assert text.encode()[dev.span.start:dev.span.end] == b"/dev/b"


def test_device_line_as_parse_device_line():
    cfg = sbd('SBD_DEVICE=" /dev/a ;; /dev/b;"\n')
    assert [d.path for d in cfg.devices] == ["/dev/a", "/dev/b"]
    assert len(cfg.empty_devices) == 2
    assert sbd('SBD_DEVICE=""\n').devices == [] and sbd('SBD_DEVICE=""\n').empty_devices == []


@pytest.mark.parametrize("text, line, col", [
    ("SBD_DEVICE = /dev/a\n", 1, 1),          # blanks around '=': a command for the shell
    ("A=1\nSBD_DEVICE=/dev/a /dev/b\n", 2, 19),  # an unquoted blank
    ('SBD_DEVICE="/dev/a\n', 1, 12),          # unterminated quote
    ("A=1\nsystemctl start sbd\n", 2, 1),
])
def test_errors_point_at_the_offending_text(text, line, col):
    with pytest.raises(ParseError) as e:
        sbd(text)
    assert (e.value.line, e.value.column) == (line, col)


def test_classified_where_distributions_keep_it():
    assert classify_name("sbd", "etc/sysconfig/sbd") == "sbd"
    assert classify_name("sbd", "etc/default/sbd") == "sbd"


_chars = st.text(st.characters(codec="ascii", categories=("L", "N", "P", "S", "Zs")), max_size=20)


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash not installed")
@settings(max_examples=60, deadline=None)
@given(values=st.lists(_chars, min_size=1, max_size=3), style=st.sampled_from(["double", "single"]))
def test_values_equal_what_bash_reads(values, style, tmp_path_factory):
    names = [f"V{i}" for i in range(len(values))]
    lines = []
    for n, v in zip(names, values):
        if style == "single":
            if "'" in v:
                v = v.replace("'", "")
            lines.append(f"{n}='{v}'")
        else:
            esc = "".join("\\" + c if c in '"\\$`' else c for c in v)
            lines.append(f'{n}="{esc}"')
    text = "\n".join(lines) + "\n"
    cfg = sbd(text)
    want = bash_values(text, names, tmp_path_factory.mktemp("sbd"))
    assert {s.name: s.value for s in cfg.settings} == want
