#!/usr/bin/env python3
"""sanlint benchmarks: issue 11's targets, sanlint beside the real tools, in one run.

    python3 bench/bench.py                       # everything (~10 minutes on 2 busy cores)
    python3 bench/bench.py --quick               # small sizes, a smoke run
    python3 bench/bench.py --before OLD_SANLINT  # also time another sanlint (before/after table)

Every figure is wall time of a fresh process (as in pre-commit), best of
`--runs` for the small inputs and one run for the big ones.  What it prints:

* the target table: each issue-11 target with sanlint's figure, the tool's
  figure beside it and the ratio (3 x 3,000 LINSTOR resources cold and
  warm vs `drbdadm -c F dump all` per node, a 10,000-primitive CIB vs
  `crm_verify --xml-file`, crm -> CIB with 1,000 primitives vs crmsh
  `configure load update` on an offline `CIB_file`, the seed site vs
  `python -c pass` of the same interpreter, peak RSS on a 50,000-primitive
  CIB, a repository of 200 two-node clusters with 1 and all cores);
* the scaling table: time per object at three sizes for each format and
  for whole sites (DRBD-heavy, CIB-heavy, many hosts, a repository).

Nothing here is a test: the figures go into the closing notes.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
import gen  # noqa: E402

DRBD_ENV = {"DRBD_DRIVER_VERSION_OVERRIDE": "9.2.0"}


class Runner:
    def __init__(self, env: dict, runs: int) -> None:
        self.env = env
        self.runs = runs

    def time(self, cmd: list[str], runs: int | None = None, env: dict | None = None, setup=None,
             ok=(0, 1)) -> float:
        times = []
        for _ in range(runs or self.runs):
            if setup:
                setup()
            t = time.perf_counter()
            p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env or self.env)
            times.append(time.perf_counter() - t)
            if p.returncode not in ok:
                raise SystemExit(f"{' '.join(cmd)} failed ({p.returncode}): {p.stderr.decode()[-800:]}")
        return min(times)

    def rss(self, cmd: list[str], env: dict | None = None) -> tuple[float, int]:
        """(seconds, peak RSS in bytes) of one run, from /usr/bin/time -v."""
        t = time.perf_counter()
        p = subprocess.run(["/usr/bin/time", "-v"] + cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                           env=env or self.env)
        elapsed = time.perf_counter() - t
        m = re.search(rb"Maximum resident set size \(kbytes\): (\d+)", p.stderr)
        return elapsed, int(m.group(1)) * 1024 if m else -1


def sanlint_cmd(spec: str | None = None) -> list[str]:
    if spec:
        return spec.split()
    exe = shutil.which("sanlint")
    return [exe] if exe else [sys.executable, "-m", "sanlint"]


def interpreter_of(cmd: list[str]) -> str:
    """The Python that runs `cmd` (the script's shebang; never a pyenv shim)."""
    first = cmd[0]
    if first.endswith("python") or re.search(r"python3(\.\d+)?$", first):
        return first
    try:
        line = open(first, "rb").readline().decode()
        if line.startswith("#!"):
            return line[2:].split()[0]
    except OSError:
        pass
    return sys.executable


def show(rows: list[tuple], header: tuple) -> None:
    widths = [max(len(str(r[i])) for r in rows + [header]) for i in range(len(header))]
    line = lambda r: "  " + " | ".join(str(c).ljust(w) for c, w in zip(r, widths))  # noqa: E731
    print(line(header))
    print("  " + "-+-".join("-" * w for w in widths))
    for r in rows:
        print(line(r))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="small sizes (a smoke run)")
    ap.add_argument("--runs", type=int, default=3, help="best of N for the small inputs")
    ap.add_argument("--before", metavar="CMD", help="another sanlint to time beside this one (e.g. an older install)")
    ap.add_argument("--skip-crmsh", action="store_true")
    ap.add_argument("--migrations", action="store_true", help="also time migrate drbd-9 and pacemaker-2 at two sizes")
    args = ap.parse_args()
    q = args.quick
    sizes = {
        "linstor": (50, 150, 300) if q else (500, 1500, 3000),
        "cib": (1000, 2500, 5000) if q else (2500, 5000, 10000),
        "crm": (500, 1000, 2000) if q else (2500, 5000, 10000),
        "hosts": (10, 20, 40) if q else (50, 100, 200),
        "repo": (10, 20, 40) if q else (50, 100, 200),
        "cib_big": 5000 if q else 50000,
        "crmsh": 200 if q else 1000,
    }
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # measure sanlint as installed, with its bytecode
    tmp = Path(tempfile.mkdtemp(prefix="sanlint-bench-"))
    env["SANLINT_CACHE_DIR"] = str(tmp / "cache")
    r = Runner(env, args.runs)
    tools = {"new": sanlint_cmd()}
    if args.before:
        tools["before"] = sanlint_cmd(args.before)
    seed = str(REPO / "fixtures" / "sites" / "seed")
    for cmd in tools.values():  # warm the grammar cache, as any installed sanlint has it after its first run
        subprocess.run(cmd + ["check", seed], stdout=subprocess.DEVNULL, env=env)
    t0 = time.perf_counter()
    print(f"sanlint benchmarks: {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}; best of {args.runs} "
          f"for small inputs, one run for big ones; sanlint = {' '.join(tools['new'])}"
          + (f"; before = {' '.join(tools['before'])}" if args.before else ""), flush=True)

    def check(name: str, paths: list[str], *opts: str, runs: int = 1, cold: bool = True) -> float:
        cmd = tools[name] + ["check", "--format", "json", *paths]
        if name == "new":
            cmd += list(opts) + (["--no-cache"] if cold and "--no-cache" not in opts else [])
        return r.time(cmd, runs=runs)

    targets: list[tuple] = []
    scaling: list[tuple] = []

    def target(what, names, figures, tool_label, tool_value, ratio_fmt, goal):
        for n in names:
            v = figures[n]
            targets.append((what + ("" if n == "new" else f" [{n}]"), v, tool_label, tool_value,
                            ratio_fmt(v) if v is not None else "", goal if n == "new" else ""))

    # -- start-up ---------------------------------------------------------
    py = interpreter_of(tools["new"])
    bare = r.time([py, "-c", "pass"], runs=10)
    seed_t = {n: r.time(tools[n] + ["check", seed] + (["--no-cache"] if n == "new" else []), runs=max(5, args.runs))
              for n in tools}
    target("seed site, cold", tools, {n: f"{seed_t[n] * 1000:.0f} ms" for n in tools}, f"{py} -c pass",
           f"{bare * 1000:.0f} ms", lambda v: f"{float(v.split()[0]) / 1000 / bare:.1f}x", "<= 10x")
    print(f"  start-up done ({time.perf_counter() - t0:.0f} s)", flush=True)

    # -- DRBD: 3-node LINSTOR sites -----------------------------------------
    lin = {n: gen.linstor_site(tmp, n) for n in sizes["linstor"]}
    big_n = sizes["linstor"][-1]
    big = lin[big_n]
    adm = 0.0
    if shutil.which("drbdadm"):
        for host, _ip in gen.NODES3:
            conf = gen.drbdadm_conf(big, host)
            adm += r.time(["drbdadm", "-c", str(conf), "dump", "all"], env=dict(os.environ, **DRBD_ENV))
    per: dict[str, dict[int, float]] = {n: {} for n in tools}
    for name in tools:
        for n in sizes["linstor"]:
            if name == "before" and n != big_n and n != sizes["linstor"][0]:
                continue
            per[name][n] = check(name, [str(lin[n])])
    cold = {n: per[n][big_n] for n in tools}
    target(f"3 x {big_n} LINSTOR resources, cold", tools, {n: f"{cold[n]:.2f} s" for n in tools},
           "3 x drbdadm dump all", f"{adm:.2f} s", lambda v: f"{float(v.split()[0]) / adm:.1f}x" if adm else "", "<= 15x")
    for name in tools:
        small = sizes["linstor"][0]
        ratio = (per[name][big_n] / big_n) / (per[name][small] / small)
        targets.append((f"  per resource at {big_n} / at {small}" + ("" if name == "new" else f" [{name}]"),
                        f"{ratio:.2f}x", "", "", "", "<= 1.5x" if name == "new" else ""))
    # warm: cache filled by a first run, then one file changed
    r.time(tools["new"] + ["check", "--format", "json", str(big)], runs=1)
    changed = big / "bravo" / "var/lib/linstor.d" / "pvc-00007.res"

    def touch_one():
        changed.write_text(changed.read_text().replace("rr-conflict       retry-connect", "rr-conflict       disconnect"))
    warm = r.time(tools["new"] + ["check", "--format", "json", str(big)], runs=1, setup=touch_one)
    target(f"the same, one file changed, warm cache", ["new"], {"new": f"{warm:.2f} s"}, "3 x drbdadm dump all",
           f"{adm:.2f} s", lambda v: f"{float(v.split()[0]) / adm:.1f}x" if adm else "", "<= 2x")
    for n in sizes["linstor"]:
        scaling.append(("DRBD site (3 LINSTOR nodes), cold", f"{n} resources x 3", f"{per['new'][n]:.2f} s",
                        f"{per['new'][n] / (3 * n) * 1e3:.2f} ms per resource file"))
    print(f"  DRBD done ({time.perf_counter() - t0:.0f} s)", flush=True)

    # -- CIB ----------------------------------------------------------------
    cibs = {}
    for n in sizes["cib"]:
        cibs[n] = tmp / f"cib-{n}.xml"
        cibs[n].write_text(gen.cib_xml(n))
    n10 = sizes["cib"][-1]
    cib_t = {name: check(name, [str(cibs[n10])], runs=args.runs) for name in tools}
    cv = r.time(["crm_verify", "--xml-file", str(cibs[n10])], ok=(0, 1, 78)) if shutil.which("crm_verify") else 0
    target(f"CIB with {n10} primitives", tools, {n: f"{cib_t[n]:.2f} s" for n in tools}, "crm_verify --xml-file",
           f"{cv:.2f} s", lambda v: f"{float(v.split()[0]) / cv:.3f}x" if cv else "", "<= 0.1x")
    for n in sizes["cib"]:
        t = cib_t["new"] if n == n10 else check("new", [str(cibs[n])], runs=args.runs)
        scaling.append(("CIB", f"{n} primitives", f"{t:.2f} s", f"{t / n * 1e6:.0f} us per primitive"))
    cib_big = tmp / "cib-big.xml"
    cib_big.write_text(gen.cib_xml(sizes["cib_big"]))
    size = cib_big.stat().st_size
    for name in tools:
        cmd = tools[name] + ["check", "--format", "json", str(cib_big)] + (["--no-cache"] if name == "new" else [])
        secs, peak = r.rss(cmd)
        targets.append((f"CIB with {sizes['cib_big']} primitives ({size / 2**20:.1f} MiB): peak RSS"
                        + ("" if name == "new" else f" [{name}]"), f"{peak / 2**20:.0f} MiB ({secs:.1f} s)",
                        "the file", f"{size / 2**20:.1f} MiB", f"{peak / size:.1f}x", "<= 8x" if name == "new" else ""))
    print(f"  CIB done ({time.perf_counter() - t0:.0f} s)", flush=True)

    # -- crm ------------------------------------------------------------------
    crms = {}
    for n in sizes["crm"]:
        crms[n] = tmp / f"c-{n}.crm"
        crms[n].write_text(gen.crm_text(n))
        t = check("new", [str(crms[n])], runs=args.runs if n < 10000 else 1)
        scaling.append(("crm", f"{n} primitives", f"{t:.2f} s", f"{t / n * 1e6:.0f} us per primitive"))
    nc = sizes["crmsh"]
    small_crm = tmp / f"crmsh-{nc}.crm"
    small_crm.write_text(gen.crm_text(nc))
    conv = {name: r.time(tools[name] + ["convert", "crm2cib", str(small_crm)]) for name in tools}
    if shutil.which("crm") and shutil.which("cibadmin") and not args.skip_crmsh:
        empty = tmp / "empty.xml"
        with open(empty, "w") as fh:
            subprocess.run(["cibadmin", "--empty"], stdout=fh, check=True)
        loaded = tmp / "load.xml"
        crmsh = r.time(["crm", "configure", "load", "update", str(small_crm)], runs=1,
                       env=dict(os.environ, CIB_file=str(loaded)), setup=lambda: shutil.copy(empty, loaded))
        target(f"crm -> CIB, {nc} primitives (convert crm2cib)", tools, {n: f"{conv[n]:.2f} s" for n in tools},
               "crmsh configure load update", f"{crmsh:.1f} s", lambda v: f"{float(v.split()[0]) / crmsh:.4f}x", "<= 0.01x")
    print(f"  crm done ({time.perf_counter() - t0:.0f} s)", flush=True)

    # -- whole sites: CIB-heavy, many hosts, a repository ------------------------
    for n in sizes["cib"]:
        site = tmp / f"cibsite-{n}"
        gen.two_node_cluster(site, 1)
        (site / "cluster.crm").unlink()
        (site / "n1" / "var/lib/pacemaker/cib").mkdir(parents=True)
        shutil.copy(cibs[n], site / "n1" / "var/lib/pacemaker/cib/cib.xml")
        t = check("new", [str(site)], runs=1)
        scaling.append(("site, CIB-heavy (2 nodes, CIB on one)", f"{n} primitives", f"{t:.2f} s",
                        f"{t / n * 1e6:.0f} us per primitive"))
    for n in sizes["hosts"]:
        site = gen.many_hosts_site(tmp, n)
        t = check("new", [str(site)], runs=1)
        scaling.append(("site, many hosts (5 DRBD resources each)", f"{n} hosts", f"{t:.2f} s",
                        f"{t / n * 1e3:.1f} ms per host"))
    repo_t = {}
    for n in sizes["repo"]:
        repo = gen.repository(tmp, n)
        t = check("new", [str(repo)], runs=1)
        repo_t[n] = (repo, t)
        scaling.append(("repository of two-node clusters", f"{n} clusters", f"{t:.2f} s",
                        f"{t / n * 1e3:.1f} ms per cluster"))
    repo, t_all = repo_t[sizes["repo"][-1]]
    t_one = check("new", [str(repo)], "-j", "1", runs=1)
    cores = os.cpu_count() or 1
    targets.append((f"repository of {sizes['repo'][-1]} two-node clusters, -j {cores} vs -j 1",
                    f"{t_all:.2f} s", "-j 1", f"{t_one:.2f} s", f"{t_one / t_all:.2f}x speed-up",
                    f"near {cores}x"))
    print(f"  sites done ({time.perf_counter() - t0:.0f} s)", flush=True)
    if args.migrations:
        for n in (250, 500):
            legacy = gen.drbd84_site(tmp, n)
            t = r.time(tools["new"] + ["migrate", "drbd-9", "--format", "json", str(legacy)], runs=1)
            scaling.append(("migrate drbd-9 (2 hosts)", f"{n} resources", f"{t:.2f} s", f"{t / n * 1e3:.1f} ms per resource"))
        for n in (5000, 10000):
            old_cib = tmp / f"legacy-{n}.xml"
            old_cib.write_text(gen.legacy_cib(n))
            t = r.time(tools["new"] + ["migrate", "pacemaker-2", "--format", "json", str(old_cib)], runs=1)
            scaling.append(("migrate pacemaker-2", f"{n} primitives", f"{t:.2f} s", f"{t / n * 1e6:.0f} us per primitive"))
    print()

    print("targets (issue 11)")
    show(targets, ("what", "sanlint", "beside", "its figure", "ratio", "target"))
    print("\nscaling (sanlint, cold: --no-cache)")
    show(scaling, ("input", "size", "time", "per object"))
    print(f"\nbench took {time.perf_counter() - t0:.0f} s")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
