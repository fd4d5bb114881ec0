"""One owner per transformation: the facts of each stack (where options
live per version, renames, defaults, placeholders) in one table, and the
transformations as functions returning `Edit`s, called by the rule fixes
and by the migrators alike, so that a `--fix` and a `migrate` that make the
same change write the same bytes.

- `sanlint.transform.drbd`: `SYNCER_HOME`, `IGNORED_SINCE_84`, `BARE_YES`,
  `BARE_NO`, handler scripts, `FENCE_PEER_PLACEHOLDER`; `dissolve_syncer(container, sec, target=,
  fixed_rate=)` (DRBD120 and `migrate drbd-84/drbd-9`).
- `sanlint.transform.pacemaker`: `ROLE_NEW`, `META_RENAMES`,
  `AGENT_RENAMES`, `PLACEHOLDER`; `lvm_activate` (PCMK111, `migrate
  pacemaker-2`), `promotable_clone` and `rename_meta` (PCMK113,
  `migrate pacemaker-2`), `linbit_drbd` (PCMK111, `migrate pacemaker-2`).

- `sanlint.transform.iscsi`: the cluster agents, `implementation=` values
  and their stacks, `IMPL_PLACEHOLDER` (ISCSI rules, `migrate iscsi-*`).

Placeholders (where the admin must choose) are `CHOOSE-...` words, which
every syntax reads back unquoted.  Text is written through `sanlint.edit`.
"""
