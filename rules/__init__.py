"""Rule packs shipped with sanlint (registered through the sanlint.rules entry points)."""
