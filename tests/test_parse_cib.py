"""CIB front end: model values across schemas, byte spans, errors, unsafe XML."""

from __future__ import annotations

import time

import pytest

from conftest import FIXTURES
from sanlint.model.cluster import Clone, Colocation, Location, Order
from sanlint.parsers import cib
from sanlint.source import ParseError, SourceFile


def parse(text: str):
    return cib.parse(SourceFile.from_text("cib.xml", text))


def fixture(name: str):
    path = FIXTURES / "cib" / name
    return cib.parse(SourceFile(display=str(path), data=path.read_bytes()))


def test_pacemaker_1_2_master_and_score_order():
    cfg = fixture("pacemaker-1.2-master.xml")
    assert cfg.source_kind == "cib" and cfg.validate_with == "pacemaker-1.2"
    ms = cfg.resources["sandisk_ms"]
    assert isinstance(ms, Clone) and ms.element == "master" and ms.promotable and ms.child == "drbd_sandisk0"
    assert ms.keyword_span.text == "master" and ms.id_span.text == "sandisk_ms"
    assert ms.span.text.startswith("<master") and ms.span.text.endswith("</master>")
    drbd = cfg.resources["drbd_sandisk0"]
    assert drbd.parent == "sandisk_ms" and drbd.agent == "ocf:linbit:drbd"
    assert [(o.interval, o.role, o.timeout) for o in drbd.ops] == [("20", "Slave", "20"), ("10", "Master", "20")]
    assert drbd.ops[0].role_span.text == "Slave" and drbd.ops[0].timeout_span.text == "20"
    order = cfg.of_kind(Order)[0]
    assert (order.score, order.order_kind) == ("1000", None) and order.score_span.text == "1000"
    assert [r.id for r in order.resources] == ["sandisk_ms", "iscsi-group"]
    colo = cfg.of_kind(Colocation)[0]
    assert colo.with_rsc.role == "Master" and colo.with_rsc.span.text == "sandisk_ms"
    assert cfg.resources["iscsi-group"].children == ["vgsan", "ip-iscsi"]
    assert cfg.property("default-resource-stickiness").value == "100"
    assert cfg.nodes[1].attributes[0].get("standby").value == "off"


def test_value_spans_are_inside_quotes():
    cfg = fixture("pacemaker-1.2-master.xml")
    for prim in cfg.primitives():
        for pair in (p for s in prim.params for p in s.pairs):
            assert pair.value_span.bytes.decode() == pair.value
    assert cfg.resources["ip-iscsi"].param("cidr_netmask").value_span.text == "24"  # single-quoted


def test_pacemaker_3_promotable_clone():
    cfg = fixture("pacemaker-3-promotable.xml")
    clone = cfg.resources["drbd-clone"]
    assert clone.element == "clone" and clone.promotable
    unpromoted = cfg.resources["drbd0"].ops[1]
    assert unpromoted.role == "Unpromoted" and unpromoted.params[0].get("OCF_CHECK_LEVEL").value == "10"
    order = cfg.constraints[0]
    assert order.order_kind == "Mandatory" and [r.action for r in order.resources] == ["promote", "start"]
    loc = cfg.of_kind(Location)[0]
    assert loc.rules == ["-INFINITY: not_defined pingd or pingd lte 0"]
    sets = cfg.constraints[3]
    assert sets.sets == [{"sequential": "false"}] and [r.set_index for r in sets.resources] == [0, 0]
    pw = cfg.resources["fence-san1"].param("password")
    assert pw.value == "s&cret" and pw.value_span.text == "s&amp;cret"  # spans are raw text
    assert cfg.rsc_defaults[0].get("resource-stickiness").value == "100"
    assert cfg.op_defaults[0].get("timeout").value == "120s"
    assert cfg.fencing_levels[0].devices == ["fence-san1"]


def test_pacemaker_1_0_attributes_nesting():
    cfg = fixture("pacemaker-1.0-nesting.xml")
    assert cfg.property("stonith-enabled").value == "false"
    assert cfg.resources["d1"].params_dict() == {"fake": "1"}


def test_status_section_is_ignored():
    cfg = fixture("with-status.xml")
    assert list(cfg.resources) == ["d1"] and cfg.properties == [] and cfg.duplicate_ids == []
    assert cfg.resources["d1"].span.text == '<primitive id="d1" class="ocf" provider="pacemaker" type="Dummy"/>'


def test_comments_cdata_and_pis_do_not_shift_spans():
    text = ('<?xml version="1.0"?>\n<!-- <primitive id="fake"/> -->\n<cib validate-with="pacemaker-3.0">'
            '<?pi <x/>?><configuration><!-- sanlint: disable=SAN100 --><resources>'
            '<primitive id="a" class="ocf" provider="heartbeat" type="Dummy"><instance_attributes id="ia">'
            '<nvpair id="n" name="note" value="a &gt; b"/></instance_attributes></primitive>'
            '</resources></configuration></cib>')
    cfg = parse(text)
    pair = cfg.resources["a"].param("note")
    assert pair.value == "a > b" and pair.value_span.text == "a &gt; b"
    assert cfg.resources["a"].span.text.startswith('<primitive id="a"')


def test_duplicate_ids():
    cfg = parse('<cib><configuration><resources><primitive id="a" class="ocf" provider="heartbeat" type="Dummy"/>'
                '<primitive id="a" class="ocf" provider="heartbeat" type="Dummy"/></resources>'
                '<constraints><rsc_order id="o" first="a" then="a"/></constraints></configuration></cib>')
    assert [(i, s.text) for i, s in cfg.duplicate_ids] == [("a", "a")]


def test_syntax_error_has_line_and_column():
    with pytest.raises(ParseError) as err:
        parse('<cib>\n  <configuration>\n    <resources>\n  </configuration>\n</cib>\n')
    assert err.value.line == 4 and err.value.column > 1


@pytest.mark.parametrize("text", [
    '<?xml version="1.0"?>\n<!DOCTYPE cib [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
    '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]>\n<cib><configuration><crm_config>'
    '<cluster_property_set id="o"><nvpair id="n" name="x" value="&c;"/></cluster_property_set>'
    '</crm_config></configuration></cib>',
    '<?xml version="1.0"?>\n<!DOCTYPE cib [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
    '<cib><configuration><crm_config><cluster_property_set id="o"><nvpair id="n" name="x" value="&xxe;"/>'
    '</cluster_property_set></crm_config></configuration></cib>',
    '<?xml version="1.0"?>\n<!DOCTYPE cib SYSTEM "http://example.invalid/cib.dtd">\n<cib><configuration>'
    '<crm_config><cluster_property_set id="o"><nvpair id="n" name="x" value="&ext;"/>'
    '</cluster_property_set></crm_config></configuration></cib>',
])
def test_entities_are_refused_never_expanded(text):
    try:
        cfg = parse(text)
    except ParseError:
        return
    value = cfg.property("x").value or ""
    assert "root:" not in value and len(value) < 100


def test_ten_thousand_primitives_parse_fast():
    prims = "".join(
        f'<primitive id="p{i}" class="ocf" provider="heartbeat" type="Dummy"><instance_attributes id="p{i}-ia">'
        f'<nvpair id="p{i}-n" name="fake" value="{i}"/></instance_attributes><operations>'
        f'<op id="p{i}-m" name="monitor" interval="10s" timeout="20s"/></operations></primitive>\n'
        for i in range(10000))
    text = f'<cib validate-with="pacemaker-3.9"><configuration><resources>\n{prims}</resources></configuration></cib>'
    start = time.process_time()  # CPU time: other jobs on the machine do not count
    cfg = parse(text)
    elapsed = time.process_time() - start
    assert len(cfg.primitives()) == 10000
    assert cfg.resources["p9999"].param("fake").value_span.text == "9999"
    assert cfg.resources["p9999"].ops[0].timeout_span.text == "20s"
    assert elapsed < 2.0, elapsed
