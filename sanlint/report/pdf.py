"""`sanlint report -o audit.pdf`: the HTML report printed to PDF by
headless Chromium (its print CSS gives A4 pages with running headings off
and every section expanded).  Chromium is found on PATH (`chromium`,
`chromium-browser`, `google-chrome`) or named by `SANLINT_CHROMIUM`."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FLAGS = ["--headless", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-extensions", "--no-pdf-header-footer"]
TIMEOUT = 180


class PdfError(Exception):
    pass


def find_chromium() -> str | None:
    named = os.environ.get("SANLINT_CHROMIUM")
    if named:
        return shutil.which(named) or (named if os.access(named, os.X_OK) else None)
    for name in CANDIDATES:
        path = shutil.which(name)
        if path:
            return path
    return None


def html_to_pdf(html: str) -> bytes:
    chromium = find_chromium()
    if chromium is None:
        raise PdfError("writing a PDF needs Chromium, which was not found (install the chromium package, "
                       "or name the browser in SANLINT_CHROMIUM); write the report as .html and print it "
                       "from a browser instead")
    with tempfile.TemporaryDirectory(prefix="sanlint-pdf-") as tmp:
        page = os.path.join(tmp, "report.html")
        out = os.path.join(tmp, "report.pdf")
        with open(page, "w", encoding="utf-8") as fh:
            fh.write(html)
        cmd = [chromium, *FLAGS, f"--user-data-dir={os.path.join(tmp, 'profile')}", f"--print-to-pdf={out}"]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            cmd.append("--no-sandbox")  # Chromium refuses to run as root with its sandbox
        cmd.append("file://" + page)
        try:
            r = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            raise PdfError(f"{chromium} did not finish printing within {TIMEOUT} s") from None
        except OSError as e:
            raise PdfError(f"cannot run {chromium}: {e.strerror or e}") from None
        if r.returncode != 0 or not os.path.exists(out) or os.path.getsize(out) == 0:
            tail = (r.stderr or "").strip().splitlines()[-3:]
            raise PdfError(f"{chromium} failed to print the report (exit {r.returncode})"
                           + (": " + " / ".join(tail) if tail else ""))
        with open(out, "rb") as fh:
            data = fh.read()
    if not data.startswith(b"%PDF-"):
        raise PdfError(f"{chromium} wrote something that is not a PDF")
    return data
