"""DRBD 8.3 -> 8.4 -> 9: the facts (where each option lives per version,
renamed switches, handler scripts) and the transformations, as functions
returning edits.  One owner for each: the rule fixes (DRBD120, DRBD110-112)
and `migrate drbd-84/drbd-9` read these tables and call these functions.

research/drbd.md §1.6 (option homes per version), §2.2 (mechanical changes).

>>> SYNCER_HOME["rate"], SYNCER_HOME["verify-alg"]
(('disk', 'resync-rate'), ('net', 'verify-alg'))
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sanlint.migrate.base import Item
    from sanlint.rule import Edit

# syncer option -> (new section, new name)                        research §1.6, §2.2
SYNCER_HOME = {
    "rate": ("disk", "resync-rate"), "after": ("disk", "resync-after"), "al-extents": ("disk", "al-extents"),
    "c-plan-ahead": ("disk", "c-plan-ahead"), "c-delay-target": ("disk", "c-delay-target"),
    "c-fill-target": ("disk", "c-fill-target"), "c-max-rate": ("disk", "c-max-rate"),
    "c-min-rate": ("disk", "c-min-rate"),
    "verify-alg": ("net", "verify-alg"), "csums-alg": ("net", "csums-alg"), "use-rle": ("net", "use-rle"),
    "cpu-mask": ("options", "cpu-mask"), "on-no-data-accessible": ("options", "on-no-data-accessible"),
}
# ignored by drbdadm-84 (accepted, no effect), refused by drbdadm 9
IGNORED_SINCE_84 = {"delay-probe-volume", "delay-probe-interval", "throttle-threshold", "hold-off-threshold"}
# 8.3 bare switches that 8.4+ writes as `NAME yes`
BARE_YES = {"allow-two-primaries", "always-asbp", "use-rle", "wait-after-sb", "csums-after-crash-only",
            "auto-promote", "allow-remote-read", "disable-write-same", "discard-zeroes-if-aligned",
            "disk-barrier", "disk-flushes", "disk-drain", "md-flushes", "tcp-cork", "al-updates"}
# 8.3 `no-NAME;` switches -> `NAME no;`
BARE_NO = {"no-disk-barrier", "no-disk-flushes", "no-disk-drain", "no-md-flushes", "no-tcp-cork"}
# option defaults per DRBD version, as the kernel module of that version applies them when the
# configuration leaves the option out (drbd_limits.h of 8.3, 8.4 and drbd-headers for 9;
# research/drbd.md "Defaults that changed"; DRBD 8.4 User's Guide, "Changed default values")
DEFAULTS = {
    "c-plan-ahead": {"8.3": "0", "8.4": "20", "9": "20"},       # 1/10 s; 0 = fixed-rate resync controller
    "c-fill-target": {"8.3": "0", "8.4": "100s", "9": "100s"},  # sectors
    "c-min-rate": {"8.3": "4096k", "8.4": "250k", "9": "250k"},
    "al-extents": {"8.3": "127", "8.4": "1237", "9": "1237"},
    "on-io-error": {"8.3": "pass_on", "8.4": "detach", "9": "detach"},
    "use-rle": {"8.3": "no", "8.4": "yes", "9": "yes"},
}


def default(option: str, version: str) -> str | None:
    """What DRBD `version` ("8.3" | "8.4" | "9") runs with when `option` is not written.

    >>> default("c-plan-ahead", "8.3"), default("c-plan-ahead", "9"), default("protocol", "9")
    ('0', '20', None)
    """
    return DEFAULTS.get(option, {}).get(version)


# the crm fence/unfence handler scripts per generation ("8": 8.3 and 8.4)
HANDLER_DIR = "/usr/lib/drbd"
FENCE_SCRIPT = {"9": "crm-fence-peer.9.sh", "8": "crm-fence-peer.sh"}
UNFENCE_SCRIPT = {"9": "crm-unfence-peer.9.sh", "8": "crm-unfence-peer.sh"}
# where the admin must name the fence-peer handler (no Pacemaker to use crm-fence-peer for)
FENCE_PEER_PLACEHOLDER = "CHOOSE-fence-peer-handler"


def dissolve_syncer(container: Any, sec: Any, *, target: str = "8.4", fixed_rate: bool = False,
                    common: bool = False) -> tuple[list["Edit"], list["Item"]]:
    """Move the options of one `syncer { }` section of a resource (or
    `common`) to their 8.4/9 homes and delete the section: the edits, and
    what needs the admin (options without a home, the 8.3 fixed rate).

    `target` is the DRBD version written ("8.4" or "9"); `fixed_rate` adds
    `c-plan-ahead 0;` next to a moved `rate`, keeping 8.3's fixed resync
    rate; `common` says the container is a `common` section.  This is the code `migrate drbd-84/drbd-9` runs for the section,
    so a fix and a migration write the same bytes."""
    from sanlint.transform.drbd_rewrite import syncer_scope

    return syncer_scope(container, sec, target=target, fixed_rate=fixed_rate, common=common)
