"""sanlint rule pack: SBD (storage-based death) fencing."""
