#!/usr/bin/env python3
"""make_seeds.py -- writes the fuzz targets' seed corpora into
tests/fuzz/corpus/<target>/ from the repository's own fixtures: the rule
tests' log lines (tests/rules/*/pos.log, neg.log), the rule pack
(rules/**/*.yml), the configuration example (docs/configuration.md), and
inputs built here (JSON and CEF records carrying the fixtures' values, small
OOXML containers, RFC 6587 frames, EVTX images written by EvtxWriter below).
Never reads ../shared/data.

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
import struct
import sys
import zipfile
import zlib

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


def json_diff_seeds(lines):
    """The json seeds plus the lines where vigil and jansson could part:
    repeated and dotted keys in both orders, arrays, escapes, numbers at
    the edges, and JSON that is broken only inside an array kept as
    text (vigil accepted those until the differential target found
    them)."""
    seeds = json_seeds(lines)
    seeds += [
        '{"process":{"args":["powershell.exe","-enc","SQBFAFgA"]},'
        '"n":[1,"two",null,true,-3.5],"mix":["a",{"b":[1]}],"e":[]}',
        '{"CommandLine":"notepad.exe","CommandLine":"mimikatz","a":{"b":1},'
        '"a":{"c":[1,2]},"a.c":null,"x.y":1,"x":0}',
        '{"a.b":1,"a":{"b":2}}',
        '{"a":{"b":2},"a.b":1}',
        '{"a":{"b":1},"a.b":2,"a":{"c":3}}',
        '{"a\\u002eb":1,"a":{"c":1},"k\\"ey":{"n\\u0041me":1}}',
        '{"Image":"evil.exe\\u0000C:\\\\ok.exe","l":["a\\u0000"]}',
        '{"u":"caf\\u00e9 \\ud83d\\ude00","lone":"\\ud800x"}',
        '{"big":99999999999999999999,"min":-9223372036854775808,"z":-0,'
        '"r":1.5e3,"h":1e400}',
        '{"a":[{"x":1}, garbage]}',
        '{"a":[{"x":1}, "\\q"]}',
        '{"a":[{"x":1}, 01]}',
        '{"a":01}',
        '{"a":[1,]}',
        '{"a":1,}',
        '{"a":[{"b":1},{"b":2,"b":3}],"c":[[1]],"ip":"10.0.0.1","x.ip":"::1"}',
        '{"time":"2024-01-01T00:00:00Z","time":"nope"}',
        '{"CommandLine":"mimikatz","":{"CommandLine":"notepad.exe"},'
        '"":{"":{"x":1}}}',
    ]
    return seeds


def pdf_text_seeds():
    """Page content for fuzz_disclose_pdf_text: pages drawn by
    pdf_text_diff.py's generator (every way of showing a word, visible and
    hidden), and pages that leave the interpreter's state broken (page 2's
    marker must survive them)."""
    sys.path.insert(0, HERE)
    import pdf_text_diff
    rng = pdf_text_diff.random.Random(10)
    seeds = []
    for kind in pdf_text_diff.KINDS:
        doc = pdf_text_diff.Doc(rng)
        doc.add(kind)
        doc.add(rng.choice(pdf_text_diff.KINDS))
        seeds.append("\n".join(doc.parts + doc.form))
    for _ in range(10):
        doc = pdf_text_diff.Doc(rng)
        for _ in range(8):
            doc.add(rng.choice(pdf_text_diff.KINDS))
        seeds.append(pdf_text_diff.mutated(rng, "\n".join(doc.parts)))
    seeds += [
        "q q q BT /F1 12 Tf 3 Tr 1 g (open) Tj",
        "/OC /oc1 BDC /OC /oc1 BDC BT /F1 12 Tf (layer) Tj ET",
        "0.001 0 0 0.001 0 0 cm BT /F1 12 Tf (small) Tj ET",
        "BT /F1 12 Tf (unterminated \\) Tj ET",
        "BI /W 1 /H 1 /BPC 8 /CS /G ID \x00\x01 BT (in image) Tj ET",
        "/X1 Do /X1 Do q /X1 Do Q",
        "BT /F2 12 Tf <0141014201430144> Tj ET\n--\n"
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
        "1 begincodespacerange <0000> <FFFF> endcodespacerange\n"
        "1 beginbfrange <0100> <01FF> <0000> endbfrange\n"
        "endcmap CMapName currentdict /CMap defineresource pop end end",
        "BT /F1 1e308 Tf 1e308 0 0 1e308 0 0 Tm (huge) Tj ET "
        "BT /F1 -12 Tf (negative) Tj ET",
        "Q Q Q ET ET EMC EMC BT (after) Tj",
    ]
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



class EvtxWriter:
    """Writes EVTX images the way Windows does (docs/evtx.md): a 4 KiB file
    header, 64 KiB chunks with their string and template tables, records
    whose binary XML instantiates templates with typed substitution values.
    For the EVTX reader's seeds: every token and value type, templates
    defined once and referenced again, nested binary XML, arrays, optional
    substitutions, a dirty header, slack space and a damaged chunk."""

    def __init__(self):
        self.chunks = []
        self.new_chunk()

    def new_chunk(self):
        self.c = bytearray(512)
        self.names = {}
        self.templates = {}
        self.first_id = None
        self.last_rec = 0
        self.nrec = 0
        self.chunks.append(self.c)

    @staticmethod
    def u16(v):
        return struct.pack("<H", v & 0xFFFF)

    @staticmethod
    def u32(v):
        return struct.pack("<I", v & 0xFFFFFFFF)

    def name(self, buf, base, s, dep=True):
        """A name reference at the end of buf (which will sit at chunk
        offset base): defined in place the first time, by offset after."""
        if s in self.names:
            return buf + self.u32(self.names[s])
        at = base + len(buf) + 4
        self.names[s] = at
        h = 0
        for ch in s:
            h = (h * 65599 + ord(ch)) & 0xFFFFFFFF
        return (buf + self.u32(at) + self.u32(0) + self.u16(h) +
                self.u16(len(s)) + s.encode("utf-16-le") + b"\0\0")

    def element(self, buf, base, tag, attrs, content, dep=True):
        """<tag attrs>content</tag>: attrs a list of (name, tokens-fn);
        content a function appending tokens."""
        buf += bytes([0x41 if attrs else 0x01])
        if dep:
            buf += self.u16(0xFFFF)
        buf += self.u32(0)  # data size: not needed to read
        buf = self.name(buf, base, tag)
        if attrs:
            buf += self.u32(0)
            for i, (an, fn) in enumerate(attrs):
                buf += bytes([0x46 if i + 1 < len(attrs) else 0x06])
                buf = self.name(buf, base, an)
                buf = fn(buf)
        if content is None:
            return buf + b"\x03"
        buf += b"\x02"
        buf = content(buf)
        return buf + b"\x04"

    @staticmethod
    def text(s):
        return lambda b: b + b"\x05\x01" + struct.pack("<H", len(s)) + \
            s.encode("utf-16-le")

    @staticmethod
    def sub(i, t, optional=False):
        return lambda b: b + bytes([0x0E if optional else 0x0D]) + \
            struct.pack("<HB", i, t)

    def template(self, key, body_fn, base):
        """Template instance header for template key; its definition is
        written in place the first time."""
        out = b"\x0c\x01" + self.u32(0)
        if key in self.templates:
            return out + self.u32(self.templates[key])
        at = base + len(out) + 4
        self.templates[key] = at
        body = body_fn(bytearray(b"\x0f\x01\x01\x00"), at + 24)
        body += b"\x00"
        return (out + self.u32(at) + self.u32(0) + bytes(range(16)) +
                self.u32(len(body)) + bytes(body))

    @staticmethod
    def values(vals):
        out = struct.pack("<I", len(vals))
        for t, d in vals:
            out += struct.pack("<HBB", len(d), t, 0)
        for t, d in vals:
            out += d
        return out

    def record(self, rid, fragment_fn):
        base = len(self.c)
        frag = fragment_fn(bytearray(b"\x0f\x01\x01\x00"), base + 24)
        frag += b"\x00"
        size = 24 + len(frag) + 4
        pad = (8 - size % 8) % 8
        size += pad
        rec = (b"\x2a\x2a\x00\x00" + self.u32(size) + struct.pack("<Q", rid) +
               struct.pack("<Q", 132000000000000000 + rid) + bytes(frag) +
               b"\0" * pad + self.u32(size))
        self.c += rec
        self.last_rec = base
        self.nrec += 1
        if self.first_id is None:
            self.first_id = rid

    def finish_chunk(self, c_index, free_off=None):
        c = self.c
        free = len(c) if free_off is None else free_off
        c += b"\0" * (65536 - len(c))
        c[0:8] = b"ElfChnk\0"
        c[8:40] = struct.pack("<QQQQ", 1, self.nrec, self.first_id or 1,
                              (self.first_id or 1) + self.nrec - 1)
        c[40:52] = struct.pack("<III", 128, self.last_rec, free)
        c[52:56] = self.u32(zlib.crc32(bytes(c[512:free])))
        c[124:128] = self.u32(zlib.crc32(bytes(c[:120]) + bytes(c[128:512])))

    def image(self, header_chunks=None, flags=0):
        h = bytearray(4096)
        n = len(self.chunks)
        h[0:8] = b"ElfFile\0"
        h[8:32] = struct.pack("<QQQ", 0, n - 1, 1000)
        h[32:44] = struct.pack("<IHHHH", 128, 1, 3, 4096,
                               n if header_chunks is None else header_chunks)
        h[120:124] = self.u32(flags)
        h[124:128] = self.u32(zlib.crc32(bytes(h[:120])))
        return bytes(h) + b"".join(bytes(c) for c in self.chunks)


def evtx_event(w, rid, data):
    """One record: Event/System from a shared template, EventData
    from a second one; data: (name, type, bytes, optional) tuples."""
    def system(b, base):
        def sysbody(body, tb):
            e = w.element
            def inner(x):
                x = e(x, tb, "Provider", [("Name", w.sub(0, 1)),
                                          ("Guid", w.sub(1, 0x0f, True))], None)
                x = e(x, tb, "EventID", [("Qualifiers", w.sub(2, 6, True))],
                      w.sub(3, 6))
                x = e(x, tb, "Level", [], w.sub(4, 4))
                x = e(x, tb, "Keywords", [], w.sub(5, 0x15))
                x = e(x, tb, "TimeCreated", [("SystemTime", w.sub(6, 0x11))],
                      None)
                x = e(x, tb, "EventRecordID", [], w.sub(7, 0x0a))
                x = e(x, tb, "Correlation",
                      [("ActivityID", w.sub(8, 0x0f, True))], None)
                x = e(x, tb, "Channel", [], w.text("Security"))
                x = e(x, tb, "Computer", [], w.sub(9, 1))
                x = e(x, tb, "Security", [("UserID", w.sub(10, 0x13, True))],
                      None)
                return x
            def ev(x):
                x = e(x, tb, "System", [], inner)
                return x + bytes([0x0D]) + struct.pack("<HB", 11, 0x21)
            return e(body, tb, "Event",
                     [("xmlns", w.text("http://schemas.microsoft.com/win/2004/08/events/event"))],
                     ev)
        b += w.template("system", sysbody, base + len(b))
        u16s = lambda s: (s + "\0").encode("utf-16-le")
        sid = bytes([1, 5, 0, 0, 0, 0, 0, 5, 21, 0, 0, 0]) + \
            struct.pack("<IIII", 1, 2, 3, 1001)
        nested = bytearray(b"\x0f\x01\x01\x00")
        def datatpl(body, tb):
            def ed(x):
                for i, (n, t, d, opt) in enumerate(data):
                    x = w.element(x, tb, "Data", [("Name", w.text(n))],
                                  w.sub(i, t, opt))
                return x
            return w.element(body, tb, "EventData", [], ed)
        # nested binary XML: its offsets are those of the chunk, so it is
        # laid out where it will sit: after the values' header.
        vals = [(1, u16s("Microsoft-Windows-Security-Auditing")),
                (0x0f, bytes(range(16))), (6, w.u16(16384)),
                (6, w.u16(4688)), (4, b"\x00"),
                (0x15, struct.pack("<Q", 0x8020000000000000)),
                (0x11, struct.pack("<Q", 132000000000000000 + rid)),
                (0x0a, struct.pack("<Q", rid)), (0, b""),
                (1, u16s("host.example")), (0x13, sid)]
        head = len(b) + 4 + 4 * (len(vals) + 1)
        at = base + head + sum(len(d) for _, d in vals)
        nested += w.template(("data", len(data), tuple(x[0] for x in data)),
                             datatpl, at + len(nested))
        nested += w.values([(t, d) for _, t, d, _ in data])
        nested += b"\x00"
        vals.append((0x21, bytes(nested)))
        return b + w.values(vals)
    w.record(rid, system)


def evtx_seeds():
    u16s = lambda s: (s + "\0").encode("utf-16-le")
    data = [
        ("CommandLine", 1, u16s("powershell -enc SQBFAFgA & <x> ]]>"), False),
        ("NewProcessName", 1, u16s("C:\\Windows\\System32\\cmd.exe"), False),
        ("TokenElevationType", 1, u16s("%%1936"), False),
        ("ProcessId", 0x14, struct.pack("<I", 0x1f4), False),
        ("SubjectLogonId", 0x15, struct.pack("<Q", 0x3e7), False),
        ("MandatoryLabel", 0x13, bytes([1, 1, 0, 0, 0, 0, 0, 16]) +
         struct.pack("<I", 12288), False),
        ("Empty", 1, b"", True),
        ("Flags", 0x0d, struct.pack("<I", 1), False),
        ("Ratio", 0x0c, struct.pack("<d", 0.5), False),
        ("Blob", 0x0e, b"\x00\xff\x10", False),
        ("Names", 0x81, u16s("a") + u16s("b"), False),
        ("Ports", 0x88, struct.pack("<II", 445, 3389), False),
        ("Small", 0x03, b"\xfb", False),
        ("Ansi", 0x02, b"ansi\0", False),
        ("Size", 0x10, struct.pack("<Q", 4096), False),
        ("When", 0x12, struct.pack("<8H", 2024, 3, 5, 1, 10, 0, 0, 7), False),
    ]
    seeds = []
    w = EvtxWriter()
    for rid in range(1, 6):
        evtx_event(w, rid, data[: 4 + rid * 2])
    # markup tokens in a record of its own: CDATA, references, a PI
    def misc(b, base):
        def body(x):
            x += b"\x07" + struct.pack("<H", 3) + "a<b".encode("utf-16-le")
            x += b"\x08" + struct.pack("<H", 0x263A)
            x += b"\x09"
            x = w.name(x, base, "amp")
            x += b"\x0a"
            x = w.name(x, base, "pi")
            x += b"\x0b" + struct.pack("<H", 2) + "hi".encode("utf-16-le")
            return x
        def user(x):
            return w.element(x, base, "Leaf", [], body, dep=False)
        def ev(x):
            x = w.element(x, base, "System", [],
                          lambda y: w.element(y, base, "EventID", [],
                                              w.text("1102")))
            return w.element(x, base, "UserData", [], user)
        return w.element(b, base, "Event", [], ev)
    w.record(6, misc)
    slack = len(w.c)
    evtx_event(w, 7, data)  # left in slack space below
    w.finish_chunk(0, free_off=slack)
    seeds.append(w.image())
    seeds.append(w.image(header_chunks=0, flags=1))  # dirty, stale count
    # a second chunk, then damage to the first one's records
    w.new_chunk()
    for rid in range(8, 11):
        evtx_event(w, rid, data[:6])
    w.finish_chunk(1)
    img = bytearray(w.image())
    seeds.append(bytes(img))
    img[4096 + 600] ^= 0xFF
    seeds.append(bytes(img))
    seeds.append(bytes(img[: 4096 + 65536 + 3000]))  # truncated chunk
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


def lineage_seeds():
    """The kernel's proc connector datagrams (native byte order, as
    fim_lineage.c reads them): forks of processes and threads, exits, a
    run of several in one datagram, and cut ones."""
    def msg(what, data):
        ev = struct.pack("=IIQ", what, 0, 123456789) + data
        ev += b"\0" * (40 - len(ev))
        cn = struct.pack("=IIIIHH", 1, 1, 0, 0, len(ev), 0) + ev
        return struct.pack("=IHHII", 16 + len(cn), 3, 0, 0, 0) + cn
    fork = msg(0x1, struct.pack("=iiii", 100, 100, 101, 101))
    thread = msg(0x1, struct.pack("=iiii", 100, 100, 102, 101))
    exit_ = msg(0x80000000, struct.pack("=iiIIii", 101, 101, 0, 17, 100, 100))
    execd = msg(0x2, struct.pack("=ii", 101, 101))
    run = fork + execd + exit_
    return [fork, thread, exit_, execd, run, fork[:30], run[:-7]]


def seeds_by_target():
    lines = fixture_lines()
    kinds = by_kind(lines)
    rules = rule_files()
    return {
        "parse_syslog": syslog_seeds(kinds["syslog"]),
        "parse_auditd": spread(kinds["auditd"]),
        "parse_access": spread(kinds["access"]),
        "parse_json": json_seeds(lines),
        "parse_json_diff": json_diff_seeds(lines),
        "parse_cef": cef_seeds(lines),
        "config": config_seeds(),
        "sigma_rule": rules,
        "sigma_condition": condition_seeds(rules),
        "disclose_ooxml": ooxml_seeds(),
        "disclose_pdf_text": pdf_text_seeds(),
        "disclose_pii": pii_seeds(lines),
        "ingest_frame": frame_seeds(kinds["syslog"]),
        "parse_evtx": evtx_seeds(),
        "net_decode": net_packets(),
        "parse_suricata": sensor_lines("eve.json"),
        "parse_zeek": sensor_lines("zeek.json"),
        "fim_lineage": lineage_seeds(),
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
