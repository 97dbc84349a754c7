#!/usr/bin/env python3
"""make_seeds.py -- writes the fuzz targets' seed corpora into
tests/fuzz/corpus/<target>/ from the repository's own fixtures: the rule
tests' log lines (tests/rules/*/pos.log, neg.log), the rule pack
(rules/**/*.yml), the configuration example (docs/configuration.md), and
inputs built here (JSON and CEF records carrying the fixtures' values, small
OOXML containers, RFC 6587 frames). Never reads ../shared/data.

Seeds are named g-<hash of content>, so running it again adds nothing new
and hand-written seeds beside them are kept. The output is committed:
CTest replays it (fuzz.<target>) and scripts/fuzz.sh starts from it.
Usage: tests/fuzz/make_seeds.py [--check]   (--check: fail if a seed is
missing, i.e. the committed corpora are stale)"""

import glob
import hashlib
import io
import json
import os
import re
import sys
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
CAP = 40  # seeds per target from one source: small corpora start fast


def fixture_lines():
    """Every distinct line of the rule tests' logs, in a stable order."""
    seen, out = set(), []
    for path in sorted(glob.glob(os.path.join(ROOT, "tests/rules/*/*.log"))):
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                line = line.rstrip("\n")
                if line and line not in seen:
                    seen.add(line)
                    out.append(line)
    return out


ACCESS = re.compile(r'^\S+ \S+ \S+ \[[^]]+\] "')


def by_kind(lines):
    kinds = {"syslog": [], "auditd": [], "access": []}
    for line in lines:
        if line.startswith("type="):
            kinds["auditd"].append(line)
        elif ACCESS.match(line) or ACCESS.match(line.split(" ", 1)[-1]):
            kinds["access"].append(line)
        else:
            kinds["syslog"].append(line)
    return kinds


def spread(items, n=CAP):
    """At most n items picked evenly, so every fixture file is represented."""
    if len(items) <= n:
        return list(items)
    step = len(items) / n
    return [items[int(i * step)] for i in range(n)]


def syslog_seeds(lines):
    seeds = spread(lines)
    # The same records in RFC 5424 framing, with structured data.
    for i, line in enumerate(spread(lines, 8)):
        m = re.match(r"^\w{3} +\d+ [\d:]+ (\S+) ([^:\[]+)(?:\[(\d+)\])?: (.*)$",
                     line)
        if m:
            host, app, pid, msg = m.groups()
            seeds.append('<%d>1 2024-03-0%dT10:11:12.%03d+01:00 %s %s %s - '
                         '[ex@32473 k="v\\"q\\]"] %s'
                         % (30 + i, 1 + i % 9, i * 7, host, app, pid or "-",
                            msg))
    return seeds


def json_seeds(lines):
    seeds = []
    for i, line in enumerate(spread(lines, 20)):
        doc = {"@timestamp": "2024-03-01T10:11:%02dZ" % i, "message": line}
        if i % 2:
            doc["host"] = {"name": "srv%d" % i, "ip": ["10.0.0.%d" % i]}
        if i % 3 == 0:
            doc["event"] = {"code": 4624 + i, "ok": i % 2 == 0,
                            "score": i / 3.0, "none": None}
        if i % 4 == 1:
            doc["tags"] = ["a", {"nested": [i, -i, 1e300]}]
        seeds.append(json.dumps(doc, ensure_ascii=i % 5 == 0))
    seeds.append('{"esc":"\\u0000\\ud83d\\ude00\\/\\b\\f\\n\\r\\t","n":-0.0}')
    seeds.append('{"deep":' + "[" * 60 + "]" * 60 + "}")
    return seeds


def cef_escape(s, ext):
    s = s.replace("\\", "\\\\")
    return s.replace("=", "\\=") if ext else s.replace("|", "\\|")


def cef_seeds(lines):
    seeds = []
    for i, line in enumerate(spread(lines, 16)):
        head = "CEF:%d|Vendor %d|Prod|1.%d|%d|%s|%d|" % (
            i % 2, i, i, 100 + i, cef_escape(line[:40], False), i % 11)
        ext = "rt=17000000%02d000 src=192.0.2.%d suser=u%d msg=%s" % (
            i, i, i, cef_escape(line, True))
        if i % 3 == 0:
            ext += " cs1Label=Rule cs1=r%d dpt=%d" % (i, 1000 + i)
        if i % 4 == 0:
            head = "<134>Mar  1 10:11:12 fw%d " % i + head
        seeds.append(head + ext)
    return seeds


def config_seeds():
    with open(os.path.join(ROOT, "docs/configuration.md"),
              encoding="utf-8") as f:
        doc = f.read()
    seeds = re.findall(r"```yaml\n(.*?)```", doc, re.S)
    example = seeds[0] if seeds else ""
    # Each top-level section alone, and each source alone.
    sections = re.split(r"\n(?=\S)", example)
    seeds += [s + "\n" for s in sections if s.strip()]
    src = re.search(r"^sources:\n((?:  .*\n?)*)", example, re.M)
    if src:
        for item in re.split(r"\n(?=  - )", src.group(1)):
            seeds.append("sources:\n" + item.rstrip("\n") + "\n")
    # What the loader must refuse, and YAML's own corners.
    seeds += [
        "stats_interval: 5x\n",
        "store:\n  archive_max_size: 10QiB\n",
        "nope: 1\n",
        "ingest:\n  batch_lines: 1\n  batch_lines: 2\n",
        "a: &x {b: *x}\n",
        "sources:\n  - &s {name: a, type: file, paths: [/x]}\n  - *s\n",
        "rules: " + "[" * 40 + "]" * 40 + "\n",
        "placeholders:\n  p: !!binary aGVsbG8=\n",
        "---\nstate_dir: /a\n---\nstate_dir: /b\n",
        "sources:\n  - name: n\n    type: syslog\n    listen: '[::1]:99999'\n",
    ]
    return seeds


def rule_files():
    out = []
    for path in sorted(glob.glob(os.path.join(ROOT, "rules/**/*.yml"),
                                 recursive=True)):
        with open(path, encoding="utf-8") as f:
            out.append(f.read())
    return out


def condition_seeds(rules):
    conds = []
    for text in rules:
        for m in re.finditer(r"^\s+condition:\s*(.+)$", text, re.M):
            c = m.group(1).strip().strip("'\"")
            if c and ":" not in c and c not in conds:
                conds.append(c)
    # Over the target's own selections (sel, sel_a, sel_b, filter, _hidden).
    conds += ["sel and not filter", "1 of sel_*", "all of them",
              "(sel_a or sel_b) and not (filter or _hidden)",
              "not not not sel", "all of sel_* and 1 of them",
              "sel | count() > 3", "((((sel))))"]
    return conds


def ooxml_seeds():
    def make(parts):
        buf = io.BytesIO()
        # Stored, not deflated: the bytes (hence the seed's name) must not
        # depend on the machine's zlib.
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
            for name, data in parts:
                z.writestr(zipfile.ZipInfo(name, (2024, 3, 1, 10, 11, 12)),
                           data)
        return buf.getvalue()

    ct = '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats' \
         '.org/package/2006/content-types"/>'
    xlsx = make([
        ("[Content_Types].xml", ct),
        ("xl/workbook.xml", '<workbook><sheets><sheet name="Staff" '
         'sheetId="1" r:id="rId1"/><sheet name="Hidden" state="hidden" '
         'sheetId="2" r:id="rId2"/></sheets></workbook>'),
        ("xl/sharedStrings.xml", "<sst><si><t>Surname</t></si><si><t>"
         "Jane Smith</t></si><si><t>jane@example.org</t></si></sst>"),
        ("xl/worksheets/sheet1.xml", '<worksheet><sheetData><row r="1">'
         '<c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
         '<row r="2" hidden="1"><c r="A2" t="s"><v>2</v></c></row>'
         '</sheetData></worksheet>'),
        ("xl/comments1.xml", "<comments><commentList><comment ref=\"A1\">"
         "<text><t>check with HR</t></text></comment></commentList>"
         "</comments>"),
        ("docProps/core.xml", "<cp:coreProperties><dc:creator>J. Smith"
         "</dc:creator></cp:coreProperties>"),
    ])
    docx = make([
        ("[Content_Types].xml", ct),
        ("word/document.xml", "<w:document><w:body><w:p><w:r><w:t>Report"
         "</w:t></w:r></w:p><w:p><w:del><w:r><w:delText>NI AB123456C"
         "</w:delText></w:r></w:del><w:ins><w:r><w:t>redacted</w:t></w:r>"
         "</w:ins></w:p><w:p><w:r><w:rPr><w:vanish/></w:rPr><w:t>hidden"
         "</w:t></w:r></w:p></w:body></w:document>"),
        ("word/comments.xml", "<w:comments><w:comment w:author=\"Jane\">"
         "<w:p><w:r><w:t>remove before release</w:t></w:r></w:p>"
         "</w:comment></w:comments>"),
    ])
    pptx = make([
        ("[Content_Types].xml", ct),
        ("ppt/slides/slide1.xml", "<p:sld><a:t>Slide</a:t></p:sld>"),
        ("ppt/notesSlides/notesSlide1.xml", "<p:notes><a:t>phone 07700 "
         "900123</a:t></p:notes>"),
    ])
    odt = make([
        ("mimetype", "application/vnd.oasis.opendocument.text"),
        ("content.xml", "<office:document-content><office:body><text:p>"
         "Draft</text:p><office:annotation><text:p>note</text:p>"
         "</office:annotation><text:tracked-changes/></office:body>"
         "</office:document-content>"),
        ("meta.xml", "<office:meta><meta:initial-creator>Jane"
         "</meta:initial-creator></office:meta>"),
    ])
    return [xlsx, docx, pptx, odt, b"name,email\nJane,jane@example.org\n"]


def pii_seeds(lines):
    """Text the recognisers scan: the fixtures' lines (addresses, names)
    and synthetic identifiers in the shapes the recognisers know, each
    with near misses (bad check digits, wrong lengths)."""
    seeds = spread(lines, 8)
    seeds += [
        "Name,Date of birth,NI number,Postcode\n"
        "Jane Smith,01/02/1980,QQ 12 34 56 C,SW1A 1AA\n"
        "John Doe,1975-12-31,QQ123456D,EC1A 1BB\n",
        "email: jane.smith@example.org; j@x.co.uk; not@an@email\n",
        "phone 07700 900123, +44 20 7946 0018, 0161 496 0000, 0000 000\n",
        "NHS 943 476 5919 / 943 476 5918 (bad check digit)\n",
        "card 4111-1111-1111-1111 and 4111 1111 1111 1112\n",
        "IBAN GB82 WEST 1234 5698 7654 32 / GB00 WEST 1234 5698 7654 32\n",
        "Nom;Prénom;Date de naissance\nDupont;Élodie;03/04/1990\n",
        "Enw\tCyfeiriad\tRhif ffôn\nSiân\tCaerdydd\t029 2018 0000\n",
        "ip 192.0.2.1, 2001:db8::1, 999.1.1.1, ::ffff:10.0.0.1\n",
    ]
    return seeds


def frame_seeds(lines):
    seeds = []
    for i, line in enumerate(spread(lines, 6)):
        msg = ("<%d>" % (13 + i) + line).encode()
        if i % 2:
            seeds.append(b"%d %s" % (len(msg), msg) * 2)
        else:
            seeds.append(msg + b"\n" + msg + b"\r\n")
    return seeds


def sensor_lines(name):
    """The hand-written sensor logs of tests/fixtures/net, line by line."""
    with open(os.path.join(ROOT, "tests/fixtures/net", name), encoding="utf-8") as f:
        return [l.rstrip("\n") for l in f if l.strip()]


def net_packets():
    """Frames built here (Ethernet, VLAN, IPv4, IPv6 with extension
    headers, TCP, UDP, ICMP, DNS, a TLS ClientHello, an HTTP request), each
    prefixed by a byte choosing the link type as fuzz_net_decode.c reads
    it; also cut in half so the short paths start covered."""
    import struct

    def eth(et, body, vlan=False):
        h = b"\x00\x11\x22\x33\x44\x55\x66\x77\x88\x99\xaa\xbb"
        if vlan:
            h += struct.pack(">HH", 0x8100, 42)
        return h + struct.pack(">H", et) + body

    def ip4(proto, body, src=b"\x0a\x00\x00\x01", dst=b"\x0a\x00\x00\x02"):
        return struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(body), 1, 0,
                           64, proto, 0, src, dst) + body

    def ip6(nh, body, ext=b""):
        src = b"\x20\x01\x0d\xb8" + b"\x00" * 11 + b"\x01"
        dst = b"\x20\x01\x0d\xb8" + b"\x00" * 11 + b"\x02"
        return struct.pack(">IHBB16s16s", 0x60000000, len(ext) + len(body),
                           nh, 64, src, dst) + ext + body

    def tcp(sp, dp, flags, payload=b""):
        return struct.pack(">HHIIBBHHH", sp, dp, 1, 0, 5 << 4, flags, 65535,
                           0, 0) + payload

    def udp(sp, dp, payload):
        return struct.pack(">HHHH", sp, dp, 8 + len(payload), 0) + payload

    def qname(n):
        return b"".join(bytes([len(l)]) + l.encode() for l in n.split(".")) + b"\0"

    def dns(name, qtype, resp=False):
        m = struct.pack(">HHHHHH", 0x1234, 0x8180 if resp else 0x0100, 1,
                        1 if resp else 0, 0, 0) + qname(name) + struct.pack(">HH", qtype, 1)
        if resp:
            m += b"\xc0\x0c" + struct.pack(">HHIH", 16, 1, 60, 4) + b"\x03abc"
        return m

    def ext(t, b):
        return struct.pack(">HH", t, len(b)) + b

    sni = b"example.org"
    exts = (ext(0x0a0a, b"") +
            ext(0, struct.pack(">HBH", len(sni) + 3, 0, len(sni)) + sni) +
            ext(10, struct.pack(">HHHH", 6, 0x1a1a, 29, 23)) +
            ext(11, b"\x01\x00") +
            ext(13, struct.pack(">HHH", 4, 0x0403, 0x0804)) +
            ext(16, b"\x00\x03\x02h2") +
            ext(43, b"\x04\x03\x04\x03\x03"))
    ch = (b"\x03\x03" + b"\x11" * 32 + b"\x00" +
          struct.pack(">HHHH", 6, 0x2a2a, 0x1301, 0xc02f) + b"\x01\x00" +
          struct.pack(">H", len(exts)) + exts)
    hs = b"\x01" + struct.pack(">I", len(ch))[1:] + ch
    tls = b"\x16\x03\x01" + struct.pack(">H", len(hs)) + hs
    http = b"GET /index.php?id=1 HTTP/1.1\r\nUser-Agent: x\r\nHost: Example.COM\r\n\r\n"
    frames = [
        b"\0" + eth(0x0800, ip4(17, udp(5353, 53, dns("a.example.com", 16)))),
        b"\0" + eth(0x0800, ip4(17, udp(53, 5353, dns("a.example.com", 16, True)))),
        b"\0" + eth(0x0800, ip4(6, tcp(40000, 80, 0x02)), vlan=True),
        b"\0" + eth(0x0800, ip4(6, tcp(40001, 443, 0x18, tls))),
        b"\0" + eth(0x0800, ip4(6, tcp(40002, 80, 0x18, http))),
        b"\0" + eth(0x0800, ip4(1, b"\x08\x00\x00\x00\x00\x01\x00\x01ping")),
        b"\0" + eth(0x86dd, ip6(0, udp(1000, 53, dns("v6.example.net", 1)),
                                   ext=b"\x2c\x00" + b"\x00" * 6 +
                                   b"\x11\x00\x00\x00\x00\x00\x00\x07")),
        b"\x01" + ip4(6, tcp(1, 2, 0x12)),
        b"\x01" + ip6(6, tcp(3, 4, 0x11)),
        b"\x02" + b"\x00\x00\x00\x01\x00\x06" + b"\x00" * 8 +
        b"\x08\x00" + ip4(17, udp(1, 2, b"x")),
        b"\x03" + b"\x02\x00\x00\x00" + ip4(6, tcp(5, 6, 0x04)),
    ]
    return frames + [f[: len(f) // 2] for f in frames]


def seeds_by_target():
    lines = fixture_lines()
    kinds = by_kind(lines)
    rules = rule_files()
    return {
        "parse_syslog": syslog_seeds(kinds["syslog"]),
        "parse_auditd": spread(kinds["auditd"]),
        "parse_access": spread(kinds["access"]),
        "parse_json": json_seeds(lines),
        "parse_cef": cef_seeds(lines),
        "config": config_seeds(),
        "sigma_rule": rules,
        "sigma_condition": condition_seeds(rules),
        "disclose_ooxml": ooxml_seeds(),
        "disclose_pii": pii_seeds(lines),
        "ingest_frame": frame_seeds(kinds["syslog"]),
        "net_decode": net_packets(),
        "parse_suricata": sensor_lines("eve.json"),
        "parse_zeek": sensor_lines("zeek.json"),
    }


def main():
    check = "--check" in sys.argv[1:]
    missing = 0
    for target, seeds in sorted(seeds_by_target().items()):
        d = os.path.join(HERE, "corpus", target)
        os.makedirs(d, exist_ok=True)
        for s in seeds:
            data = s.encode() if isinstance(s, str) else s
            path = os.path.join(d, "g-" + hashlib.sha1(data).hexdigest()[:12])
            if os.path.exists(path):
                continue
            missing += 1
            if check:
                print("missing seed", os.path.relpath(path, ROOT))
            else:
                with open(path, "wb") as f:
                    f.write(data)
        print("%-16s %d seeds" % (target, len(os.listdir(d))))
    if check and missing:
        print("the seeds are older than their fixtures: run "
              "tests/fuzz/make_seeds.py and commit tests/fuzz/corpus")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
