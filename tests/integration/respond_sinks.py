#!/usr/bin/env python3
"""respond_sinks.py -- the duty mailbox and webhook receiver for the
response tests: an SMTP server (aiosmtpd) on 127.0.0.1 that writes each
message it accepts to DIR/mail-N.eml (envelope in DIR/mail-N.rcpt), and
an HTTP server that writes each POST body to DIR/hook-N.json with the
X-Vigil-Signature header checked against SECRET (DIR/hook-N.sig: "ok" or
"bad"), and a UDP syslog receiver appending each datagram as a line to
DIR/syslog.txt. Writes "SMTP_PORT HTTP_PORT UDP_PORT" to DIR/ports when
all listen.
usage: respond_sinks.py DIR SECRET"""
import hashlib
import hmac
import http.server
import os
import socket
import sys
import threading
import time

from aiosmtpd.controller import Controller

out, secret = sys.argv[1], sys.argv[2].encode()
count = {"mail": 0, "hook": 0}
lock = threading.Lock()


def next_name(kind):
    with lock:
        count[kind] += 1
        return os.path.join(out, "%s-%d" % (kind, count[kind]))


class Mailbox:
    async def handle_DATA(self, server, session, envelope):
        base = next_name("mail")
        with open(base + ".rcpt", "w") as f:
            f.write("from %s\n" % envelope.mail_from)
            for r in envelope.rcpt_tos:
                f.write("to %s\n" % r)
        with open(base + ".tmp", "wb") as f:
            f.write(envelope.original_content or envelope.content)
        os.rename(base + ".tmp", base + ".eml")
        return "250 OK"


class Hook(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        want = "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()
        got = self.headers.get("X-Vigil-Signature", "")
        base = next_name("hook")
        with open(base + ".sig", "w") as f:
            f.write("ok" if hmac.compare_digest(want, got) else "bad")
        with open(base + ".tmp", "wb") as f:
            f.write(body)
        os.rename(base + ".tmp", base + ".json")
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


smtp_port = free_port()  # aiosmtpd's Controller cannot take port 0
smtp = Controller(Mailbox(), hostname="127.0.0.1", port=smtp_port)
smtp.start()
httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hook)
threading.Thread(target=httpd.serve_forever, daemon=True).start()
udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
udp.bind(("127.0.0.1", 0))


def syslog():
    while True:
        data = udp.recv(65536)
        with open(os.path.join(out, "syslog.txt"), "ab") as f:
            f.write(data + b"\n")


threading.Thread(target=syslog, daemon=True).start()
with open(os.path.join(out, "ports.tmp"), "w") as f:
    f.write("%d %d %d\n" % (smtp_port, httpd.server_address[1],
                            udp.getsockname()[1]))
os.rename(os.path.join(out, "ports.tmp"), os.path.join(out, "ports"))
while True:
    time.sleep(3600)
