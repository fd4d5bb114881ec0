"""The edit layers (sanlint.edit): their doctests, and the cases where the
copies they replace disagreed."""

from __future__ import annotations

import doctest
import importlib

import pytest

from sanlint.edit import brace, cib, cluster, crm, ids
from sanlint.fixes import apply_edits
from sanlint.rule import Edit
from sanlint.source import SourceFile

MODULES = ["sanlint.edit.text", "sanlint.edit.brace", "sanlint.edit.crm", "sanlint.edit.cib",
           "sanlint.edit.ids", "sanlint.edit.lio", "sanlint.transform.drbd", "sanlint.transform.iscsi"]


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name):
    result = doctest.testmod(importlib.import_module(name))
    assert result.attempted > 0 and result.failed == 0


def test_every_format_names_an_editor_that_exists():
    from sanlint.formats import FORMATS

    editors = {f.name: f.editor for f in FORMATS if f.editor}
    assert {"drbd", "lvm", "tgt", "corosync", "crm", "cib", "lio"} <= set(editors)
    for name in editors.values():
        importlib.import_module(name)


def src(text: str, display: str = "t.res", **kw) -> SourceFile:
    return SourceFile.from_text(display, text, **kw)


def apply(s: SourceFile, *edits: Edit) -> str:
    return apply_edits(s.data, list(edits)).decode()


# -- brace -------------------------------------------------------------------------------

def test_delete_statement_takes_its_line_and_comment():
    s = src("a {\n  x 1;  # c\n  y 2;\n}\n")
    start = s.text.index("x 1;")
    assert apply(s, brace.delete_statement(s.span(start, start + 4))) == "a {\n  y 2;\n}\n"
    s = src("a { x 1; y 2; }\n")
    start = s.text.index("y 2;")
    assert apply(s, brace.delete_statement(s.span(start, start + 4))) == "a { x 1; }\n"
    s = src("a {\n\tx 1; y 2;\n}\n")  # first on a shared line: the blanks after it go, not the indentation
    start = s.text.index("x 1;")
    assert apply(s, brace.delete_statement(s.span(start, start + 4))) == "a {\n\ty 2;\n}\n"


def test_body_inserts_follow_the_layout():
    s = src("a {\n\tx 1;\n}\n")
    body = s.span(3, s.text.index("}"))
    assert apply(s, brace.body_end_insert(s, body, "y 2;", "\t")) == "a {\n\tx 1;\n\ty 2;\n}\n"
    assert apply(s, brace.body_start_insert(s, body, "w 0;", "\t")) == "a {\n\tw 0;\n\tx 1;\n}\n"
    s = src("a { x 1; }")
    body = s.span(3, s.text.index("}"))
    assert apply(s, brace.body_end_insert(s, body, "y 2;", "")) == "a { x 1; y 2; }"
    assert apply(s, brace.body_start_insert(s, body, "w 0;", "")) == "a { w 0; x 1; }"
    s = src("a {}")
    assert apply(s, brace.body_end_insert(s, s.span(3, 3), "y;", "")) == "a { y; }"


def test_indent_unit():
    assert brace.indent_unit(src("a {\n        b;\n}\n")) == "        "
    assert brace.indent_unit(src("a {\n\tb {\n\t\tc;\n\t}\n}\n")) == "\t"
    # the two copies disagreed here (two spaces / a tab): no indentation at all -> a tab,
    # as drbd-utils' global_common.conf, corosync.conf and lvm.conf are written
    assert brace.indent_unit(src("a { b; }\n")) == "\t"
    # a nested level is found from the section, not from the first indented line
    assert brace.indent_unit(src("a {\n    # note\n  b {\n    c;\n  }\n}\n")) == "  "


# -- crm -----------------------------------------------------------------------------------

def test_crm_quote_round_trips_through_the_parser():
    from sanlint.parsers import crm as crm_parser

    for value in ["10.0.0.1", "a b", 'say "hi"', "x=y", "back\\slash", "", "/dev/drbd0"]:
        s = src(f"primitive p ocf:heartbeat:Dummy params v={crm.quote(value)}\n", "c.crm", format="crm")
        assert crm_parser.parse(s).resources["p"].param("v").value == value


def test_crm_deleting_every_pair_of_a_statement_keeps_it_valid():
    from sanlint.parsers import crm as crm_parser

    text = "property cib-bootstrap-options: \\\n\tstonith-enabled=false \\\n\tdc-version=1.1 \\\n\tlast-lrm-refresh=1\n"
    s = src(text, "c.crm", format="crm")
    cfg = crm_parser.parse(s)
    pairs = cfg.properties[0].pairs
    out = apply(s, *(crm.delete_token(p.span) for p in pairs[1:]))
    assert out == "property cib-bootstrap-options: \\\n\tstonith-enabled=false\n"
    crm_parser.parse(src(out, "c.crm", format="crm"))


# -- CIB -----------------------------------------------------------------------------------

CIB = """<cib validate-with="pacemaker-3.9">
    <configuration>
        <resources>
            <primitive id="p" class="ocf" provider="heartbeat" type="IPaddr2">
                <instance_attributes id="p-instance_attributes">
                    <nvpair id="p-instance_attributes-ip" name="ip" value="10.0.0.1"/>
                </instance_attributes>
            </primitive>
        </resources>
        <constraints/>
    </configuration>
</cib>
"""


def cib_src(text: str = CIB) -> SourceFile:
    return src(text, "cib.xml", format="cib")


def test_cib_editor_uses_the_file_layout():
    s = cib_src()
    ed = cib.CibEditor(s)
    ia = ed.root.find(".//instance_attributes")
    out = apply(s, ed.append_child(ia, [cib.nvpair("p-instance_attributes-cidr_netmask", "cidr_netmask", "24")]))
    assert ('                    <nvpair id="p-instance_attributes-ip" name="ip" value="10.0.0.1"/>\n'
            '                    <nvpair id="p-instance_attributes-cidr_netmask" name="cidr_netmask" value="24"/>\n'
            '                </instance_attributes>') in out
    cons = ed.root.find(".//constraints")
    out = apply(s, ed.append_child(cons, ['<rsc_location id="l" rsc="p" node="n1" score="100"/>']))
    assert '        <constraints>\n            <rsc_location id="l" rsc="p" node="n1" score="100"/>\n' \
           '        </constraints>\n' in out


def test_cib_span_functions_follow_the_parser_spans():
    from sanlint.parsers import cib as cib_parser

    s = cib_src()
    cfg = cib_parser.parse(s)
    p = cfg.resources["p"]
    e = cib.set_attr(p.span, "type", "IPaddr")
    assert s.data[e.start:e.end] == b"IPaddr2" and e.replacement == "IPaddr"
    e = cib.set_attr(p.span, "description", 'a "b" <c>', after="class")
    assert apply(s, e).count('class="ocf" description="a &quot;b&quot; &lt;c&gt;" provider=') == 1
    pair = p.param("ip")
    assert apply(s, cluster.delete_pair(pair)).count("<nvpair") == 0
    # a span the parser did not make is found in the file's positions
    from sanlint.source import Span
    plain = Span(s, p.span.start, p.span.start + 3)
    assert cib.attr_range(plain, "type") is not None


def test_set_param_on_crm_and_cib():
    from sanlint.parsers import cib as cib_parser, crm as crm_parser

    s = src("primitive p ocf:heartbeat:IPaddr2 params ip=10.0.0.1\n", "c.crm", format="crm")
    p = crm_parser.parse(s).resources["p"]
    assert apply(s, cluster.set_param(p, "nic", "eth 0")) == 'primitive p ocf:heartbeat:IPaddr2 params nic="eth 0" ip=10.0.0.1\n'
    assert apply(s, cluster.set_param(p, "ip", "10.0.0.2")) == "primitive p ocf:heartbeat:IPaddr2 params ip=10.0.0.2\n"
    s = cib_src()
    p = cib_parser.parse(s).resources["p"]
    out = apply(s, cluster.set_param(p, "nic", "eth0"))
    assert ('<nvpair id="p-instance_attributes-nic" name="nic" value="eth0"/>\n'
            '                    <nvpair id="p-instance_attributes-ip"') in out
    cib_parser.parse(cib_src(out))


def test_fresh_ids_follow_crmsh():
    store = ids.IdStore({"a", "a-0"})
    assert [store.fresh("a"), store.fresh("a"), store.fresh("b")] == ["a-1", "a-2", "b"]
