"""Migrators: rewrite a site's configuration for a newer stack, edit by edit.

`sanlint migrate NAME PATH... [--diff | --write | --output DIR]`
(spec/cli.md, spec/migrations.md).  How to write one (pacemaker-2,
iscsi-tgt, iscsi-lio, ... build on this):

Writing a migrator
------------------
1. Add a module `sanlint/migrate/<topic>.py` with a subclass of
   `sanlint.migrate.base.Migrator` that sets `name` (the CLI name),
   `description`, `formats` (file formats it reads/edits: parse errors in
   those files become items), `rules` (rule codes the migration is about:
   they run on the result and what they still find is shown) and `settings`
   (settings for that check, e.g. `{"drbd-version": "9"}`), and optionally
   `options` (`--set NAME=VALUE` choices: name -> (default, allowed values,
   help); read them from `self.choices`).  The registry (`base.registry()`)
   imports every non-underscore module of this package except the framework
   modules (base, engine, commands) and collects the subclasses;
   third-party packages register a module or class in the entry-point group
   `sanlint.migrators`.  One-file translations (crm2cib, cib2crm) subclass
   `base.Converter` instead (`convert(src) -> (text, items)`; entry-point
   group `sanlint.converters`) and run as `sanlint convert NAME FILE`.
2. Implement `plan(site) -> MigrationPlan`; never write files.  Walk the
   site model (`site.hosts[...]`, each object's `span` points into its
   `SourceFile`) and record:
   * `plan.change(reason, span, edits)`: one thing done and why ("`syncer {
     rate }` became `disk { resync-rate }` in 8.4"), with byte-span
     `sanlint.rule.Edit`s on the *original* file bytes.  Edits of one file
     must not overlap (two inserts at one offset are fine, applied in plan
     order).  A change may carry no edit when another change's edit does
     its work; it is still reported.  Files to create go in
     `change.new_files` as `NewFile(path, data, host)`: `path` relative to
     the host's root (`etc/target/saveconfig.json`), or with `host=None`
     relative to the site directory (the single directory PATH).
   * `plan.item(severity, message, span, kind=, choice=)`: what could not be
     carried over (`unmappable`), a choice the admin must confirm
     (`decision`, with `choice` saying how to decide otherwise), or a
     semantic change to know (`note`).  Severity error = the result lacks or
     changes something the input had; warning = the admin must decide;
     info = good to know.  Printed as `path:line:col: severity: message`.
   * `plan.facts`: what the runbook needs from the plan (e.g. the DRBD
     version the files came from).
   And implement `runbook(ctx) -> (steps, notes)`: the host-side actions as
   ordered `sanlint.migrate.runbook.Step`s per node (maintenance, backup,
   file-change, service, check, manual; each with its rollback), built from
   `ctx.nodes` (real host and cluster node names), `ctx.node_files(host)`
   and `ctx.cluster_files`; the default just installs the files node by
   node (docs/runbooks.md).
   Write text only through `sanlint.edit` (shared with the rule fixes and
   the converters): one module per syntax (`brace`, `crm`, `cib`, `lio`)
   with its indentation, quoting, statement insert/delete, and crmsh ids.
3. Idempotence is the migrator's job: on an already migrated site `plan`
   must return no edit (`plan.empty`).  Process each real file once even
   when several hosts share it (key on `os.path.realpath(src.path)`).
   Keep it linear: one pass over the model, no per-statement rescans.

What the framework does (`engine.py`, `commands.py`)
----------------------------------------------------
* applies every edit in memory (`sanlint.fixes.apply_edits`) and re-parses
  every edited or created file with its format's parser: a migration that
  would leave an unparsable file (or overlapping edits) is refused as a
  whole, nothing is written, exit 2;
* `--diff` (default): the report, then the unified diff, writes nothing;
  `--write`: in place, one `sanlint.apply` run (originals kept, `sanlint rollback`);
  `--output DIR`: copies every file under the input PATHs (changed or not)
  to DIR in the same layout and writes the migrated files there, so
  migrations chain (`migrate drbd-84 --output s1 s0; migrate drbd-9 --output
  s2 s1`).  Layout: a single directory PATH becomes DIR itself (a site stays
  a site, a host root a host root); several PATHs go to DIR/<name>, `--host
  NAME=PATH` to DIR/NAME.  DIR must not exist or be empty; it is built
  beside DIR and renamed into place at the end;
* input files of the migrator's formats that do not parse become error
  items (the rest is migrated);
* then runs the migrator's `rules` on the result (with its `settings`) and
  shows what they still find;
* report: changes with reasons (`path:line:col: reason`), the items, the
  runbook, the remaining findings, the diff; `--format json` gives
  the same as one object.

Exit status: 0 = migrated (or nothing to do) with no item or remaining
finding at or above `--fail-on` (default warning); 1 = there are such items
(the admin must look: unmappable options, decisions such as DRBD node-ids);
2 = usage error, unreadable input, or the migration was refused.

Migrators here: `drbd-9`, `drbd-84` (drbd.py).
"""
