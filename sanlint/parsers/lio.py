"""LIO `/etc/target/saveconfig.json` (targetcli-fb / rtslib-fb).

The keys are the ones rtslib-fb's `RTSRoot.restore()` reads:
`storage_objects[]` (`plugin` block|fileio|ramdisk|pscsi|user:*, `name`,
`dev`, `write_back`, `attributes`), `targets[]` (`fabric`, `wwn`, `tpgs[]`
with `tag`, `enable`, `attributes`, `parameters`, `luns[]` {`index`,
`storage_object`: "/backstores/PLUGIN/NAME"}, `portals[]` {`ip_address`,
`port`}, `node_acls[]` {`node_wwn`, `chap_userid`, `chap_password`,
`chap_mutual_*`, `mapped_luns[]`}, tpg-level `chap_*`) and
`fabric_modules[]` (iSCSI discovery authentication).

Model: one `IscsiTarget` per target wwn, its TPGs folded together (LUN
numbers are the TPG LUN indexes, portals "ip:port").  Backstores are in
`IscsiConfig.backstores` keyed "PLUGIN/NAME"; a LUN copies its backstore's
path, io_type ("fileio" for the fileio plugin, "blockio" for block) and
write_cache (`write_back`).  LIO always enforces node ACLs unless the TPG
has `generate_node_acls=1` (demo mode): `acl_configured` is then False and
`open_to_all` True.  Spans come from a small linear scan of the JSON text
that records where every value sits.
"""

from __future__ import annotations

import json
import re
from typing import Any

from sanlint.model.base import Setting
from sanlint.model.iscsi import ChapUser, InitiatorAcl, IscsiConfig, IscsiLun, IscsiTarget
from sanlint.source import NumberTooLarge, ParseError, SourceFile, Span, bounded_int

_IO_TYPES = {"fileio": "fileio", "block": "blockio"}
Path = tuple  # JSON path: keys and indexes


# -- where every value is -------------------------------------------------------

_TOKEN = re.compile(r'\s*(?:("(?:[^"\\]|\\.)*")|([{}\[\]:,])|(-?[0-9][0-9.eE+-]*|true|false|null))', re.S)


def locate(text: str) -> dict[Path, tuple[int, int]]:
    """Char range of every value of a (valid) JSON document by path; object
    members also get `(..., key, ":key")` for the key's range."""
    spans: dict[Path, tuple[int, int]] = {}
    stack: list[list[Any]] = []  # [path, kind, next key or index, start]
    pos, key = 0, None
    for m in _TOKEN.finditer(text):
        if m.start() != pos:
            break
        pos = m.end()
        string, punct, start = m.group(1), m.group(2), m.start(m.lastindex)
        if stack and stack[-1][1] == "{" and string is not None and key is None:
            key = json.loads(string)
            spans[stack[-1][0] + (key, ":key")] = (start, pos)
            continue
        if punct in (":", ","):
            continue
        if punct in ("}", "]"):
            path, _, _, begin = stack.pop()
            spans[path] = (begin, pos)
            continue
        path = _child(stack, key)
        key = None
        if punct in ("{", "["):
            stack.append([path, punct, 0, start])
        else:
            spans[path] = (start, pos)
    return spans


def _child(stack: list[list[Any]], key: Any) -> Path:
    if not stack:
        return ()
    top = stack[-1]
    if top[1] == "{":
        return top[0] + (key,)
    top[2] += 1
    return top[0] + (top[2] - 1,)


# -- parse ---------------------------------------------------------------------

class _Doc:
    def __init__(self, src: SourceFile, data: Any) -> None:
        self.src = src
        self.data = data
        self.spans = locate(src.text)

    def span(self, path: Path) -> Span:
        start, end = self.spans.get(path, (0, len(self.src.text)))
        return self.src.span(start, end)

    def value_span(self, path: Path) -> Span:
        start, end = self.spans.get(path, (0, len(self.src.text)))
        if self.src.text[start:start + 1] == '"':
            start, end = start + 1, end - 1
        return self.src.span(start, end)


def parse(src: SourceFile) -> IscsiConfig:
    data = _load(src)
    doc = _Doc(src, data)
    cfg = IscsiConfig(stack="lio", span=src.whole())
    for i, so in enumerate(_list(doc, data, "storage_objects", ())):
        lun = _backstore(doc, so, ("storage_objects", i))
        cfg.backstores[f"{so.get('plugin')}/{so.get('name')}"] = lun
    for i, fm in enumerate(_list(doc, data, "fabric_modules", ())):
        cfg.global_params.extend(_settings(doc, fm, ("fabric_modules", i), prefix=f"{fm.get('name', 'fabric')}."))
    for i, t in enumerate(_list(doc, data, "targets", ())):
        cfg.targets.append(_target(doc, cfg, t, ("targets", i)))
    return cfg


def _float(text: str) -> float:
    value = float(text)
    if value != value or value in (float("inf"), float("-inf")):
        raise NumberTooLarge(text)
    return value


def _load(src: SourceFile) -> Any:
    try:
        data = json.loads(src.text, parse_int=bounded_int, parse_float=_float)
    except json.JSONDecodeError as e:
        raise ParseError(e.msg, e.lineno, e.colno, char_offset=e.pos) from None
    if not isinstance(data, dict):
        raise ParseError("saveconfig.json must be a JSON object", 1, 1, expected=["'{'"], char_offset=0)
    return data


def _list(doc: _Doc, obj: dict, key: str, path: Path) -> list[dict]:
    value = obj.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        _type_error(doc, path + (key,), f"{key} must be a list of objects")
    return value


def _dict(doc: _Doc, obj: dict, key: str, path: Path) -> dict:
    value = obj.get(key, {})
    if not isinstance(value, dict):
        _type_error(doc, path + (key,), f"{key} must be an object")
    return value


def _type_error(doc: _Doc, path: Path, message: str) -> None:
    span = doc.span(path)
    raise ParseError(message, span.line, span.column, char_offset=doc.spans.get(path, (0, 0))[0])


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def _settings(doc: _Doc, obj: dict, path: Path, prefix: str = "") -> list[Setting]:
    out = []
    for k, v in obj.items():
        if isinstance(v, (dict, list)):
            continue
        out.append(Setting(prefix + k, None if v is None else _scalar(v),
                           span=doc.span(path + (k,)), value_span=doc.value_span(path + (k,))))
    return out


def _backstore(doc: _Doc, so: dict, path: Path) -> IscsiLun:
    plugin = so.get("plugin")
    params = {k: _scalar(v) for k, v in so.items() if not isinstance(v, (dict, list)) and k not in ("dev", "plugin")}
    params.update({k: _scalar(v) for k, v in _dict(doc, so, "attributes", path).items()})
    lun = IscsiLun(None, so.get("dev"), span=doc.span(path), io_type=_IO_TYPES.get(str(plugin)),
                   write_cache=_write_back(so), params=params)
    if "plugin" in so:
        lun.io_type_span = doc.value_span(path + ("plugin",))
    return lun


def _write_back(so: dict) -> bool | None:
    if "write_back" in so:
        return bool(so["write_back"])
    cache = so.get("attributes", {}).get("emulate_write_cache") if isinstance(so.get("attributes"), dict) else None
    return None if cache is None else bool(cache)


def _target(doc: _Doc, cfg: IscsiConfig, t: dict, path: Path) -> IscsiTarget:
    target = IscsiTarget(name=str(t.get("wwn", "")), stack="lio", span=doc.span(path),
                         body_span=doc.span(path))
    if t.get("fabric", "iscsi") != "iscsi":
        target.params.append(Setting("fabric", str(t.get("fabric")), span=doc.span(path + ("fabric",)),
                                     value_span=doc.value_span(path + ("fabric",))))
    open_tpgs = []
    for i, tpg in enumerate(_list(doc, t, "tpgs", path)):
        open_tpgs.append(_tpg(doc, cfg, target, tpg, path + ("tpgs", i)))
    target.open_to_all = any(open_tpgs)
    target.acl_configured = bool(open_tpgs) and not all(open_tpgs)
    return target


def _tpg(doc: _Doc, cfg: IscsiConfig, target: IscsiTarget, tpg: dict, path: Path) -> bool:
    attrs = _dict(doc, tpg, "attributes", path)
    target.params.extend(_settings(doc, attrs, path + ("attributes",)))
    target.params.extend(_settings(doc, _dict(doc, tpg, "parameters", path), path + ("parameters",)))
    if "tag" in tpg and target.tid is None:
        target.tid = tpg["tag"] if isinstance(tpg["tag"], int) else None
    for i, lun in enumerate(_list(doc, tpg, "luns", path)):
        target.luns.append(_tpg_lun(doc, cfg, lun, path + ("luns", i)))
    for i, portal in enumerate(_list(doc, tpg, "portals", path)):
        target.portals.append(_portal(portal))
    for i, acl in enumerate(_list(doc, tpg, "node_acls", path)):
        _node_acl(doc, target, acl, path + ("node_acls", i))
    target.chap.extend(_chap(doc, tpg, path))
    return str(attrs.get("generate_node_acls", 0)) in ("1", "True")


def _tpg_lun(doc: _Doc, cfg: IscsiConfig, lun: dict, path: Path) -> IscsiLun:
    ref = str(lun.get("storage_object", ""))
    store = cfg.backstores.get(ref.removeprefix("/backstores/"))
    out = IscsiLun(lun.get("index") if isinstance(lun.get("index"), int) else None,
                   store.path if store else None, span=doc.span(path),
                   io_type=store.io_type if store else None,
                   write_cache=store.write_cache if store else None,
                   params={"storage_object": ref, **(store.params if store else {})})
    if "index" in lun:
        out.number_span = doc.span(path + ("index",))
    if store is not None:
        out.io_type_span = store.io_type_span
    return out


def _portal(portal: dict) -> str:
    ip = str(portal.get("ip_address", ""))
    host = f"[{ip}]" if ":" in ip and not ip.startswith("[") else ip
    return f"{host}:{portal.get('port', 3260)}"


def _node_acl(doc: _Doc, target: IscsiTarget, acl: dict, path: Path) -> None:
    target.acls.append(InitiatorAcl("name", str(acl.get("node_wwn", "")), span=doc.span(path)))
    target.chap.extend(_chap(doc, acl, path))


def _chap(doc: _Doc, obj: dict, path: Path) -> list[ChapUser]:
    out = []
    for direction, prefix in (("incoming", "chap_"), ("outgoing", "chap_mutual_")):
        user = obj.get(f"{prefix}userid")
        if user:
            out.append(ChapUser(direction, str(user), obj.get(f"{prefix}password"),
                                span=doc.span(path + (f"{prefix}userid",))))
    return out
