#!/usr/bin/env python3
"""bench/coverage/evtx_coverage.py -- how many of the corpus's attack EVTX
recordings raise at least one alert of level medium or above under
`vigil hunt` with SigmaHQ's rules (from the corpus) and vigil's own pack,
per folder and overall; and every alert above low on the corpus's benign
Linux and web logs, for a reviewer to judge.

Each EVTX file is hunted on its own, so a correlation can never be
completed by events of another recording. Figures go to stdout as
Markdown tables (docs/coverage.md is made from them).

usage: bench/coverage/evtx_coverage.py [--vigil BIN] [--corpus DIR]
           [--jobs N] [--min-level medium] [--no-benign] [--why]

--why names, for each file that alerted, the rules that did (one line).
Exit status: 0 when the share reaches --target (default 95), 1 below it,
77 when the binary or the corpus is absent.
"""
import argparse
import collections
import concurrent.futures
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.dirname(os.path.dirname(HERE))
ATTACK_DIRS = ("evtx-attack-samples", "deepbluecli", "evtx-to-mitre-attack")
SIGMA_DIRS = ("rules", "rules-emerging-threats", "rules-threat-hunting",
              "rules-compliance")
BENIGN = ("loghub/Linux/Linux_2k.log", "loghub/Apache/Apache_2k.log",
          "elastic-examples/Common Data Formats/apache_logs/apache_logs")


def hunt(vigil, rules, path, level):
    """JSON alerts of one `vigil hunt` over path (rule id, title, level)."""
    cmd = [vigil, "hunt", "--json", "--jobs", "1", "--min-level", level]
    for r in rules:
        cmd += ["--rules", r]
    cmd.append(path)
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       check=False)
    if p.returncode not in (0, 1, 65):
        sys.stderr.write("vigil hunt exited %d on %s: %s\n" %
                         (p.returncode, path, p.stderr.decode()[-400:]))
    out = []
    for line in p.stdout.decode("utf-8", "replace").splitlines():
        if not line.startswith("{"):
            continue
        a = json.loads(line)
        out.append((a["rule"]["level"], a["rule"]["title"]))
    return out, p.returncode


def folder_of(corpus, path):
    rel = os.path.relpath(path, corpus).split(os.sep)
    return "/".join(rel[:2]) if len(rel) > 2 else rel[0]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vigil", default=os.environ.get(
        "VIGIL_BIN", os.path.join(SRC, "build", "vigil")))
    ap.add_argument("--corpus", default=os.environ.get(
        "VIGIL_CORPUS", os.path.join(SRC, "..", "shared", "data")))
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--min-level", default="medium")
    ap.add_argument("--target", type=float, default=95.0)
    ap.add_argument("--no-benign", action="store_true")
    ap.add_argument("--why", action="store_true")
    o = ap.parse_args()
    if not os.access(o.vigil, os.X_OK):
        print("SKIP: %s not built" % o.vigil)
        return 77
    sigma = os.path.join(o.corpus, "sigmahq-sigma")
    rules = [os.path.join(sigma, d) for d in SIGMA_DIRS
             if os.path.isdir(os.path.join(sigma, d))]
    files = []
    for d in ATTACK_DIRS:
        for root, _, names in os.walk(os.path.join(o.corpus, d)):
            files += [os.path.join(root, n) for n in names
                      if n.lower().endswith(".evtx")]
    files.sort()
    if not rules or not files:
        print("SKIP: no SigmaHQ rules or EVTX files under %s" % o.corpus)
        return 77

    with concurrent.futures.ThreadPoolExecutor(o.jobs) as ex:
        res = dict(zip(files, ex.map(
            lambda f: hunt(o.vigil, rules, f, o.min_level), files)))

    per = collections.OrderedDict()
    missed = []
    for f in files:
        k = folder_of(o.corpus, f)
        hit = len(res[f][0]) > 0
        tot = per.setdefault(k, [0, 0])
        tot[0] += hit
        tot[1] += 1
        if not hit:
            missed.append((f, res[f][1]))
    print("## Attack EVTX files with an alert of level %s or above\n" %
          o.min_level)
    print("| folder | files | alerting | share |")
    print("| --- | ---: | ---: | ---: |")
    for k, (h, n) in sorted(per.items()):
        print("| %s | %d | %d | %.0f %% |" % (k, n, h, 100.0 * h / n))
    nh = sum(h for h, _ in per.values())
    nt = sum(n for _, n in per.values())
    share = 100.0 * nh / nt
    print("| **all** | **%d** | **%d** | **%.1f %%** |\n" % (nt, nh, share))
    print("Missed (%d):\n" % len(missed))
    for f, rc in missed:
        print("- `%s`%s" % (os.path.relpath(f, o.corpus),
                            " (exit %d)" % rc if rc not in (0, 1) else ""))
    if o.why:
        print("\nRules that fired:\n")
        for f in files:
            if res[f][0]:
                c = collections.Counter(t for _, t in res[f][0])
                print("- `%s`: %s" % (os.path.relpath(f, o.corpus), "; ".join(
                    "%s x%d" % (t, n) for t, n in c.most_common(4))))

    if not o.no_benign:
        print("\n## Alerts above low on benign Linux and web logs\n")
        print("| file | level | rule | alerts |")
        print("| --- | --- | --- | ---: |")
        for b in BENIGN:
            p = os.path.join(o.corpus, b)
            if not os.path.exists(p):
                continue
            alerts, _ = hunt(o.vigil, rules, p, "medium")
            c = collections.Counter(alerts)
            if not c:
                print("| %s | - | (none) | 0 |" % b)
            for (lvl, title), n in sorted(c.items()):
                print("| %s | %s | %s | %d |" % (b, lvl, title, n))
    return 0 if share >= o.target else 1


if __name__ == "__main__":
    sys.exit(main())
