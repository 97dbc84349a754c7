#!/usr/bin/env python3
"""evidence_verify.py -- verifies an archive written by `vigil incident
export`, independently of vigil: written from docs/evidence.md alone, it
imports nothing of vigil's, only the standard library and the
`cryptography` package's Ed25519.

usage: evidence_verify.py ARCHIVE [--public-key HEX]

Exit 0 when the archive verifies; 1 with the first problem on stderr.
Without --public-key the archive's own key is used and a warning says
so on stderr (still exit 0): whoever rewrote the archive could have
re-signed it with a key of their own, so pin the key published out of
band (docs/evidence.md).
"""
import datetime
import hashlib
import json
import sys

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

ZERO = "0" * 64


class Bad(Exception):
    pass


def entry_hash(e):
    canon = "vigil-evidence-1\n%d\n%d\n%s\n%s\n%s\n" % (
        e["seq"], e["time_ns"], e["kind"], e["actor"], e["prev"])
    return hashlib.sha256(canon.encode("utf-8") + e["data"].encode("utf-8")).hexdigest()


def check_sig(pub, sig_hex, msg, what):
    try:
        pub.verify(bytes.fromhex(sig_hex), msg)
    except (InvalidSignature, ValueError):
        raise Bad("%s: the signature does not verify" % what)


def instant(text, what):
    """Seconds since the epoch of an ISO 8601 time with its offset."""
    try:
        t = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except (AttributeError, ValueError):
        raise Bad("%s: %r is not a time" % (what, text))
    if t.tzinfo is None:
        raise Bad("%s: %r has no offset" % (what, text))
    return int(t.timestamp())


def verify(archive, expected_key):
    if archive.get("format") != "vigil-incident-export-1":
        raise Bad("not a vigil-incident-export-1 archive")
    ev = archive["evidence"]
    key_hex = ev["public_key"]
    if expected_key is not None and key_hex != expected_key:
        raise Bad("signed by %s, not by the expected key %s" % (key_hex, expected_key))
    pub = Ed25519PublicKey.from_public_bytes(bytes.fromhex(key_hex))

    # The chain: positions 1..n, each linked to the one before, each hash
    # recomputed where the content is given, each signature checked.
    prev = ZERO
    full = []
    for i, e in enumerate(ev["entries"], start=1):
        what = "entry %d" % i
        if e["seq"] != i:
            raise Bad("%s: found position %d (an entry is missing or moved)" % (what, e["seq"]))
        if e["prev"] != prev:
            raise Bad("%s: does not follow the entry before it" % what)
        if not e.get("redacted"):
            if entry_hash(e) != e["hash"]:
                raise Bad("%s: its content does not match its hash" % what)
            full.append(e)
        check_sig(pub, e["sig"], bytes.fromhex(e["hash"]), what)
        prev = e["hash"]

    head = ev["head"]
    n = len(ev["entries"])
    check_sig(pub, head["sig"],
              ("vigil-evidence-head-1\n%d\n%s" % (head["seq"], head["hash"])).encode(),
              "the head")
    if head["seq"] != n or head["hash"] != prev:
        raise Bad("the signed head is entry %d, the archive ends at entry %d" % (head["seq"], n))

    # The anchor (kept outside the store): signed, and naming an entry of
    # this chain, so a log cut back with its head before the export shows.
    anchor = ev.get("anchor")
    if anchor is not None:
        check_sig(pub, anchor["sig"],
                  ("vigil-evidence-anchor-1\n%d\n%s\n%d" % (
                      anchor["seq"], anchor["hash"], anchor["time_ns"])).encode(),
                  "the anchor")
        if anchor["seq"] > n:
            raise Bad("the anchor names entry %d, the archive ends at entry %d"
                      % (anchor["seq"], n))
        want = ZERO if anchor["seq"] == 0 else ev["entries"][anchor["seq"] - 1]["hash"]
        if anchor["hash"] != want:
            raise Bad("entry %d is not the one the anchor names" % anchor["seq"])

    # The incident's records against the signed entries.
    inc = archive["incident"]
    data = [json.loads(e["data"]) for e in full]
    by_timeline = {d.get("timeline"): (d, e) for d, e in zip(data, full)}
    seen = set()
    last = None
    for t in archive["timeline"]:
        if t["id"] not in by_timeline:
            raise Bad("timeline entry %s (%s) is not in the evidence log" % (t["id"], t["text"]))
        if t["id"] in seen:
            raise Bad("timeline entry %s is shown twice" % t["id"])
        seen.add(t["id"])
        d, e = by_timeline[t["id"]]
        if (d.get("incident") != inc["id"] or d.get("text") != t["text"]
                or e["actor"] != t["actor"] or d.get("at_ns") != t["at_ns"]
                or d.get("what") != t["what"]):
            raise Bad("timeline entry %s differs from its evidence entry %d" % (t["id"], e["seq"]))
        if instant(t["at"], "timeline entry %s" % t["id"]) != t["at_ns"] // 10**9:
            raise Bad("timeline entry %s: at %s is not its logged time" % (t["id"], t["at"]))
        # the timeline is shown by time, then id: an order both signed
        if last is not None and (t["at_ns"], t["id"]) < last:
            raise Bad("timeline entry %s is out of order" % t["id"])
        last = (t["at_ns"], t["id"])
    alerts = {d["alert"]: d for d, e in zip(data, full) if e["kind"] == "alert"}
    seen = set()
    unproved = []
    for a in archive["alerts"]:
        d = alerts.get(a["id"])
        if d is None:
            raise Bad("alert %s is not in the evidence log" % a["id"])
        if a["id"] in seen:
            raise Bad("alert %s is shown twice" % a["id"])
        seen.add(a["id"])
        if instant(a["time"], "alert %s" % a["id"]) != a["time_ns"] // 10**9:
            raise Bad("alert %s: time %s is not its logged time" % (a["id"], a["time"]))
        if "matched_sha256" in d:
            m = hashlib.sha256(a["matched_json"].encode("utf-8")).hexdigest()
            if d["matched_sha256"] != m:
                raise Bad("alert %s: its matched_json differs from the one logged" % a["id"])
        else:  # logged by a vigil that did not record it
            unproved.append(a["id"])
        digest = hashlib.sha256(a["event_json"].encode("utf-8")).hexdigest()
        if d.get("event_sha256") != digest or d.get("rule_id") != a["rule_id"]:
            raise Bad("alert %s: its event differs from the one logged" % a["id"])
        # The archive shows these too: a changed level, title or time
        # would otherwise pass as "recorded by vigil".
        for k in ("title", "level", "time_ns", "source"):
            if d.get(k) != a.get(k):
                raise Bad("alert %s: its %s differs from the one logged" % (a["id"], k))
    # And the converse: an entry of this incident kept whole in the chain
    # but left out of the timeline or the alerts was removed from the record.
    shown_t = {t["id"] for t in archive["timeline"]}
    shown_a = {a["id"] for a in archive["alerts"]}
    for d, e in zip(data, full):
        if e["kind"] == "alert":
            if d.get("alert") not in shown_a:
                raise Bad("evidence entry %d: alert %s is missing from the archive's alerts"
                          % (e["seq"], d.get("alert")))
        elif d.get("incident") == inc["id"] and "timeline" in d and d["timeline"] not in shown_t:
            raise Bad("evidence entry %d: timeline entry %s is missing from the archive's timeline"
                      % (e["seq"], d["timeline"]))
    if not any(d.get("incident") == inc["id"] and d.get("what") == "opened" for d in data):
        raise Bad("the incident's opening is not in the evidence log")
    return n, len(full), unproved


def main(argv):
    if len(argv) not in (2, 4) or (len(argv) == 4 and argv[2] != "--public-key"):
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as f:
        archive = json.load(f)
    pinned = len(argv) == 4
    try:
        n, mine, unproved = verify(archive, argv[3] if pinned else None)
    except (Bad, KeyError, TypeError, ValueError) as e:
        print("NOT VERIFIED: %s" % e, file=sys.stderr)
        return 1
    print("verified: %d entries in the chain, %d of this incident, head signed" % (n, mine))
    print("%d entries are shown only as hashes (other incidents'): the archive proves "
          "what it shows, not that none of them is this incident's" % (n - mine))
    for a in unproved:
        print("alert %s: matched_json is not proved (logged without its hash)" % a)
    if not pinned:
        print("WARNING: NOT PINNED: verified with the archive's own key %s; anyone who "
              "rewrote the archive could have re-signed it. Compare it with the public key "
              "published out of band, or pass --public-key HEX." % archive["evidence"]["public_key"],
              file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
