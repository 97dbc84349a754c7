#!/usr/bin/env python3
"""md2man.py -- turns one manual page written in the Markdown of
docs/man/*.md into roff for man(1). Only what those pages use is known:
a "# name(N)" title, "## SECTION" headings, paragraphs, `code`, **bold**,
*italic*, [links](url), "- " lists, four-space indented blocks, tables
(rendered with tbl, hence the '\\" t line), and definition lists (a term
line followed by ": text" or ":   text" and indented continuation lines).
pandoc would do this too, at 170 MB installed; this is the part we need.

Usage: md2man.py IN.md OUT.1 VERSION
Fails (exit 1, file:line: message) on a construct it does not know rather
than printing it wrongly."""

import os
import re
import sys


def esc(text):
    """Escapes roff specials in running text."""
    text = text.replace("\\", "\\e")
    text = text.replace("\u2014", "\\(em").replace("\u2013", "\\(en")
    return text


def inline(text):
    """Markdown inline markup to roff font changes."""
    out, pos = [], 0
    # `code` first: nothing inside it is markup.
    for m in re.finditer(r"`([^`]*)`", text):
        out.append(spans(text[pos:m.start()]))
        out.append("\\fB" + esc(m.group(1)).replace("-", "\\-") + "\\fR")
        pos = m.end()
    out.append(spans(text[pos:]))
    return "".join(out)


def spans(text):
    text = esc(text)
    text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"\*\*([^*]+)\*\*", r"\\fB\1\\fR", text)
    text = re.sub(r"(?<![\w*])\*([^*\s][^*]*)\*(?![\w*])", r"\\fI\1\\fR",
                  text)
    return text


def line_out(text):
    """A text line, safe from being read as a roff request."""
    if text.startswith((".", "'")):
        return "\\&" + text
    return text


def text_lines(lines):
    """Markup over the lines together (a `span` may cross a line break),
    then one roff line each."""
    return [line_out(l) for l in inline("\n".join(lines)).split("\n")]


class Page:
    def __init__(self, path):
        self.path = path
        self.out = []
        self.para = []
        self.section = ""

    def fail(self, n, msg):
        sys.exit("%s:%d: %s" % (self.path, n, msg))

    def flush(self):
        if self.para:
            self.out.append(".PP")
            body = text_lines(self.para)
            if self.section == "SYNOPSIS":  # one usage form a line
                body = "\n.br\n".join(body).split("\n")
            self.out.extend(body)
            self.para = []

    def convert(self, lines, version):
        i = 0
        m = re.match(r"^# (\S+)\((\d)\)\s*$", lines[0]) if lines else None
        if not m:
            self.fail(1, 'the first line must be "# name(N)"')
        name, sect = m.group(1), m.group(2)
        self.out.append("'\\\" t")
        self.out.append('.TH "%s" "%s" "" "vigil %s" "vigil manual"'
                        % (name.upper(), sect, version))
        i = 1
        while i < len(lines):
            l = lines[i]
            n = i + 1
            if not l.strip():
                self.flush()
                i += 1
            elif l.startswith("## "):
                self.flush()
                self.section = l[3:].strip()
                self.out.append('.SH "%s"' % esc(self.section))
                i += 1
            elif l.startswith("#"):
                self.fail(n, "only # and ## headings are known")
            elif l.startswith("    ") and not self.para:
                i = self.block(lines, i)
            elif l.startswith("```"):
                self.fail(n, "fenced code: indent it by four spaces")
            elif l.startswith("- "):
                self.flush()
                i = self.item(lines, i)
            elif l.startswith("|"):
                self.flush()
                i = self.table(lines, i)
            elif (i + 1 < len(lines) and re.match(r"^:\s", lines[i + 1])
                  and not self.para):
                i = self.definition(lines, i)
            else:
                self.para.append(l.strip())
                i += 1
        self.flush()
        return "\n".join(self.out) + "\n"

    def block(self, lines, i):
        """Indented lines (blank lines inside kept), shown as they are."""
        body = []
        while i < len(lines) and (lines[i].startswith("    ") or
                                  (not lines[i].strip() and i + 1 < len(lines)
                                   and lines[i + 1].startswith("    "))):
            body.append(lines[i][4:])
            i += 1
        self.out.append(".PP\n.RS 4\n.nf")
        self.out.extend(line_out(esc(b)) for b in body)
        self.out.append(".fi\n.RE")
        return i

    def item(self, lines, i):
        text = [lines[i][2:].strip()]
        i += 1
        while i < len(lines) and lines[i].startswith("  ") and \
                lines[i].strip():
            text.append(lines[i].strip())
            i += 1
        self.out.append(".IP \\(bu 2")
        self.out.extend(text_lines(text))
        return i

    def definition(self, lines, i):
        self.out.append(".TP")
        self.out.append(line_out(inline(lines[i].strip())))
        i += 1
        text = [re.sub(r"^:\s+", "", lines[i]).strip()]
        i += 1
        while i < len(lines) and lines[i].startswith("  ") and \
                lines[i].strip():
            text.append(lines[i].strip())
            i += 1
        self.out.extend(text_lines(text))
        return i

    def table(self, lines, i):
        rows = []
        while i < len(lines) and lines[i].startswith("|"):
            cells = [c.strip() for c in lines[i].strip().strip("|").split("|")]
            if not all(re.match(r"^:?-+:?$", c) for c in cells):
                rows.append(cells)
            i += 1
        width = max(len(r) for r in rows)
        self.out.append(".PP\n.TS\nallbox;")
        self.out.append(" ".join(["lb"] * width))
        self.out.append(" ".join(["l"] * (width - 1) + ["lx"]) + ".")
        for r in rows:
            r = r + [""] * (width - len(r))
            self.out.append("\t".join("T{\n%s\nT}" % line_out(inline(c))
                                        for c in r))
        self.out.append(".TE")
        return i


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: md2man.py IN.md OUT.1 VERSION")
    src, dst, version = sys.argv[1:]
    with open(src, encoding="utf-8") as f:
        lines = f.read().split("\n")
    roff = Page(src).convert(lines, version)
    os.makedirs(os.path.dirname(os.path.abspath(dst)), exist_ok=True)
    with open(dst, "w", encoding="utf-8") as f:
        f.write(roff)


if __name__ == "__main__":
    main()
