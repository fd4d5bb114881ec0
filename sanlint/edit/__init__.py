"""One edit layer per syntax: every fix, migrator and converter that writes
configuration text goes through these modules, so each syntax's layout,
quoting and id rules live in one place.

- `sanlint.edit.text`: line arithmetic on bytes (shared by all).
- `sanlint.edit.brace`: DRBD, corosync, tgt, LVM (`{ }` and `;`):
  `indent_unit`, `delete_statement`, `body_end_insert`, `add_options`,
  `add_section`, `put_options`, `quote`/`stmt`.
- `sanlint.edit.crm`: crm configure text: `quote`, `pair`, `quote_like`,
  `delete_token`/`delete_statement` (keep `\\` continuations valid),
  `rename_pair`, `continuation_indent`, `insert_after_statement`.
- `sanlint.edit.cib`: CIB XML on the parser's positions
  (`sanlint.parsers.cib_positions.Positions`): `CibEditor` (by lxml element) and
  span functions for rule fixes (`set_attr`, `remove_attr`, `attr_range`,
  `delete_element`, `insert_after_element`); `escape`, `nvpair`.
- `sanlint.edit.cluster`: syntax-independent edits on cluster objects
  (`delete_pair`, `delete_object`, `set_param`).
- `sanlint.edit.ids`: fresh ids in crmsh's scheme (`IdStore`).
- `sanlint.edit.lio`: saveconfig.json as targetcli writes it.

Edits are `sanlint.rule.Edit`s: byte ranges of the original file and a
replacement; everything outside them stays byte-identical.
"""
