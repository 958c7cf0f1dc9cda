#!/usr/bin/env python3
"""Times python3-zfec the way bench/codec.ts times lafs-club's codec.

Line protocol, so the caller can interleave zfec's runs with its own (both
then see the same machine load):

  stdin  {"k": K, "m": M, "total": BYTES, "segsize": S}
  stdout {"ready": true, "zfec_version": "..."}
  stdin  encode          stdout {"seconds": T}   (one timed pass)
  stdin  decode          stdout {"seconds": T}

Setup makes BYTES of random data and cuts it as Tahoe does (segments of S
bytes, the tail zero-padded to a multiple of K, each segment split into K
blocks). A pass encodes every segment to M shares, or decodes every segment
from its last K shares (all parity when M - K >= K): zfec's worst case.
Only the zfec calls are inside the timed region.
"""
import json
import os
import sys
import time

import zfec


def segments(data, k, segsize):
    out = []
    for off in range(0, len(data), segsize):
        seg = data[off:off + segsize]
        if len(seg) % k:
            seg += b"\0" * (k - len(seg) % k)
        b = len(seg) // k
        out.append([seg[j * b:(j + 1) * b] for j in range(k)])
    return out


def reply(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def main():
    req = json.loads(sys.stdin.readline())
    k, m = req["k"], req["m"]
    segs = segments(os.urandom(req["total"]), k, req["segsize"])
    enc = zfec.Encoder(k, m)
    dec = zfec.Decoder(k, m)
    last = list(range(m - k, m))
    shares = [enc.encode(blocks)[m - k:] for blocks in segs]
    reply({"ready": True, "zfec_version": getattr(zfec, "__version__", "unknown")})

    for line in sys.stdin:
        op = line.strip()
        if op == "encode":
            t = time.perf_counter()
            for blocks in segs:
                enc.encode(blocks)
            reply({"seconds": time.perf_counter() - t})
        elif op == "decode":
            t = time.perf_counter()
            for given in shares:
                dec.decode(given, last)
            reply({"seconds": time.perf_counter() - t})
        elif op:
            reply({"error": "unknown op %r" % op})


if __name__ == "__main__":
    main()
