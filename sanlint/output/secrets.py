"""Keep the site's secrets out of every report.

Rules never put a secret into a message, and `to_json` redacts the model;
the reports still quote source lines and build labels from the model, so
they pass everything that came from the site through a `Scrubber`: it knows
every secret value of the site (settings and nvpairs whose name is a secret
name, CHAP passwords) and replaces each occurrence by `REDACTED`, after the
line-level redaction of the text output (`shared-secret "..."`, `passwd=`,
`IncomingUser USER PASS`).
"""

from __future__ import annotations

import re
from dataclasses import fields, is_dataclass
from typing import Any

from sanlint.model.base import REDACTED, is_secret, walk


_KINDS: dict[type, tuple[tuple[str, ...], tuple[str, ...]]] = {}


def _field_kinds(cls: type) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(fields named like secrets, dict fields) of a model class, once per class."""
    kinds = _KINDS.get(cls)
    if kinds is None:
        fs = fields(cls) if is_dataclass(cls) else ()
        kinds = _KINDS[cls] = (
            tuple(f.name for f in fs if f.name not in ("name", "value") and is_secret(f.name)),
            tuple(f.name for f in fs if str(f.type).startswith("dict")))
    return kinds


def site_secrets(site) -> set[str]:
    """Every secret value found in the site model."""
    out: set[str] = set()
    for part, _problems in getattr(site, "parts", None) or ():  # several clusters: each one's secrets
        out |= site_secrets(part)
    roots: list[Any] = list(site.clusters)
    for h in site.hosts.values():
        roots.extend([h.drbd, h.lvm, h.iscsi, h.corosync, h.clusters, h.firewalls])
    for obj in walk(roots):
        name = getattr(obj, "name", None)
        value = getattr(obj, "value", None)
        if isinstance(name, str) and isinstance(value, str) and is_secret(name):
            out.add(value)
        secret_fields, dict_fields = _field_kinds(type(obj))
        for f in secret_fields:
            v = getattr(obj, f, None)
            if isinstance(v, str):
                out.add(v)
        for f in dict_fields:
            for k, dv in (getattr(obj, f, None) or {}).items():
                if isinstance(k, str) and isinstance(dv, str) and is_secret(k):
                    out.add(dv)
    # the value as written may carry quotes the parser removed, or the reverse
    return {s.strip().strip("\"'") for s in out if s and s.strip().strip("\"'") and s != REDACTED}


_WORD = re.compile(r"[\w.-]+")

# -- secrets as they are written ------------------------------------------------
#
# Every form in which the formats sanlint reads write a secret value, as one
# regular expression over a file (or a quoted line, or a diff line):
#   1. a statement `NAME VALUE` at the start of a line or after `{`/`;`
#      (DRBD `shared-secret "x";`, ietd `IncomingUser USER PASS`, tgt
#      `incominguser USER PASS`): for the *user lines, the third word;
#   2. `NAME=VALUE` / `NAME = VALUE` (crm params, lvm.conf), not inside a
#      path or a longer word (`include "/etc/passwd"` has no secret);
#   3. `"NAME": "VALUE"` (LIO saveconfig.json);
#   4. `NAME: VALUE` at the start of a line (corosync);
#   5. an XML tag with name="NAME" and value="VALUE" in either order (CIB).
# VALUE is a quoted string with backslash escapes (quotes kept out of the
# span; an unterminated one runs to the end of the line, as in a file that
# fails to parse) or a bare word.
_VALUE = r"""(?:"(?:[^"\\\n]|\\.)*(?:"|$)|'[^'\n]*(?:'|$)|[^\s;{}"'\\]+)"""
_NAME = r"(?:[A-Za-z][\w-]*?(?:[Pp][Aa][Ss][Ss][Ww][Oo][Rr][Dd]|[Pp][Aa][Ss][Ss][Ww][Dd]|[Ss][Ee][Cc][Rr][Ee][Tt])|[Pp][Aa][Ss][Ss][Ww][Oo][Rr][Dd]|[Pp][Aa][Ss][Ss][Ww][Dd]|[Ss][Ee][Cc][Rr][Ee][Tt]|(?:crypto_)?key|[Ii]ncoming[Uu]ser|[Oo]utgoing[Uu]ser)(?![\w-])"
_FORMS = re.compile(
    rf"""(?:^|(?<=[{{;]))[ \t]*(?P<n1>{_NAME})[ \t]+(?![=:])(?P<v1>{_VALUE})(?:[ \t]+(?P<v1b>{_VALUE}))?"""
    rf"""|(?<![\w/.\-"'$])(?P<n2>{_NAME})[ \t]*=[ \t]*(?P<v2>{_VALUE})"""
    rf"""|"(?P<n3>{_NAME})"[ \t]*:[ \t]*(?P<v3>"(?:[^"\\\n]|\\.)*(?:"|$))"""
    rf"""|^[ \t]*(?P<n4>{_NAME}):[ \t]*(?P<v4>\S+)""", re.M)
_TAG = re.compile(r"<[A-Za-z][^<>]*>?")
_XML_NAME = re.compile(r"""\bname\s*=\s*(["'])([^"'<>]*)\1""")
_XML_VALUE = re.compile(r"""\bvalue\s*=\s*(["'])([^"'<>]*)\1""")
_MAYBE = re.compile(r"(?i)pass|secret|key|user")
_USER_LINES = frozenset({"incominguser", "outgoinguser"})


def value_spans(text: str) -> list[tuple[int, int]]:
    """Character ranges of every secret value written in `text` (inside its
    quotes), whatever the format; linear in the text."""
    if not text or not _MAYBE.search(text):
        return []
    out: list[tuple[int, int]] = []
    for m in _form_matches(text):
        for n, v in (("n1", "v1"), ("n2", "v2"), ("n3", "v3"), ("n4", "v4")):
            name = m.group(n)
            if name is None:
                continue
            if n == "n1" and name.lower() in _USER_LINES:
                v = "v1b"
            elif not is_secret(name):
                break
            if m.group(v) is not None:
                out.append(_inner(text, m.start(v), m.end(v)))
            break
    if "<" in text:
        for t in _TAG.finditer(text):
            tag = t.group(0)
            nm = _XML_NAME.search(tag)
            if nm and is_secret(nm.group(2)):
                for vm in _XML_VALUE.finditer(tag):
                    out.append((t.start() + vm.start(2), t.start() + vm.end(2)))
    return [(a, b) for a, b in out if b > a]


def _form_matches(text: str):
    """`_FORMS.finditer(text)`, run only over the lines that hold a secret-like
    word (every form matches within one line and its name contains one):
    a 2 KB DRBD file has one such line, and the full scan cost ~0.7 ms."""
    end = -1
    for hit in _MAYBE.finditer(text):
        if hit.start() < end:
            continue  # same line as the previous hit
        start = text.rfind("\n", 0, hit.start()) + 1
        end = text.find("\n", hit.end())
        if end < 0:
            end = len(text)
        yield from _FORMS.finditer(text, start, end)


def _inner(text: str, a: int, b: int) -> tuple[int, int]:
    if text[a] in "\"'":
        a += 1
        if b > a and text[b - 1] == text[a - 1] and (text[a - 1] == "'" or text[b - 2] != "\\" or b - 2 < a):
            b -= 1
    return a, b


def redact_text(text: str) -> str:
    """`text` with every written secret value replaced by REDACTED, nothing else touched."""
    spans = value_spans(text)
    if not spans:
        return text
    out, last = [], 0
    for a, b in sorted(spans):
        if a < last:
            continue
        out.append(text[last:a])
        out.append(REDACTED)
        last = b
    out.append(text[last:])
    return "".join(out)


def written_values(text: str) -> set[str]:
    """The secret values written in `text`, as written (escapes kept)."""
    return {text[a:b] for a, b in value_spans(text)}


def _unescape(s: str) -> str:
    return re.sub(r"\\(.)", r"\1", s)


def _escape(s: str) -> str:
    return s.replace("\\", "\\\\").replace('"', '\\"')


def variants(value: str) -> set[str]:
    """Every form a value can take in sanlint's outputs: as parsed, as
    written with backslash escapes, XML/HTML-escaped, JSON-escaped."""
    import html
    import json

    base = {value, _unescape(value), _escape(value)}
    out = set(base)
    for b in base:
        out.add(html.escape(b, quote=True))
        out.add(html.escape(b, quote=False).replace('"', "&quot;"))
        out.add(json.dumps(b, ensure_ascii=False)[1:-1])
        out.add(json.dumps(b)[1:-1])
    return out


class Scrubber:
    """Replace the site's secret values in any text taken from the site."""

    def __init__(self, secrets: set[str] | None = None) -> None:
        forms: set[str] = set()
        for v in secrets or ():
            forms |= variants(v)
        forms = {f for f in forms if f.strip() and f != REDACTED}
        self.secrets = sorted(forms, key=len, reverse=True)
        # Linear in the text whatever the number of secrets: a secret that is a
        # plain word (letters, digits, `_.-`: nearly all of them) is found by
        # looking every word of the text up in a set; one alternation regex of
        # hundreds of secrets would rescan the text once per secret.
        self._words = {s for s in self.secrets if _WORD.fullmatch(s)}
        parts = []
        for s in self.secrets:
            if s in self._words:
                continue
            esc = re.escape(s)
            # short values only as whole tokens, so "on" never eats "iscsi-on"
            parts.append(esc if len(s) >= 6 else rf"(?<![\w.-]){esc}(?![\w.-])")
        self._re = re.compile("|".join(parts)) if parts else None

    def _word(self, m: re.Match) -> str:
        w = m.group(0)
        if w in self._words:
            return REDACTED
        core = w.strip(".-")  # "... is s3cret." / "-s3cret-"
        if core != w and core in self._words:
            i = w.index(core)
            return w[:i] + REDACTED + w[i + len(core):]
        return w

    @classmethod
    def for_site(cls, site) -> "Scrubber":
        """The site's secrets: from the model, and as written in every file
        read (a file that fails to parse has no model but may hold secrets)."""
        cached = getattr(site, "_scrubber", None)
        if cached is not None:
            return cached
        found = site_secrets(site)
        for f in getattr(site, "files", ()):
            found |= written_values(f.text)
        scrub = cls(found)
        try:
            site._scrubber = scrub
        except AttributeError:
            pass
        return scrub

    def __call__(self, text: str | None) -> str:
        if not text:
            return text or ""
        if self._words:
            text = _WORD.sub(self._word, text)
        if self._re is not None:
            text = self._re.sub(REDACTED, text)
        return text

    def line(self, text: str) -> str:
        """A quoted source line: its written secrets, then the site's values."""
        return self(redact_text(text))

    def diff(self, text: str) -> str:
        """A unified diff: every changed or context line redacted as a source line."""
        out = []
        for ln in text.splitlines(keepends=True):
            if ln[:1] in ("+", "-", " ") and not ln.startswith(("+++ ", "--- ")):
                ln = ln[0] + redact_text(ln[1:])
            out.append(ln)
        return self("".join(out))

    def contains_secret(self, text: str | None) -> bool:
        return bool(text) and self.line(text) != text
