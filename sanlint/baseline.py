"""Baselines: record today's findings so that only new ones are reported.

`sanlint check --write-baseline FILE` records every finding; later runs with
`--baseline FILE` drop the findings the file accounts for.  A finding is
matched by its *fingerprint*: the host, the path, the rule code and the
finding's `identity` (the object it is about: "drbd resource r0 / address
...").  Line and column never take part, so inserting comments or moving a
section does not turn old findings into new ones; editing the object itself
(renaming the resource, changing the flagged address) does.

Matching is a multiset: a baseline with one entry for a fingerprint absorbs
one finding with it; a second identical finding is new.

The same fingerprint is the SARIF `partialFingerprints` value, so code
scanning tracks a finding across line moves exactly as the baseline does.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from typing import Iterable

FORMAT_VERSION = 1
FINGERPRINT_KEY = "sanlint/v1"  # the SARIF partialFingerprints key


class BaselineError(Exception):
    """The baseline file cannot be read or is not a sanlint baseline."""


def _norm_path(path: str | None) -> str:
    if not path:
        return ""
    p = os.path.normpath(path).replace(os.sep, "/")
    return p


def fingerprint(f) -> str:
    """Stable fingerprint of a finding: host, path, code and identity (never
    the line).  A finding without an identity falls back to its message."""
    ident = f.identity or f.message or ""
    key = "\0".join(["v1", f.host or "", _norm_path(f.path), f.code, ident])
    return hashlib.sha256(key.encode("utf-8", "surrogateescape")).hexdigest()[:32]


def entry(f) -> dict:
    return {"fingerprint": fingerprint(f), "code": f.code, "host": f.host, "path": f.path,
            "message": f.message}


def write(path: str, findings: Iterable) -> int:
    """Write the baseline file; return how many findings it records."""
    entries = sorted((entry(f) for f in findings),
                     key=lambda e: (e["path"] or "", e["code"], e["host"] or "", e["fingerprint"]))
    doc = {"sanlint-baseline": FORMAT_VERSION, "findings": entries}
    from sanlint.output import json_safe

    text = json_safe(json.dumps(doc, indent=2, ensure_ascii=False)) + "\n"
    from sanlint.fixes import WriteError, write_atomically

    try:
        write_atomically({os.path.abspath(path): text.encode()}, backup=False)
    except WriteError as e:
        raise BaselineError(f"cannot write baseline {path}: {e}") from None
    return len(entries)


def read_json(path: str, error: type[Exception], what: str, missing: str | None = None):
    """The JSON document at `path`; `error(message)` when it is missing,
    unreadable or not JSON (`what` names the file in the message)."""
    from sanlint.site import InputError, read_bounded
    from sanlint.source import bounded_int

    if not os.path.lexists(path):
        raise error(missing or f"{what} does not exist")
    try:  # a regular file within the size bound: a fifo or /dev/zero is refused, never read
        data = read_bounded(path, what="a JSON document")
    except InputError as e:
        raise error(f"cannot read {what}: {e}") from None
    try:
        return json.loads(data.decode("utf-8"), parse_int=bounded_int)
    except RecursionError:
        raise error(f"{what} is not valid JSON: nested too deeply") from None
    except (ValueError, UnicodeDecodeError) as e:
        raise error(f"{what} is not valid JSON: {e}") from None


def load(path: str) -> Counter:
    """The fingerprints a baseline file records, with their multiplicity."""
    doc = read_json(path, BaselineError, f"baseline {path}",
                    missing=f"baseline {path} does not exist (create it with --write-baseline)")
    if not isinstance(doc, dict) or "findings" not in doc or not isinstance(doc["findings"], list):
        raise BaselineError(f"baseline {path} is not a sanlint baseline (no \"findings\" list)")
    version = doc.get("sanlint-baseline")
    if version != FORMAT_VERSION:
        raise BaselineError(f"baseline {path} has unsupported version {version!r} (expected {FORMAT_VERSION})")
    counts: Counter = Counter()
    for i, e in enumerate(doc["findings"]):
        if not isinstance(e, dict) or not isinstance(e.get("fingerprint"), str):
            raise BaselineError(f"baseline {path}: entry {i + 1} has no fingerprint")
        counts[e["fingerprint"]] += 1
    return counts


def filter_new(path: str, findings: list) -> list:
    """The findings the baseline does not account for (multiset semantics)."""
    remaining = load(path)
    out = []
    for f in findings:
        fp = fingerprint(f)
        if remaining[fp] > 0:
            remaining[fp] -= 1
        else:
            out.append(f)
    return out
