"""Run one multi-place apply for the kill tests (tests/test_remote_apply.py).

    python kill_driver.py SPEC.json

SPEC: {"places": [{"url": "ssh://..." | null, "root": DIR, "changes": [[rel, old, new], ...]}],
       "ssh_config": FILE | null, "drbd": "8.3"}
(old/new as text).  A place with a url is an ssh:// node; without, a local
host root whose state is ROOT/var/lib/sanlint.  Exit 0 when the run is done,
2 when it was refused or undone.
"""

from __future__ import annotations

import json
import os
import sys

from sanlint.apply.local import ApplyError
from sanlint.apply.remote import LocalPlace, NodePlace, Plan, Step, carry_out
from sanlint.remote.ssh import Session, parse_target


def places(spec: dict, session: Session) -> list:
    out = []
    for p in spec["places"]:
        if p.get("url"):
            out.append(NodePlace(session, parse_target(p["url"]), os.path.basename(p["root"])))
        else:
            out.append(LocalPlace(os.path.join(p["root"], "var", "lib", "sanlint")))
    return out


def main() -> int:
    with open(sys.argv[1], encoding="utf-8") as fh:
        spec = json.load(fh)
    session = Session(spec.get("ssh_config"))
    try:
        plan = Plan()
        for place, p in zip(places(spec, session), spec["places"]):
            steps = []
            for rel, old, new in p["changes"]:
                path = rel if p.get("url") else os.path.join(p["root"], rel)
                steps.append(Step(path, old.encode(), new.encode(), rel, "drbd"))
            plan.groups.append((place, steps))
        try:
            carry_out(plan, command=["kill-driver"], drbd=spec.get("drbd"))
        except ApplyError as e:
            print(e, file=sys.stderr)
            return 2
        return 0
    finally:
        session.close()


if __name__ == "__main__":
    sys.exit(main())
