"""Run the report: collect, render, write the report and its JSON sidecar.

The files are written atomically with the user's umask (a report holds no
secrets: everything went through the scrubber), the sidecar beside the
report (`audit.html` -> `audit.json`).
"""

from __future__ import annotations

import os

FORMATS = {".html": "html", ".htm": "html", ".md": "markdown", ".markdown": "markdown", ".pdf": "pdf"}


def render(data, fmt: str) -> str:
    if fmt == "markdown":
        from sanlint.report.markdown import render as md

        return md(data, title=data.title)
    from sanlint.report.html import render as html

    return html(data, title=data.title)


def output_bytes(data, fmt: str) -> bytes:
    """The report file's bytes (raises pdf.PdfError for a PDF without Chromium)."""
    if fmt == "pdf":
        from sanlint.report.pdf import html_to_pdf

        return html_to_pdf(render(data, "html"))
    return render(data, fmt).encode("utf-8", "surrogateescape")


def write(data, output: str, fmt: str) -> str:
    """Write the report and its sidecar; return the sidecar's path.
    Raises fixes.WriteError or pdf.PdfError."""
    from sanlint.fixes import write_atomically
    from sanlint.report import sidecar

    side = sidecar.sidecar_path(output)
    if os.path.abspath(side) == os.path.abspath(output):
        side = output + ".json"
    files = {os.path.abspath(output): output_bytes(data, fmt),
             os.path.abspath(side): sidecar.render(data).encode("utf-8", "surrogateescape")}
    write_atomically(files, backup=False)
    return side
