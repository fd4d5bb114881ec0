"""crm shell words as crmsh reads them: the keyword tables, unquoting,
splitting `name=value`."""

from __future__ import annotations

import re
import shlex


# <op> attributes in the pacemaker RNG (crmsh Validation.op_attributes); any
# other `op` name=value becomes an op instance attribute
OP_ATTRIBUTES = frozenset({"id", "name", "interval", "description", "start-delay", "interval-origin",
                           "timeout", "enabled", "record-pending", "role", "on-fail", "requires"})
ROLES = ("Stopped", "Started", "Promoted", "Unpromoted", "Master", "Slave")
ACTIONS = ("start", "promote", "demote", "stop")
ORDER_KINDS = ("Mandatory", "Optional", "Serialize")
NODE_TYPES = ("normal", "member", "ping", "remote")
BOOLEANS = ("true", "false", "yes", "no", "on", "off", "y", "n", "1", "0")
DATE_SPEC_NAMES = ("hours", "monthdays", "weekdays", "yearsdays", "months", "weeks", "years", "weekyears", "moon")
LIST_KINDS = {"params": "params", "meta": "meta", "utilization": "utilization", "attributes": "attributes",
              "op_params": "params", "op_meta": "meta"}

_CONTINUATION = re.compile(r"\\+[ \t\r]*\n[ \t]*")
_QUOTED = re.compile(r'"(?:[^"\\]|\\[\s\S])*"|\'[^\']*\'')
_NUMERIC_SCORE = re.compile(r"^[+-]?(inf(inity)?|INF(INITY)?|[0-9]+)$")


def unquote(raw: str) -> str:
    """The shell word as crmsh sees it: continuations joined, quotes removed."""
    text = _CONTINUATION.sub("", raw) if "\\" in raw else str(raw)
    if not any(c in text for c in "\"'\\"):
        return text
    if "\\" not in text:  # one kind of balanced quotes, no escapes: the shell just drops the quotes
        if "'" not in text and text.count('"') % 2 == 0:
            return text.replace('"', "")
        if '"' not in text and text.count("'") % 2 == 0:
            return text.replace("'", "")
    try:
        return "".join(shlex.split(text))
    except ValueError:  # the grammar only lets closed quotes through
        return text


def _split_at_equal(raw: str) -> int:
    """Index of the first `=` outside quotes in a raw word (-1 if none)."""
    i = 0
    while i < len(raw):
        c = raw[i]
        if c == "=":
            return i
        if c in "\"'":
            m = _QUOTED.match(raw, i)
            i = m.end() if m else i + 1
            continue
        i += 2 if c == "\\" else 1
    return -1
