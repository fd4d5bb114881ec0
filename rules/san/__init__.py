"""sanlint rule pack."""
