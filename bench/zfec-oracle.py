#!/usr/bin/env python3
"""Answers encode/decode requests with zfec, for lafs-club's live cross-check.

One JSON object per line on stdin, one JSON answer per line on stdout, in
order. Blocks travel as base64.

  {"op": "encode", "k": K, "m": M, "blocks": [b64 * K]}
      -> {"shares": [b64 * M]}
  {"op": "decode", "k": K, "m": M, "blocks": [b64 * K], "sharenums": [...]}
      -> {"blocks": [b64 * K]}    (primary blocks in share-number order)

Errors come back as {"error": "..."} so one bad request does not hide the rest.
Callers must avoid inputs zfec 1.5.2 cannot take (k = 256 decodes crash,
duplicate primary share numbers hang).
"""
import base64
import json
import sys

import zfec


def b64(data):
    return base64.b64encode(bytes(data)).decode("ascii")


def unb64(items):
    return [base64.b64decode(x) for x in items]


def answer(req):
    k, m = req["k"], req["m"]
    if req["op"] == "encode":
        return {"shares": [b64(s) for s in zfec.Encoder(k, m).encode(unb64(req["blocks"]))]}
    if req["op"] == "decode":
        out = zfec.Decoder(k, m).decode(unb64(req["blocks"]), req["sharenums"])
        return {"blocks": [b64(b) for b in out]}
    raise ValueError("unknown op %r" % req["op"])


def main():
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            reply = answer(json.loads(line))
        except Exception as exc:  # reported per request, the caller decides
            reply = {"error": "%s: %s" % (type(exc).__name__, exc)}
        sys.stdout.write(json.dumps(reply) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
