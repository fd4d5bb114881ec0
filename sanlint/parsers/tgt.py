"""tgt `targets.conf` and `conf.d/*.conf`, read the way `tgt-admin` reads
them (Perl Config::General with -UseApacheInclude -IncludeGlob
-MergeDuplicateBlocks).

What follows tgt-admin (scripts/tgt-admin, tgt 1.0.85):

* Keys are case-sensitive: `<Target X>` or `Backing-Store` are not what
  tgt-admin looks for, and it silently ignores them.  They are kept (as
  global settings or target params) so rules can flag them.
* `#` starts a comment anywhere on a line unless escaped; `/* */` comments
  and trailing-backslash continuations are honoured; here-documents are not.
* Two `<target X>` blocks in one file are merged, as Config::General does.
* LUNs: LUN 0 is the controller.  tgt-admin walks `backing-store` entries,
  then `direct-store` entries, each in sorted path order (Perl `sort keys`);
  a store gets its block's `lun N`, else the lowest free number from 1 up,
  and a target-level `lun N` overrides them all.  `IscsiLun.number` is that
  number (assuming every backing store exists: tgt-admin skips missing ones
  without using a number).  Targets get tids in sorted-name order (`tid` is
  that order within this file).
* io_type: `bs-type rdwr` (the default) and `mmap` go through the page cache
  -> "fileio"; `aio` opens with O_DIRECT (tgt usr/bs_aio.c) -> "blockio", and
  so does `rdwr` with `bsoflags direct`; other backing-store types -> None.
  `write_cache` is tgt's effective setting: on unless `write-cache off`
  (per LUN, else per target).
* ACLs: `initiator-address` and `initiator-name` -> `InitiatorAcl`; without
  any `initiator-address` tgt-admin binds `-I ALL`, so `open_to_all` is set
  unless an address list or an initiator name restricts logins.
* Fatal in tgt-admin, so a `ParseError` here: unbalanced blocks, a target
  option without a value, `incominguser`/`outgoinguser` without a password
  after a single space (tgt-admin splits on one space), and a target mixing
  `backing-store PATH` lines with `<backing-store PATH>` blocks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lark import Token, Tree

from sanlint.model.base import Setting
from sanlint.model.iscsi import ChapUser, InitiatorAcl, IscsiConfig, IscsiLun, IscsiTarget
from sanlint.parsers.grammar import parse_with
from sanlint.source import ParseError, SourceFile, bounded_int

_STORES = ("backing-store", "direct-store")
_DISCOVERY_USERS = ("incomingdiscoveryuser", "outgoingdiscoveryuser")
_DIRECT_IO = {"aio"}
_CACHED_IO = {"rdwr", "mmap"}


# -- preprocessing: comments and continuations, offsets kept -------------------

def preprocess(text: str) -> str:
    out: list[str] = []
    in_c = False
    for line in text.split("\n"):
        line, in_c = _strip_c_comment(line, in_c)
        out.append(_strip_hash(line))
    joined = "\n".join(out)
    return re.sub(r"(?<!\\)\\(\r?\n)", lambda m: " " * len(m.group(0)), joined)


def _spaces(s: str) -> str:
    return " " * len(s)


def _strip_c_comment(line: str, in_c: bool) -> tuple[str, bool]:
    # the same three cases as Config::General::_read
    if in_c:
        end = line.find("*/")
        if end < 0:
            return _spaces(line), True
        return _spaces(line[: end + 2]) + line[end + 2 :], False
    m = re.search(r"\s*/\*.*\*/\s*", line)
    if m:
        return line[: m.start()] + _spaces(m.group(0)) + line[m.end() :], False
    if re.match(r"\s*/\*", line):
        return _spaces(line), True
    return line, False


def _strip_hash(line: str) -> str:
    m = re.search(r"(?<!\\)#", line)
    return line if m is None else line[: m.start()] + _spaces(line[m.start() :])


# -- statements ----------------------------------------------------------------

@dataclass
class _Opt:
    key: str
    value: str | None
    start: int  # char offsets of the statement
    end: int
    vstart: int
    vend: int


@dataclass
class _Block:
    name: str
    arg: str | None
    start: int
    end: int
    body_start: int
    body_end: int
    arg_start: int
    arg_end: int
    items: list = field(default_factory=list)


def _option(tok: Token) -> _Opt:
    text = str(tok)
    m = re.search(r"\s*=\s*|\s+", text)
    if m is None:
        return _Opt(text, None, tok.start_pos, tok.end_pos, tok.end_pos, tok.end_pos)
    key, value, vstart = text[: m.start()], text[m.end() :], tok.start_pos + m.end()
    if len(value) >= 2 and value.startswith('"') and value.endswith('"'):
        value, vstart = value[1:-1], vstart + 1
    return _Opt(key, value, tok.start_pos, tok.end_pos, vstart, vstart + len(value))


def _block(node: Tree) -> _Block:
    open_tok, *inner, close_tok = node.children
    head = str(open_tok)[1:-1]
    m = re.match(r'\s*(?:"([^"]+)"|(\S+))(?:\s+(?:"([^"]+)"|(.*?)))?\s*$', head)
    name = (m.group(1) or m.group(2)) if m else head
    arg = (m.group(3) or m.group(4)) if m else None
    group = next((g for g in (3, 4) if m and m.group(g)), None)
    arg_start = open_tok.start_pos + 1 + (m.start(group) if group else len(head))
    blk = _Block(name, arg, open_tok.start_pos, close_tok.end_pos, open_tok.end_pos, close_tok.start_pos,
                 arg_start, arg_start + len(arg or ""))
    blk.items = [_item(n) for n in inner]
    return blk


def _item(node: Tree) -> _Opt | _Block:
    return _block(node) if node.data == "block" else _option(node.children[0])


# -- parse ---------------------------------------------------------------------

def parse(src: SourceFile) -> IscsiConfig:
    text = preprocess(src.text)
    tree = parse_with("tgt", src, text=text)
    cfg = IscsiConfig(stack="tgt", span=src.whole())
    targets: dict[str, _TargetState] = {}
    for node in tree.children:
        item = _item(node)
        if isinstance(item, _Block) and item.name == "target":
            _target_block(src, cfg, targets, item)
        elif isinstance(item, _Block):
            cfg.global_params.append(_block_setting(src, item))
        else:
            _global_option(src, cfg, item)
    for tid, name in enumerate(sorted(targets, key=_perl_key), start=1):
        targets[name].target.tid = tid
    return cfg


def _perl_key(s: str) -> bytes:
    return s.encode("utf-8", "surrogateescape")


def _fail(src: SourceFile, pos: int, message: str, found: str | None = None,
          expected: list[str] | None = None) -> None:
    line, col = src.line_col(pos)
    raise ParseError(message, line, col, found=found, expected=expected, char_offset=pos)


def _setting(src: SourceFile, opt: _Opt) -> Setting:
    return Setting(opt.key, opt.value, span=src.span(opt.start, opt.end), value_span=src.span(opt.vstart, opt.vend))


def _block_setting(src: SourceFile, blk: _Block) -> Setting:
    return Setting(blk.name, blk.arg, span=src.span(blk.start, blk.end),
                   value_span=src.span(blk.arg_start, blk.arg_end))


def _is_include(opt: _Opt) -> bool:
    return opt.key.lower() in ("include", "includeoptional")


def _global_option(src: SourceFile, cfg: IscsiConfig, opt: _Opt) -> None:
    if _is_include(opt):
        cfg.includes.append(_setting(src, opt))
    elif opt.key in _DISCOVERY_USERS:
        user, password = _user_pass(src, opt)
        cfg.global_params.append(Setting(opt.key, user, span=src.span(opt.start, opt.end),
                                         value_span=src.span(opt.vstart, opt.vstart + len(user))))
        cfg.global_params.append(Setting(f"{opt.key}.password", password, span=src.span(opt.start, opt.end)))
    else:
        cfg.global_params.append(_setting(src, opt))


def _user_pass(src: SourceFile, opt: _Opt) -> tuple[str, str]:
    fields = (opt.value or "").split(" ")  # Perl split(/ /): one space exactly
    if len(fields) < 2 or not fields[1]:
        at = opt.vstart + len(fields[0]) if opt.value else opt.end
        _fail(src, at, f"{opt.key} needs a user and a password separated by one space", found=repr(opt.value or ""))
    return fields[0], fields[1]


# -- targets -------------------------------------------------------------------

@dataclass
class _Store:
    kind: str  # backing-store | direct-store
    path: str
    start: int
    end: int
    block: _Block | None = None


@dataclass
class _TargetState:
    target: IscsiTarget
    stores: list[_Store] = field(default_factory=list)
    options: dict[str, _Opt] = field(default_factory=dict)  # first value of target-level options
    store_style: dict[str, str] = field(default_factory=dict)  # kind -> "line" | "block"
    has_address: bool = False
    has_name: bool = False


def _target_block(src: SourceFile, cfg: IscsiConfig, targets: dict[str, _TargetState], blk: _Block) -> None:
    if not blk.arg:
        _fail(src, blk.start, "target block without a name", found="'<target>'", expected=["<target IQN>"])
    state = targets.get(blk.arg)
    if state is None:  # a second <target X> block is merged into the first
        state = targets[blk.arg] = _TargetState(IscsiTarget(
            name=blk.arg, stack="tgt", span=src.span(blk.start, blk.end),
            body_span=src.span(blk.body_start, blk.body_end)))
        cfg.targets.append(state.target)
    for item in blk.items:
        _target_item(src, state, item)
    _assign_luns(src, state)
    _finish_acl(state)


def _target_item(src: SourceFile, st: _TargetState, item: _Opt | _Block) -> None:
    if isinstance(item, _Block):
        if item.name in _STORES:
            _add_store(src, st, item.name, item.arg or "", item.start, item.end, item)
        else:
            st.target.params.append(_block_setting(src, item))
        return
    if item.value is None or item.value == "":
        _fail(src, item.end, f"option {item.key} has no value", found="end of line", expected=["value"])
    if item.key in _STORES:
        _add_store(src, st, item.key, item.value, item.start, item.end, None)
    elif item.key in ("incominguser", "outgoinguser"):
        _add_user(src, st, item)
    elif item.key in ("initiator-address", "initiator-name"):
        _add_acl(src, st, item)
    else:
        st.options.setdefault(item.key, item)
        st.target.params.append(_setting(src, item))


def _add_store(src: SourceFile, st: _TargetState, kind: str, path: str, start: int, end: int,
               block: _Block | None) -> None:
    style = "block" if block else "line"
    if st.store_style.setdefault(kind, style) != style:
        # Config::General cannot mix `kind PATH` with `<kind PATH>`; tgt-admin stops
        _fail(src, start, f"{kind} lines and <{kind}> blocks cannot be mixed in one target",
              found=repr(kind), expected=[f"<{kind} PATH>" if style == "line" else f"{kind} PATH"])
    if not path:
        _fail(src, start, f"{kind} without a path", expected=["path"])
    for old in st.stores:
        if old.kind == kind and old.path == path and block is not None and old.block is not None:
            old.block.items.extend(block.items)  # -MergeDuplicateBlocks
            return
    st.stores.append(_Store(kind, path, start, end, block))


def _add_user(src: SourceFile, st: _TargetState, opt: _Opt) -> None:
    user, password = _user_pass(src, opt)
    direction = "incoming" if opt.key == "incominguser" else "outgoing"
    st.target.chap.append(ChapUser(direction, user, password, span=src.span(opt.start, opt.end)))


def _add_acl(src: SourceFile, st: _TargetState, opt: _Opt) -> None:
    value = opt.value or ""
    if opt.key == "initiator-name":
        kind, st.has_name = "name", True
    else:
        kind, st.has_address = ("all" if value == "ALL" else "address"), True
    st.target.acls.append(InitiatorAcl(kind, value, span=src.span(opt.start, opt.end)))


def _finish_acl(st: _TargetState) -> None:
    t = st.target
    t.acl_configured = bool(t.acls)
    open_address = not st.has_address or any(a.kind == "all" for a in t.acls)
    t.open_to_all = open_address and not st.has_name


# -- LUNs ----------------------------------------------------------------------

def _store_options(store: _Store) -> dict[str, _Opt]:
    opts: dict[str, _Opt] = {}
    for item in store.block.items if store.block else []:
        if isinstance(item, _Opt):
            opts.setdefault(item.key, item)
    return opts


def _assign_luns(src: SourceFile, st: _TargetState) -> None:
    order = sorted(st.stores, key=lambda s: (_STORES.index(s.kind), _perl_key(s.path)))
    per_store = {id(s): _store_options(s) for s in st.stores}
    taken = {o["lun"].value for o in per_store.values() if "lun" in o}
    taken |= {o["allow-in-use"].value for o in per_store.values() if "allow-in-use" in o}
    forced = st.options.get("lun")
    numbers: dict[int, tuple[int | None, _Opt | None]] = {}
    for store in order:
        opts = per_store[id(store)]
        own = forced or opts.get("lun")
        if own is not None:
            numbers[id(store)] = (_lun_number(src, own), own)
            continue
        n = 1
        while str(n) in taken:
            n += 1
        taken.add(str(n))
        numbers[id(store)] = (n, None)
    st.target.luns = [_lun(src, st, s, per_store[id(s)], *numbers[id(s)]) for s in st.stores]


def _lun_number(src: SourceFile, opt: _Opt) -> int:
    if not (opt.value or "").isdigit():
        _fail(src, opt.vstart, "lun must be a number", found=repr(opt.value), expected=["number"])
    return bounded_int(opt.value, char_offset=opt.vstart)


def _lun(src: SourceFile, st: _TargetState, store: _Store, opts: dict[str, _Opt],
         number: int | None, number_opt: _Opt | None) -> IscsiLun:
    bs = opts.get("bs-type") or st.options.get("bs-type")
    oflags = opts.get("bsoflags") or st.options.get("bsoflags")
    cache = opts.get("write-cache") or st.options.get("write-cache")
    lun = IscsiLun(number, store.path, span=src.span(store.start, store.end),
                   io_type=_io_type(bs.value if bs else "rdwr", oflags.value if oflags else ""),
                   write_cache=not (cache and cache.value == "off"),
                   params={k: o.value or "" for k, o in opts.items() if k != "lun"})
    if store.kind == "direct-store":
        lun.params.setdefault("direct-store", "yes")
    if bs is not None:
        lun.io_type_span = src.span(bs.vstart, bs.vend)
    if number_opt is not None:
        lun.number_span = src.span(number_opt.vstart, number_opt.vend)
    return lun


def _io_type(bs_type: str, oflags: str) -> str | None:
    if bs_type in _DIRECT_IO:
        return "blockio"
    if bs_type in _CACHED_IO:
        return "blockio" if "direct" in oflags.split(",") else "fileio"
    return None
