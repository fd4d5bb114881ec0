#!/usr/bin/env python3
"""Profile one `sanlint check` in-process (cProfile), for finding what grows
faster than the input.

    python3 bench/prof.py PATH... [--sort cumulative|tottime] [--limit 40]
    python3 bench/prof.py --linstor 3000      # generate the 3 x N LINSTOR site first

The CLI ends with a fast `os._exit`, so `python -m cProfile -m sanlint`
writes nothing; this runs the same stages (build, run, render) under the
profiler instead.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import pstats
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("paths", nargs="*")
    ap.add_argument("--linstor", type=int, help="generate a 3-node LINSTOR site with this many resources")
    ap.add_argument("--cib", type=int, help="generate a CIB with this many primitives")
    ap.add_argument("--crm", type=int, help="generate a crm file with this many primitives")
    ap.add_argument("--sort", default="cumulative")
    ap.add_argument("--limit", type=int, default=40)
    ap.add_argument("--no-profile", action="store_true", help="just time the stages")
    ap.add_argument("--stage", choices=["all", "build", "rules"], default="all", help="profile only this stage")
    args = ap.parse_args()
    import gen

    paths = list(args.paths)
    tmp = Path(tempfile.mkdtemp(prefix="sanlint-prof-"))
    if args.linstor:
        paths.append(str(gen.linstor_site(tmp, args.linstor)))
    if args.cib:
        (tmp / "cib.xml").write_text(gen.cib_xml(args.cib))
        paths.append(str(tmp / "cib.xml"))
    if args.crm:
        (tmp / "big.crm").write_text(gen.crm_text(args.crm))
        paths.append(str(tmp / "big.crm"))

    from sanlint.config import load
    from sanlint.output import render
    from sanlint.runner import run
    from sanlint.site import build

    settings = load(None)
    gc.disable()

    prof = cProfile.Profile()

    def stage(name, fn, *a):
        if args.no_profile or args.stage not in ("all", name):
            return fn(*a)
        return prof.runcall(fn, *a)

    def work():
        t0 = time.perf_counter()
        site, problems = stage("build", build, paths, [], settings.as_dict())
        t1 = time.perf_counter()
        result = stage("rules", run, site, problems, settings)
        t2 = time.perf_counter()
        render("json", result, {}, color=False, verbose=False)
        t3 = time.perf_counter()
        print(f"build {t1 - t0:.3f} s, rules {t2 - t1:.3f} s, render {t3 - t2:.3f} s; "
              f"{len(site.files)} files, {len(result.findings)} findings", file=sys.stderr)

    work()
    if not args.no_profile:
        pstats.Stats(prof).sort_stats(args.sort).print_stats(args.limit)


if __name__ == "__main__":
    main()
