"""crm front end: model values, spans, errors, and generated configurations."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import FIXTURES
from sanlint.model.cluster import Bundle, Clone, Colocation, Group, Location, Order, Primitive, Ticket
from sanlint.parsers import crm
from sanlint.source import ParseError, SourceFile

INVALID = sorted((FIXTURES / "crm" / "invalid").glob("*.crm"))


def parse(text: str):
    return crm.parse(SourceFile.from_text("test.crm", text))


def fixture(name: str):
    path = FIXTURES / "crm" / name
    return crm.parse(SourceFile.from_text(str(path), path.read_text()))


# ---- the seed configuration -------------------------------------------------

def test_seed_config_model():
    cfg = fixture("santnet-san.crm")
    assert [n.uname for n in cfg.nodes] == ["san-1.example.com", "san-2.example.com"]
    drbd = cfg.resources["drbd_sandisk0"]
    assert isinstance(drbd, Primitive) and drbd.agent == "ocf:linbit:drbd"
    assert drbd.params_dict() == {"drbd_resource": "sandisk0", "drbdconf": "/etc/drbd.conf"}
    assert [(o.name, o.interval, o.role, o.timeout) for o in drbd.ops] == [
        ("stop", "0", None, "100"), ("start", "0", None, "240"),
        ("monitor", "20", "Slave", "20"), ("monitor", "10", "Master", "20")]
    assert drbd.ops[2].attrs["start-delay"] == "60"
    vgsan = cfg.resources["vgsan"]
    assert vgsan.ops[0].params[0].get("depth").value == "0"  # not an <op> attribute: op instance attribute
    group = cfg.resources["iscsi-group"]
    assert isinstance(group, Group) and group.children == ["vgsan", "ip-iscsi", "iscsitarget"]
    assert cfg.resources["vgsan"].parent == "iscsi-group"
    ms = cfg.resources["sandisk_ms"]
    assert isinstance(ms, Clone) and ms.element == "master" and ms.promotable and ms.child == "drbd_sandisk0"
    assert ms.meta_value("notify") == "true" and ms.keyword_span.text == "ms" and ms.id_span.text == "sandisk_ms"
    order = cfg.of_kind(Order)[0]
    assert (order.score, order.order_kind) == ("1000", None)
    assert order.score_span.text == "1000"
    assert [(r.id, r.span.text) for r in order.resources] == [("sandisk_ms", "sandisk_ms"),
                                                             ("iscsi-group", "iscsi-group")]
    assert cfg.properties[0].id == "cib-bootstrap-options"
    assert cfg.property("expected-quorum-votes").value == "2"


def test_statement_span_covers_continuations():
    cfg = fixture("santnet-san.crm")
    text = cfg.resources["drbd_sandisk0"].span.text
    assert text.startswith("primitive drbd_sandisk0") and text.endswith('start-delay="60"')
    assert text.count("\n") == 5


def test_value_spans_are_the_value_inside_quotes():
    cfg = fixture("santnet-san.crm")
    for prim in cfg.primitives():
        for nvset in prim.params:
            for pair in nvset.pairs:
                assert pair.value_span.bytes.decode() == pair.value
        for op in prim.ops:
            if op.timeout_span:
                assert op.timeout_span.text == op.timeout
            if op.role_span:
                assert op.role_span.text == op.role


def test_quoting_and_case_insensitive_keywords():
    cfg = fixture("resources.crm")
    d1 = cfg.resources["d1"]
    assert d1.params_dict()["state"] == "/run/d1 state"
    assert d1.params_dict()["fake"] == "single quoted"
    assert d1.param("fake").value_span.text == "single quoted"
    assert d1.params[0].id == "d1-params"
    assert d1.utilization[0].get("memory").value == "512"
    monitor = d1.ops[1]
    assert monitor.attrs == {"interval": "10s", "timeout": "20s"}
    assert monitor.params[0].get("OCF_CHECK_LEVEL").value == "10"
    assert d1.ops[2].meta[0].get("record-pending").value == "true"
    d2 = cfg.resources["d2"]  # `Primitive` keyword, bare type, resolved as crmsh does
    assert (d2.agent_class, d2.provider, d2.type, d2.description) == ("ocf", "heartbeat", "Dummy", "implicit ocf class")  # crmsh pick_provider
    assert cfg.nodes[3].uname == "san4" and cfg.nodes[3].attributes[0].get("standby").value == "on"


def test_nodes_templates_and_monitor():
    cfg = fixture("resources.crm")
    assert [(n.uname, n.id, n.type) for n in cfg.nodes[:3]] == [
        ("san1", None, None), ("san2", "101", None), ("san3", "103", "member")]
    assert cfg.nodes[2].description == "third node"
    assert [t.id for t in cfg.templates()] == ["tpl-dummy"]
    d5 = cfg.resources["d5"]
    assert d5.template == "tpl-dummy" and d5.agent == "@tpl-dummy"
    assert cfg.agent_of(d5) == "ocf:heartbeat:Dummy"
    assert [(o.name, o.interval, o.timeout) for o in d5.ops] == [("monitor", "25s", "50s")]
    assert cfg.resources["d3"].operations_id == "d3-ops"
    assert cfg.resources["pc1"].promotable and not cfg.resources["cl1"].promotable
    assert "tpl-dummy" not in [p.id for p in cfg.primitives()]


def test_id_ref_sets():
    cfg = parse("primitive d1 Dummy params $id=p1 a=1\nprimitive d2 Dummy params $id-ref=p1\n")
    assert cfg.resources["d2"].params[0].id_ref == "p1"


def test_constraints_model():
    cfg = fixture("constraints.crm")
    by_id = {c.id: c for c in cfg.constraints}
    assert by_id["o-mand"].order_kind == "Mandatory"
    assert [(r.id, r.action) for r in by_id["o-mand"].resources] == [("stc", "promote"), ("a", "start")]
    assert by_id["o-opt"].symmetrical == "false"
    assert by_id["o-noscore"].score is None and by_id["o-noscore"].order_kind is None
    brk = by_id["o-brk"]
    assert brk.sets == [{"require-all": "false", "sequential": "false"}, {"sequential": "false"}, {}]
    assert [(r.id, r.set_index) for r in brk.resources] == [("a", 0), ("b", 0), ("c", 1), ("d", 1), ("e", 2)]
    col = by_id["col-simple"]
    assert isinstance(col, Colocation) and col.rsc.id == "a" and col.with_rsc.role == "Master"
    assert col.with_rsc.span.text == "stc:Master"
    assert by_id["col-num"].node_attribute == "rack"
    assert by_id["col-roles"].sets == [{}, {"role": "Promoted"}]
    loc = by_id["l-role"]
    assert isinstance(loc, Location) and (loc.role, loc.score, loc.node) == ("Master", "50", "san1")
    assert by_id["l-pattern"].rsc_pattern == "^d[0-9]*$"
    assert by_id["l-disc"].resource_discovery == "never"
    assert by_id["l-rule2"].rules == ["$role=Started -INFINITY: not_defined pingd or pingd lte 0"]
    rule = by_id["l-rule2"].rule_list[0]
    assert (rule.id, rule.boolean_op, len(rule.expressions)) == ("l-rule2-r", "or", 2)
    assert by_id["l-rule4"].rules == ["-INFINITY: date lt 2030-12-31T00:00:00",
                                      "10: date in end=2021-12-31 start=2021-01-01"]
    assert by_id["l-rule5"].rule_list[0].score_attribute == "pingd"
    expr = by_id["l-rule7"].rule_list[0].expressions
    assert [(e.attribute, e.type, e.operation, e.value) for e in expr] == [
        ("memsize", "number", "gte", "1024"), ("kernel", "version", "gt", "5.4"), ("site", "string", "ne", "dc-1")]
    ticket = by_id["t-roles"]
    assert isinstance(ticket, Ticket) and ticket.ticket == "ticketB"
    assert by_id["t-simple"].loss_policy == "stop"


def test_options_model():
    cfg = fixture("options.crm")
    assert cfg.property("cluster-name").value == "san cluster"
    assert [s.id for s in cfg.properties] == [None, "cib-bootstrap-extra", "night-options"]
    night = cfg.properties[2]
    assert night.has_rule and night.get("batch-limit").value == "50"
    assert night.rules[0].expressions[0].values == {"hours": "0-6"}
    assert cfg.rsc_defaults[1].rules[0].score == "2"
    assert cfg.op_defaults[1].id == "op-long"


def test_misc_statements():
    cfg = fixture("misc.crm")
    assert [(t.id, t.refs) for t in cfg.tags] == [("web-tag", ["a", "b"]), ("other-tag", ["a"])]
    levels = [(f.target or f.target_pattern or f.target_attribute, f.index, f.devices) for f in cfg.fencing_levels]
    assert levels == [("san1", "1", ["f1"]), ("san1", "2", ["f2"]), ("san2", "1", ["f1", "f2"]),
                      ("rack", "1", ["f1"]), ("san[0-9]", "1", ["f2"])]
    alert = cfg.alerts[0]
    assert alert.agent_path.endswith("alert_file.sh.sample") and alert.select == ["nodes", "fencing"]
    assert alert.recipients[0].value == "/var/log/cluster-alerts.log"
    assert cfg.alerts[1].recipients[0].meta[0].get("timestamp-format").value == "%Y-%m-%d"
    assert [(a.id, a.element) for a in cfg.acls] == [("monitor-role", "acl_role"), ("admin-role", "acl_role"),
                                                     ("alice", "acl_target"), ("ops", "acl_group")]
    assert cfg.acls[0].items == [("read", "xpath://nodes"), ("read", "ref:a")]
    bundle = cfg.resources["httpd-bundle"]
    assert isinstance(bundle, Bundle) and bundle.container == "docker" and bundle.child == "httpd"
    assert bundle.port_mappings == [{"id": "httpd-port", "port": "80"}]
    assert cfg.resources["httpd"].parent == "httpd-bundle"
    assert cfg.resources["xml-prim"].params_dict() == {"fake": "9"}
    assert {"web-tag", "alert-log", "alice"} <= cfg.other_ids


def test_duplicate_ids():
    cfg = parse("primitive a Dummy\nprimitive b Dummy\nprimitive a Dummy\norder b a b\n")
    assert [(i, s.line) for i, s in cfg.duplicate_ids] == [("a", 3), ("b", 4)]


def test_continuation_joins_words_without_space():
    # crmsh utils.lines2cli strips both lines and joins them with nothing between
    cfg = parse("primitive d Dummy params a=x\\\n   y b=2 \\\n  c=3\n")
    assert cfg.resources["d"].params_dict() == {"a": "xy", "b": "2", "c": "3"}
    assert cfg.resources["d"].param("a").value_span.text == "x\\\n   y"


def test_comments_and_blank_lines():
    cfg = parse("# a comment\n\n   # indented\nprimitive d Dummy\n\n\n")
    assert list(cfg.resources) == ["d"] and cfg.resources["d"].span.line == 4


def test_non_ascii_spans_are_bytes():
    src = SourceFile.from_text("x.crm", 'primitive d Dummy description="café" params a="ü1"\n')
    cfg = crm.parse(src)
    pair = cfg.resources["d"].param("a")
    assert pair.value_span.bytes == "ü1".encode()


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.name)
def test_invalid_fixtures(path):
    expected = path.with_suffix(".expect").read_text().strip()
    with pytest.raises(ParseError) as err:
        crm.parse(SourceFile.from_text(str(path), path.read_text()))
    assert f"{err.value.line}:{err.value.column}" == expected


def test_error_details():
    with pytest.raises(ParseError) as err:
        parse("colocation c a b\n")
    assert err.value.found == "'a'" and "a score (inf:, 100:)" in err.value.expected


# ---- generated configurations -------------------------------------------------

IDENT = st.from_regex(r"[a-z][a-z0-9_-]{0,8}", fullmatch=True).filter(
    lambda s: s not in {"params", "meta", "op", "utilization", "operations", "rule", "attributes"})
VALUE = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126, blacklist_characters="\"\\'"),
                max_size=12)


def quote(value: str) -> str:
    return f'"{value}"' if value == "" or re.search(r"[\s=\"'(){}\[\]#:\\]", value) else value


@st.composite
def configs(draw):
    names = draw(st.lists(IDENT, min_size=2, max_size=6, unique=True))
    prims = {}
    for name in names:
        params = draw(st.dictionaries(IDENT, VALUE, max_size=3))
        ops = draw(st.lists(st.tuples(st.sampled_from(["start", "stop", "monitor"]),
                                      st.from_regex(r"[0-9]{1,3}s?", fullmatch=True)), max_size=2))
        prims[name] = (params, ops)
    score = draw(st.sampled_from(["inf", "-inf", "1000", "0", "Mandatory", "Optional", "+INFINITY"]))
    return prims, score


def render(prims, score) -> str:
    lines = []
    for name, (params, ops) in prims.items():
        line = f"primitive {name} ocf:heartbeat:Dummy"
        if params:
            line += " \\\n\tparams " + " ".join(f"{k}={quote(v)}" for k, v in params.items())
        for op, interval in ops:
            line += f" \\\n\top {op} interval={interval}"
        lines.append(line)
    names = list(prims)
    lines.append(f"order o1 {score}: {names[0]} {names[1]}")
    lines.append(f"colocation c1 inf: ( {' '.join(names)} )")
    return "\n".join(lines) + "\n"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(configs())
def test_generated_configs_parse_to_their_model(cfg):
    prims, score = cfg
    model = parse(render(prims, score))
    assert list(model.resources) == list(prims)
    for name, (params, ops) in prims.items():
        prim = model.resources[name]
        assert prim.params_dict() == params
        assert [(o.name, o.interval) for o in prim.ops] == ops
        for pair in (p for s in prim.params for p in s.pairs):
            assert pair.value_span.text == pair.value
    order = model.of_kind(Order)[0]
    assert (order.order_kind or order.score) == score
    assert [r.id for r in model.of_kind(Colocation)[0].resources] == list(prims)


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_mutations_raise_only_parse_errors(data):
    text = (FIXTURES / "crm" / data.draw(st.sampled_from(
        ["santnet-san.crm", "constraints.crm", "misc.crm", "options.crm", "resources.crm"]))).read_text()
    for _ in range(data.draw(st.integers(1, 4))):
        pos = data.draw(st.integers(0, len(text)))
        action = data.draw(st.sampled_from(["delete", "insert", "replace"]))
        char = data.draw(st.sampled_from(list("\"'\\\n :=()[]{}#@$x0-")))
        if action == "delete":
            text = text[:pos] + text[pos + 1:]
        elif action == "insert":
            text = text[:pos] + char + text[pos:]
        else:
            text = text[:pos] + char + text[pos + 1:]
    try:
        parse(text)
    except ParseError as e:
        assert e.line >= 1 and e.column >= 1
