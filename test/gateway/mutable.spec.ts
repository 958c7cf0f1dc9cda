import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { http, startHarness, type GatewayHarness } from './helpers.js'

describe('gateway: GET /uri/<mutable cap>', function () {
  this.timeout(60_000)
  let h: GatewayHarness
  before(async () => { h = await startHarness() })
  after(async () => { await h?.stop() })

  for (const format of ['sdmf', 'mdmf'] as const) {
    it(`${format}: the newest contents by write cap and read cap, with Range, never cached as immutable`, async () => {
      const first = randomBytes(5000)
      const made = await h.node.files.createMutable(first, { format })
      for (const cap of [made.cap, made.readCap]) {
        const res = await http(h.gateway.url, 'GET', `/uri/${encodeURIComponent(cap)}`)
        assert.equal(res.status, 200, res.body.toString())
        assert.ok(res.body.equals(first))
        assert.equal(res.headers['cache-control'], 'no-cache')
      }
      const next = randomBytes(7000)
      await h.node.files.overwrite(made.cap, next)
      const res = await http(h.gateway.url, 'GET', `/uri/${encodeURIComponent(made.readCap)}`)
      assert.ok(res.body.equals(next), 'the same cap now names the new contents')
      const part = await http(h.gateway.url, 'GET', `/uri/${encodeURIComponent(made.readCap)}`, undefined, { Range: 'bytes=100-199' })
      assert.equal(part.status, 206)
      assert.equal(part.headers['content-range'], `bytes 100-199/${next.length}`)
      assert.ok(part.body.equals(next.subarray(100, 200)))
    })
  }

  it('PUT /uri?format=mdmf creates a mutable file; PUT /uri/<write cap> replaces its contents; a read cap cannot', async () => {
    const made = await http(h.gateway.url, 'PUT', '/uri?format=mdmf&t=json', Buffer.from('first'))
    assert.equal(made.status, 200, made.body.toString())
    const { cap, readCap } = JSON.parse(made.body.toString())
    assert.match(cap, /^URI:MDMF:/)
    const put = await http(h.gateway.url, 'PUT', `/uri/${encodeURIComponent(cap)}`, Buffer.from('second'))
    assert.equal(put.status, 200, put.body.toString())
    assert.equal(put.body.toString(), cap)
    assert.equal((await http(h.gateway.url, 'GET', `/uri/${encodeURIComponent(readCap)}`)).body.toString(), 'second')
    const refused = await http(h.gateway.url, 'PUT', `/uri/${encodeURIComponent(readCap)}`, Buffer.from('third'))
    assert.equal(refused.status, 405)
    const foreign = await http(h.gateway.url, 'PUT', `/uri/${encodeURIComponent(cap)}`, Buffer.from('evil'), { Origin: 'https://evil.example' })
    assert.equal(foreign.status, 403)
    assert.equal((await http(h.gateway.url, 'GET', `/uri/${encodeURIComponent(readCap)}`)).body.toString(), 'second')
  })

  it('a mutable cap nobody holds answers 404; a malformed one 400', async () => {
    const made = await h.node.files.createMutable(Buffer.from('x'))
    // Same key material, another storage index: change the read key's first character.
    const ro = made.readCap
    const i = 'URI:SSK-RO:'.length
    const other = ro.slice(0, i) + (ro[i] === 'a' ? 'b' : 'a') + ro.slice(i + 1)
    const missing = await http(h.gateway.url, 'GET', `/uri/${encodeURIComponent(other)}`)
    assert.equal(missing.status, 404, missing.body.toString())
    const bad = await http(h.gateway.url, 'GET', `/uri/${encodeURIComponent('URI:SSK-RO:abc:def')}`)
    assert.equal(bad.status, 400, bad.body.toString())
  })
})
