#!/usr/bin/python3
"""
Writes test/vectors/tahoe-mutable-shares.json: SDMF and MDMF shares built
by Tahoe-LAFS's own mutable-file code (allmydata.mutable.layout's slot
writers, hashtree, hashutil, crypto.aes, crypto.rsa, common's key
derivation, and zfec), so lafs-club's reader is checked against bytes it
did not write.

Tahoe's publisher itself needs Twisted and a storage server; this script
drives the same building blocks in the publisher's order and catches the
slot writers' write vectors in memory. Keys come from tahoe-ssk.json; salts
are fixed so the vectors can be rebuilt (the RSA-PSS signatures are
randomised, so a rebuild differs only there).

Needs Debian's python3-cryptography and python3-zfec, and a Tahoe-LAFS
source tree (tested with tahoe-lafs/tahoe-lafs at f002fd0d):

  /usr/bin/python3 interop/tahoe/make-mutable-shares.py --tahoe /path/to/tahoe-lafs \\
      --keys test/vectors/tahoe-ssk.json --out test/vectors/tahoe-mutable-shares.json
"""
import argparse, base64, hashlib, json, os, sys, types


def stub_modules():
    """Just enough of Tahoe's heavier dependencies for the modules used here to import."""
    def mod(name, **attrs):
        m = types.ModuleType(name)
        m.__dict__.update(attrs)
        sys.modules[name] = m
        return m

    class Deferred:
        def __init__(self, result=None):
            self.result = result
        def addCallback(self, f, *a, **kw):
            self.result = f(self.result, *a, **kw); return self
        def addBoth(self, f, *a, **kw):
            return self.addCallback(f, *a, **kw)
        def addErrback(self, *a, **kw):
            return self

    mod('twisted'); mod('twisted.internet'); mod('twisted.python')
    mod('twisted.internet.defer', succeed=Deferred, Deferred=Deferred)
    mod('twisted.python.failure', Failure=type('Failure', (Exception,), {}))
    sys.modules['twisted.internet'].defer = sys.modules['twisted.internet.defer']
    sys.modules['twisted.python'].failure = sys.modules['twisted.python.failure']
    mod('zope'); mod('zope.interface', implementer=lambda *i: (lambda c: c))
    mod('typing_extensions', TypeAlias=object)

    def div_ceil(n, d): return (n + d - 1) // d
    def next_multiple(n, k): return div_ceil(n, k) * k
    def log_ceil(n, b):
        p, k = 1, 0
        while p < n: p, k = p * b, k + 1
        return k
    def next_power_of_k(n, k):
        p = 1
        while p < n: p *= k
        return p
    mod('pyutil'); mod('pyutil.mathutil', div_ceil=div_ceil, next_multiple=next_multiple, pad_size=None,
                        is_power_of_k=None, next_power_of_k=next_power_of_k, ave=None, log_ceil=log_ceil, log_floor=None)
    mod('allmydata.interfaces', HASH_SIZE=32, SALT_SIZE=16, SDMF_VERSION=0, MDMF_VERSION=1, IMutableSlotWriter=object)
    mod('allmydata.util.assertutil', precondition=lambda *a, **k: None, _assert=lambda *a, **k: None)


def load_tahoe(root):
    stub_modules()
    src = os.path.join(root, 'src')
    # Empty packages, so that allmydata/__init__.py (which imports the whole client) is not run.
    for pkg in ('allmydata', 'allmydata.util', 'allmydata.crypto', 'allmydata.mutable'):
        m = types.ModuleType(pkg)
        m.__path__ = [os.path.join(src, *pkg.split('.'))]
        sys.modules[pkg] = m
    from allmydata.util import hashutil, base32
    from allmydata import hashtree
    from allmydata.crypto import aes, rsa
    from allmydata.mutable import common, layout
    return hashutil, base32, hashtree, aes, rsa, common, layout


class MemoryServer:
    """Receives a slot writer's test-and-write vectors and applies the writes to in-memory shares."""
    def __init__(self):
        self.shares = {}
    def slot_testv_and_readv_and_writev(self, storage_index, secrets, tw_vectors, readv):
        for shnum, (testv, datav, new_length) in tw_vectors.items():
            buf = self.shares.setdefault(shnum, bytearray())
            for offset, data in datav:
                if len(buf) < offset + len(data):
                    buf.extend(b'\0' * (offset + len(data) - len(buf)))
                buf[offset:offset + len(data)] = data
        from twisted.internet import defer
        return defer.succeed((True, {}))


def publish(t, pem, version, plaintext, k, n, seqnum, segment_size, salts):
    import zfec
    hashutil, base32, hashtree, aes, rsa, common, layout = t
    from cryptography.hazmat.primitives import serialization
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    privkey, pubkey = rsa.create_signing_keypair_from_string(rsa.der_string_from_signing_key(key))
    writekey, encprivkey, fingerprint = common.derive_mutable_keys((pubkey, privkey))
    readkey = hashutil.ssk_readkey_hash(writekey)
    storage_index = hashutil.ssk_storage_index_hash(readkey)

    datalen = len(plaintext)
    segsize = next_multiple(segment_size if version == 1 else datalen, k)
    nseg = -(-datalen // segsize) if segsize else 0
    tail = datalen % segsize if (segsize and datalen) else 0
    if tail == 0 and segsize:
        tail = segsize
    server = MemoryServer()
    Writer = layout.MDMFSlotWriteProxy if version == 1 else layout.SDMFSlotWriteProxy
    writers = [Writer(i, server, storage_index, (b'we', b'rs', b'cs'), seqnum, k, n, segsize, datalen) for i in range(n)]
    blockhashes = {i: [None] * nseg for i in range(n)}
    if nseg == 0 and version == 0:
        for w in writers:
            w.put_salt(salts[0])
    for s in range(nseg):
        size = tail if s == nseg - 1 else segsize
        data = plaintext[s * segsize:s * segsize + size]
        crypttext = aes.encrypt_data(aes.create_encryptor(hashutil.ssk_readkey_data_hash(salts[s], readkey)), data)
        piece = -(-size // k)
        pieces = [crypttext[i * piece:(i + 1) * piece].ljust(piece, b'\0') for i in range(k)]
        blocks = zfec.Encoder(k, n).encode(pieces, list(range(n)))
        for i, block in enumerate(blocks):
            hashed = salts[s] + block if version == 1 else block
            blockhashes[i][s] = hashutil.block_hash(hashed)
            writers[i].put_block(block, s, salts[s])
    for w in writers:
        w.put_encprivkey(encprivkey)
    leaves = []
    for i, w in enumerate(writers):
        tree = hashtree.HashTree(blockhashes[i])
        w.put_blockhashes(list(tree))
        leaves.append(tree[0])
    share_tree = hashtree.HashTree(leaves)
    for i, w in enumerate(writers):
        w.put_sharehashes({j: share_tree[j] for j in share_tree.needed_hashes(i)})
    for w in writers:
        w.put_root_hash(share_tree[0])
    signature = rsa.sign_data(privkey, writers[0].get_signable())
    for w in writers:
        w.put_signature(signature)
        w.put_verification_key(rsa.der_string_from_verifying_key(pubkey))
        w.finish_publishing()
    prefix = b'URI:MDMF:' if version == 1 else b'URI:SSK:'
    cap = prefix + base32.b2a(writekey) + b':' + base32.b2a(fingerprint)
    return cap.decode(), [bytes(server.shares[i]) for i in range(n)]


def next_multiple(n, k):
    return -(-n // k) * k


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--tahoe', required=True, help='a Tahoe-LAFS source tree (the folder holding src/allmydata)')
    ap.add_argument('--keys', required=True)
    ap.add_argument('--out', required=True)
    args = ap.parse_args()
    t = load_tahoe(args.tahoe)
    keys = json.load(open(args.keys))['cases']
    plans = [
        # (key id, version, length, k, n, seqnum, max segment size)
        (0, 0, 0, 3, 10, 1, 0),
        (2, 0, 56, 3, 10, 2, 0),
        (4, 0, 3000, 2, 3, 5, 0),
        (6, 0, 700, 1, 1, 1, 0),
        (1, 1, 0, 3, 10, 1, 999),
        (3, 1, 56, 3, 10, 1, 131072),
        (5, 1, 3500, 3, 10, 4, 999),
        (7, 1, 5000, 2, 5, 9, 1000),
        (9, 1, 2000, 1, 1, 1, 300),
    ]
    cases = []
    for case_id, (kid, version, length, k, n, seqnum, seg) in enumerate(plans):
        vec = keys[kid]
        assert vec['format'] == ('mdmf' if version == 1 else 'sdmf')
        plaintext = (hashlib.sha256(b'lafs-club mutable %d' % case_id).digest() * (length // 32 + 1))[:length]
        nsalts = max(1, -(-length // next_multiple(seg, k))) if version == 1 and length else 1
        if version == 1 and length == 0:
            nsalts = 0
        salts = [hashlib.sha256(b'salt %d %d' % (case_id, s)).digest()[:16] for s in range(nsalts)]
        cap, shares = publish(t, vec['key_pem'], version, plaintext, k, n, seqnum, seg, salts)
        assert cap == vec['expected'], (cap, vec['expected'])
        cases.append({
            'id': case_id, 'key_id': kid, 'format': vec['format'], 'write_cap': cap, 'k': k, 'n': n, 'seqnum': seqnum,
            'max_segment_size': seg, 'plaintext_sha256': hashlib.sha256(plaintext).hexdigest(),
            'plaintext_recipe': "(sha256(b'lafs-club mutable %d' % id) * (length // 32 + 1))[:length]", 'length': length,
            'salts_hex': [s.hex() for s in salts], 'shares_b64': [base64.b64encode(s).decode() for s in shares],
        })
    out = {
        'format': 'tahoe-mutable-shares/1',
        'generator': 'interop/tahoe/make-mutable-shares.py, driving Tahoe-LAFS f002fd0d (mutable/layout.py slot writers, hashtree, hashutil, crypto) and zfec',
        'cases': cases,
    }
    with open(args.out, 'w') as f:
        json.dump(out, f, indent=1)
        f.write('\n')


if __name__ == '__main__':
    main()
