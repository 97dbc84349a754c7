#!/usr/bin/env bash
# test_incident_scenario.sh -- issue 14's "done when": with `vigil run`
# tailing an auth log, an SSH brute force opens an incident from the
# account-compromise playbook (its tasks in order, owners by role); its
# ICO clock runs from the moment of awareness and warns as it nears its
# deadline; the ICO draft and the register entry are filled from the
# incident; a second brute force against the same host and account joins
# the same incident; `vigil incident export` writes an archive that the
# independent script verifies; tampering with the evidence log or the
# archive fails verification.
set -euo pipefail

. "$(dirname "$0")/daemon_lib.sh" incscen
python3 -c 'import cryptography' 2>/dev/null ||
    { echo "SKIP: python3-cryptography not installed"; exit 77; }
command -v sqlite3 >/dev/null || { echo "SKIP: sqlite3 not installed"; exit 77; }
VERIFY="$(dirname "$0")/evidence_verify.py"
S="$T/state"
stamp() { date '+%b %e %H:%M:%S'; }
V() { "$VIGIL_BIN" incident -c "$T/vigil.yml" "$@"; }
jget() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"; }

# A prompt target of 80 s and a first warning 75 s before it: the UK
# GDPR Art. 34 clock ("without undue delay", counted to the target)
# warns within seconds, so the warning path runs in a test.
cat >"$T/vigil.yml" <<YML
state_dir: $S
sources:
  - {name: auth, type: file, paths: [$T/auth.log]}
incident:
  jurisdictions: [uk]
  timezone: Europe/London
  prompt_target: 80s
  warn_before: 75s
  warn_last: 10s
  organisation: Example Borough Council
  contact: "Data Protection Officer, dpo@example.gov.uk"
  roles: {incident-lead: "Ann Smith", dpo: "Dev Patel"}
YML
echo "$(stamp) web1 sshd[812]: Server listening on 0.0.0.0 port 22." >"$T/auth.log"
"$VIGIL_BIN" run -c "$T/vigil.yml" 2>>"$T/daemon.log" &
PID=$!

wait_for() { # what command...
    local what=$1 deadline=$((SECONDS + 60))
    shift
    until "$@" >/dev/null 2>&1; do
        [ "$SECONDS" -lt "$deadline" ] || fail "no $what after 60 s"
        kill -0 "$PID" 2>/dev/null || fail "the daemon died"
        sleep 0.2
    done
}
wait_for "daemon start" grep -q "incidents: 6 playbooks" "$T/daemon.log"

# The brute force: 12 failed passwords from one address.
brute() { # first-port [address]
    local st burst="" ip=${2:-203.0.113.9}
    st=$(stamp)
    for i in $(seq 1 12); do
        burst+="$st web1 sshd[$((3000 + i))]: Failed password for root from $ip port $(($1 + i)) ssh2"$'\n'
    done
    printf '%s' "$burst" >>"$T/auth.log"
}
brute 41000
has_incident() { [ "$(V list --json | jget 'len(d)')" = 1 ]; }
wait_for "incident" has_incident
V show 1 --json >"$T/show.json"
python3 - "$T/show.json" <<'PY' || fail "the incident"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["kind"] == "account-compromise", d["kind"]
assert d["title"] == "SSH brute force from one address", d["title"]
assert d["severity"] == "high" and d["status"] == "detected"
assert d["owner"] == "Ann Smith", d["owner"]          # incident-lead by role
assert "source=203.0.113.9" in d["group_keys"], d["group_keys"]
tasks = d["tasks"]
assert len(tasks) == 9 and [t["pos"] for t in tasks] == list(range(1, 10))
assert tasks[0]["title"].startswith("Confirm which accounts"), tasks[0]
assert tasks[5]["role"] == "dpo" and tasks[5]["owner"] == "Dev Patel", tasks[5]
assert len(d["alerts"]) == 1 and d["alerts"][0]["level"] == "high"
c = {x["regime"]: x for x in d["clocks"]}
assert set(c) == {"uk-gdpr-33", "uk-gdpr-34"}, sorted(c)
ico = c["uk-gdpr-33"]
assert ico["state"] == "running" and ico["deadline"] == "legal"
assert ico["due_ns"] - d["aware_ns"] == 72 * 3600 * 10**9, ico
assert ico["left"].startswith("2d 23h"), ico["left"]
assert [e["what"] for e in d["timeline"]][:2] == ["opened", "alert"], d["timeline"]
PY
echo "incident opened: $(V list | tail -1)"

# A second brute force on the same host and account (another address: the
# first one's window and suppression fold a repeat into its alert): the
# same incident, not a new one.
brute 42000 203.0.113.77
two_alerts() { [ "$(V show 1 --json | jget 'len(d["alerts"])')" = 2 ]; }
wait_for "second alert in the incident" two_alerts
[ "$(V list --all --json | jget 'len(d)')" = 1 ] || fail "a second incident was opened"
# the clocks still count from the first alert, the moment of awareness
[ "$(V show 1 --json | jget '[c["due_ns"] - d["aware_ns"] for c in d["clocks"] if c["regime"] == "uk-gdpr-33"][0]')" = 259200000000000 ] ||
    fail "the second alert moved the ICO clock"

# The Art. 34 clock warns (first within seconds, the last at 10 s left),
# through the log, once per threshold, and in the timeline.
wait_for "clock warning" grep -q "\[2220\].*INC-1.*UK GDPR Art. 34.*is due in" "$T/daemon.log"
[ "$(grep -c '\[2220\].*Art. 34.*is due in' "$T/daemon.log")" = 1 ] ||
    fail "the first warning repeated"
V show 1 --json | jget '[e["text"] for e in d["timeline"] if e["what"] == "warning"]' |
    grep -q "UK GDPR Art. 34" || fail "warning not in the timeline"

# Facts as they become known; the ICO draft and the register from them.
V facts 1 --people 40 --data-categories "staff names and work email addresses" \
    --summary "Password guessing against the staff VPN from 203.0.113.9" \
    --consequences "targeted phishing of staff" --by "Dev Patel" >/dev/null
V draft 1 uk-gdpr-33 >"$T/draft.txt"
grep -q "^To: Information Commissioner's Office (ICO)" "$T/draft.txt" || fail "draft: To"
grep -q "Password guessing against the staff VPN" "$T/draft.txt" || fail "draft: nature"
grep -q "40; data: staff names and work email addresses" "$T/draft.txt" || fail "draft: people"
grep -q "dpo@example.gov.uk" "$T/draft.txt" || fail "draft: contact"
grep -q "targeted phishing of staff" "$T/draft.txt" || fail "draft: consequences"
V draft 1 uk-gdpr-33 --json | jget 'd["due"]' | grep -q "T" || fail "draft: due"
V register --csv >"$T/register.csv"
python3 - "$T/register.csv" <<'PY' || fail "register"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert len(rows) == 1, rows
r = rows[0]
assert r["kind"] == "account-compromise" and r["people"] == "40", r
assert r["summary"].startswith("Password guessing"), r
assert "uk-gdpr-33: running" in r["notifications"], r
PY
cat "$T/draft.txt"

# Containment by hand, then export and independent verification.
V status 1 contained --note "203.0.113.9 blocked at the firewall" --by "Ann Smith" >/dev/null
V task 1 2 --state done --by "Ann Smith" >/dev/null
sealed() { "$VIGIL_BIN" evidence verify --state-dir "$S" --json | grep -q '"pending":0'; }
wait_for "sealing" sealed
(cd "$T" && V export 1 >/dev/null)
python3 "$VERIFY" "$T/INC-1.json" --public-key "$(cat "$S/evidence.pub")" ||
    fail "the exported archive does not verify"
python3 - "$T/INC-1.json" <<'PY' || fail "archive content"
import json, sys
a = json.load(open(sys.argv[1]))
assert len(a["alerts"]) == 2
ips = {json.loads(x["event_json"])["source.ip"] for x in a["alerts"]}
assert ips == {"203.0.113.9", "203.0.113.77"}, ips
assert any(t["what"] == "status" and t["actor"] == "Ann Smith" for t in a["timeline"])
PY
"$VIGIL_BIN" evidence verify --state-dir "$S" || fail "evidence log not intact"

kill -TERM "$PID"
rc=0
wait "$PID" || rc=$?
PID=""
[ "$rc" = 0 ] || fail "SIGTERM exit status $rc"

# Tampering: the log in the store, and the archive.
sqlite3 "$S/vigil.db" "UPDATE evidence_log SET data = replace(data, '\"level\":\"high\"', '\"level\":\"low\"') WHERE kind = 'alert'"
rc=0
"$VIGIL_BIN" evidence verify --state-dir "$S" >"$T/out" || rc=$?
[ "$rc" = 1 ] && grep -q "NOT intact: entry" "$T/out" || fail "edited alert not detected: $(cat "$T/out")"
python3 - "$T/INC-1.json" "$T/bad.json" <<'PY'
import json, sys
a = json.load(open(sys.argv[1]))
ev = a["alerts"][0]["event_json"]
a["alerts"][0]["event_json"] = ev.replace('"source.ip":"203.0.113.', '"source.ip":"198.51.100.')
assert a["alerts"][0]["event_json"] != ev
json.dump(a, open(sys.argv[2], "w"))
PY
if python3 "$VERIFY" "$T/bad.json"; then fail "a changed event verified"; fi
# Changes the archive shows but the event hash does not cover, and
# entries dropped from the archive's timeline or alerts while their
# evidence entries stay whole: each must fail too.
for edit in 'a["alerts"][0]["level"] = "low"' \
    'a["alerts"][0]["time_ns"] += 3600 * 10**9' \
    'a["alerts"][0]["title"] = "nothing"' \
    'del a["alerts"][1]' \
    'a["timeline"] = [t for t in a["timeline"] if t["what"] != "status"]'; do
    python3 - "$T/INC-1.json" "$T/bad.json" "$edit" <<'PY'
import json, sys
a = json.load(open(sys.argv[1]))
exec(sys.argv[3])
json.dump(a, open(sys.argv[2], "w"))
PY
    if python3 "$VERIFY" "$T/bad.json" 2>"$T/out"; then fail "archive edit verified: $edit"; fi
done
echo "PASS: brute force -> account-compromise incident, ICO clock, draft, register, export verified, tampering detected"
