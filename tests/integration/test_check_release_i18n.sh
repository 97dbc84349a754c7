#!/usr/bin/env bash
# test_check_release_i18n.sh -- `vigil check-release` on the same table of
# 150 people with English, French and Welsh headers, in every format and
# CSV encoding and delimiter (tests/fixtures/make_i18n_fixtures.py): each
# file's exact findings, and the same findings whatever the language.
# Then the case from the issue and budgets that must stay PASS. Prints the
# verdict table (format x language).
set -euo pipefail

: "${VIGIL_BIN:?}" "${VIGIL_SOURCE_DIR:?}" "${VIGIL_BUILD_DIR:?}"
PY=/usr/bin/python3
if ! $PY -c 'import openpyxl, docx' 2>/dev/null; then
  echo "SKIP: python3-openpyxl / python3-docx not installed"
  exit 77
fi
W="$VIGIL_BUILD_DIR/test-check-release-i18n"
rm -rf "$W"
mkdir -p "$W/fx" "$W/out"
LO_FLAG=""
command -v soffice >/dev/null || LO_FLAG="--no-libreoffice"
$PY "$VIGIL_SOURCE_DIR/tests/fixtures/make_i18n_fixtures.py" "$W/fx" \
  $LO_FLAG >/dev/null

# Every fixture checked once, its exit code kept beside its JSON.
for f in "$W"/fx/*.csv "$W"/fx/*.xlsx "$W"/fx/*.docx "$W"/fx/*.ods; do
  [ -e "$f" ] || continue
  b=$(basename "$f")
  rc=0
  "$VIGIL_BIN" check-release --json "$f" >"$W/out/$b.json" || rc=$?
  echo "$rc" >"$W/out/$b.rc"
done

$PY - "$W/out" "${LO_FLAG:-lo}" <<'EOF'
import glob, json, os, sys

out, lo = sys.argv[1], sys.argv[2] == "lo"
LANGS = ("en", "fr", "cy")
PII = {"ca_phone": 150, "ca_sin": 150, "date_of_birth": 150,
       "ca_postcode": 150}
COLS = ("columns: column:name, column:dob, column:address, "
        "column:contact, column:national_id")
fail = []


def load(name):
    with open(os.path.join(out, name + ".json")) as f:
        r = json.loads(f.readline())
    with open(os.path.join(out, name + ".rc")) as f:
        r["exit"] = int(f.read())
    return r


def signature(r):
    """The findings without what names the sheet in its own language."""
    sig = []
    for f in r["findings"]:
        d = f["detail"]
        if f["sheet"]:
            d = d.replace(f["sheet"], "<sheet>")
        sig.append((f["kind"], f["severity"], f["count"], f["part"],
                    f["range"], d, tuple(sorted(f["pii"].items()))))
    return sig


def check_people(name, fmt, extra_kinds):
    r = load(name)
    F = r["findings"]
    kinds = sorted(f["kind"] for f in F)
    want = sorted(["people_records", "people_records", "personal_data"] +
                  extra_kinds)
    assert r["exit"] == 2 and r["verdict"] == "BLOCK", (name, r["verdict"])
    assert r["format"] == fmt, (name, r["format"])
    assert kinds == want, (name, kinds)
    assert r["people_records"] == 150, (name, r["people_records"])
    p = [f for f in F if f["kind"] == "personal_data"][0]
    assert p["pii"] == PII and p["count"] == 600, (name, p["pii"])
    rec = [f for f in F if f["kind"] == "people_records" and f["count"]]
    assert len(rec) == 1 and rec[0]["severity"] == "BLOCK", (name, rec)
    assert rec[0]["count"] == 150 and COLS in rec[0]["detail"], rec[0]
    if fmt == "csv":
        assert rec[0]["range"] == "rows 2-151", (name, rec[0]["range"])
    return r


# format label -> (file name pattern for LANG, format, other findings)
formats = [("xlsx (openpyxl)", "people_%s.xlsx", "xlsx", ["metadata"]),
           ("docx (python-docx)", "people_%s.docx", "docx", ["metadata"])]
if lo:
    formats += [("ods (LibreOffice)", "people_%s.ods", "ods",
                 ["custom_properties", "metadata"]),
                ("csv (LibreOffice ; cp1252)", "people_%s_lo.csv", "csv", [])]
for enc in ("utf8", "utf8bom", "cp1252", "latin1", "utf16"):
    for delim in ("comma", "semicolon", "tab", "pipe"):
        formats.append(("csv %s %s" % (enc, delim),
                        "people_%%s_%s_%s.csv" % (enc, delim), "csv", []))

table = []
for label, pat, fmt, extra in formats:
    row, sigs = [label], {}
    for lang in LANGS:
        name = pat % lang
        try:
            r = check_people(name, fmt, extra)
            sigs[lang] = signature(r)
            row.append(r["verdict"])
        except (AssertionError, OSError, ValueError) as e:
            fail.append("%s: %s" % (name, e))
            row.append("FAIL")
    if len(sigs) == 3 and not (sigs["en"] == sigs["fr"] == sigs["cy"]):
        fail.append("%s: findings differ between languages: %s" %
                    (label, sigs))
    table.append(row)

print("%-28s %-6s %-6s %-6s" % ("format", "en", "fr", "cy"))
for row in table:
    print("%-28s %-6s %-6s %-6s" % tuple(row))

# The issue: a French Excel CSV (';', Windows-1252) of 150 people was
# REVIEW; it is BLOCK like the English one, with the same findings.
try:
    sig = None
    for name in ("issue17.csv", "issue17_en.csv"):
        r = load(name)
        assert r["exit"] == 2 and r["verdict"] == "BLOCK", (name, r)
        assert r["people_records"] == 150
        p = [f for f in r["findings"] if f["kind"] == "personal_data"]
        assert p[0]["pii"] == {"ca_phone": 150, "date_of_birth": 150}, p
        if sig is not None:
            assert signature(r) == sig, (signature(r), sig)
        sig = signature(r)
    print("ok: issue17.csv BLOCK as issue17_en.csv")
except (AssertionError, OSError, ValueError) as e:
    fail.append("issue17: %s" % (e,))

# Budgets: account numbers and account names are not people.
for name in ("budget_fr.csv", "budget_fr.xlsx", "budget_cy.csv"):
    try:
        r = load(name)
        assert r["exit"] == 0 and r["verdict"] == "PASS", (name, r)
        assert r["findings"] == [] and r["people_records"] == 0, r
        print("ok: %s PASS" % name)
    except (AssertionError, OSError, ValueError) as e:
        fail.append("%s: %s" % (name, e))

for f in fail:
    print("FAIL:", f)
sys.exit(1 if fail else 0)
EOF
