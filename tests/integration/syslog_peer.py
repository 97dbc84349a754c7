#!/usr/bin/env python3
"""syslog_peer.py -- the senders of test_syslog_attacks.sh: connections
from chosen loopback addresses (127.0.0.0/8 is all loopback), idle ones
held open, octet-counted frames, TLS with and without a client
certificate. Prints what it saw for the test to check.

usage: syslog_peer.py flood PORT ATTACKER N SENDER TEXT
       syslog_peer.py evict PORT ATTACKER N SENDER TEXT
       syslog_peer.py idle PORT SRC WAIT_S
       syslog_peer.py send PORT SRC DATA        (DATA: Python escapes)
       syslog_peer.py refused PORT SRC
       syslog_peer.py udp PORT SRC TEXT
       syslog_peer.py tls PORT SRC CA [CERT KEY] TEXT
"""
import socket
import ssl
import sys
import time


def connect(src, port):
    s = socket.socket()
    s.bind((src, 0))
    s.connect(("127.0.0.1", port))
    return s


def closed_by_server(s, wait):
    """Has the server closed s (EOF or reset) within wait seconds?"""
    s.settimeout(wait)
    try:
        return s.recv(1) == b""
    except socket.timeout:
        return False
    except OSError:
        return True


def hold_then_send(port, attacker, n, sender, text):
    held = [connect(attacker, port) for _ in range(n)]
    time.sleep(0.5)  # the daemon has seen every one of them
    s = connect(sender, port)
    s.sendall(("<38>Oct 11 22:14:15 host sshd[1]: %s\n" % text).encode())
    time.sleep(0.3)
    s.close()
    open_ = sum(not closed_by_server(h, 0.05) for h in held)
    print("held=%d" % open_)
    for h in held:
        h.close()


def main():
    cmd, port = sys.argv[1], int(sys.argv[2])
    if cmd in ("flood", "evict"):
        hold_then_send(port, sys.argv[3], int(sys.argv[4]), sys.argv[5],
                       sys.argv[6])
    elif cmd == "idle":
        s = connect(sys.argv[3], port)
        print("closed=%d" % closed_by_server(s, float(sys.argv[4])))
    elif cmd == "send":
        s = connect(sys.argv[3], port)
        s.sendall(sys.argv[4].encode().decode("unicode_escape").encode())
        s.close()
    elif cmd == "refused":
        s = connect(sys.argv[3], port)
        print("closed=%d" % closed_by_server(s, 2.0))
    elif cmd == "udp":
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind((sys.argv[3], 0))
        s.sendto(("<38>Oct 11 22:14:15 host sshd[1]: %s" %
                  sys.argv[4]).encode(), ("127.0.0.1", port))
    elif cmd == "tls":
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.load_verify_locations(sys.argv[4])
        if len(sys.argv) > 6:
            ctx.load_cert_chain(sys.argv[5], sys.argv[6])
        text = sys.argv[-1]
        raw = connect(sys.argv[3], port)
        try:
            s = ctx.wrap_socket(raw, server_hostname="localhost")
            for i in range(2):  # RFC 5425: octet-counted frames
                msg = ("<38>1 2024-03-01T10:00:00Z host sshd 1 - - %s %d" %
                       (text, i)).encode()
                s.sendall(b"%d %s" % (len(msg), msg))
            # The server says nothing; a refused client certificate shows
            # as an alert here (TLS 1.3 checks it after the handshake).
            s.settimeout(1.0)
            try:
                s.recv(1)
            except socket.timeout:
                pass
            s.close()
            print("tls=ok")
        except (ssl.SSLError, OSError) as e:
            print("tls=refused %s" % e)


main()
