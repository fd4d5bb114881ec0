"""sanlint: lint and migrate DRBD + LVM + iSCSI + Pacemaker SAN clusters."""
__version__ = "0.1.0"
