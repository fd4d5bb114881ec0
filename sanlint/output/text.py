"""`--format text`: `path:line:col: CODE [severity] message (host)`, grouped
by file, with the offending line and a caret, coloured on a terminal (never
when piped or when NO_COLOR is set), and a one-line summary.

A finding with a fix ends in a mark saying what it takes to apply it:
`[*]` `--fix`, `[!]` `--fix --unsafe-fixes` (the fix changes behaviour),
`[?]` the admin's choice (shown by `--diff`, never written); a legend under
the summary explains the marks that appear."""

from __future__ import annotations

from sanlint.output import cluster_name, clusters, one_line

COLOURS = {"error": "\033[1;31m", "warning": "\033[1;33m", "info": "\033[1;36m"}
BOLD, DIM, RESET = "\033[1m", "\033[2m", "\033[0m"
MARKS = {"safe": "[*]", "unsafe": "[!]", "display-only": "[?]"}  # by Fix.applicability, as in ruff's JSON
LEGEND = {"safe": "[*] fixable with --fix", "unsafe": "[!] fixable with --fix --unsafe-fixes (changes behaviour)",
          "display-only": "[?] fix needs your choice (listed by --diff, never written)"}
WINDOW = 300  # characters of a source line shown under a finding (a 90 kB one-line XML file is one line)


def render(result, summary: dict, color: bool = False, show_source: bool = True, verbose: bool = False,
           show_fixes: bool = False, **_) -> str:
    out: list[str] = []
    c = (lambda code, s: f"{code}{s}{RESET}") if color else (lambda code, s: s)
    if verbose:
        for note in result.site.notes:
            out.append(c(DIM, f"note: {note}"))
    parts = clusters(result)
    if parts:  # several clusters: each under a header, with its own counts
        counts = {p["name"]: p for p in summary.get("clusters", [])}
        for part in parts:
            mine = [f for f in result.findings if f.cluster == part.name]
            s = counts.get(part.name) or {"files": len(part.files), "hosts": len([h for h in part.hosts if h])}
            hosts = f"{s['hosts']} host{'s' if s['hosts'] != 1 else ''}" if s["hosts"] else "no named host"
            head = (f"== cluster {one_line(cluster_name(part.name))}: {s['files']} file{'s' if s['files'] != 1 else ''}"
                    f", {hosts}: {len(mine)} problem{'s' if len(mine) != 1 else ''} ==")
            out.append(c(BOLD, head))
            _findings(out, result, mine, c, show_source, show_fixes)
            out.append("")
    else:
        _findings(out, result, result.findings, c, show_source, show_fixes)
        if out:
            out.append("")
    safe = len([f for f in result.findings if f.fixable and f.fix.safe])
    unsafe = len([f for f in result.findings if f.fixable and not f.fix.safe])
    out.append(summary_line(summary, safe, unsafe))
    shown = {f.fix.applicability for f in result.findings if f.fix is not None}
    if shown:
        out.append(c(DIM, "; ".join(LEGEND[a] for a in MARKS if a in shown) + "."))
    return "\n".join(out) + "\n"


def _findings(out: list[str], result, findings, c, show_source: bool, show_fixes: bool) -> None:
    last_path = None
    scrub = None
    line_key, original, scrubbed, blank, redacted = None, "", "", True, False
    for f in findings:
        if last_path is not None and f.path != last_path:
            out.append("")
        last_path = f.path
        host = f" ({one_line(f.host)})" if f.host else ""
        loc = c(BOLD, f"{one_line(f.path)}:{f.line}:{f.column}:")
        sev = c(COLOURS.get(f.severity, ""), f"[{f.severity}]")
        fix = c(DIM, f" {MARKS[f.fix.applicability]}") if f.fix is not None else ""
        out.append(f"{loc} {c(BOLD, f.code)} {sev} {one_line(f.message)}{host}{fix}")
        if show_source and f.span is not None and f.span.end >= f.span.start:
            key = (f.path, f.line)
            if key != line_key:  # findings come grouped by file: read and scrub each line once, not per finding
                if scrub is None:
                    from sanlint.output.secrets import Scrubber

                    scrub = Scrubber.for_site(result.site)
                original = f.span.file.line_text(f.line)
                line_key, blank = key, not original.strip()
                scrubbed = original if blank else scrub.line(original)
                redacted = scrubbed != original
            if not blank:
                text = scrubbed
                gutter = f"{f.line:>5} | "
                caret_col = min(max(f.column - 1, 0), len(original))
                if redacted:  # a redacted value before the column moves the caret
                    caret_col = len(scrub.line(original[:caret_col]))
                caret_col = min(caret_col, len(text))
                width = 1
                if f.span.line == f.line:
                    width = max(1, min(f.span.end - f.span.start, len(text) - caret_col))
                text, caret_col, width = window(text, caret_col, width)
                out.append(c(DIM, gutter) + text.replace("\t", " "))
                out.append(" " * (len(gutter) - 2) + c(DIM, "| ") + " " * caret_col + c(COLOURS.get(f.severity, ""), "^" * width))
        if show_fixes and f.fix is not None:
            out.append(f"      = fix ({f.fix.applicability}): {f.fix.description}")


def window(text: str, col: int, width: int, size: int = WINDOW) -> tuple[str, int, int]:
    """At most `size` characters of a long source line, around the caret, cut with `…`.

    >>> window("x" * 50 + "ERR" + "y" * 50, 50, 3, size=20)
    ('…xxxxxxERRyyyyyyyyyyy…', 7, 3)
    >>> window("short", 2, 1)
    ('short', 2, 1)
    """
    if len(text) <= size:
        return text, col, width
    start = max(0, min(col - size // 3, len(text) - size))
    end = start + size
    width = max(1, min(width, end - col))
    head, tail = ("…" if start else ""), ("…" if end < len(text) else "")
    return head + text[start:end] + tail, col - start + len(head), width


def summary_line(s: dict, fixable: int, unsafe: int = 0) -> str:
    total = s["error"] + s["warning"] + s["info"]
    where = f"in {s['files']} file{'s' if s['files'] != 1 else ''} on {s['hosts']} host{'s' if s['hosts'] != 1 else ''}"
    n = len(s.get("clusters") or ())
    if n > 1:
        where += f" in {n} clusters"
    if not total:
        return f"No problems found {where}."
    parts = [f"{s[k]} {name}{'s' if s[k] != 1 and k != 'info' else ''}" for k, name in
             (("error", "error"), ("warning", "warning"), ("info", "info"))]
    fixes = ([f"{fixable} fixable with --fix"] if fixable else []) + \
        ([f"{unsafe} more with --unsafe-fixes"] if unsafe else [])
    fix = "; " + ", ".join(fixes) if fixes else ""
    return f"Found {total} problem{'s' if total != 1 else ''} ({', '.join(parts)}) {where}{fix}."
