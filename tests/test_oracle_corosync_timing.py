"""corosync -t judges the totem timing and the transport the way CORO106
and CORO109 say it does, and accepts what CORO107/CORO108 only warn about.

`corosync -t -c FILE` runs corosync's parser and `totem_config_validate`;
to pass the checks that need a cluster node (a local address, the
authkey) each file is run with its ring addresses moved to loopback and
`keyfile:` pointing at a throw-away key, which changes nothing the rules
look at."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from conftest import FIXTURES, need
from sanlint.api import check

pytestmark = pytest.mark.oracle
RULES = FIXTURES / "rules"


@pytest.fixture(scope="module")
def keyfile(tmp_path_factory) -> Path:
    key = tmp_path_factory.mktemp("corosync") / "authkey"
    key.write_bytes(bytes(range(256)))
    key.chmod(0o600)
    return key


def localized(text: str, key: Path) -> str:
    """Ring addresses on loopback (10.0.K.N -> 127.0.K-1.N, so the first node's ring 0 is 127.0.0.1, an
    address of this machine), the key where corosync can read it, logs to stderr."""
    text = re.sub(r"(ring\d+_addr:\s*)10\.0\.(\d+)\.(\d+)",
                  lambda m: f"{m.group(1)}127.0.{int(m.group(2)) - 1}.{m.group(3)}", text)
    text = re.sub(r"(?m)^(totem \{\n)", rf"\g<1>    keyfile: {key}\n", text, count=1)
    text = re.sub(r"(?ms)^logging \{.*?^\}\n?", "", text)
    return text + "logging {\n    to_stderr: yes\n    to_syslog: no\n    to_logfile: no\n}\n"


def corosync_t(text: str, key: Path, tmp: Path) -> tuple[bool, str]:
    tool = need("corosync")
    f = tmp / "corosync.conf"
    f.write_text(localized(text, key))
    run = subprocess.run([tool, "-t", "-c", str(f)], capture_output=True, text=True, timeout=60)
    return run.returncode == 0, run.stdout + run.stderr


def sanlint_errors(text: str, tmp: Path, codes=("CORO106", "CORO109")) -> list:
    site = tmp / "site"
    conf = site / "san-1" / "etc" / "corosync" / "corosync.conf"
    conf.parent.mkdir(parents=True, exist_ok=True)
    conf.write_text(text)
    return [f for f in check([str(site)]).findings if f.code in codes and f.severity == "error"]


CASES = [(code, kind, p) for code in ("CORO106", "CORO107", "CORO108", "CORO109") for kind in ("bad", "good")
         for p in sorted((RULES / code / kind).glob("*/etc/corosync/corosync.conf"))]


@pytest.mark.parametrize("code, kind, path", CASES, ids=[f"{c}-{k}-{p.parts[-4]}" for c, k, p in CASES])
def test_corosync_refuses_exactly_what_sanlint_calls_refused(code, kind, path, keyfile, tmp_path):
    site_findings = [f for f in check([str(path.parents[3])]).findings
                     if f.code in ("CORO106", "CORO109") and f.severity == "error" and f.host == path.parts[-4]]
    ok, output = corosync_t(path.read_text(), keyfile, tmp_path)
    assert ok == (not site_findings), (output, [f.message for f in site_findings])
    if not ok:
        assert "parse error in config" in output


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(token=st.sampled_from([None, 20, 90, 150, 1000, 3000, 10000]),
       rbl=st.sampled_from([None, 2, 4, 10, 40]),
       join=st.sampled_from([None, 10, 50, 2000, 5000]),
       consensus=st.sampled_from([None, 20, 100, 1500, 3600, 20000]),
       hold=st.sampled_from([None, 10, 20]),
       nodes=st.sampled_from([2, 3]))
def test_timing_refusals_match_corosync(token, rbl, join, consensus, hold, nodes, keyfile, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("t")
    totem = "".join(f"    {k}: {v}\n" for k, v in (("token", token), ("token_retransmits_before_loss_const", rbl),
                                                      ("join", join), ("consensus", consensus), ("hold", hold))
                    if v is not None)
    node_text = "".join(f"    node {{\n        name: n{i}\n        nodeid: {i}\n        ring0_addr: 10.0.1.{i}\n    }}\n"
                        for i in range(1, nodes + 1))
    text = (f"totem {{\n    version: 2\n    cluster_name: t\n    transport: knet\n{totem}"
            f"    crypto_cipher: aes256\n    crypto_hash: sha256\n}}\nnodelist {{\n{node_text}}}\n"
            f"quorum {{\n    provider: corosync_votequorum\n}}\n")
    ok, output = corosync_t(text, keyfile, tmp)
    errors = sanlint_errors(text, tmp)
    assert ok == (not errors), (text, output, [f.message for f in errors])
