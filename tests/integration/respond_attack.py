#!/usr/bin/env python3
"""respond_attack.py -- appends SSH brute forces to a tailed auth log and
measures how long until each source address is in an nftables set,
polling the set in-process through libnftables (about half a millisecond
a look, so the poll is not what is measured). Run it in the network
namespace of the firewall being watched.

usage: respond_attack.py LOG FIRST_ADDR COUNT [--table inet vigil]
       [--set blocked4] [--tries 10] [--timeout 10] [--gap 0.05]
Addresses are FIRST_ADDR, FIRST_ADDR+1, ...; prints one latency in ms a
line ("ADDR MS", or "ADDR timeout"), then "median MS p99 MS max MS n N".
Exit 1 when any address was not blocked in time."""
import argparse
import ctypes
import ipaddress
import statistics
import sys
import time

p = argparse.ArgumentParser()
p.add_argument("log")
p.add_argument("first")
p.add_argument("count", type=int)
p.add_argument("--table", default="inet vigil")
p.add_argument("--set", default="blocked4")
p.add_argument("--tries", type=int, default=10)
p.add_argument("--timeout", type=float, default=10.0)
p.add_argument("--gap", type=float, default=0.05)
a = p.parse_args()

lib = ctypes.CDLL("libnftables.so.1")
lib.nft_ctx_new.restype = ctypes.c_void_p
lib.nft_ctx_new.argtypes = [ctypes.c_uint32]
lib.nft_ctx_buffer_output.argtypes = [ctypes.c_void_p]
lib.nft_ctx_buffer_error.argtypes = [ctypes.c_void_p]
lib.nft_run_cmd_from_buffer.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
ctx = lib.nft_ctx_new(0)
lib.nft_ctx_buffer_output(ctx)
lib.nft_ctx_buffer_error(ctx)


def present(addr):
    cmd = "get element %s %s { %s }" % (a.table, a.set, addr)
    return lib.nft_run_cmd_from_buffer(ctx, cmd.encode()) == 0


first = ipaddress.ip_address(a.first)
lat, failed = [], 0
for i in range(a.count):
    addr = str(first + i)
    stamp = time.strftime("%b %e %H:%M:%S")
    lines = "".join(
        "%s web1 sshd[%d]: Failed password for root from %s port %d ssh2\n"
        % (stamp, 4000 + k, addr, 40000 + k) for k in range(a.tries))
    with open(a.log, "a") as f:
        t0 = time.monotonic()
        f.write(lines)
    while not present(addr):
        if time.monotonic() - t0 > a.timeout:
            break
        time.sleep(0.0002)
    dt = (time.monotonic() - t0) * 1000
    if dt > a.timeout * 1000:
        print(addr, "timeout", flush=True)
        failed += 1
    else:
        print(addr, "%.1f" % dt, flush=True)
        lat.append(dt)
    time.sleep(a.gap)
if lat:
    s = sorted(lat)
    p99 = s[min(len(s) - 1, int(len(s) * 0.99))]
    print("median %.1f p99 %.1f max %.1f n %d"
          % (statistics.median(s), p99, s[-1], len(s)))
sys.exit(1 if failed else 0)
