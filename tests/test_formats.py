"""The format registry (sanlint.formats): one entry per format, read by
discovery, the parser dispatch, the site builder and the model."""

from __future__ import annotations

import json
import sys
import types

import pytest

from sanlint import formats
from sanlint.discovery import classify, discover
from sanlint.formats import Format, Sniffer
from sanlint.model.base import Located
from sanlint.site import build


def test_every_format_has_a_parser_and_a_place_in_the_model():
    import importlib
    from dataclasses import fields

    from sanlint.model import Host
    from sanlint.parsers.grammar import grammar_dir

    host_fields = {f.name for f in fields(Host)}
    for f in formats.FORMATS:
        module, _, func = f.parser.partition(":")
        assert callable(getattr(importlib.import_module(module), func)), f.name
        assert f.attach in host_fields, f.name
        for g in f.grammar:
            assert (grammar_dir() / f"{g}.lark").is_file(), (f.name, g)
        assert f.paths or f.names or f.sniff, f"{f.name}: discovery could never find it"


def test_sniffing_by_rank_across_formats():
    # lvm.conf (key = value inside `global {`) is told from DRBD's `global {`
    assert formats.sniff("global {\n  use_lvmetad = 0\n}\n") == "lvm"
    assert formats.sniff("global { usage-count no; }\n") == "drbd"
    assert formats.sniff("# comment\n<cib epoch='1'>") == "cib"
    assert formats.sniff("<zone><service name='ssh'/></zone>") == "firewalld"
    assert formats.sniff("<target iqn.x>\n</target>\n") is None  # XML-looking but neither CIB nor zone
    assert formats.sniff("primitive p ocf:heartbeat:Dummy\n") == "crm"
    assert formats.sniff("# only a comment\n") is None


@pytest.fixture
def fake_format(monkeypatch):
    """A made-up format `sbdlike`, registered the way a new one is added."""
    mod = types.ModuleType("sanlint_test_fake_parser")

    class FakeConfig(Located):
        pass

    def parse(src):
        from sanlint.source import ParseError

        if b"bad" in src.data:
            raise ParseError("unexpected word", 1, 1)
        return FakeConfig(span=src.whole())

    mod.parse = parse
    monkeypatch.setitem(sys.modules, mod.__name__, mod)
    fmt = Format("sbdlike", f"{mod.__name__}:parse", paths=("etc/sysconfig/sbdlike",), names=("sbdlike",),
                 sniff=(Sniffer(5, lambda head, stripped: stripped.startswith("SBDLIKE_")),), attach="sbdlike")
    formats.register(fmt)
    yield fmt
    formats.unregister("sbdlike")


def test_a_new_format_is_one_registry_entry(fake_format, tmp_path):
    root = tmp_path / "site" / "san-1"
    (root / "etc" / "sysconfig").mkdir(parents=True)
    (root / "etc" / "sysconfig" / "sbdlike").write_text("SBDLIKE_DEVICE=/dev/sdb\n")
    (root / "etc" / "drbd.conf").write_text("global { usage-count no; }\n")
    lone = tmp_path / "renamed.conf"
    lone.write_text("SBDLIKE_DEVICE=/dev/sdc\n")
    # discovery: by path in a host root, by content for a lone file
    disc = discover([str(tmp_path / "site")])
    assert [f.format for f in disc.hosts["san-1"].files] == ["drbd", "sbdlike"]
    assert classify(lone) == "sbdlike"
    # builder + model: the parse result lands in Host.sbdlike, and the model JSON shows it
    site, problems = build([str(tmp_path / "site")])
    assert not problems
    host = site.hosts["san-1"]
    assert len(host.sbdlike) == 1 and host.sbdlike[0].span.path.endswith("etc/sysconfig/sbdlike")
    assert "sbdlike" in site.to_json()["hosts"]["san-1"]
    json.dumps(site.to_json())


def test_a_new_formats_syntax_errors_are_findings(fake_format, tmp_path):
    root = tmp_path / "san-1"
    (root / "etc" / "sysconfig").mkdir(parents=True)
    (root / "etc" / "sysconfig" / "sbdlike").write_text("SBDLIKE_bad\n")
    site, problems = build([str(root)])
    assert [(p.code, p.message) for p in problems] == [("SAN001", "cannot parse sbdlike file: unexpected word")]


def test_unregistered_attributes_still_fail():
    from sanlint.model import Host

    with pytest.raises(AttributeError):
        Host("x").no_such_list  # noqa: B018
