"""Hostile XML (issue 10): every XML input (CIB, firewalld zones, crm `xml`
statements, `convert cib2crm`, the pacemaker-2 migrator) goes through one
loader that refuses any DOCTYPE declaring entities, whatever hides the
declaration from a regular expression, and never expands an entity."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from sanlint import xmlsafe
from sanlint.cli import main
from sanlint.parsers import cib, crm
from sanlint.parsers import firewall as fwp
from sanlint.source import ParseError, SourceFile

NV = '<nvpair id="n" name="stonith-enabled" value="&f;"/>'
CIB_BODY = ('<cib validate-with="pacemaker-3.9"><configuration><crm_config><cluster_property_set id="o">'
            f'{NV}</cluster_property_set></crm_config><nodes/><resources/><constraints/></configuration></cib>')

# DOCTYPEs that declare the entity f = "false", hidden in ways a regex misses
HIDDEN = [
    '<!DOCTYPE cib [<!ENTITY f "false">]>',
    '<!DOCTYPE cib [<!-- ] --><!ENTITY f "false">]>',  # the bypass: `]` in a comment
    '<!DOCTYPE cib [<!-- > --><!ENTITY f "false">]>',
    '<!DOCTYPE cib [<?pi ]> ?><!ENTITY f "false">]>',
    '<!DOCTYPE cib [<!ATTLIST cib x CDATA "]">\n<!ENTITY f "false">]>',
    '<!doctype cib [<!ENTITY f "false">]>',  # not valid XML either: refused one way or the other
    '<!-- <!DOCTYPE --><!DOCTYPE cib [\n\n   <!ENTITY f "false">]>',
    '<!DOCTYPE cib [<!ENTITY % p "<!ENTITY f \'false\'>"> %p;]>',
    '<!DOCTYPE cib SYSTEM "http://example.invalid/cib.dtd">',
    '<!DOCTYPE cib PUBLIC "-//x//y" "file:///etc/passwd">',
]


def src(text: str | bytes, name: str = "cib.xml") -> SourceFile:
    if isinstance(text, bytes):
        return SourceFile(display=name, data=text)
    return SourceFile.from_text(name, text)


@pytest.mark.parametrize("doctype", HIDDEN)
def test_cib_doctype_with_entities_is_refused(doctype):
    with pytest.raises(ParseError) as err:
        cib.parse(src(f'<?xml version="1.0"?>\n{doctype}\n{CIB_BODY}'))
    assert err.value.line >= 1 and err.value.column >= 1


def test_the_error_points_at_the_entity_declaration():
    with pytest.raises(ParseError) as err:
        cib.parse(src(f'<?xml version="1.0"?>\n<!DOCTYPE cib [\n<!-- ] -->\n  <!ENTITY f "false">]>\n{CIB_BODY}'))
    assert (err.value.line, err.value.column) == (4, 3)
    assert "entity" in err.value.message


def test_utf16_doctype_is_refused_by_the_parsed_dtd():
    text = f'<?xml version="1.0" encoding="UTF-16"?>\n<!DOCTYPE cib [<!ENTITY f "false">]>\n{CIB_BODY}'
    with pytest.raises(ParseError):
        cib.parse(src(text.encode("utf-16")))


def test_a_plain_doctype_and_predefined_entities_are_fine():
    body = CIB_BODY.replace("&f;", "a&amp;b&#65;")
    cfg = cib.parse(src(f'<?xml version="1.0"?>\n<!DOCTYPE cib>\n{body}'))
    assert cfg.property("stonith-enabled").value == "a&bA"


@pytest.mark.parametrize("doctype", HIDDEN)
def test_firewalld_zone_doctype_with_entities_is_refused(doctype):
    doctype = doctype.replace("cib", "zone")
    with pytest.raises(ParseError):
        fwp.parse_firewalld(src(f'<?xml version="1.0"?>\n{doctype}\n<zone><service name="&f;"/></zone>\n',
                                "public.xml"))


def test_undeclared_entity_is_never_read_as_nothing():
    with pytest.raises(ParseError):
        cib.parse(src(CIB_BODY))  # &f; with no DOCTYPE at all


def test_crm_xml_statement_with_entities_is_refused():
    text = ('xml <!DOCTYPE primitive [<!-- ] --><!ENTITY f "false">]>'
            '<primitive id="p" class="ocf" provider="heartbeat" type="Dummy"><meta_attributes id="m">'
            '<nvpair id="m-t" name="target-role" value="&f;"/></meta_attributes></primitive>\n')
    with pytest.raises(ParseError):
        crm.parse(src(text, "cluster.crm"))


def test_xmlsafe_loader_never_expands(tmp_path):
    with pytest.raises(ParseError):
        xmlsafe.load(src(f'<!DOCTYPE cib [<!-- ] --><!ENTITY f "false">]>{CIB_BODY}'))
    root = xmlsafe.load(src(CIB_BODY.replace("&f;", "true")))
    assert root.find(".//nvpair").get("value") == "true"


def _run(*args):
    r = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert "Traceback" not in (r.output or "")
    return r


def test_check_convert_and_migrate_refuse_the_bypass(tmp_path):
    cib_file = tmp_path / "cib.xml"
    cib_file.write_text(f'<?xml version="1.0"?>\n<!DOCTYPE cib [<!-- ] --><!ENTITY f "false">]>\n{CIB_BODY}')
    r = _run("check", "--format", "json", str(cib_file))
    got = json.loads(r.output)["findings"]
    assert [f["code"] for f in got] == ["SAN001"] and got[0]["line"] == 2
    r = _run("convert", "cib2crm", str(cib_file))
    assert r.exit_code != 0 and "false" not in r.output
    r = _run("migrate", "pacemaker-2", "--diff", str(cib_file))
    assert "stonith-enabled=false" not in r.output and 'value="false"' not in r.output
