#!/usr/bin/env python3
"""syslog_sender.py -- the senders of test_syslog_reload.sh: syslog over UDP
and TCP on 127.0.0.1 while the daemon is paused (SIGSTOP, so the kernel
drops what its queue cannot hold) or reloaded (SIGHUP). Prints
"sent=N" (and for tcp "broken=0|1": the connection failed).

usage: syslog_sender.py burst PORT PID N   paused: N datagrams, resumed
       syslog_sender.py storm PORT PID     3 s at ~20,000/s: paused 1 s,
                                           then SIGHUP x3
       syslog_sender.py steady PORT PID    3 s at ~3,000/s, SIGHUP x3
       syslog_sender.py tcp PORT PID       3 s of lines on one connection,
                                           SIGHUP x3
       syslog_sender.py tls PORT PID CA    the same over TLS
"""
import os
import signal
import socket
import ssl
import sys
import time


def line(tag, i):
    return ("<38>Oct 11 22:14:15 host app[1]: %s %d" % (tag, i)).encode()


def paced(port, pid, tag, per_ms, events, stream=None):
    """Sends per_ms messages a millisecond for 3 s; at each (time, signal)
    of events sends the signal to pid. A broken stream stops the sending,
    not the signals. Returns (sent, broken)."""
    s = stream or socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    dest = ("127.0.0.1", port)
    start = time.monotonic()
    sent = broken = 0
    pending = sorted(events)
    while True:
        now = time.monotonic() - start
        if now >= 3.0:
            break
        while pending and now >= pending[0][0]:
            os.kill(pid, pending.pop(0)[1])
        due = int(now * 1000) * per_ms
        while sent < due and not broken:
            try:
                if stream:
                    stream.sendall(line(tag, sent) + b"\n")
                else:
                    s.sendto(line(tag, sent), dest)
            except OSError:
                broken = 1
                break
            sent += 1
        time.sleep(0.0005)
    return sent, broken


def main():
    cmd, port, pid = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    hups = [(1.2, signal.SIGHUP), (1.8, signal.SIGHUP), (2.4, signal.SIGHUP)]
    if cmd == "burst":
        n = int(sys.argv[4])
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        os.kill(pid, signal.SIGSTOP)
        try:
            for i in range(n):
                s.sendto(line("burst", i), ("127.0.0.1", port))
        finally:
            os.kill(pid, signal.SIGCONT)
        print("sent=%d" % n)
    elif cmd == "storm":
        sent, _ = paced(port, pid, "storm", 20,
                        [(0.1, signal.SIGSTOP), (1.1, signal.SIGCONT)] + hups)
        print("sent=%d" % sent)
    elif cmd == "steady":
        sent, _ = paced(port, pid, "steady", 3, hups)
        print("sent=%d" % sent)
    elif cmd in ("tcp", "tls"):
        c = socket.create_connection(("127.0.0.1", port))
        if cmd == "tls":
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            ctx.load_verify_locations(sys.argv[4])
            c = ctx.wrap_socket(c, server_hostname="localhost")
        sent, broken = paced(port, pid, cmd, 1, hups, stream=c)
        c.close()
        print("sent=%d broken=%d" % (sent, broken))


if __name__ == "__main__":
    main()
