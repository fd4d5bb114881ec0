"""Applying fixes: byte-span edits, verified before anything is written.

A fix is applied only if the edited files still parse and a full re-check
shows that the fixed finding is gone and that no finding appeared that was
not there before.  Fixes are applied in passes until nothing changes (a
fix can make another one possible), so `--fix` is idempotent.  The verified
changes are written by `sanlint.apply` as one run (lock, compare with what
was planned from, originals kept in the run directory, journal, atomic
replacement); `write_atomically` writes sanlint's own output files.
"""

from __future__ import annotations

import difflib
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from sanlint.rule import Edit, Finding, Fix

MAX_PASSES = 10


class OverlapError(Exception):
    pass


def apply_edits(data: bytes, edits: list[Edit]) -> bytes:
    """Apply non-overlapping edits to `data` (the bytes of one file)."""
    ordered = sorted(edits, key=lambda e: (e.start, e.end))
    out, pos = [], 0
    for e in ordered:
        if e.start < pos:
            raise OverlapError(f"overlapping edits at byte {e.start}")
        out.append(data[pos:e.start])
        out.append(e.replacement.encode("utf-8", "surrogateescape"))
        pos = e.end
    out.append(data[pos:])
    return b"".join(out)


def finding_key(f: Finding) -> tuple[str, str, str]:
    return (f.code, f.path or "", f.identity or f.message)


@dataclass
class FixOutcome:
    new_data: dict[str, bytes] = field(default_factory=dict)  # real path -> fixed bytes
    old_data: dict[str, bytes] = field(default_factory=dict)  # real path -> original bytes
    display: dict[str, str] = field(default_factory=dict)  # real path -> display path
    applied: list[Finding] = field(default_factory=list)
    rejected: list[tuple[Finding, str]] = field(default_factory=list)
    offered: list[Finding] = field(default_factory=list)  # fixes that need the admin's choice


Checker = Callable[[dict[str, bytes]], list[Finding]]


def plan(check: Checker, unsafe: bool = False) -> FixOutcome:
    """Work out the verified fixes.  `check(overrides)` rebuilds the site with
    the given file contents and returns its findings."""
    out = FixOutcome()
    current: dict[str, bytes] = {}
    findings = check(current)
    attempted: set[tuple[str, str, str]] = set()
    for f in findings:
        if f.fix is not None and f.fix.needs_choice:
            out.offered.append(f)
    for _ in range(MAX_PASSES):
        candidates = [f for f in findings if f.fix is not None and not f.fix.needs_choice
                      and (f.fix.safe or unsafe) and finding_key(f) not in attempted]
        if not candidates:
            break
        before = {finding_key(f) for f in findings}
        batch = _non_overlapping(candidates)
        trial = _with_fixes(current, [f.fix for f in batch], out)
        trial_findings = check(trial)
        if _verified(batch, before, trial_findings):
            current, findings = trial, trial_findings
            out.applied.extend(batch)
            attempted.update(finding_key(f) for f in batch)
            continue
        # the batch failed: try one fix at a time to find the culprit(s)
        progressed = False
        for f in batch:
            attempted.add(finding_key(f))
            trial = _with_fixes(current, [f.fix], out)
            trial_findings = check(trial)
            if _verified([f], {finding_key(x) for x in findings}, trial_findings):
                current, findings = trial, trial_findings
                out.applied.append(f)
                progressed = True
            else:
                out.rejected.append((f, _why(f, {finding_key(x) for x in findings}, trial_findings)))
        if not progressed:
            break
    out.new_data = {k: v for k, v in current.items() if v != out.old_data.get(k)}
    return out


def _non_overlapping(findings: list[Finding]) -> list[Finding]:
    taken: dict[str, list[tuple[int, int]]] = {}
    batch = []
    for f in findings:
        assert f.fix is not None
        ok = True
        for e in f.fix.edits:
            for s, t in taken.get(_real(e), []):
                if e.start < t and s < e.end or (e.start == e.end == s):
                    ok = False
        if ok:
            for e in f.fix.edits:
                taken.setdefault(_real(e), []).append((e.start, e.end))
            batch.append(f)
    return batch


def _real(e: Edit) -> str:
    return str(e.file.path) if e.file.path is not None else e.file.display


def _with_fixes(current: dict[str, bytes], fixes: list[Fix], out: FixOutcome) -> dict[str, bytes]:
    """Apply fixes (whose spans refer to the *current* text) to a copy."""
    per_file: dict[str, list[Edit]] = {}
    for fix in fixes:
        for e in fix.edits:
            per_file.setdefault(_real(e), []).append(e)
    trial = dict(current)
    for real, edits in per_file.items():
        src = edits[0].file
        if real not in out.old_data:  # first touch: the spans' file holds the original bytes
            out.old_data[real] = src.data
        out.display.setdefault(real, src.display)
        try:
            trial[real] = apply_edits(src.data, edits)
        except OverlapError:
            return current
    return trial


def _verified(batch: list[Finding], before: set, after: list[Finding]) -> bool:
    after_keys = {finding_key(f) for f in after}
    if any(f.code == "SAN001" and finding_key(f) not in before for f in after):
        return False
    if _introduced(before, after):
        return False  # the fix introduced a new finding
    return all(finding_key(f) not in after_keys for f in batch)


def _introduced(before: set, after: list[Finding]) -> list[Finding]:
    """Findings the fix brought, leaving out those of a file the fix made
    parse again: they were there all along, hidden by the parse error."""
    unparsed = {path for code, path, _ in before if code == "SAN001"}
    parsed_now = unparsed - {f.path or "" for f in after if f.code == "SAN001"}
    return [f for f in after if finding_key(f) not in before and (f.path or "") not in parsed_now]


def _why(f: Finding, before: set, after: list[Finding]) -> str:
    new = _introduced(before, after)
    if any(x.code == "SAN001" for x in new):
        return "the fixed file would not parse"
    if new:
        n = new[0]
        return f"the fix would introduce {n.code} ({n.message})"
    return "the finding would remain after the fix"


# -- output ------------------------------------------------------------------

def unified_diff(old: bytes, new: bytes, display: str) -> str:
    a = old.decode("utf-8", "surrogateescape").splitlines(keepends=True)
    b = new.decode("utf-8", "surrogateescape").splitlines(keepends=True)
    lines = list(difflib.unified_diff(a, b, f"a/{display}", f"b/{display}"))
    return "".join(l if l.endswith("\n") else l + "\n\\ No newline at end of file\n" for l in lines)


def edits_diff(old: bytes, edits: list[Edit], display: str, context: int = 3) -> str:
    """The unified diff of applying `edits` to `old`, built straight from the
    edits: the lines an edit touches are the changed lines, everything else is
    context, hunks grouped as difflib groups them.  Linear in the file (difflib
    on a large file changed in thousands of places is not)."""
    import bisect

    if not edits:
        return ""
    starts = [0]
    i = old.find(b"\n")
    while i >= 0:
        starts.append(i + 1)
        i = old.find(b"\n", i + 1)
    if starts[-1] == len(old):
        starts.pop()  # no line after a final newline
    nlines = len(starts)
    bounds = starts + [len(old)]

    def line_of(offset: int) -> int:
        return max(bisect.bisect_right(starts, offset) - 1, 0)

    # old line blocks [a, b) each edit replaces
    blocks: list[list] = []
    for e in sorted(edits, key=lambda e: (e.start, e.end)):
        at_line_start = e.start == len(old) and (not old or old.endswith(b"\n")) or \
            (e.start < len(old) and bounds[line_of(e.start)] == e.start)
        if e.start == e.end and at_line_start and e.replacement.endswith("\n"):
            a = nlines if e.start == len(old) else line_of(e.start)
            b = a  # a pure insertion of whole lines
        else:
            a = line_of(e.start) if nlines else 0
            b = (line_of(e.end - 1) if e.end > e.start else a) + 1 if nlines else 0
        if blocks and a < blocks[-1][1] or (blocks and a == blocks[-1][1] and (a == b or blocks[-1][0] == blocks[-1][1])):
            blocks[-1][1] = max(blocks[-1][1], b)
            blocks[-1][2].append(e)
        else:
            blocks.append([a, b, [e]])
    lines = [old[bounds[k]:bounds[k + 1]].decode("utf-8", "surrogateescape") for k in range(nlines)]

    def new_text(a: int, b: int, group: list[Edit]) -> bytes:
        base = bounds[a] if a < nlines else len(old)
        chunk = old[base:bounds[b]] if b > a else b""
        return apply_edits(chunk, [Edit(e.file, e.start - base, e.end - base, e.replacement) for e in group])

    changes = []  # (a, b, new lines) with the new text of old lines [a, b)
    k = 0
    while k < len(blocks):
        a, b, group = blocks[k]
        new = new_text(a, b, group)
        # an edit that removed a newline (or inserted text without one) runs into
        # the next line: the block grows until its new text ends a line
        while b < nlines and not new.endswith(b"\n"):
            b += 1
            while k + 1 < len(blocks) and blocks[k + 1][0] < b:
                b = max(b, blocks[k + 1][1])
                group = group + blocks[k + 1][2]
                k += 1
            new = new_text(a, b, group)
        new_lines = new.decode("utf-8", "surrogateescape").splitlines(keepends=True)
        if new_lines != lines[a:b]:
            changes.append((a, b, new_lines))
        k += 1
    if not changes:
        return ""
    # hunks: changes closer than 2*context lines share one
    hunks: list[list] = [[changes[0]]]
    for ch in changes[1:]:
        if ch[0] - hunks[-1][-1][1] <= 2 * context:
            hunks[-1].append(ch)
        else:
            hunks.append([ch])
    out = [f"--- a/{display}\n", f"+++ b/{display}\n"]
    shift = 0  # new line numbers run ahead of old ones by this much before the current hunk
    for hunk in hunks:
        lo = max(hunk[0][0] - context, 0)
        hi = min(hunk[-1][1] + context, nlines)
        body: list[str] = []
        pos, new_len = lo, 0
        for a, b, new_lines in hunk:
            body += [" " + x for x in lines[pos:a]]
            new_len += a - pos
            body += ["-" + x for x in lines[a:b]] + ["+" + x for x in new_lines]
            new_len += len(new_lines)
            pos = b
        body += [" " + x for x in lines[pos:hi]]
        new_len += hi - pos
        out.append(f"@@ -{_range(lo, hi - lo)} +{_range(lo + shift, new_len)} @@\n")
        out += [x if x.endswith("\n") else x + "\n\\ No newline at end of file\n" for x in body]
        shift += new_len - (hi - lo)
    return "".join(out)


def _range(start: int, length: int) -> str:
    """difflib's unified range: 1-based start; an empty range names the line before."""
    if length == 1:
        return str(start + 1)
    return f"{start + 1 if length else start},{length}"


def choice_line(f: Finding) -> str:
    """How `--diff`/`--fix` list a fix that needs the admin's choice: one line
    beside the patch, never a hunk (a placeholder is no configuration)."""
    assert f.fix is not None
    return f"needs your choice, not written: {f.path}:{f.line}: {f.code} {f.fix.description}"


# -- writing -----------------------------------------------------------------

class WriteError(Exception):
    pass


def write_atomically(files: dict[str, bytes], backup: bool = False) -> list[str]:
    """Write sanlint's own output files (reports, baselines, converted files):
    temp+fsync+rename per file.  With `backup`, the files are configuration
    and go through `sanlint.apply` as one run (returns the run directory)."""
    if backup:
        from sanlint.apply import ApplyError, Change, apply, state_dir_for

        changes = [Change(p, Path(p).read_bytes() if os.path.exists(p) else None, d) for p, d in files.items()]
        try:
            result = apply(changes, state_dir_for(list(files)))
        except ApplyError as e:
            raise WriteError(str(e)) from None
        return [result.run_dir] if result.run_id else []
    done: list[str] = []
    for real, data in files.items():
        try:
            _atomic_write(real, data, like=real)
        except OSError as e:
            changed = f"; already written: {', '.join(done)}" if done else "; no file was changed"
            raise WriteError(f"{getattr(e, 'filename', '') or real}: {e.strerror or e}{changed}") from None
        done.append(real)
    return []


def current_umask() -> int:
    """The process umask, read without changing it where Linux tells it
    (/proc/self/status), else by setting and restoring it."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _atomic_write(path: str, data: bytes, like: str | None = None) -> None:
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".sanlint-", dir=directory)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if like and os.path.exists(like):
            st = os.stat(like)
            os.chmod(tmp, st.st_mode & 0o7777)
            try:
                os.chown(tmp, st.st_uid, st.st_gid)
            except OSError:
                pass
        else:  # a new file: the mode open(2) would give it (mkstemp's is 0600)
            os.chmod(tmp, 0o666 & ~current_umask())
        os.replace(tmp, path)
        dfd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
