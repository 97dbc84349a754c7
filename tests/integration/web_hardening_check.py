#!/usr/bin/env python3
"""web_hardening_check.py -- the dashboard's defences against a running
daemon (test_web_hardening.sh starts it with web.login_attempts 3, so a
per-address ceiling of 12): the login limiter keyed by (address, user)
with an address ceiling, two addresses that shared a slot of the old
table, parallel logins, a neighbour on the same address, the log gate and
the audit rows of refused logins, bearer-token logout, the Host check,
HEAD, %00 in a path, 1024-character passwords and the per-address
connection limit. Source addresses 127.0.0.2... are used as clients.

usage: web_hardening_check.py PORT STATE_DIR VIEWER_TOKEN DAEMON_LOG LONGPW"""
import http.client
import json
import re
import socket
import sys
import threading
import time

PORT, STATE, VTOKEN, LOG, LONGPW = sys.argv[1:6]
PORT = int(PORT)
PW = {"adm": "admin password 1", "ana": "analyst password 2",
      "vic": "viewer password 3"}
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def req(method, path, body=None, headers=None, src="127.0.0.1", host=None):
    c = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30,
                                   source_address=(src, 0))
    h = dict(headers or {})
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        h["Content-Type"] = "application/json"
    c.putrequest(method, path, skip_host=True)
    c.putheader("Host", host or "127.0.0.1:%d" % PORT)
    for k, v in h.items():
        c.putheader(k, v)
    if data is not None:
        c.putheader("Content-Length", str(len(data)))
    c.endheaders(data)
    r = c.getresponse()
    raw = r.read()
    c.close()
    return r.status, dict((k.lower(), v) for k, v in r.getheaders()), raw


def login(user, pw, src="127.0.0.1"):
    return req("POST", "/api/login", {"user": user, "password": pw}, src=src)[0]


VT = {"Authorization": "Bearer " + VTOKEN}


def refused_metric():
    raw = req("GET", "/metrics", headers=VT)[2].decode()
    m = re.search(r"^vigil_http_refused_total\S* (\d+)", raw, re.M)
    return int(m.group(1)) if m else -1


# ---- 15e, 15f, 15a: HEAD, %00, Host ----
st, hd, raw = req("HEAD", "/api/openapi.json")
check(st == 200 and raw == b"" and int(hd.get("content-length", "0")) > 0,
      "HEAD is answered like GET without a body: %d" % st)
check(req("HEAD", "/api/status", headers=VT)[0] == 200, "HEAD /api/status with a token")
check(req("GET", "/api/openapi.json%00/../alerts")[0] == 400, "a path with %00 is 400")
check(req("GET", "/assets/login.js%00x")[0] == 400, "an asset path with %00 is 400")
check(req("GET", "/api/openapi.json", host="evil.example:%d" % PORT)[0] == 421,
      "a foreign Host is 421 (DNS rebinding)")
check(req("POST", "/api/login", {"user": "adm", "password": PW["adm"]},
          host="evil.example")[0] == 421, "login under a foreign Host is 421")
check(req("GET", "/api/openapi.json", host="127.0.0.1:%d" % (PORT + 1))[0] == 421,
      "another port in Host is 421")
for h in ("localhost:%d" % PORT, "LOCALHOST", "127.0.0.1", "[::1]:%d" % PORT,
          "dash.example.org:%d" % PORT):
    check(req("GET", "/api/openapi.json", host=h)[0] == 200, "Host %s is served" % h)

# ---- 5: a bearer token cannot "log out" ----
st, _, raw = req("POST", "/api/logout", {}, VT)
check(st == 400 and b"vigil user" in raw, "logout with a token is 400: %d %s" % (st, raw))
check(req("GET", "/api/status", headers=VT)[0] == 200, "the token still works")
acts = json.loads(req("GET", "/api/actions", headers=VT)[2])["items"]
check(not any(a["action"] == "logout" for a in acts), "no logout audited for a token")

# ---- 14: the same bound at login ----
check(login("longpw", LONGPW) == 200, "a 1024-character password logs in")
check(login("longpw", LONGPW + "x") == 400, "a 1025-character password is 400")

# ---- 1: two addresses that shared a slot of the old 256-slot table ----
# (each pair refills one attempt every 20 s: a slow machine may earn one)
codes, t0 = [], time.time()
for i in range(16):
    codes.append(login("ana", "wrong %d" % i, ("127.0.0.2", "127.0.0.110")[i % 2]))
earned = 2 * int((time.time() - t0) / 20)
check(codes.count(401) <= 6 + earned and 429 in codes[-4:],
      "alternating colliding addresses do not reset each other: %s" % codes)

# ---- 2: parallel wrong logins do not exceed the limit ----
par = []
ts = [threading.Thread(target=lambda i=i: par.append(login("vic", "bad %d" % i, "127.0.0.3")))
      for i in range(8)]
for t in ts:
    t.start()
for t in ts:
    t.join()
check(par.count(401) <= 3 and par.count(429) >= 5,
      "8 parallel wrong logins: at most 3 checked: %s" % sorted(par))

# ---- 3: a neighbour on the same address ----
codes = [login("vic", "bad %d" % i, "127.0.0.4") for i in range(5)]
check(codes[-1] == 429, "vic is locked at 127.0.0.4: %s" % codes)
check(login("ana", PW["ana"], "127.0.0.4") == 200,
      "ana's right password works while vic's pair is locked at her address")
# adm logged in from 127.0.0.5 before; then the address's ceiling (12) is
# spent on other names
check(login("adm", PW["adm"], "127.0.0.5") == 200, "adm logs in from 127.0.0.5")
# (the ceiling refills one attempt every 5 s: spray until refused, then
# try at once; a second user if a refill slipped in between)
sprayed = 0
for who in ("ana", "vic"):
    t0, codes = time.time(), []
    while 429 not in codes and len(codes) < 40:
        codes.append(login("x%d" % sprayed, "bad password", "127.0.0.5"))
        sprayed += 1
    check(429 in codes and codes.count(401) <= 12 + (time.time() - t0) / 5 + 1,
          "spraying names hits the address ceiling: %s" % codes)
    if login(who, PW[who], "127.0.0.5") == 429:
        break
else:
    check(False, "a user new to a spent address waits")
check(login("adm", PW["adm"], "127.0.0.5") == 200,
      "a user who logged in from this address before still gets in")

# ---- 17, 15o: the log gate, metrics and audit of refused logins ----
before = refused_metric()
flood = [login("ana", "wrong again", "127.0.0.11") for _ in range(63)]
check(flood.count(401) <= 4 and flood.count(429) >= 59,
      "the flood is refused: %d x 401" % flood.count(401))
after = refused_metric()
check(after - before >= 60, "/metrics counts every refusal: %d -> %d" % (before, after))
with open(LOG, errors="replace") as f:
    text = f.read()
lines = len(re.findall(r"\[240[34]\]", text))
check(0 < lines <= 30, "refused logins logged through the gate: %d lines" % lines)
acts = json.loads(req("GET", "/api/actions?limit=500", headers=VT)[2])["items"]
kinds = {a["action"] for a in acts}
check("login.failed" in kinds and "login.refused" in kinds,
      "failed and refused logins are in Last actions: %s" % sorted(kinds))
check(sum(a["action"].startswith("login.") and a["action"] != "login" for a in acts) <= 30,
      "their audit rows are gated too")

# ---- 9: one client holding many connections ----
held, closed = [], 0
for _ in range(48):
    s = socket.socket()
    s.bind(("127.0.0.9", 0))
    s.settimeout(3)
    try:
        s.connect(("127.0.0.1", PORT))
        s.sendall(b"GET /api/status HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        held.append(s)
    except OSError:
        closed += 1
time.sleep(2)
for s in held:
    s.settimeout(0.2)
    try:
        if s.recv(1) == b"":
            closed += 1
    except socket.timeout:
        pass
    except OSError:
        closed += 1
check(closed >= 48 - 32, "one address holds at most 32 connections: %d of 48 closed" % closed)
t0 = time.time()
st = req("GET", "/api/openapi.json", src="127.0.0.10")[0]
check(st == 200 and time.time() - t0 < 5, "another address is served meanwhile: %d" % st)
for s in held:
    s.close()

print("%d failures" % len(failures))
sys.exit(1 if failures else 0)
