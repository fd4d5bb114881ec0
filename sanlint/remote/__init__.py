"""Live nodes over OpenSSH: `ssh://[user@]host[:port][/ROOT]` targets.

A node is read once per run into a private temporary host root (the files
of the SAN stack under ROOT, and the running CIB when none is readable), and
the ordinary site builder then checks it; findings name the node's own
paths, scp-style (`san-1:/etc/drbd.d/r0.res`).  See `sanlint.remote.ssh`.
"""

__all__ = ["Fetched", "RemoteError", "Session", "Target", "is_url", "open_targets", "parse_target"]


def __getattr__(name: str):
    """The names above, from sanlint.remote.ssh on first use (it imports
    subprocess, tarfile, a thread pool...: ~25 ms no local check needs)."""
    if name in __all__:
        from sanlint.remote import ssh

        return getattr(ssh, name)
    raise AttributeError(f"module 'sanlint.remote' has no attribute {name!r}")
