"""Every fix of every rule fixture (safe and unsafe), applied, must leave a
configuration that the tool of the version the site runs accepts, wherever
that tool accepted the original: drbdadm-83/-84/9 (by the site's DRBD
version), corosync -t, lvmconfig, tgt-admin -p, and for the cluster
configuration Pacemaker's own schema (the `validate-with` of the CIB, as
crm_verify validates it; crm text through `sanlint convert`, which
test_convert holds equal to crmsh's CIB) with crm_verify on CIB files.

A file the tool already refused before the fix is not judged (a bad
fixture may be invalid on purpose); the summary test says how many files
were judged, so the test cannot pass by judging nothing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path

import pytest

from conftest import FIXTURES, need
from sanlint.config import Settings
from sanlint.migrate.pacemaker.crm2cib import crm_to_cib
from sanlint.fixes import plan
from sanlint.runner import run
from sanlint.site import build
from sanlint.source import SourceFile

SITES = sorted(p for p in (FIXTURES / "rules").glob("*/bad*") if p.is_dir()) + sorted(
    p for p in (FIXTURES / "sites").iterdir() if p.is_dir())
DRBDADM = {"8.3": "/lib/drbd/drbdadm-83", "8.4": "/lib/drbd/drbdadm-84", "9": "/usr/sbin/drbdadm"}
JUDGED: list[str] = []


def fixes_of(site: Path):
    settings = Settings()

    def checker(overrides):
        st, problems = build([str(site)], None, settings.as_dict(), overrides)
        return run(st, problems, settings).findings

    return plan(checker, unsafe=True)


def refusal(fmt: str, path: Path, site, host_root: Path | None, tmp: Path) -> str | None:
    """The tool's complaint about `path` (None: accepted, or no tool judges this format)."""
    if fmt == "drbd":
        conf = host_root / "etc" / "drbd.conf" if host_root and (host_root / "etc" / "drbd.conf").exists() else path
        r = subprocess.run([need(DRBDADM[site.drbd_version or "8.4"]), "-c", str(conf), "sh-nop"], cwd=conf.parent,
                           capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL)
        return r.stderr if r.returncode == 10 else None
    if fmt == "corosync":
        r = subprocess.run([need("corosync"), "-t", "-c", str(path)], capture_output=True, text=True, timeout=30)
        return r.stdout + r.stderr if r.returncode else None
    if fmt == "lvm":
        d = tmp / "lvm-system"
        d.mkdir(exist_ok=True)
        shutil.copyfile(path, d / "lvm.conf")
        env = dict(os.environ, LVM_SYSTEM_DIR=str(d), LVM_SUPPRESS_FD_WARNINGS="1")
        r = subprocess.run([need("lvmconfig"), "--validate"], env=env, capture_output=True, text=True, timeout=30)
        return r.stdout + r.stderr if r.returncode else None
    if fmt == "tgt":
        need("sg_inq")
        r = subprocess.run([need("tgt-admin"), "--conf", str(path), "-e", "-p"], capture_output=True, text=True,
                           timeout=30)
        return r.stdout + r.stderr if r.returncode else None
    if fmt in ("crm", "cib"):
        text = path.read_text(errors="surrogateescape")
        xml = crm_to_cib(SourceFile.from_text(str(path), text))[0] if fmt == "crm" else text
        return schema_refusal(xml) or (crm_verify(path) if fmt == "cib" else None)
    return None


def schema_refusal(xml: str) -> str | None:
    from lxml import etree

    root = etree.fromstring(xml.encode(), etree.XMLParser(resolve_entities=False, no_network=True))
    schema = _schema(root.get("validate-with") or "pacemaker-3.9")
    if schema is None or schema.validate(root):
        return None
    return str(schema.error_log)


@lru_cache(maxsize=None)
def _schema(name: str):
    from lxml import etree

    path = Path("/usr/share/pacemaker") / f"{name}.rng"
    if not path.exists():
        need(str(path))  # fails in CI, skips elsewhere
        return None
    return etree.RelaxNG(etree.parse(str(path)))


def crm_verify(path: Path) -> str | None:
    r = subprocess.run([need("crm_verify"), "--xml-file", str(path)], capture_output=True, text=True, timeout=60)
    return r.stderr if "Relax-NG validity error" in r.stderr else None


@pytest.mark.parametrize("site", SITES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_fix_leaves_a_configuration_the_site_s_tool_accepts(site: Path, tmp_path: Path) -> None:
    out = fixes_of(site)
    if not out.new_data:
        return
    before_site, _ = build([str(site)])
    formats = {str(f.path): f.format for f in before_site.files if f.path is not None}
    hosts = {str(f.path): f.host for f in before_site.files if f.path is not None}
    copy = tmp_path / "site"
    shutil.copytree(site, copy)
    for real, data in out.new_data.items():
        (copy / Path(real).relative_to(site)).write_bytes(data)
    after_site, _ = build([str(copy)])
    assert after_site.drbd_version == before_site.drbd_version, "a fix changed the DRBD version the site runs"
    problems = []
    for real in out.new_data:
        fmt, rel = formats.get(real), Path(real).relative_to(site)
        host_root = site / hosts[real] if hosts.get(real) and (site / hosts[real]).is_dir() else None
        if refusal(fmt, Path(real), before_site, host_root, tmp_path) is not None:
            continue  # refused before the fix: not the fix's doing
        JUDGED.append(f"{site.parent.name}:{rel}")
        host_copy = copy / hosts[real] if host_root else None
        why = refusal(fmt, copy / rel, before_site, host_copy, tmp_path)
        if why is not None:
            fixed_by = sorted({f.code for f in out.applied if f.path and os.path.samefile(f.path, real)})
            problems.append(f"{rel} ({fmt}, fixes {fixed_by}): {why.strip()[:400]}")
    assert not problems, "\n".join(problems)


def test_the_fix_validation_judged_files():
    # runs after the parametrized cases (same module, defined later)
    if not JUDGED:
        pytest.skip("run with the parametrized cases")
    assert len(JUDGED) >= 40, JUDGED


