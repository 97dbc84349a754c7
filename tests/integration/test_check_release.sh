#!/usr/bin/env bash
# test_check_release.sh -- `vigil check-release` end to end: builds the
# fixtures with real office programs (tests/fixtures/make_fixtures.py),
# checks each with --json and asserts exact findings, locations, verdicts
# and exit codes; then cleans them with --clean and asserts the copies
# re-check as PASS; then the HTML report and usage errors.
set -euo pipefail

: "${VIGIL_BIN:?}" "${VIGIL_SOURCE_DIR:?}" "${VIGIL_BUILD_DIR:?}"
PY=/usr/bin/python3
if ! $PY -c 'import openpyxl, docx' 2>/dev/null; then
  echo "SKIP: python3-openpyxl / python3-docx not installed"
  exit 77
fi
W="$VIGIL_BUILD_DIR/test-check-release"
rm -rf "$W"
mkdir -p "$W/fx" "$W/clean"
LO_FLAG=""
command -v soffice >/dev/null || LO_FLAG="--no-libreoffice"
$PY "$VIGIL_SOURCE_DIR/tests/fixtures/make_fixtures.py" "$W/fx" $LO_FLAG >/dev/null

fail=0
# expect FILE EXIT_CODE PYTHON_ASSERTIONS (over `r`, the JSON result)
expect() {
  local file=$1 code=$2 asserts=$3 rc=0
  "$VIGIL_BIN" check-release --json "$W/fx/$file" >"$W/$file.json" || rc=$?
  if [ "$rc" != "$code" ]; then
    echo "FAIL: $file: exit $rc, expected $code"; fail=1; return
  fi
  if ! $PY - "$W/$file.json" <<EOF
import json, sys
r = json.loads(open(sys.argv[1]).readline())
F = r["findings"]
def one(kind):
    m = [f for f in F if f["kind"] == kind]
    assert len(m) == 1, (kind, len(m), F)
    return m[0]
kinds = sorted(f["kind"] for f in F)
$asserts
EOF
  then
    echo "FAIL: $file: assertions"; fail=1
  else
    echo "ok: $file"
  fi
}

expect staff_list.xlsx 2 '
assert r["verdict"] == "BLOCK" and r["format"] == "xlsx"
assert kinds == ["hidden_name", "metadata", "people_records",
                 "very_hidden_sheet"], kinds
n = one("hidden_name")
assert n["severity"] == "REVIEW" and n["part"] == "xl/workbook.xml"
assert "StaffList -> hidden sheet" in n["detail"], n["detail"]
f = one("very_hidden_sheet")
assert f["severity"] == "BLOCK" and f["sheet"] == "Staff"
assert f["range"] == "A1:E121" and f["part"] == "xl/worksheets/sheet2.xml"
assert f["count"] == 120, f
assert r["people_records"] == 120
assert one("people_records")["severity"] == "BLOCK"
assert "J. Bloggs" in one("metadata")["detail"]
'

if [ -z "$LO_FLAG" ]; then
expect victims_pivot.xlsx 2 '
assert kinds == ["hidden_sheet", "people_records", "pivot_cache"], kinds
p = one("pivot_cache")
assert p["severity"] == "BLOCK" and p["count"] == 200
assert p["part"] == "xl/pivotCache/pivotCacheRecords1.xml"
assert p["sheet"] == "Victims" and p["range"] == "A1:E201"
assert p["pii"] == {"uk_postcode": 200, "date_of_birth": 200}, p["pii"]
assert "Name, Address, Postcode, Date of birth, Offence" in p["detail"]
h = one("hidden_sheet")
assert h["sheet"] == "Victims" and h["count"] == 200
assert r["people_records"] == 400
'
fi

expect hidden_rows.xlsx 2 '
assert kinds == ["custom_properties", "hidden_columns", "hidden_rows",
                 "metadata", "white_text"], kinds
h = one("hidden_rows")
assert h["severity"] == "BLOCK" and h["range"] == "5-7" and h["count"] == 3
assert h["sheet"] == "Response" and h["pii"] == {"email": 3}
c = one("hidden_columns")
assert c["range"] == "C" and c["severity"] == "REVIEW"
w = one("white_text")
assert w["range"] == "E2" and w["severity"] == "BLOCK"
assert w["pii"] == {"email": 1}
cp = one("custom_properties")
assert cp["count"] == 2 and "CaseOfficer" in cp["detail"]
'

expect blank_format.xlsx 2 '
t = one("tiny_text")
assert t["range"] == "C3" and t["sheet"] == "Budget"
assert t["severity"] == "BLOCK" and t["pii"] == {"email": 1}
'

expect letter.docx 2 '
assert kinds == ["comments", "metadata", "tracked_changes"], kinds
t = one("tracked_changes")
assert t["severity"] == "BLOCK" and t["count"] == 3
assert t["range"] == "paragraph 3-4" and t["part"] == "word/document.xml"
assert "2 tracked insertion(s) and 1 deletion(s)" in t["detail"]
assert t["pii"] == {"email": 1}
c = one("comments")
assert c["severity"] == "BLOCK" and c["count"] == 1
assert c["part"] == "word/comments.xml" and "Legal Team" in c["detail"]
assert c["range"] == "paragraph 1", c["range"]
'

expect people.csv 2 '
assert r["format"] == "csv" and r["people_records"] == 60
p = [f for f in F if f["kind"] == "people_records"]
assert len(p) == 2 and all(f["severity"] == "BLOCK" for f in p)
assert p[0]["range"] == "rows 2-61"
assert one("personal_data")["pii"] == {"email": 60, "uk_phone": 60}
'

expect clean.xlsx 0 'assert r["verdict"] == "PASS" and F == []'
expect clean.csv 0 'assert r["verdict"] == "PASS" and F == []'

expect bomb.zip 2 '
assert kinds == ["hostile"] and "zip bomb" in F[0]["detail"]
'
expect billion.xlsx 2 '
h = one("hostile")
assert h["part"] == "xl/sharedStrings.xml" and "DTD" in h["detail"]
'
expect truncated.xlsx 2 'assert kinds == ["damaged"]'
expect encrypted.xlsx 2 '
assert r["format"] == "encrypted-ooxml" and kinds == ["encrypted"]
'
expect nested.zip 2 '
v = one("very_hidden_sheet")
assert v["member"] == "inner.zip/staff_list.xlsx" and v["count"] == 120
'

expect photo_report.docx 1 '
assert kinds == ["gps_location"], kinds
g = one("gps_location")
assert g["part"] == "word/media/image1.jpg"
assert "51.50347 N, 0.12750 W" in g["detail"]
'
expect deep.zip 2 '
h = one("hostile")
assert "nested more than 4 deep" in h["detail"]
assert h["member"] == "deep4.zip/deep3.zip/deep2.zip/deep1.zip"
'
if [ -z "$LO_FLAG" ]; then
expect hidden_rows.ods 2 '
assert r["format"] == "ods"
h = one("hidden_rows")
assert h["range"] == "5-7" and h["pii"] == {"email": 3}
assert h["severity"] == "BLOCK" and h["sheet"] == "Response"
assert one("hidden_columns")["range"] == "C"
w = one("white_text")
assert w["range"] == "Response!E2" and w["severity"] == "BLOCK"
assert "CaseOfficer" in one("custom_properties")["detail"]
'
expect letter.odt 2 '
assert r["format"] == "odt"
t = one("tracked_changes")
assert t["count"] == 3 and t["pii"] == {"email": 1}
c = one("comments")
assert c["count"] == 1 and "Legal Team" in c["detail"]
assert c["pii"] == {"uk_phone": 1}
'
expect deck.pptx 2 '
assert kinds == ["hidden_text", "speaker_notes"], kinds
n = one("speaker_notes")
assert n["severity"] == "BLOCK" and n["pii"] == {"email": 1}
assert n["part"] == "ppt/notesSlides/notesSlide1.xml"
h = one("hidden_text")
assert h["sheet"] == "slide 2" and h["part"] == "ppt/slides/slide2.xml"
'
expect deck.odp 2 '
assert kinds == ["hidden_text", "speaker_notes"], kinds
assert one("hidden_text")["sheet"] == "slide Draft"
assert one("speaker_notes")["pii"] == {"email": 1}
'
# Cleaning the deck drops the notes; the hidden slide stays for a person.
rc=0
"$VIGIL_BIN" check-release --json --clean "$W/clean/deck.clean.pptx" \
  "$W/fx/deck.pptx" >"$W/deck.clean.json" || rc=$?
$PY - "$W/deck.clean.json" <<'EOF' || { echo "FAIL: --clean deck.pptx"; fail=1; }
import json, sys
c = [json.loads(l) for l in open(sys.argv[1])][1]["result"]
assert c["verdict"] == "REVIEW", c
assert [f["kind"] for f in c["findings"]] == ["hidden_text"], c["findings"]
EOF
fi

# Issue 10, fail closed. More findings than are listed: the verdict is
# still made from all of them (the CSV of 60 people comes last).
expect many_findings.zip 2 '
assert r["verdict"] == "BLOCK" and len(F) == 4096, (r["verdict"], len(F))
assert r["unlisted"] > 0, r["unlisted"]
assert F[-1]["kind"] == "people_records" and F[-1]["severity"] == "BLOCK"
'
rc=0
"$VIGIL_BIN" check-release "$W/fx/many_findings.zip" >"$W/many.txt" || rc=$?
grep -q "more finding(s) not listed; the verdict counts them" "$W/many.txt" ||
  { echo "FAIL: many_findings.zip: text report does not say what is unlisted"; fail=1; }
# Two xl/workbook.xml entries: ambiguous, and the last copy's hidden
# sheet (what LibreOffice shows) is found.
expect dup_workbook.xlsx 2 '
a = one("ambiguous_package")
assert a["severity"] == "BLOCK" and a["part"] == "xl/workbook.xml", a
h = one("hidden_sheet")
assert h["sheet"] == "Contacts" and h["severity"] == "BLOCK", h
assert h["pii"] == {"email": 5}, h["pii"]
'
# openpyxl puts comments at xl/comments/comment1.xml: found through the
# sheet's relationship.
expect staff_comment.xlsx 2 '
assert kinds == ["comments"], kinds
c = one("comments")
assert c["part"] == "xl/comments/comment1.xml" and c["sheet"] == "Budget"
assert c["severity"] == "BLOCK" and c["range"] == "B2", c
assert c["pii"] == {"email": 1, "uk_phone": 1}, c["pii"]
'
expect planted_part.xlsx 2 '
assert kinds == ["unexplained_part"], kinds
u = one("unexplained_part")
assert u["part"] == "xl/stash/data.xml" and u["severity"] == "BLOCK", u
'
# Folders: nothing to check is an error, not a PASS; symbolic links are
# followed (what is published is what they point at); a broken link is
# named and makes the exit 66.
mkdir -p "$W/empty" "$W/links" "$W/broken"
ln -sf "$W/fx/staff_list.xlsx" "$W/links/report.xlsx"
cp "$W/fx/staff_comment.xlsx" "$W/links/.draft.xlsx"
ln -sf "$W/fx/no-such-file.xlsx" "$W/broken/gone.xlsx"
rc=0
"$VIGIL_BIN" check-release "$W/empty" >"$W/empty.out" 2>"$W/empty.err" || rc=$?
[ "$rc" = 66 ] || { echo "FAIL: empty folder exit $rc, expected 66"; fail=1; }
grep -q "nothing checked" "$W/empty.err" ||
  { echo "FAIL: empty folder: no message"; fail=1; }
rc=0
"$VIGIL_BIN" check-release --json "$W/links" >"$W/links.json" || rc=$?
[ "$rc" = 2 ] || { echo "FAIL: folder of a link to a BLOCK file exit $rc"; fail=1; }
grep -q '"file":"[^"]*links/report.xlsx","format":"xlsx","verdict":"BLOCK"' \
  "$W/links.json" || { echo "FAIL: linked document not checked"; fail=1; }
grep -q '"file":"[^"]*links/.draft.xlsx"' "$W/links.json" ||
  { echo "FAIL: hidden file not checked"; fail=1; }
rc=0
"$VIGIL_BIN" check-release "$W/broken" >/dev/null 2>"$W/broken.err" || rc=$?
[ "$rc" = 66 ] || { echo "FAIL: broken link exit $rc, expected 66"; fail=1; }
grep -q "gone.xlsx.*not checked" "$W/broken.err" ||
  { echo "FAIL: broken link not named"; fail=1; }
echo "ok: folders (empty, links, broken link)"

# --max-records raises the bound: the CSV alone is then REVIEW.
rc=0
"$VIGIL_BIN" check-release --max-records 100 "$W/fx/people.csv" >/dev/null || rc=$?
[ "$rc" = 1 ] || { echo "FAIL: --max-records 100 gave exit $rc"; fail=1; }

# --clean: every OOXML fixture with hidden content re-checks as PASS.
for f in staff_list.xlsx hidden_rows.xlsx letter.docx blank_format.xlsx \
         staff_comment.xlsx planted_part.xlsx \
         ${LO_FLAG:+} $( [ -z "$LO_FLAG" ] && echo victims_pivot.xlsx ); do
  rc=0
  "$VIGIL_BIN" check-release --json --clean "$W/clean/${f%.*}.clean.${f##*.}" \
    "$W/fx/$f" >"$W/$f.clean.json" || rc=$?
  if ! $PY - "$W/$f.clean.json" <<'EOF'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
assert len(lines) == 2, lines
c = lines[1]
assert c["result"]["verdict"] == "PASS", c["result"]["findings"]
EOF
  then echo "FAIL: --clean $f does not re-check as PASS"; fail=1
  else echo "ok: --clean $f"
  fi
done
# The cleaned copies open in openpyxl / python-docx.
$PY - "$W/clean" <<'EOF' || { echo "FAIL: cleaned copies do not open"; fail=1; }
import glob, sys, openpyxl, docx
d = sys.argv[1]
wb = openpyxl.load_workbook(d + "/staff_list.clean.xlsx")
assert wb.sheetnames == ["Summary"], wb.sheetnames
wb = openpyxl.load_workbook(d + "/hidden_rows.clean.xlsx")
ws = wb["Response"]
assert ws["C5"].value is None and ws["E2"].value is None
assert ws["A8"].value == "Roads" and ws["A5"].value is None
doc = docx.Document(d + "/letter.clean.docx")
text = "\n".join(p.text for p in doc.paragraphs)
assert "We hold the information you asked for." in text
assert "mark.jones" not in text and "They cover 2023." in text
EOF

# HTML report: self-contained, escaped.
rc=0
"$VIGIL_BIN" check-release --html "$W/report.html" "$W/fx" >"$W/all.txt" || rc=$?
[ "$rc" = 2 ] || { echo "FAIL: folder check exit $rc"; fail=1; }
grep -q '<style>' "$W/report.html" || { echo "FAIL: html has no CSS"; fail=1; }
if grep -q '<script' "$W/report.html"; then echo "FAIL: html has script"; fail=1; fi
grep -q 'staff_list.xlsx' "$W/all.txt" || { echo "FAIL: text report"; fail=1; }

# Usage and missing input.
rc=0; "$VIGIL_BIN" check-release >/dev/null 2>&1 || rc=$?
[ "$rc" = 64 ] || { echo "FAIL: no args exit $rc"; fail=1; }
rc=0; "$VIGIL_BIN" check-release "$W/nope.xlsx" >/dev/null 2>&1 || rc=$?
[ "$rc" = 66 ] || { echo "FAIL: missing file exit $rc"; fail=1; }

exit $fail
