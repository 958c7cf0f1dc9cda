/**
 * Tahoe's batch directory routes on the gateway, which `lafs-club cp -r` uses:
 * `POST /uri?t=mkdir-with-children` (dir-batch-routes.ts) and
 * `POST /uri/<dircap>/<path>?t=set_children` (dir-routes.ts), over real HTTP
 * on a real node and grid.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { http, startHarness, type Answer, type GatewayHarness } from './helpers.js'

const u = (cap: string, ...names: string[]): string => `/uri/${encodeURIComponent(cap)}${names.map(n => '/' + encodeURIComponent(n)).join('')}`
const text = (a: Answer): string => a.body.toString('utf8')
const JSON_BODY = { 'Content-Type': 'application/json' }

describe('gateway: t=mkdir-with-children and t=set_children', function () {
  this.timeout(90_000)
  let h: GatewayHarness
  const req = async (method: string, path: string, body?: Uint8Array | string, headers?: Record<string, string>): Promise<Answer> => await http(h.gateway.url, method, path, body, headers)
  const json = async (path: string): Promise<[string, Record<string, any>]> => {
    const res = await req('GET', `${path}?t=json`)
    assert.equal(res.status, 200, text(res))
    return JSON.parse(text(res))
  }

  before(async () => { h = await startHarness() })
  after(async () => { await h?.stop() })

  it('mkdir-with-children makes a directory holding every child (file caps, a directory cap, metadata) in one request', async () => {
    const file = await req('PUT', '/uri', randomBytes(2000))
    assert.equal(file.status, 200, text(file))
    const sub = text(await req('POST', '/uri?t=mkdir'))
    const body = JSON.stringify({
      'big.bin': ['filenode', { ro_uri: text(file), metadata: { note: 'kept' } }],
      'tiny.txt': ['filenode', { ro_uri: 'URI:LIT:nbswy3dp' }],
      sub: ['dirnode', { rw_uri: sub }],
      'caf\u00e9': ['filenode', { ro_uri: 'URI:LIT:nbswy3dp' }]
    })
    const made = await req('POST', '/uri?t=mkdir-with-children&format=mdmf', body, JSON_BODY)
    assert.equal(made.status, 200, text(made))
    assert.match(text(made), /^URI:DIR2-MDMF:/)
    const [type, info] = await json(u(text(made)))
    assert.equal(type, 'dirnode')
    assert.deepEqual(Object.keys(info.children).sort(), ['big.bin', 'caf\u00e9', 'sub', 'tiny.txt'])
    assert.equal(info.children['big.bin'][1].ro_uri, text(file))
    assert.equal(info.children['big.bin'][1].metadata.note, 'kept')
    assert.equal(info.children.sub[0], 'dirnode')
    assert.equal(info.children.sub[1].rw_uri, sub)

    for (const bad of ['not json', '[]', JSON.stringify({ x: ['filenode', {}] }), JSON.stringify({ x: 'URI:LIT:nbswy3dp' })]) {
      const r = await req('POST', '/uri?t=mkdir-with-children', bad, JSON_BODY)
      assert.equal(r.status, 400, `${bad}: ${text(r)}`)
    }
  })

  it('set_children links many children into an existing directory in one request, with Tahoe\'s older name set-children too', async () => {
    const root = text(await req('POST', '/uri?t=mkdir'))
    assert.equal((await req('POST', u(root, 'a', 'b') + '?t=mkdir')).status, 200)
    const children: Record<string, unknown> = {}
    for (let i = 0; i < 50; i++) children[`f${i}`] = ['filenode', { ro_uri: 'URI:LIT:nbswy3dp' }]
    const set = await req('POST', u(root, 'a', 'b') + '?t=set_children', JSON.stringify(children), JSON_BODY)
    assert.equal(set.status, 200, text(set))
    assert.equal(Object.keys((await json(u(root, 'a', 'b')))[1].children).length, 50)
    const hyphen = await req('POST', u(root, 'a', 'b') + '?t=set-children', JSON.stringify({ f1: ['filenode', { ro_uri: 'URI:LIT:mfrgg' }] }), JSON_BODY)
    assert.equal(hyphen.status, 200, text(hyphen))
    assert.equal((await json(u(root, 'a', 'b', 'f1')))[1].ro_uri, 'URI:LIT:mfrgg')
    // Tahoe's argument for this one is overwrite=: false refuses an existing name and changes nothing
    const refused = await req('POST', u(root, 'a', 'b') + '?t=set_children&overwrite=false', JSON.stringify({ f1: ['filenode', { ro_uri: 'URI:LIT:nbswy3dp' }] }), JSON_BODY)
    assert.equal(refused.status, 409, text(refused))
    assert.equal((await json(u(root, 'a', 'b', 'f1')))[1].ro_uri, 'URI:LIT:mfrgg')
  })
})
