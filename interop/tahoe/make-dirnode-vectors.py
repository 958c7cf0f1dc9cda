#!/usr/bin/python3
"""
Writes test/vectors/tahoe-dirnode.json: directory contents packed the way
Tahoe-LAFS packs them, for lafs-club's src/dirnode to reproduce byte for
byte.

The bytes come from Tahoe's own building blocks, imported from a Tahoe
source tree: allmydata.uri (cap parsing, read-only and verify caps, DIR2
wrapping), allmydata.util.hashutil (the rwcap salt and key hashes, its
HMAC-like mac), allmydata.crypto.aes (AES-CTR), allmydata.util.netstring,
allmydata.util.jsonbytes (metadata JSON) and encodingutil's NFC
normalisation. The only part restated here is the short loop of
dirnode._pack_normalized_children (sort names, four netstrings per entry),
because importing dirnode.py itself pulls in Twisted, Foolscap and the
whole node. Child caps come from the official vectors (tahoe-ssk.json,
tahoe-chk.json); timestamps are fixed, so a rebuild gives the same file.

Needs Debian's python3-cryptography and a Tahoe-LAFS source tree (tested
with tahoe-lafs/tahoe-lafs at f002fd0d):

  /usr/bin/python3 interop/tahoe/make-dirnode-vectors.py --tahoe /path/to/tahoe-lafs \\
      --vectors test/vectors --out test/vectors/tahoe-dirnode.json
"""
import argparse, json, os, sys, types, unicodedata


def stub_modules():
    def mod(name, **attrs):
        m = types.ModuleType(name)
        m.__dict__.update(attrs)
        sys.modules[name] = m
        return m

    class Iface:
        def __init__(self, name): self.name = name
        def providedBy(self, obj): return True
        def __call__(self, obj): return obj

    class Interfaces(types.ModuleType):
        def __getattr__(self, name):
            if name.startswith('__'): raise AttributeError(name)
            return Iface(name)

    mod('twisted'); mod('twisted.python')
    mod('twisted.python.components', registerAdapter=lambda *a, **k: None)
    mod('zope'); mod('zope.interface', implementer=lambda *i: (lambda c: c))
    sys.modules['allmydata.interfaces'] = Interfaces('allmydata.interfaces')
    sys.modules['allmydata.interfaces'].CapConstraintError = type('CapConstraintError', (Exception,), {})
    sys.modules['allmydata.interfaces'].MustBeDeepImmutableError = type('MustBeDeepImmutableError', (Exception,), {})
    sys.modules['allmydata.interfaces'].MustBeReadonlyError = type('MustBeReadonlyError', (Exception,), {})
    mod('allmydata.util.assertutil', precondition=lambda *a, **k: None, _assert=lambda *a, **k: None)
    mod('allmydata.storage')
    def si_a2b(x):
        from allmydata.util import base32
        return base32.a2b(x)
    def si_b2a(x):
        from allmydata.util import base32
        return base32.b2a(x)
    mod('allmydata.storage.server', si_a2b=si_a2b, si_b2a=si_b2a)


def load_tahoe(root):
    src = os.path.join(root, 'src')
    for pkg in ('allmydata', 'allmydata.util', 'allmydata.crypto'):
        m = types.ModuleType(pkg)
        m.__path__ = [os.path.join(src, *pkg.split('.'))]
        sys.modules[pkg] = m
    stub_modules()
    from allmydata.util import base32
    from allmydata.util import hashutil, netstring, jsonbytes
    from allmydata.crypto import aes
    from allmydata import uri
    return hashutil, netstring, jsonbytes, aes, uri, base32


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--tahoe', required=True)
    ap.add_argument('--vectors', required=True)
    ap.add_argument('--out', required=True)
    args = ap.parse_args()
    hashutil, ns, jsonbytes, aes, uri, base32 = load_tahoe(args.tahoe)
    netstring = ns.netstring

    ssk = json.load(open(os.path.join(args.vectors, 'tahoe-ssk.json')))['cases']
    chk = json.load(open(os.path.join(args.vectors, 'tahoe-chk.json')))['vectors']
    sdmf = [c['expected'] for c in ssk if c['expected'].startswith('URI:SSK:')]
    mdmf = [c['expected'] for c in ssk if c['expected'].startswith('URI:MDMF:')]
    chk_caps = [v['expected'] for v in chk if v['expected'].startswith('URI:CHK:')]

    def encrypt_rw_uri(writekey, rw_uri):
        # dirnode._encrypt_rw_uri, step by step with Tahoe's helpers.
        salt = hashutil.mutable_rwcap_salt_hash(rw_uri)
        key = hashutil.mutable_rwcap_key_hash(salt, writekey)
        crypttext = aes.encrypt_data(aes.create_encryptor(key), rw_uri)
        mac = hashutil.hmac(key, salt + crypttext)
        return salt + crypttext + mac

    def pack(children, writekey):
        # dirnode._pack_normalized_children for known caps.
        entries = []
        for name in sorted(children):
            rw_uri, ro_uri, metadata = children[name]
            writecap = netstring(encrypt_rw_uri(writekey, rw_uri)) if writekey is not None else netstring(b'')
            entry = b''.join([netstring(name.encode('utf-8')), netstring(ro_uri), writecap,
                              netstring(jsonbytes.dumps(metadata).encode('utf-8'))])
            entries.append(netstring(entry))
        return b''.join(entries)

    def caps_of(cap):
        """(rw_uri, ro_uri) as a Tahoe node made from this cap reports them."""
        u = uri.from_string(cap.encode())
        ro = u.get_readonly().to_string()
        rw = b'' if u.is_readonly() else u.to_string()
        return rw, ro

    dir_sdmf = uri.DirectoryURI(uri.from_string(sdmf[0].encode()))
    dir_mdmf = uri.MDMFDirectoryURI(uri.from_string(mdmf[0].encode()))
    sub_sdmf = uri.DirectoryURI(uri.from_string(sdmf[1].encode()))
    sub_mdmf_ro = uri.MDMFDirectoryURI(uri.from_string(mdmf[1].encode())).get_readonly()
    t = lambda c, m: {'linkcrtime': c, 'linkmotime': m}
    raw_children = [
        ('file.txt', chk_caps[-1], {'tahoe': t(1733312345.123456, 1733312399.5)}),
        ('Fran\u00e7ais', 'URI:LIT:nbswy3dp', {'mime': 'text/plain', 'n': 3, 'tahoe': t(1700000000.0, 1700000000.25)}),
        ('Cafe\u0301 NFD', 'URI:LIT:', {'tahoe': t(1e-05, 1e16)}),
        ('\ufb01 ligature', mdmf[2], {'tahoe': t(1733312345.1, 1733312345.1)}),
        ('\U0001f389 party', sdmf[2], {'user': {'nested': [1, 2.5, None, True, 'x"\\\n\u00e9\U0001f389']}, 'tahoe': t(0.1, 123456789012.5)}),
        ('subdir', sub_sdmf.to_string().decode(), {'tahoe': t(1733312345.0, 1733312346.0)}),
        ('shared-ro', sub_mdmf_ro.to_string().decode(), {}),
    ]
    children = {}
    for name, cap, md in raw_children:
        rw, ro = caps_of(cap)
        children[unicodedata.normalize('NFC', name)] = (rw, ro, md)

    def child_list():
        return [{'name': n, 'cap': c, 'metadata': m} for n, c, m in raw_children]

    out = {
        'format': 'tahoe-dirnode-vectors/1',
        'source': 'tahoe-lafs/tahoe-lafs f002fd0d: allmydata.uri, util.hashutil, util.netstring, util.jsonbytes, crypto.aes; pack loop of dirnode._pack_normalized_children',
        'notes': 'children[].cap is the cap given to set_uri (its write cap when it has one); metadata is stored as given. '
                 'directories[].packed_hex is the plaintext of a mutable directory holding every child; rwcaps[] are the per-child fields; '
                 'immutable.packed_hex holds the immutable children only (no write-cap field); float_repr are Python reprs; '
                 'json_indent1.text is json.dumps(value, indent=1) + newline.',
        'children': child_list(),
        'directories': [],
        'rwcaps': [],
    }
    for label, dircap in (('sdmf', dir_sdmf), ('mdmf', dir_mdmf)):
        writekey = dircap.get_filenode_cap().writekey
        out['directories'].append({
            'label': label,
            'dircap': dircap.to_string().decode(),
            'readcap': dircap.get_readonly().to_string().decode(),
            'verifycap': dircap.get_verify_cap().to_string().decode(),
            'writekey_b32': base32.b2a(writekey).decode(),
            'packed_hex': pack(children, writekey).hex(),
        })
        for name, (rw, ro, md) in sorted(children.items()):
            out['rwcaps'].append({'dir': label, 'rw_uri': rw.decode(), 'ro_uri': ro.decode(),
                                  'rwcapdata_hex': encrypt_rw_uri(writekey, rw).hex()})
    imm_children = {n: v for n, v in children.items() if not uri.from_string(v[1]).is_mutable()}
    out['immutable'] = {'names': sorted(imm_children), 'packed_hex': pack(imm_children, None).hex()}
    chk_dir = uri.ImmutableDirectoryURI(uri.from_string(chk_caps[-1].encode()))
    lit_dir = uri.LiteralDirectoryURI(uri.from_string(b'URI:LIT:'))
    out['caps'] = [
        {'cap': c.to_string().decode(), 'readonly': c.get_readonly().to_string().decode(),
         'verify': (c.get_verify_cap().to_string().decode() if c.get_verify_cap() is not None else None),
         'filecap': c.get_filenode_cap().to_string().decode()}
        for c in (dir_sdmf, dir_sdmf.get_readonly(), dir_mdmf, dir_mdmf.get_readonly(), chk_dir, lit_dir)
    ]
    samples = [1733312345.123456, 1700000000.0, 1e16, 1.5e16, 1e-05, 0.0001, 123456789012345.6, 0.1, -2.5, 1e100, 5e-324]
    out['float_repr'] = [repr(x) for x in samples]
    listing = ['dirnode', {'children': {'\u00e9\U0001f389': ['filenode', {'mutable': False, 'format': 'CHK', 'size': 56,
               'metadata': {'tahoe': t(1700000000.0, 1.5)}, 'ro_uri': 'URI:LIT:'}]}, 'mutable': True, 'empty': {}, 'list': []}]
    out['json_indent1'] = {'value': listing, 'text': json.dumps(listing, indent=1) + '\n'}
    # Tahoe's own packed directory from test_dirnode.py (Packing.known_tree, written by Tahoe 1.4-era
    # code), read there through a read-only cap; the expected children are that test's.
    import base64, re
    test_src = open(os.path.join(args.tahoe, 'src', 'allmydata', 'test', 'test_dirnode.py')).read()
    known = re.search(r'known_tree = "([A-Z2-7=]+)"', test_src).group(1)
    out['tahoe_known_tree'] = {
        'source': 'allmydata/test/test_dirnode.py Packing.known_tree and _check_children',
        'readcap': 'URI:DIR2-RO:' + 'URI:SSK-RO:e3mdrzfwhoq42hy5ubcz6rp3o4:ybyibhnp3vvwuq2vaw2ckjmesgkklfs6ghxleztqidihjyofgw7q'[len('URI:SSK-RO:'):],
        'packed_hex': base64.b32decode(known).hex(),
        'children': {
            'file1': {'ro_uri': 'URI:CHK:olxtimympo7f27jvhtgqlnbtn4:emzdnhk2um4seixozlkw3qx2nfijvdkx3ky7i7izl47yedl6e64a:3:10:10',
                      'metadata': {'ctime': 1246663897.4275661, 'tahoe': {'linkmotime': 1246663897.4275661, 'linkcrtime': 1246663897.4275661}, 'mtime': 1246663897.4275661}},
            'file2': {'ro_uri': 'URI:CHK:apegrpehshwugkbh3jlt5ei6hq:5oougnemcl5xgx4ijgiumtdojlipibctjkbwvyygdymdphib2fvq:3:10:4',
                      'metadata': {'ctime': 1246663897.430218, 'tahoe': {'linkmotime': 1246663897.430218, 'linkcrtime': 1246663897.430218}, 'mtime': 1246663897.430218}},
            'file3': {'ro_uri': 'URI:CHK:cmtcxq7hwxvfxan34yiev6ivhy:qvcekmjtoetdcw4kmi7b3rtblvgx7544crnwaqtiewemdliqsokq:3:10:5',
                      'metadata': {'ctime': 1246663897.4336269, 'tahoe': {'linkmotime': 1246663897.4336269, 'linkcrtime': 1246663897.4336269}, 'mtime': 1246663897.4336269}},
        },
    }
    with open(args.out, 'w') as f:
        json.dump(out, f, indent=1)
        f.write('\n')


if __name__ == '__main__':
    main()
