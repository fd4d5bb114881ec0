"""Helpers shared by the output, baseline and report tests: run the CLI from
the repository root (so paths in outputs are relative and stable) and build
a small site that holds secrets."""

from __future__ import annotations

import os
from pathlib import Path

from click.testing import CliRunner

from conftest import REPO
from sanlint.cli import main

SEED = "fixtures/sites/seed"

# the secrets of `secret_site`: none may appear in any output
SECRETS = ("s3cr3t-value", "p4ssw0rd-x", "m0tual-pw-9", "f3nce-pw-77")

RES = """resource r0 {
  net {
    cram-hmac-alg sha1;
    shared-secret "s3cr3t-value";
  }
  on alpha { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.1:7789; }
  on bravo { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.2:7789; }
}
"""

IETD = """Target iqn.2024-01.example:t1
        IncomingUser u p4ssw0rd-x
        OutgoingUser m m0tual-pw-9
        Lun 0 Path=/dev/vg0/lv0,Type=fileio
"""

CRM = """node alpha
node bravo
primitive fence-alpha stonith:fence_ipmilan \\
        params ipaddr=10.0.1.1 login=admin passwd="f3nce-pw-77" pcmk_host_list=alpha
primitive drbd_r0 ocf:linbit:drbd params drbd_resource=r0 \\
        op monitor interval=29s role=Master op monitor interval=31s role=Slave
ms ms_r0 drbd_r0 meta master-max=1 clone-max=2 notify=true
primitive vg0 ocf:heartbeat:LVM params volgrpname=vg0
order vg-after-drbd inf: ms_r0 vg0
property stonith-enabled=false
"""


def run_cli(*args: str, env: dict | None = None, color: bool = False):
    """`sanlint ARGS` from the repository root (relative paths stay relative)."""
    runner = CliRunner()
    cwd = os.getcwd()
    os.chdir(REPO)
    try:
        return runner.invoke(main, list(args), catch_exceptions=False, env=env, color=color)
    finally:
        os.chdir(cwd)


def write_site(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    return root


def secret_site(tmp: Path) -> Path:
    """Two hosts with a DRBD shared-secret, CHAP users and a fence password."""
    site = tmp / "secret-site"
    for h in ("alpha", "bravo"):
        write_site(site / h, {"etc/drbd.d/r0.res": RES, "etc/ietd.conf": IETD})
    write_site(site, {"cluster.crm": CRM})
    return site
