"""ietd.conf, initiators.allow, tgt targets.conf and LIO saveconfig.json parsers."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sanlint.model.base import REDACTED, to_json
from sanlint.parsers import ietd, lio, tgt
from sanlint.source import ParseError, SourceFile
from conftest import FIXTURES, need_shared

SEED_IQN = "iqn.2014-02.santnet.sante:target1"


def load(rel: str, display: str | None = None) -> SourceFile:
    path = FIXTURES / rel
    return SourceFile(display=display or str(path.relative_to(FIXTURES)), data=path.read_bytes(), path=path)


def text_src(text: str, display: str = "test.conf") -> SourceFile:
    return SourceFile.from_text(display, text)


# -- ietd ----------------------------------------------------------------------

def test_ietd_seed_fixture():
    cfg = ietd.parse(load("ietd/ietd.conf"))
    assert cfg.stack == "ietd" and cfg.global_params == []
    (t,) = cfg.targets
    assert (t.name, t.stack) == (SEED_IQN, "ietd")
    assert [(lun.number, lun.path, lun.io_type, lun.write_cache) for lun in t.luns] == [
        (n, f"/dev/vgsan/lun{n}", "fileio", False) for n in range(4)]
    lun2 = t.luns[2]
    assert lun2.span.text == "Lun 2 Path=/dev/vgsan/lun2,Type=fileio"
    assert (lun2.span.line, lun2.span.column) == (4, 1)
    assert lun2.io_type_span.text == "fileio" and lun2.io_type_span.column == 33
    assert lun2.number_span.text == "2" and lun2.number_span.column == 5
    assert t.span.line == 1 and t.body_span.text.startswith("Lun 0")


def test_ietd_seed_from_the_book():
    chapter = need_shared("seed/chapter-09-open-source-san.md").read_text()
    lines = re.findall(r"^`((?:Target|Lun) [^`]+)`$", chapter, re.M)
    cfg = ietd.parse(text_src("\n".join(lines) + "\n", "ietd/ietd.conf"))
    fixture = ietd.parse(load("ietd/ietd.conf"))
    assert to_json(cfg.targets)[0]["luns"] == to_json(fixture.targets)[0]["luns"]
    assert [t.name for t in cfg.targets] == [SEED_IQN]


def test_ietd_chap_params_and_case():
    cfg = ietd.parse(load("ietd/chap-params.conf"))
    g = {(s.name, s.value) for s in cfg.global_params}
    assert {("IncomingUser", "discouser"), ("OutgoingUser", "discoout"), ("iSNSServer", "10.0.0.5")} <= g
    t1, t2 = cfg.targets
    assert [(c.direction, c.user, c.password) for c in t1.chap] == [
        ("incoming", "sanuser", "sansecret1234"), ("outgoing", "santarget", "targetsecret12")]
    assert t1.alias == "san-data"
    assert [(p.name, p.value) for p in t1.params][:3] == [("HeaderDigest", "CRC32C"), ("DataDigest", "None"),
                                                         ("MaxConnections", "1")]
    nop = t1.params[-1]
    assert nop.span.text == "NOPInterval 5" and nop.value_span.text == "5"
    drbd, wb = t1.luns
    assert (drbd.io_type, drbd.write_cache, drbd.params) == ("blockio", False, {"ScsiId": "drbd0san", "ScsiSN": "SAN0001"})
    assert (wb.io_type, wb.write_cache, wb.params) == ("fileio", True, {"IOMode": "wb"})
    # lower-case keywords (ietd compares with strcasecmp)
    assert t2.name == "iqn.2014-02.santnet.sante:target2"
    (ro,) = t2.luns
    assert (ro.write_cache, ro.params) == (False, {"IOMode": "ro", "BlockSize": "4096"})
    assert [c.user for c in t2.chap] == ["backup"]


def test_ietd_defaults_and_continuation():
    cfg = ietd.parse(text_src("Target iqn.x:y\n  Lun 0 \\\nPath=/dev/a\n  Lun 1 Path=/dev/b,Type=blockio,IOMode=wb\n"))
    a, b = cfg.targets[0].luns
    assert (a.path, a.io_type, a.io_type_span) == ("/dev/a", "fileio", None)
    assert (b.io_type, b.write_cache) == ("blockio", False)  # ietd ignores wb on blockio


def test_ietd_allow():
    cfg = ietd.parse_allow(load("ietd/initiators.allow", "etc/initiators.allow"))
    rules = cfg.allow_rules
    assert [(r.target, r.entries, r.file_kind) for r in rules] == [
        (SEED_IQN, ["172.16.50.0/24", "172.16.51.10"], "initiators"),
        ("iqn.2014-02.santnet.sante:target2", ["[fe80::1]", "[2001:db8::]/64", "iqn.1994-05.com.redhat:client1"],
         "initiators"),
        (r"/iqn\.2014-02\.santnet\.sante:.*/", ["10.0.0.1"], "initiators"),
        ("ALL", ["ALL"], "initiators"),
    ]
    assert rules[0].span.text == f"{SEED_IQN} 172.16.50.0/24, 172.16.51.10" and rules[0].span.line == 2
    kinds = {r.file_kind for r in ietd.parse_allow(load("ietd/targets.allow", "etc/targets.allow")).allow_rules}
    assert kinds == {"targets"}


# -- tgt -----------------------------------------------------------------------

def test_tgt_main_file():
    cfg = tgt.parse(load("tgt/targets.conf"))
    assert [(s.name, s.value) for s in cfg.global_params] == [("default-driver", "iscsi"), ("ignore-errors", "yes")]
    (inc,) = cfg.includes
    assert (inc.name, inc.value, inc.value_span.text) == ("include", "/etc/tgt/conf.d/*.conf", "/etc/tgt/conf.d/*.conf")
    (t,) = cfg.targets
    assert (t.name, t.tid, t.stack) == (SEED_IQN, 1, "tgt")
    # tgt-admin numbers backing stores in sorted path order: lun0 -> 1, lun1 -> 2
    assert [(lun.number, lun.path) for lun in t.luns] == [(2, "/dev/vgsan/lun1"), (1, "/dev/vgsan/lun0")]
    assert all(lun.io_type == "fileio" and lun.write_cache is False for lun in t.luns)
    assert t.luns[0].span.text == "backing-store /dev/vgsan/lun1" and t.luns[0].number_span is None
    assert [(a.kind, a.value) for a in t.acls] == [("address", "172.16.50.0/24"), ("name", "iqn.1994-05.com.redhat:client1")]
    assert t.acl_configured and not t.open_to_all
    assert [(c.direction, c.user) for c in t.chap] == [("incoming", "sanuser"), ("outgoing", "santarget")]
    assert {p.name for p in t.params} == {"MaxRecvDataSegmentLength", "HeaderDigest", "write-cache"}
    assert t.span.text.startswith("<target ") and t.span.text.endswith("</target>")
    assert t.body_span.text.strip().startswith("# DRBD-backed")


def test_tgt_backing_store_blocks():
    (t,) = tgt.parse(load("tgt/conf.d/blocks.conf")).targets
    data, archive, scratch = t.luns
    assert (data.number, data.number_span.text, data.io_type, data.io_type_span.text, data.write_cache) == (
        3, "3", "blockio", "aio", False)
    assert data.params == {"bs-type": "aio", "write-cache": "off", "scsi_id": "SAN-DATA-0001"}
    assert (archive.number, archive.io_type, archive.write_cache) == (1, "fileio", True)
    assert scratch.number == 2
    assert data.span.text.startswith("<backing-store /dev/vgsan/data>") and data.span.text.endswith("</backing-store>")


def test_tgt_open_target_and_direct_store():
    (t,) = tgt.parse(load("tgt/conf.d/open.conf")).targets
    assert t.open_to_all and not t.acl_configured
    # backing-store before direct-store; bsoflags direct bypasses the page cache
    assert [(lun.number, lun.path, lun.io_type) for lun in t.luns] == [(2, "/dev/sdb", "blockio"),
                                                                       (1, "/srv/iscsi/test.img", "blockio")]


def test_tgt_config_general_details():
    text = ("/* a C comment */\n<target iqn.b:x>\n  backing-store /b # trailing comment\n</target>\n"
            "<target iqn.a:x>\n  incominguser = u secret123456\n</TARGET>\n"
            "<target iqn.b:x>\n  backing-store /a\n</target>\n<Target iqn.c:ignored>\n</Target>\n"
            "incomingdiscoveryuser du discosecret12\n")
    cfg = tgt.parse(text_src(text))
    b, a = cfg.targets
    assert (a.tid, b.tid) == (1, 2)  # tids in sorted name order
    assert [(lun.number, lun.path) for lun in b.luns] == [(2, "/b"), (1, "/a")]  # merged blocks
    assert [(c.user, c.password) for c in a.chap] == [("u", "secret123456")]
    names = [s.name for s in cfg.global_params]
    assert names == ["Target", "incomingdiscoveryuser", "incomingdiscoveryuser.password"]


def test_tgt_acl_all_and_name_only():
    cfg = tgt.parse(text_src("<target iqn.a:x>\n initiator-address ALL\n</target>\n"
                             "<target iqn.b:x>\n initiator-name iqn.1994-05.com.redhat:c\n</target>\n"))
    all_, name = cfg.targets
    assert all_.open_to_all and all_.acl_configured and all_.acls[0].kind == "all"
    assert not name.open_to_all and name.acl_configured


# -- LIO -----------------------------------------------------------------------

def test_lio_saveconfig():
    cfg = lio.parse(load("lio/saveconfig.json"))
    assert set(cfg.backstores) == {"block/lun0", "block/lun1", "fileio/scratch"}
    t1, t2 = cfg.targets
    assert (t1.name, t1.acl_configured, t1.open_to_all) == (SEED_IQN, True, False)
    assert t1.portals == ["172.16.50.1:3260", "[fd00::1]:3260"]
    assert [(lun.number, lun.path, lun.io_type, lun.write_cache) for lun in t1.luns] == [
        (0, "/dev/drbd0", "blockio", False), (1, "/dev/drbd1", "blockio", False)]
    assert [a.value for a in t1.acls] == ["iqn.1994-05.com.redhat:client1", "iqn.1994-05.com.redhat:client2"]
    assert [(c.direction, c.user, c.password) for c in t1.chap] == [("incoming", "sanuser", "sansecret1234")]
    auth = next(p for p in t1.params if p.name == "authentication")
    assert auth.value == "1" and auth.span.text == "1"
    assert t1.luns[1].number_span.text == "1"
    assert t1.luns[1].io_type_span.text == "block"
    assert (t2.open_to_all, t2.acl_configured) == (True, False)
    (scratch,) = t2.luns
    assert (scratch.path, scratch.io_type, scratch.write_cache) == ("/srv/iscsi/scratch.img", "fileio", True)
    disco = {s.name: s for s in cfg.global_params}
    assert disco["iscsi.discovery_userid"].value == "discouser"
    assert disco["iscsi.discovery_userid"].value_span.text == "discouser"


def test_lio_spans_point_at_values():
    text = '{"targets": [{"wwn": "iqn.a:b", "tpgs": [{"tag": 1, "luns": [{"index": 7, "storage_object": "/x"}]}]}]}'
    cfg = lio.parse(text_src(text, "saveconfig.json"))
    (lun,) = cfg.targets[0].luns
    assert lun.number == 7 and lun.number_span.text == "7"
    assert lun.span.text == '{"index": 7, "storage_object": "/x"}'
    assert cfg.targets[0].span.text.startswith('{"wwn"')


# -- secrets -------------------------------------------------------------------

SECRETS = ["sansecret1234", "targetsecret12", "discosecret12", "backupsecret12", "discoutsecret1"]


def _dump(cfg) -> str:
    return json.dumps(to_json(cfg))


def test_settings_holding_passwords_are_redacted():
    for cfg in (ietd.parse(load("ietd/chap-params.conf")), lio.parse(load("lio/saveconfig.json"))):
        for s in cfg.global_params:
            if "password" in s.name:
                assert to_json(s)["value"] in (REDACTED, None)


def test_chap_passwords_never_reach_json():
    for cfg in (ietd.parse(load("ietd/chap-params.conf")), tgt.parse(load("tgt/targets.conf")),
                lio.parse(load("lio/saveconfig.json"))):
        dumped = _dump(cfg)
        assert not any(secret in dumped for secret in SECRETS)


# -- invalid fixtures ----------------------------------------------------------

def _invalid(fmt: str) -> list[Path]:
    return sorted(p for p in (FIXTURES / fmt / "invalid").iterdir() if p.suffix != ".expect")


def _parser(path: Path):
    if path.parent.parent.name == "ietd":
        return ietd.parse_allow if path.suffix == ".allow" else ietd.parse
    return {"tgt": tgt.parse, "lio": lio.parse}[path.parent.parent.name]


@pytest.mark.parametrize("path", _invalid("ietd") + _invalid("tgt") + _invalid("lio"),
                         ids=lambda p: f"{p.parent.parent.name}/{p.name}")
def test_invalid_fixture_position(path: Path):
    expect = Path(f"{path}.expect").read_text().strip()
    with pytest.raises(ParseError) as info:
        _parser(path)(SourceFile(display=path.name, data=path.read_bytes(), path=path))
    assert f"{info.value.line}:{info.value.column}" == expect, info.value.describe()


# -- properties: generated configs parse to the generated model ---------------

iqn = st.from_regex(r"iqn\.20[0-2][0-9]-(0[1-9]|1[0-2])\.[a-z]{1,8}(\.[a-z0-9]{1,6}){0,2}:[a-z0-9.-]{1,12}",
                    fullmatch=True)
word = st.from_regex(r"[A-Za-z0-9_.:/-]{1,12}", fullmatch=True)
user = st.from_regex(r"[a-z][a-z0-9]{0,7}", fullmatch=True)
devpath = st.from_regex(r"/dev/[a-z]{1,6}/[a-z0-9]{1,6}", fullmatch=True)
indent = st.sampled_from(["", " ", "    ", "\t"])


@st.composite
def ietd_configs(draw):
    targets = []
    for name in draw(st.lists(iqn, min_size=1, max_size=3, unique=True)):
        luns = [(n, draw(devpath), draw(st.sampled_from(["fileio", "blockio"])), draw(st.sampled_from([None, "wb", "wt", "ro"])))
                for n in draw(st.lists(st.integers(0, 16383), max_size=4, unique=True))]
        users = draw(st.lists(st.tuples(st.sampled_from(["IncomingUser", "OutgoingUser"]), user, word), max_size=2))
        params = draw(st.lists(st.tuples(st.sampled_from(["MaxConnections", "HeaderDigest", "NOPInterval"]), word),
                               max_size=2))
        targets.append((name, luns, users, params))
    return targets


def render_ietd(targets, ind: str) -> str:
    out = ["# generated"]
    for name, luns, users, params in targets:
        out.append(f"Target {name}")
        for n, path, typ, mode in luns:
            extra = f",IOMode={mode}" if mode else ""
            out.append(f"{ind}Lun {n} Path={path},Type={typ}{extra}")
        out += [f"{ind}{kw} {u} {p}" for kw, u, p in users]
        out += [f"{ind}{k} {v}" for k, v in params]
    return "\n".join(out) + "\n"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ietd_configs(), indent)
def test_ietd_generated_roundtrip(targets, ind):
    cfg = ietd.parse(text_src(render_ietd(targets, ind)))
    assert [t.name for t in cfg.targets] == [t[0] for t in targets]
    for t, (_, luns, users, params) in zip(cfg.targets, targets):
        assert [(lun.number, lun.path, lun.io_type) for lun in t.luns] == [(n, p, ty) for n, p, ty, _ in luns]
        assert [lun.write_cache for lun in t.luns] == [m == "wb" and ty == "fileio" for _, _, ty, m in luns]
        assert [(c.user, c.password) for c in t.chap] == [(u, p) for _, u, p in users]
        assert [(p.name, p.value) for p in t.params] == params
        for lun in t.luns:
            assert lun.span.text.startswith(f"Lun {lun.number} ") and lun.io_type_span.text == lun.io_type


@st.composite
def tgt_configs(draw):
    targets = []
    for name in draw(st.lists(iqn, min_size=1, max_size=3, unique=True)):
        paths = draw(st.lists(devpath, max_size=4, unique=True))
        explicit = draw(st.lists(st.booleans(), min_size=len(paths), max_size=len(paths)))
        numbers = draw(st.lists(st.integers(1, 9), min_size=len(paths), max_size=len(paths), unique=True))
        blocks = draw(st.booleans())
        stores = [(p, n if (e and blocks) else None) for p, e, n in zip(paths, explicit, numbers)]
        addrs = draw(st.lists(st.sampled_from(["10.0.0.0/24", "172.16.50.1", "ALL"]), max_size=2))
        users = draw(st.lists(st.tuples(user, word), max_size=2))
        targets.append((name, stores, blocks, addrs, users))
    return targets


def render_tgt(targets) -> str:
    out = ["default-driver iscsi"]
    for name, stores, blocks, addrs, users in targets:
        out.append(f"<target {name}>")
        for path, n in stores:
            if blocks:
                out += [f"    <backing-store {path}>"] + ([f"        lun {n}"] if n else []) + ["    </backing-store>"]
            else:
                out.append(f"    backing-store {path}")
        out += [f"    initiator-address {a}" for a in addrs]
        out += [f"    incominguser {u} {p}" for u, p in users]
        out.append("</target>")
    return "\n".join(out) + "\n"


def expected_tgt_luns(stores) -> dict[str, int]:
    """tgt-admin's rule, restated: explicit numbers, then the lowest free
    number from 1 for the others in sorted path order."""
    taken = {n for _, n in stores if n}
    out = {p: n for p, n in stores if n}
    for path, n in sorted(stores):
        if not n:
            free = next(i for i in range(1, 100) if i not in taken)
            taken.add(free)
            out[path] = free
    return out


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tgt_configs())
def test_tgt_generated_roundtrip(targets):
    cfg = tgt.parse(text_src(render_tgt(targets)))
    assert [t.name for t in cfg.targets] == [t[0] for t in targets]
    assert sorted((t.tid, t.name) for t in cfg.targets) == list(enumerate(sorted(t[0] for t in targets), 1))
    for t, (_, stores, _, addrs, users) in zip(cfg.targets, targets):
        assert {lun.path: lun.number for lun in t.luns} == expected_tgt_luns(stores)
        assert [a.value for a in t.acls] == addrs
        assert [(c.user, c.password) for c in t.chap] == users
        assert t.open_to_all == (not addrs or "ALL" in addrs)


@st.composite
def lio_configs(draw):
    names = draw(st.lists(st.from_regex(r"[a-z][a-z0-9]{0,6}", fullmatch=True), min_size=1, max_size=4, unique=True))
    sos = [{"plugin": draw(st.sampled_from(["block", "fileio"])), "name": n, "dev": draw(devpath),
            "write_back": draw(st.booleans()), "attributes": {"block_size": 512}} for n in names]
    targets = []
    for wwn in draw(st.lists(iqn, min_size=1, max_size=2, unique=True)):
        luns = [{"index": i, "storage_object": f"/backstores/{so['plugin']}/{so['name']}"}
                for i, so in enumerate(draw(st.lists(st.sampled_from(sos), max_size=3)))]
        acls = [{"node_wwn": w, "mapped_luns": [], "chap_userid": u, "chap_password": "secretsecret1"}
                for w, u in draw(st.lists(st.tuples(iqn, user), max_size=2))]
        gen = draw(st.integers(0, 1))
        targets.append({"fabric": "iscsi", "wwn": wwn, "tpgs": [
            {"tag": 1, "enable": True, "attributes": {"generate_node_acls": gen, "authentication": 1},
             "parameters": {"AuthMethod": "CHAP"}, "luns": luns, "node_acls": acls,
             "portals": [{"ip_address": "0.0.0.0", "port": 3260}]}]})
    return {"fabric_modules": [], "storage_objects": sos, "targets": targets}


@settings(max_examples=60, deadline=None)
@given(lio_configs(), st.sampled_from([None, 2, 4]))
def test_lio_generated_roundtrip(data, indent_):
    cfg = lio.parse(text_src(json.dumps(data, indent=indent_, sort_keys=True), "saveconfig.json"))
    by_ref = {f"/backstores/{so['plugin']}/{so['name']}": so for so in data["storage_objects"]}
    for t, raw in zip(cfg.targets, data["targets"], strict=True):
        tpg = raw["tpgs"][0]
        assert t.name == raw["wwn"]
        assert t.open_to_all == bool(tpg["attributes"]["generate_node_acls"])
        assert [(lun.number, lun.path, lun.write_cache) for lun in t.luns] == [
            (lun["index"], by_ref[lun["storage_object"]]["dev"], by_ref[lun["storage_object"]]["write_back"])
            for lun in tpg["luns"]]
        assert [a.value for a in t.acls] == [a["node_wwn"] for a in tpg["node_acls"]]
        for lun in t.luns:
            assert lun.number_span.text == str(lun.number)


# -- mutations raise only ParseError ------------------------------------------

def _mutated(text: str, data) -> str:
    pos = data.draw(st.integers(0, max(len(text) - 1, 0)))
    op = data.draw(st.sampled_from(["delete", "insert", "replace"]))
    ch = data.draw(st.sampled_from(list("{}<>/=,#\\\"\n \t[]:;") + ["Lun", "Target", "</target>", "\u00e9"]))
    if op == "delete":
        return text[:pos] + text[pos + 1:]
    if op == "insert":
        return text[:pos] + ch + text[pos:]
    return text[:pos] + ch + text[pos + 1:]


FIXTURE_TEXTS = {
    "ietd": [(FIXTURES / "ietd/chap-params.conf").read_text(), (FIXTURES / "ietd/ietd.conf").read_text()],
    "allow": [(FIXTURES / "ietd/initiators.allow").read_text()],
    "tgt": [(FIXTURES / "tgt/targets.conf").read_text(), (FIXTURES / "tgt/conf.d/blocks.conf").read_text()],
    "lio": [(FIXTURES / "lio/saveconfig.json").read_text()],
}
PARSERS = {"ietd": ietd.parse, "allow": ietd.parse_allow, "tgt": tgt.parse, "lio": lio.parse}


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(sorted(PARSERS)), st.data())
def test_mutations_raise_only_parse_error(fmt, data):
    text = data.draw(st.sampled_from(FIXTURE_TEXTS[fmt]))
    for _ in range(data.draw(st.integers(1, 3))):
        text = _mutated(text, data)
    src = text_src(text)
    try:
        PARSERS[fmt](src)
    except ParseError as e:
        assert 1 <= e.line <= text.count("\n") + 2 and e.column >= 1
