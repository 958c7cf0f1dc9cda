/**
 * Tahoe's web API for directories on the gateway, over real HTTP on a real
 * node and grid: /uri/<dircap>/<path> reads (bytes, Range, t=json, t=uri),
 * the writes (PUT a file, t=uri, t=mkdir, t=relink, DELETE) with replace=,
 * read-only dircaps, unicode names, and the Origin rule for writes.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { http, startHarness, type Answer, type GatewayHarness } from './helpers.js'

/** `/uri/<cap>/<name>/…`, every part percent-encoded. */
const u = (cap: string, ...names: string[]): string => `/uri/${encodeURIComponent(cap)}${names.map(n => '/' + encodeURIComponent(n)).join('')}`
const text = (a: Answer): string => a.body.toString('utf8')
const code = (a: Answer): unknown => a.headers['x-lafs-error-code']
const EVIL = { Origin: 'https://evil.example' }
type Json = [string, Record<string, any>]

describe('gateway: Tahoe directories at /uri/<dircap>/<path>', function () {
  this.timeout(90_000)
  let h: GatewayHarness
  let root: string
  const req = async (method: string, path: string, body?: Uint8Array | string, headers?: Record<string, string>): Promise<Answer> => await http(h.gateway.url, method, path, body, headers)
  const json = async (path: string): Promise<Json> => {
    const res = await req('GET', path + (path.includes('?') ? '&' : '?') + 't=json')
    assert.equal(res.status, 200, text(res))
    return JSON.parse(text(res))
  }

  before(async () => {
    h = await startHarness()
    const made = await req('POST', '/uri?t=mkdir')
    assert.equal(made.status, 200, text(made))
    root = text(made)
  })
  after(async () => { await h?.stop() })

  it('POST /uri?t=mkdir and PUT /uri?t=mkdir&format=mdmf answer new write caps', async () => {
    assert.match(root, /^URI:DIR2:[a-z2-7]+:[a-z2-7]+$/)
    const mdmf = await req('PUT', '/uri?t=mkdir&format=mdmf')
    assert.equal(mdmf.status, 200, text(mdmf))
    assert.match(text(mdmf), /^URI:DIR2-MDMF:/)
    const [type, props] = await json(u(text(mdmf)))
    assert.equal(type, 'dirnode')
    assert.deepEqual(props.children, {})
    const viaQuery = await req('GET', `/uri?uri=${encodeURIComponent(text(mdmf))}&t=json`)
    assert.equal(JSON.parse(text(viaQuery))[0], 'dirnode')
    const bad = await req('POST', '/uri?t=mkdir&format=chk')
    assert.equal(bad.status, 400)
  })

  it('PUT a file into a nested path creates the parents (201, then 200 when replaced); GET, Range and HEAD read it back', async () => {
    const data = randomBytes(3000)
    const put = await req('PUT', u(root, 'docs', 'notes', 'a.txt'), data)
    assert.equal(put.status, 201, text(put))
    assert.match(text(put), /^URI:CHK:/)
    const get = await req('GET', u(root, 'docs', 'notes', 'a.txt'))
    assert.equal(get.status, 200, text(get))
    assert.ok(get.body.equals(data))
    assert.equal(get.headers['content-type'], 'text/plain; charset=utf-8')
    assert.equal(get.headers['content-security-policy'], "sandbox; default-src 'none'")
    const part = await req('GET', u(root, 'docs', 'notes', 'a.txt'), undefined, { Range: 'bytes=1000-1099' })
    assert.equal(part.status, 206)
    assert.equal(part.headers['content-range'], `bytes 1000-1099/${data.length}`)
    assert.ok(part.body.equals(data.subarray(1000, 1100)))
    const head = await req('HEAD', u(root, 'docs', 'notes', 'a.txt'))
    assert.equal(head.status, 200)
    assert.equal(head.headers['content-length'], String(data.length))
    assert.equal(head.body.length, 0)

    const next = Buffer.from('second version')
    const again = await req('PUT', u(root, 'docs', 'notes', 'a.txt'), next)
    assert.equal(again.status, 200, text(again))
    assert.equal(text(await req('GET', u(root, 'docs', 'notes', 'a.txt'))), 'second version')
    // ?save=true makes it a download
    const save = await req('GET', u(root, 'docs', 'notes', 'a.txt') + '?save=true')
    assert.match(String(save.headers['content-disposition']), /^attachment; filename="a.txt"/)
  })

  it('t=json: a directory and a file as Tahoe writes them (key names, metadata, indent=1 text)', async () => {
    const file = await req('PUT', u(root, 'shapes', 'f.bin'), randomBytes(200))
    assert.equal(file.status, 201, text(file))
    const res = await req('GET', u(root, 'shapes') + '?t=json')
    assert.equal(res.headers['content-type'], 'text/plain; charset=utf-8')
    assert.match(text(res), /^\[\n "dirnode",\n {\n  "children": {/)
    const [type, dir] = JSON.parse(text(res)) as Json
    assert.equal(type, 'dirnode')
    assert.deepEqual(Object.keys(dir).sort(), ['children', 'mutable', 'ro_uri', 'rw_uri', 'verify_uri'])
    assert.equal(dir.mutable, true)
    assert.match(dir.rw_uri, /^URI:DIR2:/)
    assert.match(dir.ro_uri, /^URI:DIR2-RO:/)
    assert.match(dir.verify_uri, /^URI:DIR2-Verifier:/)
    const [ctype, child] = dir.children['f.bin']
    assert.equal(ctype, 'filenode')
    assert.equal(child.mutable, false)
    assert.equal(child.format, 'CHK')
    assert.equal(child.size, 200)
    assert.equal(child.ro_uri, text(file))
    assert.match(child.verify_uri, /^URI:CHK-Verifier:/)
    assert.equal(typeof child.metadata.tahoe.linkcrtime, 'number')
    assert.equal(typeof child.metadata.tahoe.linkmotime, 'number')

    // the file through its path: filenode JSON with the link's metadata
    const [ftype, fprops] = await json(u(root, 'shapes', 'f.bin'))
    assert.equal(ftype, 'filenode')
    assert.equal(fprops.ro_uri, text(file))
    assert.equal(fprops.size, 200)
    assert.deepEqual(fprops.metadata, child.metadata)

    // the file cap alone
    const [, bare] = await json(u(text(file)))
    assert.deepEqual(bare, { mutable: false, format: 'CHK', size: 200, ro_uri: text(file), verify_uri: child.verify_uri })

    // a mutable file in the directory, and its cap alone
    const mut = await req('PUT', u(root, 'shapes', 'm.txt') + '?format=mdmf', 'mutable!')
    assert.equal(mut.status, 201, text(mut))
    assert.match(text(mut), /^URI:MDMF:/)
    const [, mprops] = await json(u(text(mut)))
    assert.equal(mprops.mutable, true)
    assert.equal(mprops.format, 'MDMF')
    assert.equal(mprops.size, 8)
    assert.equal(mprops.rw_uri, text(mut))
    assert.match(mprops.ro_uri, /^URI:MDMF-RO:/)
    assert.match(mprops.verify_uri, /^URI:MDMF-Verifier:/)
    assert.equal(text(await req('GET', u(root, 'shapes', 'm.txt'))), 'mutable!')
    // PUT again overwrites the mutable file in place: same cap
    const over = await req('PUT', u(root, 'shapes', 'm.txt'), 'changed')
    assert.equal(over.status, 200, text(over))
    assert.equal(text(over), text(mut))
    assert.equal(text(await req('GET', u(text(mut)))), 'changed')
  })

  it('t=uri and t=readonly-uri answer caps; PUT t=uri links a cap (replace=false: 409, nothing changed)', async () => {
    assert.equal(text(await req('GET', u(root) + '?t=uri')), root)
    const ro = text(await req('GET', u(root) + '?t=readonly-uri'))
    assert.match(ro, /^URI:DIR2-RO:/)
    const a = await req('PUT', u(root, 'links', 'one.txt'), 'one')
    const b = await req('PUT', u(root, 'links', 'two.txt'), 'two')
    assert.equal(text(await req('GET', u(root, 'links', 'one.txt') + '?t=uri')), text(a))

    const linked = await req('PUT', u(root, 'links', 'copy.txt') + '?t=uri', text(a))
    assert.equal(linked.status, 200, text(linked))
    assert.equal(text(linked), text(a))
    assert.equal(text(await req('GET', u(root, 'links', 'copy.txt'))), 'one')

    const refused = await req('PUT', u(root, 'links', 'copy.txt') + '?t=uri&replace=false', text(b))
    assert.equal(refused.status, 409, text(refused))
    assert.equal(code(refused), 'ERR_EXISTING_CHILD')
    const refusedFile = await req('PUT', u(root, 'links', 'copy.txt') + '?replace=false', 'three')
    assert.equal(refusedFile.status, 409, text(refusedFile))
    assert.equal(text(await req('GET', u(root, 'links', 'copy.txt'))), 'one')

    // replace=only-files: a file may be replaced, a directory may not
    assert.equal((await req('PUT', u(root, 'links', 'copy.txt') + '?t=uri&replace=only-files', text(b))).status, 200)
    assert.equal(text(await req('GET', u(root, 'links', 'copy.txt'))), 'two')
    assert.equal((await req('POST', u(root, 'links', 'sub') + '?t=mkdir')).status, 200)
    const notDir = await req('PUT', u(root, 'links', 'sub') + '?t=uri&replace=only-files', text(b))
    assert.equal(notDir.status, 409, text(notDir))
    // PUT of a file onto a directory's name is refused, as Tahoe does
    assert.equal((await req('PUT', u(root, 'links', 'sub'), 'x')).status, 400)
    assert.equal((await req('PUT', u(root, 'links', 'bad') + '?replace=maybe', 'x')).status, 400)
  })

  it('POST t=set_children links many caps at once, with their metadata (creating the path)', async () => {
    const one = text(await req('PUT', '/uri', 'first child'))
    const dir = text(await req('POST', '/uri?t=mkdir'))
    const body = JSON.stringify({
      'one.txt': ['filenode', { ro_uri: one, metadata: { note: 'given' } }],
      sub: ['dirnode', { rw_uri: dir, ro_uri: text(await req('GET', u(dir) + '?t=readonly-uri')) }]
    })
    const res = await req('POST', u(root, 'many', 'here') + '?t=set_children', body)
    assert.equal(res.status, 200, text(res))
    assert.equal(text(res), 'Okay so I did it.')
    const [, props] = await json(u(root, 'many', 'here'))
    assert.deepEqual(Object.keys(props.children), ['one.txt', 'sub'])
    assert.equal(props.children['one.txt'][1].metadata.note, 'given')
    assert.equal(props.children.sub[1].rw_uri, dir)
    assert.equal(text(await req('GET', u(root, 'many', 'here', 'one.txt'))), 'first child')
    assert.equal((await req('POST', u(root, 'many') + '?t=set_children', '{"x": 1}')).status, 400)
    assert.equal((await req('POST', u(root, 'many') + '?t=set_children&replace=false', body.replace('many', 'x'))).status, 200)
    const clash = await req('POST', u(root, 'many', 'here') + '?t=set_children&replace=false', body)
    assert.equal(clash.status, 409, text(clash))
  })

  it('POST t=mkdir is mkdir -p (same cap when it exists), name= makes a child; a file in the way: 409 on writes, 400 on reads', async () => {
    const made = await req('POST', u(root, 'deep', 'er', 'est') + '?t=mkdir')
    assert.equal(made.status, 200, text(made))
    assert.match(text(made), /^URI:DIR2:/)
    const again = await req('POST', u(root, 'deep', 'er', 'est') + '?t=mkdir')
    assert.equal(text(again), text(made))
    const [, props] = await json(u(root, 'deep', 'er'))
    assert.deepEqual(Object.keys(props.children), ['est'])
    const named = await req('POST', u(root, 'deep') + '?t=mkdir&name=' + encodeURIComponent('by name'))
    assert.equal(named.status, 200, text(named))
    assert.equal((await json(u(root, 'deep', 'by name')))[0], 'dirnode')
    const kept = await req('POST', u(root, 'deep') + '?t=mkdir&replace=false&name=' + encodeURIComponent('by name'))
    assert.equal(kept.status, 409, text(kept))
    const self = await req('POST', u(root) + '?t=mkdir')
    assert.equal(self.status, 200, text(self))
    assert.equal(text(self), root)

    await req('PUT', u(root, 'deep', 'file'), 'I am a file')
    const through = await req('PUT', u(root, 'deep', 'file', 'x.txt'), 'x')
    assert.equal(through.status, 409, text(through))
    assert.equal(code(through), 'ERR_NOT_A_DIRECTORY')
    assert.equal((await req('POST', u(root, 'deep', 'file', 'sub') + '?t=mkdir')).status, 409)
    const read = await req('GET', u(root, 'deep', 'file', 'x.txt'))
    assert.equal(read.status, 400, text(read))
  })

  it('t=relink renames within a directory and moves to another (to_dir=); DELETE unlinks (404 when missing)', async () => {
    await req('PUT', u(root, 'mv', 'old.txt'), 'moving')
    const rn = await req('POST', u(root, 'mv') + '?t=relink&from_name=old.txt&to_name=new.txt')
    assert.equal(rn.status, 200, text(rn))
    assert.equal((await req('GET', u(root, 'mv', 'old.txt'))).status, 404)
    assert.equal(text(await req('GET', u(root, 'mv', 'new.txt'))), 'moving')

    const other = text(await req('POST', '/uri?t=mkdir'))
    await req('POST', u(other, 'in') + '?t=mkdir')
    const mv = await req('POST', u(root, 'mv') + `?t=relink&from_name=new.txt&to_dir=${encodeURIComponent(other + '/in')}`)
    assert.equal(mv.status, 200, text(mv))
    assert.equal(text(await req('GET', u(other, 'in', 'new.txt'))), 'moving')
    assert.equal((await req('GET', u(root, 'mv', 'new.txt'))).status, 404)

    await req('PUT', u(root, 'mv', 'a'), 'a')
    await req('PUT', u(root, 'mv', 'b'), 'b')
    const clash = await req('POST', u(root, 'mv') + '?t=relink&from_name=a&to_name=b&replace=false')
    assert.equal(clash.status, 409, text(clash))
    assert.equal((await req('POST', u(root, 'mv') + '?t=relink&from_name=a%2Fb')).status, 400)

    const del = await req('DELETE', u(root, 'mv', 'a'))
    assert.equal(del.status, 200, text(del))
    assert.match(text(del), /^URI:(LIT|CHK):/)
    assert.equal((await req('GET', u(root, 'mv', 'a'))).status, 404)
    const missing = await req('DELETE', u(root, 'mv', 'a'))
    assert.equal(missing.status, 404, text(missing))
    assert.equal(code(missing), 'ERR_NO_SUCH_CHILD')
    const posted = await req('POST', u(root, 'mv') + '?t=delete&name=b')
    assert.equal(posted.status, 200, text(posted))
    assert.deepEqual((await json(u(root, 'mv')))[1].children, {})
  })

  it('a read-only dircap reads, refuses PUT/DELETE/mkdir/relink with a clear error, and its JSON holds no write cap', async () => {
    await req('PUT', u(root, 'ro', 'sub', 'f.txt'), 'readable')
    await req('PUT', u(root, 'ro', 'm.txt') + '?mutable=true', 'mutable child')
    const ro = text(await req('GET', u(root, 'ro') + '?t=readonly-uri'))
    assert.match(ro, /^URI:DIR2-RO:/)
    assert.equal(text(await req('GET', u(ro, 'sub', 'f.txt'))), 'readable')
    assert.equal(text(await req('GET', u(ro, 'm.txt'))), 'mutable child')
    for (const path of [u(ro), u(ro, 'sub'), u(ro, 'sub', 'f.txt'), u(ro, 'm.txt')]) {
      const res = await req('GET', path + '?t=json')
      assert.equal(res.status, 200, text(res))
      assert.doesNotMatch(text(res), /rw_uri|URI:DIR2:|URI:SSK:|URI:MDMF:/, path)
    }
    assert.equal(text(await req('GET', u(ro) + '?t=uri')), ro)
    const refusals = [
      await req('PUT', u(ro, 'new.txt'), 'no'),
      await req('PUT', u(ro, 'sub', 'f.txt') + '?t=uri', text(await req('PUT', '/uri', 'x'))),
      await req('DELETE', u(ro, 'sub', 'f.txt')),
      await req('POST', u(ro, 'newdir') + '?t=mkdir'),
      await req('POST', u(ro, 'sub') + '?t=relink&from_name=f.txt&to_name=g.txt')
    ]
    for (const res of refusals) {
      assert.equal(res.status, 400, text(res))
      assert.equal(code(res), 'ERR_READ_ONLY_DIRECTORY')
      assert.match(text(res), /read-only cap/)
    }
    assert.equal(text(await req('GET', u(root, 'ro', 'sub', 'f.txt'))), 'readable')
  })

  it('unicode names round-trip through percent-encoding (NFC and NFD input are one name); %2F in a name is refused', async () => {
    const nfc = 'caf\u00e9.txt'
    const nfd = 'cafe\u0301.txt'
    const put = await req('PUT', u(root, 'uni', nfd), 'coffee')
    assert.equal(put.status, 201, text(put))
    assert.equal(text(await req('GET', u(root, 'uni', nfc))), 'coffee')
    assert.equal(text(await req('GET', u(root, 'uni', nfd))), 'coffee')
    assert.equal((await req('PUT', u(root, 'uni', nfc), 'coffee 2')).status, 200, 'the NFC name is the same link')
    for (const name of ['\u{1F4C1} folder', '\u6587\u4EF6 \u30C6\u30B9\u30C8', 'sp ace?#&%.bin']) {
      assert.equal((await req('PUT', u(root, 'uni', name, 'inner.txt'), name)).status, 201, name)
      assert.equal(text(await req('GET', u(root, 'uni', name, 'inner.txt'))), name)
    }
    const [, props] = await json(u(root, 'uni'))
    assert.deepEqual(Object.keys(props.children).sort(), [nfc, '\u{1F4C1} folder', '\u6587\u4EF6 \u30C6\u30B9\u30C8', 'sp ace?#&%.bin'].sort())
    const slash = await req('PUT', `${u(root, 'uni')}/a%2Fb.txt`, 'no')
    assert.equal(slash.status, 400, text(slash))
    assert.equal(code(slash), 'ERR_INVALID_CHILD_NAME')
    assert.equal((await req('GET', `${u(root, 'uni')}//x`)).status, 400)
  })

  it('a foreign Origin may not PUT, DELETE or POST under a dircap; nothing changes', async () => {
    await req('PUT', u(root, 'guarded', 'keep.txt'), 'kept')
    const before = text(await req('GET', u(root, 'guarded') + '?t=json'))
    const tries = [
      await req('PUT', u(root, 'guarded', 'evil.txt'), 'evil', EVIL),
      await req('PUT', u(root, 'guarded', 'keep.txt') + '?t=uri', root, EVIL),
      await req('DELETE', u(root, 'guarded', 'keep.txt'), undefined, EVIL),
      await req('POST', u(root, 'guarded', 'x') + '?t=mkdir', undefined, EVIL),
      await req('POST', u(root, 'guarded') + '?t=relink&from_name=keep.txt&to_name=gone.txt', undefined, EVIL),
      await req('POST', '/uri?t=mkdir', undefined, EVIL)
    ]
    for (const res of tries) {
      assert.equal(res.status, 403, text(res))
      assert.equal(code(res), 'ERR_FORBIDDEN_ORIGIN')
    }
    assert.equal(text(await req('GET', u(root, 'guarded') + '?t=json')), before)
    // the gateway's own pages may (same origin)
    const own = await req('PUT', u(root, 'guarded', 'own.txt'), 'ok', { Origin: h.gateway.url })
    assert.equal(own.status, 201, text(own))
  })

  it('errors: an unknown child is 404, a malformed dircap 400, an unknown t= 400', async () => {
    const missing = await req('GET', u(root, 'nothing-here'))
    assert.equal(missing.status, 404)
    assert.equal(code(missing), 'ERR_NO_SUCH_CHILD')
    const bad = await req('GET', u('URI:DIR2:abc:def'))
    assert.equal(bad.status, 400, text(bad))
    assert.equal((await req('GET', u(root) + '?t=bogus')).status, 400)
    assert.equal((await req('GET', u(root) + '/%FF')).status, 400, 'not UTF-8')
    // a trailing slash on a directory is fine
    await req('POST', u(root, 'slash', 'ed') + '?t=mkdir')
    const [type] = await json(u(root, 'slash', 'ed') + '/')
    assert.equal(type, 'dirnode')
    const page = await req('GET', u(root, 'slash') + '/', undefined, { Accept: 'text/html' })
    assert.equal(page.headers['content-type'], 'text/html; charset=utf-8')
    assert.match(text(page), /<a class="name" href="[^"]+\/slash\/ed\/">ed\/<\/a>/)
  })
})
