"""Which drbdadm generations (8.3, 8.4, 9) accept a DRBD configuration.

drbd-utils ships three parsers: `drbdadm` (9), `/lib/drbd/drbdadm-84` and
`/lib/drbd/drbdadm-83`, and runs the one that matches the loaded kernel
module.  A configuration is only valid for the versions whose parser
accepts every statement, so the version a site runs is decided by what
each parser refuses, not by one idiom (a `syncer { }` section is 8.3
style, yet drbdadm-83 refuses `allow-two-primaries yes;` beside it).

The tables below list what each parser refuses; anything not listed is
taken as accepted (sanlint never calls a construct refused on a guess).
Sources: drbd-utils v9.22.0 `user/v83/drbdadm_scanner.fl` (8.3 keywords,
bare switches), `user/v84/config_flags.c` and `user/v9/config_flags.c`
(option tables per section), `user/v9/drbdadm_parser.c` (syncer keywords
of 9); every entry is checked against the installed drbdadm-83, drbdadm-84
and drbdadm 9.22 in tests/test_drbd_versions.py.
"""

from __future__ import annotations

from dataclasses import dataclass

VERSIONS = ("8.3", "8.4", "9")
_C = ("c-plan-ahead", "c-delay-target", "c-fill-target", "c-max-rate", "c-min-rate")

# (section kind, option) -> the versions whose drbdadm refuses it
REFUSED: dict[tuple[str, str], frozenset[str]] = {}


def _refuse(versions: str, section: str, *options: str) -> None:
    for o in options:
        REFUSED[(section, o)] = REFUSED.get((section, o), frozenset()) | frozenset(versions.split())


# 8.3: net has no protocol and none of the options 8.4 moved out of syncer
_refuse("8.3", "net", "protocol", "verify-alg", "csums-alg", "use-rle", "csums-after-crash-only",
        "socket-check-timeout", "tcp-cork")
_refuse("8.3 8.4", "net", "transport", "allow-remote-read")
# 8.3: disk knows only its own keywords (the rest were syncer options or came with 8.4)
_refuse("8.3", "disk", "resync-rate", "resync-after", "al-extents", "al-updates", *_C,
        "disk-barrier", "disk-flushes", "disk-drain", "md-flushes", "read-balancing", "discard-zeroes-if-aligned",
        "disable-write-same", "rs-discard-granularity")
_refuse("8.3 9", "disk", "rate", "after")  # 8.4's aliases of resync-rate / resync-after
_refuse("8.3 8.4", "disk", "bitmap")
_refuse("8.3 8.4 9", "disk", "on-no-data-accessible")  # a syncer (8.3) or options (8.4+) keyword
_refuse("8.3", "handlers", "unfence-peer")
_refuse("8.3 8.4", "handlers", "quorum-lost", "disconnected")
_refuse("8.3 8.4", "net", "fencing", "_name")
_refuse("8.3 8.4", "options", "auto-promote", "peer-ack-window", "peer-ack-delay", "twopc-timeout",
        "twopc-retry-timeout", "auto-promote-timeout", "max-io-depth", "quorum", "on-no-quorum",
        "quorum-minimum-redundancy", "on-suspended-primary-outdated")
# 9: the syncer section survives for a few keywords only; rate and the controller moved to disk
_refuse("9", "syncer", "rate", *_C)
_refuse("9", "disk", "fencing", "max-bio-bvecs", "use-bmbv", "delay-probe-volume", "delay-probe-interval")
_refuse("9", "net", "unplug-watermark", "delay-probe-volume", "delay-probe-interval")
_refuse("8.3 8.4 9", "disk", "unplug-watermark")
_refuse("8.3 8.4 9", "net", "max-bio-bvecs", "use-bmbv")

# 8.3's switches are bare (`allow-two-primaries;`): a value is a parse error
SWITCHES_83 = frozenset({"allow-two-primaries", "always-asbp", "discard-my-data", "no-tcp-cork", "use-rle",
                         "no-disk-barrier", "no-disk-flushes", "no-disk-drain", "no-md-flushes", "use-bmbv"})


@dataclass
class Refusal:
    version: str
    span: object  # sanlint.source.Span
    what: str


def refusals(configs) -> list[Refusal]:
    """What drbdadm 8.3, 8.4 and 9 refuse in the DRBD files of one host
    (`configs`: the host's DrbdConfig objects, common sections included)."""
    out: list[Refusal] = []
    common_protocol = any(c.common_protocol is not None for c in configs)
    for cfg in configs:
        if cfg.version_hint == "9" and cfg.version_hint_span is not None:
            for v in ("8.3", "8.4"):
                out.append(Refusal(v, cfg.version_hint_span, "DRBD 9 syntax"))
        for sec in cfg.common:
            out += _section(sec)
        for res in cfg.resources:
            if res.protocol is None and not common_protocol and not res.template_file:
                out.append(Refusal("8.3", res.span, f"resource {res.name} without a resource-level `protocol` "
                                                    "(\"protocol definition missing\")"))
            for sec in res.sections:
                out += _section(sec)
            for host in res.hosts:
                for sec in host.sections:
                    out += _section(sec)
                for vol in host.volumes:
                    if vol.number is not None:
                        out.append(Refusal("8.3", vol.span, "`volume` sections (new in 8.4)"))
                    for sec in vol.sections:
                        out += _section(sec)
            for vol in res.volumes:
                if vol.number is not None:
                    out.append(Refusal("8.3", vol.span, "`volume` sections (new in 8.4)"))
                for sec in vol.sections:
                    out += _section(sec)
    return out


def _section(sec) -> list[Refusal]:
    out = []
    if sec.kind == "options":
        out.append(Refusal("8.3", sec.span, "a resource `options { }` section (new in 8.4)"))
    for o in sec.options:
        for v in sorted(REFUSED.get((sec.kind, o.name), ())):
            out.append(Refusal(v, o.span, f"`{o.name}` in {sec.kind} {{ }}"))
        if o.name in SWITCHES_83 and o.value is not None:
            out.append(Refusal("8.3", o.span, f"`{o.name} {o.value}` (an 8.3 switch takes no value)"))
    return out


def describe(refused: list[Refusal], limit: int = 3) -> str:
    """`drbdadm 8.3 refuses ... (r0.res:3); drbdadm 9 refuses ...`."""
    parts = []
    for v in VERSIONS:
        mine = [r for r in refused if r.version == v]
        if not mine:
            continue
        where = [f"{r.what} at {r.span.path}:{r.span.line}" for r in mine[:limit]]
        more = f" and {len(mine) - limit} more" if len(mine) > limit else ""
        parts.append(f"drbdadm{'' if v == '9' else '-' + v.replace('.', '')} refuses " + ", ".join(where) + more)
    return "; ".join(parts)


def site_refusals(site) -> list[Refusal]:
    """What each drbdadm refuses anywhere in the site (cached on the site: the
    builder decides the version with it, SAN006 reports it)."""
    cached = site.__dict__.get("_drbd_refusals")
    if cached is None:
        cached = site.__dict__["_drbd_refusals"] = [r for h in site.hosts.values() for r in refusals(h.drbd)]
    return cached
