"""One transaction layer for every change sanlint makes to configuration files.

`check --fix`, `migrate NAME --write` and `sanlint rollback` all go through
`sanlint.apply.local`: a lock per site, each file compared with the bytes
the plan was made from, the originals kept in a run directory of their own,
a journal that lets an interrupted run be undone or completed as a whole,
atomic replacement that keeps owner, mode, ACLs and extended attributes.
"""

from sanlint.apply.local import (
    ApplyError,
    Change,
    RunResult,
    apply,
    complete,
    list_runs,
    new_run_id,
    rollback,
    state_dir_for,
)
from sanlint.discovery import is_leftover

__all__ = ["ApplyError", "Change", "RunResult", "apply", "complete", "is_leftover", "list_runs", "new_run_id",
           "rollback", "state_dir_for"]
