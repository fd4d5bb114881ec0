#!/usr/bin/env python3
"""sanlint benchmarks: generated large inputs, sanlint beside the real tools.

    python3 bench/bench.py            # the full set (takes a few minutes: crmsh is slow)
    python3 bench/bench.py --quick    # smaller sizes, for a smoke run

What it measures (wall time, best of N runs, each a fresh process as in
pre-commit):

* a 10,000-resource CIB: `sanlint check` vs `crm_verify --xml-file`
  (target: sanlint <= 1/5 of crm_verify);
* the same configuration as crm text: sanlint parsing it (into the model,
  with syntax findings: `check --select SAN001`) vs crmsh's `configure
  load update` into an offline CIB (target: >= 50x faster), on a
  2,000-primitive file by default since crmsh needs over half a minute;
* a 500-resource DRBD site (two hosts);
* linearity: time per 1,000 objects at two sizes, for the CIB and DRBD sites;
* the seed site vs a bare `python3 -c pass` (target: <= 8x).

Nothing here is a test: the figures go into the closing notes.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


sys.path.insert(0, str(Path(__file__).resolve().parent))
from gen import cib_xml, crm_text, drbd84_site, drbd_site, legacy_cib  # noqa: E402


# -- timing ------------------------------------------------------------------

def best(cmd: list[str], runs: int, env: dict | None = None, setup=None, ok=(0, 1)) -> float:
    times = []
    for _ in range(runs):
        if setup:
            setup()
        t = time.perf_counter()
        p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
        times.append(time.perf_counter() - t)
        if p.returncode not in ok:
            raise SystemExit(f"{' '.join(cmd)} failed ({p.returncode}): {p.stderr.decode()[-500:]}")
    return min(times)


def sanlint_cmd() -> list[str]:
    exe = shutil.which("sanlint")
    return [exe] if exe else [sys.executable, "-m", "sanlint"]


def row(label: str, value: str) -> None:
    print(f"  {label:<58} {value}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="small sizes")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--skip-crmsh", action="store_true", help="do not run crmsh at all")
    ap.add_argument("--crmsh-size", type=int, default=2000,
                    help="primitives in the crm file timed against crmsh (crmsh needs ~75 s for 2,000 here)")
    args = ap.parse_args()
    n_cib = 1000 if args.quick else 10000
    n_drbd = 100 if args.quick else 500
    sl = sanlint_cmd()
    env = dict(os.environ)
    # measure sanlint as installed: pip writes bytecode at install time, so a
    # PYTHONDONTWRITEBYTECODE from the caller's shell must not make every run
    # recompile sanlint from source
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    tmp = Path(tempfile.mkdtemp(prefix="sanlint-bench-"))
    env["SANLINT_CACHE_DIR"] = str(tmp / "cache")
    # warm the grammar cache once, as any installed sanlint has it after its first run
    subprocess.run(sl + ["check", str(REPO / "fixtures" / "sites" / "seed")], stdout=subprocess.DEVNULL, env=env)
    print(f"sanlint benchmarks (best of {args.runs}; wall time; {os.cpu_count()} cores)")

    print("\nstart-up")
    bare = best([sys.executable, "-c", "pass"], 10, env)
    seed = best(sl + ["check", str(REPO / "fixtures" / "sites" / "seed")], max(args.runs, 5), env)
    row("python3 -c pass", f"{bare * 1000:8.1f} ms")
    row("sanlint check fixtures/sites/seed", f"{seed * 1000:8.1f} ms  = {seed / bare:.1f}x bare python (target <= 8x)")

    print(f"\nCIB with {n_cib} primitives")
    cib = tmp / "big-cib.xml"
    cib.write_text(cib_xml(n_cib))
    t_sl = best(sl + ["check", "--format", "json", str(cib)], args.runs, env)
    row("sanlint check", f"{t_sl:8.3f} s")
    if shutil.which("crm_verify"):
        t_cv = best(["crm_verify", "--xml-file", str(cib)], args.runs, ok=(0, 1, 78))
        row("crm_verify --xml-file", f"{t_cv:8.3f} s  -> sanlint takes {t_sl / t_cv:.2%} of it (target <= 20%)")
    flat = tmp / "flat-cib.xml"
    flat.write_text(cib_xml(n_cib, one_line=True))
    t_flat = best(sl + ["check", "--format", "json", str(flat)], args.runs, env)
    row("sanlint check, the same CIB as one long line (worst case)", f"{t_flat:8.3f} s")
    half = tmp / "half-cib.xml"
    half.write_text(cib_xml(n_cib // 2))
    t_half = best(sl + ["check", "--format", "json", str(half)], args.runs, env)
    row(f"linearity: per 1,000 primitives at {n_cib // 2} / {n_cib}",
        f"{t_half / (n_cib // 2) * 1000 * 1000:7.1f} ms / {t_sl / n_cib * 1000 * 1000:7.1f} ms")

    print(f"\ncrm text with {n_cib} primitives")
    crm = tmp / "big.crm"
    crm.write_text(crm_text(n_cib))
    t_parse = best(sl + ["parse", str(crm)], args.runs, env)
    row("sanlint parse (model as JSON)", f"{t_parse:8.3f} s")
    t_chk = best(sl + ["check", "--format", "json", str(crm)], args.runs, env)
    row("sanlint check", f"{t_chk:8.3f} s")
    if shutil.which("crm") and shutil.which("cibadmin") and not args.skip_crmsh:
        n_crm = min(args.crmsh_size, n_cib)
        crm = tmp / f"crmsh-{n_crm}.crm"
        crm.write_text(crm_text(n_crm))
        # parsing = reading the file into the site model and reporting syntax errors
        t_parse = best(sl + ["check", "--select", "SAN001", str(crm)], args.runs, env)
        row(f"sanlint parse of a {n_crm}-primitive crm file (check --select SAN001)", f"{t_parse:8.3f} s")
        empty = tmp / "empty.xml"
        subprocess.run(["cibadmin", "--empty"], stdout=open(empty, "w"), check=True)
        target = tmp / "load.xml"
        crm_env = dict(os.environ, CIB_file=str(target))
        t_crmsh = best(["crm", "configure", "load", "update", str(crm)], 1, crm_env,
                       setup=lambda: shutil.copy(empty, target), ok=(0, 1))
        row("crmsh configure load update (offline CIB_file)", f"{t_crmsh:8.3f} s  -> sanlint parse is {t_crmsh / t_parse:.0f}x faster (target >= 50x)")

    print(f"\nDRBD site: 2 hosts x {n_drbd} resources")
    site = drbd_site(tmp, n_drbd)
    t_d = best(sl + ["check", "--format", "json", str(site)], args.runs, env)
    row("sanlint check", f"{t_d:8.3f} s")
    site_half = drbd_site(tmp, n_drbd // 2)
    t_dh = best(sl + ["check", "--format", "json", str(site_half)], args.runs, env)
    row(f"linearity: per 1,000 resources at {n_drbd // 2} / {n_drbd}",
        f"{t_dh / (n_drbd // 2) * 1000 * 1000:7.1f} ms / {t_d / n_drbd * 1000 * 1000:7.1f} ms")
    if shutil.which("drbdadm"):
        one = tmp / "all.res"
        one.write_text("".join((site / "alpha/etc/drbd.d" / f"r{i}.res").read_text() for i in range(n_drbd)))
        t_adm = best(["drbdadm", "-c", str(one), "dump", "all"], args.runs,
                     dict(os.environ, DRBD_DRIVER_VERSION_OVERRIDE="9.2.0"))
        row("drbdadm dump all (one host's resources, for scale)", f"{t_adm:8.3f} s")
    print("\nmigrations (plan, verify by re-parsing, report and diff; --diff writes nothing)")
    for n in (n_drbd // 2, n_drbd):
        legacy = drbd84_site(tmp, n)
        t_m = best(sl + ["migrate", "drbd-9", "--format", "json", str(legacy)], args.runs, env)
        row(f"migrate drbd-9, 2 hosts x {n} resources", f"{t_m:8.3f} s = {t_m / n * 1000 * 1000:7.1f} ms per 1,000")
    for n in (n_cib // 2, n_cib):
        old_cib = tmp / f"legacy-{n}.xml"
        old_cib.write_text(legacy_cib(n))
        t_m = best(sl + ["migrate", "pacemaker-2", "--format", "json", str(old_cib)], args.runs, env)
        row(f"migrate pacemaker-2, CIB with {n} primitives", f"{t_m:8.3f} s = {t_m / n * 1000 * 1000:7.1f} ms per 1,000")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
