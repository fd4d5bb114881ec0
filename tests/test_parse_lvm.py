"""lvm.conf and LVM metadata parsing: values, spans, errors, round trips."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from sanlint.parsers.lvm import parse, parse_metadata
from sanlint.source import ParseError, SourceFile
from conftest import FIXTURES

LVM = FIXTURES / "lvm"
INVALID = sorted(p for p in (LVM / "invalid").iterdir() if p.suffix != ".expect")


def load(path: Path) -> SourceFile:
    return SourceFile(display=str(path), data=path.read_bytes(), path=path)


def text(body: str, name: str = "lvm.conf") -> SourceFile:
    return SourceFile.from_text(name, body)


# -- lvm.conf ----------------------------------------------------------------
def test_seed_filter_and_cache():
    src = load(LVM / "seed" / "lvm.conf")
    config = parse(src)
    flt = config.get("devices/filter")
    assert flt.value == ["a|/dev/drbd.*|", "r|.*|"]
    assert flt.section == "devices" and flt.name == "filter"
    assert flt.span.text == 'filter = [ "a|/dev/drbd.*|", "r|.*|" ]'
    assert flt.value_span.text == '[ "a|/dev/drbd.*|", "r|.*|" ]'
    assert [i.span.text for i in flt.items] == ['"a|/dev/drbd.*|"', '"r|.*|"']
    assert (flt.span.line, flt.span.column) == (11, 5)
    assert src.data[flt.span.start:flt.span.end] == flt.span.bytes
    cache = config.get("devices/write_cache_state")
    assert cache.value == 0 and cache.value_span.text == "0" and cache.span.line == 17
    assert config.get("global/umask").value == 0o77  # strtoll base 0: octal
    assert config.get("activation/process_priority").value == -18
    assert config.get("devices/cache_file_prefix").value == ""
    assert config.get("devices/preferred_names").value == []


def test_modern_settings():
    config = parse(load(LVM / "modern" / "lvm.conf"))
    assert config.get("devices/global_filter").value == ["r|^/dev/sdb[0-9]*$|", "a|.*|"]
    assert config.get("global/use_lvmetad").value == 0
    assert config.get("global/system_id_source").value == "uname"
    assert config.get("activation/auto_activation_volume_list").value == ["vg_root"]
    assert config.get("activation/volume_list").value == ["vg_root", "@san-1"]
    assert config.get("devices/types").value == ["drbd", 16]
    devices = config.section("devices")
    assert devices.span.text.startswith("devices {") and devices.span.text.endswith("}")
    assert devices.body_span.text.startswith("\n\tdir = ") and devices.body_span.text.endswith("issue_discards = 0\n")


def test_value_span_inside_quotes_and_item_edit():
    src = text('devices {\n  filter = [ "a|/dev/drbd.*|", "r|.*|" ]\n  dir = "/dev"\n}\n')
    config = parse(src)
    assert config.get("devices/dir").value_span.text == "/dev"
    item = config.get("devices/filter").items[1]
    edited = src.data[:item.span.start] + b'"r|^/dev/sdb$|", "a|.*|"' + src.data[item.span.end:]
    again = parse(SourceFile(display="lvm.conf", data=edited))
    assert again.get("devices/filter").value == ["a|/dev/drbd.*|", "r|^/dev/sdb$|", "a|.*|"]


def test_path_keys_and_last_wins():
    config = parse(text('devices/filter = [ "r|.*|" ]\ndevices { filter = [ "a|.*|" ] }\n//global//umask = 022\n'))
    assert [s.key for s in config.settings] == ["devices/filter", "devices/filter", "global/umask"]
    assert config.get("devices/filter").value == ["a|.*|"]
    assert config.get("global/umask").value == 0o22


def test_scalars():
    config = parse(text('s {\n a = "x\\"y\\\\z\\.w"\n b = \'raw\\\'\n c = bare/word\n d = 1.5\n e = .25\n'
                        ' f = -\n g = +7\n h = 08\n i = "multi\nline"\n j = [ "p" \'q\' "r", ]\n}\n'))
    values = {s.name: s.value for s in config.settings}
    assert values == {"a": 'x"y\\z\\.w', "b": "raw\\", "c": "bare/word", "d": 1.5, "e": 0.25, "f": 0, "g": 7,
                      "h": 0, "i": "multi\nline", "j": ["p", "q", "r"]}


def test_quoted_section_name_and_comments():
    config = parse(text('"my vg" { # comment "with quote\n  id = "x" # trailing\n}\n'))
    assert config.sections[0].path == "my vg"
    assert config.get("my vg/id").value == "x"


def test_empty_file_is_fine_but_comments_only_is_not():
    assert parse(text("")).settings == []
    with pytest.raises(ParseError) as err:
        parse(text("# devices {\n#}\n"))
    assert (err.value.line, err.value.column) == (3, 1)


def test_empty_key_rejected():
    with pytest.raises(ParseError) as err:
        parse(text('x {\n  "" = 1\n}\n'))
    assert (err.value.line, err.value.column) == (2, 3)


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.name)
def test_invalid_fixture_position(path: Path):
    expect = Path(f"{path}.expect").read_text().strip()
    with pytest.raises(ParseError) as err:
        parse(load(path))
    assert f"{err.value.line}:{err.value.column}" == expect


def test_non_ascii_spans_are_bytes():
    src = text('# Größe\ndevices { dir = "/dév" }\n')
    setting = parse(src).get("devices/dir")
    assert setting.value_span.bytes == "/dév".encode()
    assert setting.span.line == 2


# -- metadata ----------------------------------------------------------------
def test_backup_volume_group():
    (vg,) = parse_metadata(load(LVM / "backup" / "vgsan"))
    assert (vg.name, vg.id, vg.archive, vg.system_id) == ("vgsan", "3pLq0W-Hn8x-Vb2K-Qe5T-mJ7r-Zc1D-fY9sGa", False, None)
    (pv,) = vg.pvs
    assert (pv.name, pv.device, pv.id) == ("pv0", "/dev/drbd0", "Vd6nQe-Tz0P-Kw3H-Lb9M-xS2g-Ry4C-a8JfUo")
    assert pv.span.text.startswith("pv0 {") and pv.span.line == 24
    assert [(lv.name, lv.vg, lv.size_extents) for lv in vg.lvs] == [(f"lun{i}", "vgsan", 256) for i in range(4)]
    assert vg.span.text.startswith("vgsan {") and vg.span.line == 11


def test_archive_flag_and_history():
    (path,) = (LVM / "archive").glob("*.vg")
    (vg,) = parse_metadata(load(path))
    assert vg.archive is True
    assert [lv.name for lv in vg.lvs] == ["lun0", "lun1", "lun2"]
    (vg,) = parse_metadata(SourceFile.from_text("/etc/lvm/archive/vgsan_00001-1.vg", path.read_text()))
    assert vg.archive is True


def test_system_id_from_newer_lvm():
    (vg,) = parse_metadata(load(LVM / "backup-2.03" / "vgsan"))
    assert vg.system_id == "san-1.example.com"


# -- properties --------------------------------------------------------------
NAMES = st.from_regex(r"[a-z_][a-z0-9_]{0,8}", fullmatch=True)
STRINGS = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12)
SCALARS = st.one_of(st.integers(-10**12, 10**12), STRINGS,
                    st.decimals(places=3, allow_nan=False, allow_infinity=False, min_value=-1000, max_value=1000))
VALUES = st.one_of(SCALARS, st.lists(SCALARS, max_size=4))


def _render_scalar(v) -> str:
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(v, int):
        return str(v)
    return f"{v:.3f}"


def _render(value) -> str:
    if isinstance(value, list):
        return "[ " + ", ".join(_render_scalar(v) for v in value) + " ]"
    return _render_scalar(value)


def _expected(value):
    if isinstance(value, list):
        return [_expected(v) for v in value]
    if isinstance(value, (str, int)):
        return value
    return float(f"{value:.3f}")


SECTIONS = st.lists(st.tuples(NAMES, st.lists(st.tuples(NAMES, VALUES), max_size=5)), min_size=1, max_size=4)


@settings(max_examples=150, deadline=None)
@given(SECTIONS)
def test_generated_config_round_trips(sections):
    lines, expected = [], []
    for section, items in sections:
        lines.append(f"{section} {{")
        for name, value in items:
            lines.append(f"\t{name} = {_render(value)}  # note")
            expected.append((f"{section}/{name}", _expected(value)))
        lines.append("}")
    config = parse(text("\n".join(lines) + "\n"))
    assert [(s.key, s.value) for s in config.settings] == expected
    assert [s.path for s in config.sections] == [name for name, _ in sections]


SEED_TEXT = (LVM / "seed" / "lvm.conf").read_text()
METADATA_TEXT = (LVM / "backup" / "vgsan").read_text()


@st.composite
def mutated(draw, base: str) -> str:
    out = base
    for _ in range(draw(st.integers(1, 4))):
        pos = draw(st.integers(0, len(out)))
        op = draw(st.sampled_from(["insert", "delete", "replace"]))
        chunk = draw(st.text(alphabet='{}[]=,"\'#\n x0-/.\\', min_size=1, max_size=3))
        if op == "insert":
            out = out[:pos] + chunk + out[pos:]
        elif op == "delete":
            out = out[:pos] + out[pos + len(chunk):]
        else:
            out = out[:pos] + chunk + out[pos + len(chunk):]
    return out


@settings(max_examples=200, deadline=None)
@given(st.one_of(mutated(SEED_TEXT), mutated(METADATA_TEXT)))
def test_mutated_input_raises_only_parse_error(body):
    try:
        parse_metadata(text(body, "/etc/lvm/backup/vgsan"))
    except ParseError as e:
        assert e.line >= 1 and e.column >= 1
