#!/usr/bin/env bash
# test_red17.sh -- `vigil check-release` on CSV as people save it that the
# i18n fixtures do not cover: a title row (or two) above the French or
# Welsh header, and old Mac Excel's CR-only line breaks (in a file longer
# than the sniffer's window). Each must be
# sniffed as CSV and give the same BLOCK as the plain table; before the
# sniffer allowed a differing top line they were read as text (REVIEW,
# no records, no dates of birth). Then crime statistics that must PASS.
set -euo pipefail

: "${VIGIL_BIN:?}" "${VIGIL_BUILD_DIR:?}"
PY=/usr/bin/python3
W="$VIGIL_BUILD_DIR/test-red17"
rm -rf "$W"
mkdir -p "$W"

$PY - "$W" <<'EOF_PY'
import os, sys
out = sys.argv[1]
FR = ["Nom", "Prénom", "Date de naissance", "Code postal", "Téléphone", "NAS"]
CY = ["Cyfenw", "Enw cyntaf", "Dyddiad geni", "Cod post", "Ffôn",
      "Rhif yswiriant cymdeithasol"]


def luhn(body):
    for c in "0123456789":
        t = 0
        for i, ch in enumerate(reversed(body + c)):
            v = int(ch) * (2 if i % 2 else 1)
            t += v - 9 if v > 9 else v
        if t % 10 == 0:
            return body + c


rows = []
for i in range(60):
    sin = luhn("1%07d" % (1234567 + i * 7919))
    rows.append(["Tremblay", "Élodie", "%02d/%02d/19%02d" % (1 + i % 28,
                 1 + i % 12, 50 + i % 40), "K1A %dB%d" % (i % 10, i % 7),
                 "(613) 555-01%02d" % (i % 100),
                 "%s %s %s" % (sin[:3], sin[3:6], sin[6:])])


def write(name, header, pre, delim, eol, enc):
    lines = pre + [delim.join(header)] + [delim.join(r) for r in rows]
    with open(os.path.join(out, name), "wb") as f:
        f.write(eol.join(lines).encode(enc) + eol.encode())


write("plain_fr.csv", FR, [], ";", "\r\n", "cp1252")
write("title_fr.csv", FR, ["Liste du personnel 2024"], ";", "\r\n",
      "cp1252")
write("title2_cy.csv", CY, ["Rhestr staff,,", ""], ",", "\r\n", "utf-8")
write("cr_fr.csv", FR, [], ";", "\r", "cp1252")
rows = rows * 20  # past the sniffer's 64 KiB window
write("crbig_fr.csv", FR, [], ";", "\r", "cp1252")
EOF_PY

fail=0
for f in plain_fr title_fr title2_cy cr_fr crbig_fr; do
  n=60
  [ "$f" = crbig_fr ] && n=1200
  rc=0
  "$VIGIL_BIN" check-release --json "$W/$f.csv" >"$W/$f.json" || rc=$?
  if ! $PY - "$W/$f.json" "$rc" "$n" <<'EOF_PY'
import json, sys
r = json.loads(open(sys.argv[1]).readline())
n = int(sys.argv[3])
p = [f for f in r["findings"] if f["kind"] == "personal_data"]
assert sys.argv[2] == "2" and r["verdict"] == "BLOCK", r["verdict"]
assert r["format"] == "csv", r["format"]
assert r["people_records"] == n, r["people_records"]
assert p and p[0]["pii"] == {"ca_sin": n, "date_of_birth": n,
                             "ca_postcode": n, "ca_phone": n}, p
EOF_PY
  then
    echo "FAIL: $f.csv"
    fail=1
  else
    echo "ok: $f.csv BLOCK, $n records"
  fi
done
# A header of 10,000 columns, longer than the sniffer's 64 KiB window:
# still CSV, its people found (it was read as text, REVIEW).
$PY - "$W/wide.csv" <<'EOF_PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write(";".join(["Nom", "Prénom", "Courriel"] +
                     ["col%d" % i for i in range(10000)]) + "\n")
    for r in range(60):
        f.write(";".join(["Roy", "Élodie", "e%d@exemple.ca" % r] +
                         [str(r * i % 997) for i in range(10000)]) + "\n")
EOF_PY
rc=0
"$VIGIL_BIN" check-release --json "$W/wide.csv" >"$W/wide.json" || rc=$?
if $PY - "$W/wide.json" "$rc" <<'EOF_PY'
import json, sys
r = json.loads(open(sys.argv[1]).readline())
assert sys.argv[2] == "2" and r["verdict"] == "BLOCK", r["verdict"]
assert r["format"] == "csv" and r["people_records"] == 60, r
EOF_PY
then
  echo "ok: wide.csv BLOCK, 60 records"
else
  echo "FAIL: wide.csv"
  fail=1
fi

# Crime statistics: offence and victim type with a count, no name and
# nothing identifying, are not people's records (they were 100 records,
# BLOCK, in English, French and Welsh alike).
printf 'Offence,Victim,Count\r\n' >"$W/stats_en.csv"
printf 'Infraction;Victime;Nombre\r\n' >"$W/stats_fr.csv"
printf 'Trosedd,Dioddefwr,Nifer\r\n' >"$W/stats_cy.csv"
for i in $(seq 1 100); do
  printf 'Theft,Business,%d\r\n' "$i" >>"$W/stats_en.csv"
  printf 'Vol;Commerce;%d\r\n' "$i" >>"$W/stats_fr.csv"
  printf 'Lladrad,Busnes,%d\r\n' "$i" >>"$W/stats_cy.csv"
done
for f in stats_en stats_fr stats_cy; do
  rc=0
  "$VIGIL_BIN" check-release --json "$W/$f.csv" >"$W/$f.json" || rc=$?
  if ! $PY - "$W/$f.json" "$rc" <<'EOF_PY'
import json, sys
r = json.loads(open(sys.argv[1]).readline())
assert sys.argv[2] == "0" and r["verdict"] == "PASS", r
assert r["people_records"] == 0 and r["findings"] == [], r
EOF_PY
  then
    echo "FAIL: $f.csv"
    fail=1
  else
    echo "ok: $f.csv PASS"
  fi
done

# Budgets: 9-digit ledger codes under an account-number header, one in ten
# Luhn-valid by chance, were reported as SINs (REVIEW). They must PASS in
# every language; the same codes under "NAS", or a SIN written in a
# label, must still be found.
$PY - "$W" <<'EOF_PY'
import os, sys
out = sys.argv[1]


def luhn(body):
    for c in "0123456789":
        t = 0
        for i, ch in enumerate(reversed(body + c)):
            v = int(ch) * (2 if i % 2 else 1)
            t += v - 9 if v > 9 else v
        if t % 10 == 0:
            return body + c


codes = [luhn("4%07d" % (1000003 + i * 3331)) for i in range(300)]
for name, head in [("budget_fr", "Numéro de compte;Libellé;Montant"),
                   ("budget_no", "N° de compte;Libellé;Montant"),
                   ("budget_cpt", "Compte;Libellé;Montant"),
                   ("budget_cc", "Code comptable;Libellé;Montant"),
                   ("budget_en", "Account number;Description;Amount"),
                   ("budget_cy", "Rhif cyfrif;Disgrifiad;Swm"),
                   ("budget_nas", "NAS;Libellé;Montant"),
                   ("budget_leak", "Numéro de compte;Libellé;Montant")]:
    with open(os.path.join(out, name + ".csv"), "w", encoding="utf-8") as f:
        f.write(head + "\r\n")
        for i, c in enumerate(codes):
            lab = "Fournitures de bureau"
            if name == "budget_leak" and i == 7:
                lab = "Remboursement NAS %s" % codes[3]
            f.write("%s;%s;%d,%02d\r\n" % (c, lab, 100 + i, i % 100))
try:
    import openpyxl
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Numéro de compte", "Libellé", "Montant"])
    for i, c in enumerate(codes):
        ws.append([c, "Fournitures de bureau", 100 + i])
    wb.properties.creator = None
    wb.properties.lastModifiedBy = None
    wb.save(os.path.join(out, "budget_fr.xlsx"))
except ImportError:
    pass
EOF_PY
budgets="budget_fr.csv budget_no.csv budget_cpt.csv budget_cc.csv budget_en.csv budget_cy.csv"
[ -f "$W/budget_fr.xlsx" ] && budgets="$budgets budget_fr.xlsx"
for f in $budgets budget_nas.csv budget_leak.csv; do
  rc=0
  "$VIGIL_BIN" check-release --json "$W/$f" >"$W/$f.json" || rc=$?
  want=PASS
  case $f in budget_nas.csv | budget_leak.csv) want=FOUND ;; esac
  if ! $PY - "$W/$f.json" "$rc" "$want" <<'EOF_PY'
import json, sys
r = json.loads(open(sys.argv[1]).readline())
if sys.argv[3] == "PASS":
    assert sys.argv[2] == "0" and r["verdict"] == "PASS", r
    assert r["findings"] == [], r
else:
    assert r["verdict"] in ("BLOCK", "REVIEW"), r
    assert "ca_sin" in json.dumps(r), r
EOF_PY
  then
    echo "FAIL: $f"
    fail=1
  else
    echo "ok: $f $want"
  fi
done
exit $fail
