"""Generators of valid configurations per format and mutations of them, for
the fuzz suite (tests/test_hostile_fuzz.py, CI-sized) and its long run
(bench/fuzz_long.py).  Values are drawn to exercise the lexers: quoted
strings with escapes, comments, blank lines, odd indentation, numbers at the
64-bit edge."""

from __future__ import annotations

import json

from hypothesis import strategies as st

NAME = st.from_regex(r"[a-z][a-z0-9_]{0,10}", fullmatch=True)
HOST = st.from_regex(r"[a-z][a-z0-9-]{0,8}", fullmatch=True)
NUM = st.one_of(st.integers(0, 65535), st.sampled_from([0, 1, 2**31 - 1, 2**63 - 1]))
IP = st.tuples(st.integers(1, 254), st.integers(0, 255), st.integers(0, 255), st.integers(1, 254)).map(
    lambda t: ".".join(map(str, t)))
WS = st.sampled_from([" ", "  ", "\t", " \t "])
INDENT = st.sampled_from(["", " ", "  ", "\t", "    "])
COMMENT = st.from_regex(r"[ -~]{0,30}", fullmatch=True).map(lambda s: s.replace("\n", ""))
# a DRBD/LVM double-quoted string with backslash escapes, as written
QUOTED = st.lists(st.one_of(st.from_regex(r"[A-Za-z0-9 ._:/-]{1,6}", fullmatch=True),
                            st.sampled_from(['\\"', "\\\\"])), max_size=5).map(lambda p: '"' + "".join(p) + '"')
BLANK = st.sampled_from(["", "\n", "# note\n", "\n\n"])


@st.composite
def drbd(draw) -> str:
    out = [draw(BLANK)]
    if draw(st.booleans()):
        out.append("global { usage-count no; }\n")
    for i in range(draw(st.integers(1, 4))):
        name = f"{draw(NAME)}{i}"
        ind = draw(INDENT) or "  "
        out.append(f"resource {name} {{\n")
        out.append(f"{ind}net {{ protocol C; cram-hmac-alg sha1;{draw(WS)}shared-secret {draw(QUOTED)}; }}\n")
        if draw(st.booleans()):
            out.append(f"{ind}# {draw(COMMENT)}\n")
        for h in range(2):
            out.append(f"{ind}on {draw(HOST)}{h} {{\n{ind}{ind}device /dev/drbd{i};{draw(WS)}disk /dev/sd{chr(98 + h)};\n"
                       f"{ind}{ind}address {draw(IP)}:{7789 + i};{draw(WS)}meta-disk internal;\n{ind}}}\n")
        out.append("}\n" + draw(BLANK))
    return "".join(out)


@st.composite
def lvm(draw) -> str:
    out = [draw(BLANK)]
    for sec in draw(st.lists(st.sampled_from(["devices", "global", "activation", "log", "backup"]), min_size=1,
                             max_size=4, unique=True)):
        ind = draw(INDENT) or "\t"
        out.append(f"{sec} {{\n")
        for k in draw(st.lists(NAME, min_size=1, max_size=4, unique=True)):
            v = draw(st.one_of(NUM.map(str), QUOTED,
                               st.lists(QUOTED, min_size=1, max_size=3).map(lambda xs: "[ " + ", ".join(xs) + " ]")))
            out.append(f"{ind}{k}{draw(st.sampled_from([' = ', '=', ' =  ']))}{v}\n")
            if draw(st.booleans()):
                out.append(f"{ind}# {draw(COMMENT)}\n")
        out.append("}\n" + draw(BLANK))
    return "".join(out)


@st.composite
def ietd(draw) -> str:
    out = [draw(BLANK)]
    for t in range(draw(st.integers(1, 4))):
        out.append(f"Target iqn.2024-03.com.example:{draw(NAME)}{t}\n")
        ind = draw(st.sampled_from(["\t", "  ", "    "]))
        if draw(st.booleans()):
            out.append(f"{ind}IncomingUser {draw(NAME)} {draw(NAME)}pw\n")
        for lun in range(draw(st.integers(0, 3))):
            out.append(f"{ind}Lun {lun} Path=/dev/vg/{draw(NAME)},Type={draw(st.sampled_from(['fileio', 'blockio']))}\n")
        if draw(st.booleans()):
            out.append(f"# {draw(COMMENT)}\n")
    return "".join(out)


@st.composite
def tgt(draw) -> str:
    out = [draw(BLANK)]
    for t in range(draw(st.integers(1, 4))):
        ind = draw(st.sampled_from(["\t", "  ", "    "]))
        out.append(f"<target iqn.2024-03.com.example:{draw(NAME)}{t}>\n")
        for _ in range(draw(st.integers(1, 3))):
            out.append(f"{ind}backing-store /dev/vg/{draw(NAME)}\n")
        if draw(st.booleans()):
            out.append(f"{ind}incominguser {draw(NAME)} {draw(NAME)}pw12345678\n")
        if draw(st.booleans()):
            out.append(f"{ind}initiator-address {draw(IP)}\n")
        out.append("</target>\n" + draw(BLANK))
    return "".join(out)


@st.composite
def corosync(draw) -> str:
    ind = draw(INDENT) or "\t"
    out = [draw(BLANK), "totem {\n", f"{ind}version: 2\n", f"{ind}cluster_name: {draw(NAME)}\n"]
    if draw(st.booleans()):
        out.append(f"{ind}token: {draw(st.integers(1000, 10**6))}\n")
    out.append("}\n\nnodelist {\n")
    for n in range(draw(st.integers(1, 4))):
        out.append(f"{ind}node {{\n{ind}{ind}ring0_addr: {draw(IP)}\n{ind}{ind}name: {draw(HOST)}{n}\n"
                   f"{ind}{ind}nodeid: {n + 1}\n{ind}}}\n")
    out.append("}\n\nquorum {\n" + f"{ind}provider: corosync_votequorum\n" + "}\n" + draw(BLANK))
    return "".join(out)


CRM_VALUE = st.one_of(st.from_regex(r"[A-Za-z0-9_./-]{1,10}", fullmatch=True),
                      st.from_regex(r"[A-Za-z0-9 _./-]{1,10}", fullmatch=True).map(lambda s: f'"{s}"'))


@st.composite
def crm(draw) -> str:
    out = [draw(BLANK)]
    names = draw(st.lists(NAME, min_size=1, max_size=5, unique=True))
    for n in names:
        params = " ".join(f"{k}={draw(CRM_VALUE)}" for k in draw(st.lists(NAME, max_size=3, unique=True)))
        cont = draw(st.sampled_from([" ", " \\\n    "]))
        line = f"primitive p_{n} ocf:heartbeat:Dummy"
        if params:
            line += f"{cont}params {params}"
        line += f"{cont}op monitor interval={draw(st.integers(1, 3600))}s timeout={draw(st.integers(1, 600))}s\n"
        out.append(line)
    if len(names) > 1:
        out.append(f"group g_all {' '.join('p_' + n for n in names)}\n")
    out.append(f"property cib-bootstrap-options: stonith-enabled={draw(st.sampled_from(['true', 'false']))}\n")
    return "".join(out)


XML_TEXT = st.from_regex(r"[A-Za-z0-9 _./-]{0,10}", fullmatch=True).map(
    lambda s: s) | st.sampled_from(["a&amp;b", "&quot;q&quot;", "&lt;x&gt;", "&#65;"])


@st.composite
def cib(draw) -> str:
    ind = draw(st.sampled_from(["  ", "\t", " "]))
    prims = []
    for i, n in enumerate(draw(st.lists(NAME, min_size=1, max_size=4, unique=True))):
        nv = "".join(f'{ind * 4}<nvpair id="p{i}-{k}" name="{k}" value="{draw(XML_TEXT)}"/>\n'
                     for k in draw(st.lists(NAME, max_size=3, unique=True)))
        prims.append(f'{ind * 2}<primitive id="p_{n}" class="ocf" provider="heartbeat" type="Dummy">\n'
                     f'{ind * 3}<instance_attributes id="p{i}-ia">\n{nv}{ind * 3}</instance_attributes>\n'
                     f'{ind * 2}</primitive>\n')
    comment = f"<!-- {draw(COMMENT).replace('--', '')} -->\n" if draw(st.booleans()) else ""
    return (f'<?xml version="1.0"?>\n{comment}<cib validate-with="pacemaker-3.9" epoch="1" num_updates="0" '
            f'admin_epoch="0">\n{ind}<configuration>\n{ind * 2}<crm_config/>\n{ind * 2}<nodes/>\n'
            f'{ind * 2}<resources>\n{"".join(prims)}{ind * 2}</resources>\n{ind * 2}<constraints/>\n'
            f'{ind}</configuration>\n</cib>\n')


@st.composite
def lio(draw) -> str:
    targets = [{"wwn": f"iqn.2024-03.com.example:{draw(NAME)}{t}", "fabric": "iscsi",
                "tpgs": [{"tag": 1, "enable": True, "attributes": {"authentication": draw(st.integers(0, 1))},
                          "portals": [{"ip_address": draw(IP), "port": 3260}],
                          "luns": [{"index": i, "storage_object": f"/backstores/block/s{i}"} for i in range(2)],
                          "node_acls": []}]} for t in range(draw(st.integers(1, 3)))]
    doc = {"storage_objects": [{"plugin": "block", "name": f"s{i}", "dev": f"/dev/vg/{draw(NAME)}",
                                "write_back": draw(st.booleans())} for i in range(2)], "targets": targets}
    return json.dumps(doc, indent=draw(st.sampled_from([None, 1, 2, 4]))) + "\n"


@st.composite
def hosts(draw) -> str:
    out = ["127.0.0.1 localhost\n"]
    for i in range(draw(st.integers(1, 5))):
        alias = f"{draw(WS)}{draw(HOST)}" if draw(st.booleans()) else ""
        out.append(f"{draw(IP)}{draw(WS)}{draw(HOST)}{i}{alias}\n")
        if draw(st.booleans()):
            out.append(f"# {draw(COMMENT)}\n")
    return "".join(out)


@st.composite
def lvm_metadata(draw) -> str:
    vg = draw(NAME)
    lvs = []
    for i in range(draw(st.integers(1, 5))):
        lvs.append(f"{vg}_lv{i} {{\nid = \"l{i}\"\nstatus = [\"READ\", \"WRITE\", \"VISIBLE\"]\nsegment_count = 1\n"
                   f"segment1 {{\nstart_extent = 0\nextent_count = {draw(st.integers(1, 10**6))}\ntype = \"striped\"\n"
                   f"stripe_count = 1\nstripes = [\"pv0\", {i * 10}]\n}}\n}}\n")
    return (f"{vg} {{\nid = \"{draw(NAME)}\"\nseqno = {draw(st.integers(1, 1000))}\nformat = \"lvm2\"\n"
            f"status = [\"RESIZEABLE\", \"READ\", \"WRITE\"]\nextent_size = 8192\nphysical_volumes {{\npv0 {{\n"
            f"id = \"p\"\ndevice = \"/dev/drbd{draw(st.integers(0, 99))}\"\npe_start = 2048\npe_count = 100000\n}}\n}}\n"
            f"logical_volumes {{\n{''.join(lvs)}}}\n}}\n")


# format -> (strategy, file name the format is found under)
GENERATORS = {
    "drbd": (drbd(), "r0.res"), "lvm": (lvm(), "lvm.conf"), "ietd": (ietd(), "ietd.conf"),
    "tgt": (tgt(), "targets.conf"), "corosync": (corosync(), "corosync.conf"), "crm": (crm(), "cluster.crm"),
    "cib": (cib(), "cib.xml"), "lio": (lio(), "saveconfig.json"), "hosts": (hosts(), "hosts"),
    "lvm-metadata": (lvm_metadata(), "vg.vg"),
}


# -- mutations ---------------------------------------------------------------

def _at(data: bytes, pos: int) -> int:
    return pos % (len(data) + 1)


def mutate(data: bytes, kind: str, pos: int, size: int) -> bytes:
    """One hostile change: what a careful tester would try."""
    p = _at(data, pos)
    if kind == "truncate":
        return data[:p]
    if kind == "flip":
        if not data:
            return b"\xff"
        p = min(p, len(data) - 1)
        return data[:p] + bytes([data[p] ^ (1 << (size % 8))]) + data[p + 1:]
    if kind == "huge-number":
        return data[:p] + b"9" * (4000 + size) + data[p:]
    if kind == "long-line":
        return data[:p] + b"x" * (50_000 + size) + data[p:]
    if kind == "deep-nesting":
        opener, closer = [(b"{", b"}"), (b"[", b"]"), (b"<a>", b"</a>"), (b"<target x>\n", b"</target>\n")][size % 4]
        return data[:p] + opener * 3000 + closer * 3000 + data[p:]
    if kind == "nul":
        return data[:p] + b"\0" + data[p:]
    if kind == "invalid-utf8":
        return data[:p] + b"\xc3\x28\xff\xfe\xed\xa0\x80" + data[p:]
    if kind == "repeat":
        return data * (2 + size % 20)
    if kind == "crlf":
        return data.replace(b"\n", b"\r\n")
    raise ValueError(kind)


MUTATIONS = ["truncate", "flip", "huge-number", "long-line", "deep-nesting", "nul", "invalid-utf8", "repeat", "crlf"]
