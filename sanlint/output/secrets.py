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


class Scrubber:
    """Replace the site's secret values in any text taken from the site."""

    def __init__(self, secrets: set[str] | None = None) -> None:
        self.secrets = sorted(secrets or (), key=len, reverse=True)
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
        return cls(site_secrets(site))

    def __call__(self, text: str | None) -> str:
        if not text:
            return text or ""
        if self._words:
            text = _WORD.sub(self._word, text)
        if self._re is not None:
            text = self._re.sub(REDACTED, text)
        return text

    def line(self, text: str) -> str:
        """A quoted source line: the text output's redaction, then the values."""
        from sanlint.output.text import _redact_line

        return self(_redact_line(text))

    def contains_secret(self, text: str | None) -> bool:
        return bool(text) and self(text) != text
