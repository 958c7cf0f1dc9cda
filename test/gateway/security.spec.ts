/**
 * Issue #12, the gateway half: a hostile web page must not run its own HTML on
 * the gateway's origin, drive the control API, read caps, or upload through the
 * user's node. Each test here fails on the gateway before the change (no CSP,
 * no token, no Origin check, caps in /status).
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { formatCap } from '../../src/immutable/index.js'
import { startGateway } from '../../src/gateway/index.js'
import { http, startHarness, startSilentServer, type Answer, type GatewayHarness } from './helpers.js'


const errorCode = (a: Answer): string => JSON.parse(a.body.toString()).error.code
/** A literal cap: anyone can make one holding up to 55 bytes of their choice. */
const litCap = (text: string): string => formatCap({ kind: 'lit', data: new TextEncoder().encode(text) })
const EVIL = 'http://evil.example'

describe('gateway: a web page cannot use the gateway against its user', function () {
  this.timeout(60_000)
  let h: GatewayHarness
  let auth: Record<string, string>
  const json = { 'Content-Type': 'application/json' }

  before(async () => {
    h = await startHarness({ locateTimeoutMs: 4000 })
    auth = { Authorization: `Bearer ${h.gateway.apiToken}` }
  })
  after(async () => { await h?.stop() })

  it('a literal cap with ?filename=x.html is a sandboxed, unsniffed attachment (GET and HEAD)', async () => {
    const cap = litCap('<script>fetch("/api/invites",{method:"POST"})</script>')
    for (const method of ['GET', 'HEAD']) {
      for (const name of ['x.html', 'x.svg', 'x.XHTML', 'x.js', 'x.xml']) {
        const res = await http(h.gateway.url, method, `/uri/${encodeURIComponent(cap)}?filename=${name}`)
        assert.equal(res.status, 200, `${method} ${name}`)
        assert.equal(res.headers['content-security-policy'], "sandbox; default-src 'none'", `${method} ${name}`)
        assert.equal(res.headers['x-content-type-options'], 'nosniff', `${method} ${name}`)
        assert.match(String(res.headers['content-disposition']), /^attachment; /, `${method} ${name}`)
      }
    }
    // Other types are inline, still sandboxed; the file name cannot break out of the header.
    const txt = await http(h.gateway.url, 'GET', `/uri/${encodeURIComponent(litCap('hello'))}?filename=${encodeURIComponent('a"; b=c\u00e9.txt')}`)
    assert.equal(txt.body.toString(), 'hello')
    assert.equal(txt.headers['content-security-policy'], "sandbox; default-src 'none'")
    assert.equal(txt.headers['content-disposition'], 'inline; filename="a__ b=c_.txt"; filename*=UTF-8\'\'a%22%3B%20b%3Dc%C3%A9.txt')
    // no ?filename=: no Content-Disposition, but the same protection
    const plain = await http(h.gateway.url, 'GET', `/uri/${encodeURIComponent(litCap('hello'))}`)
    assert.equal(plain.headers['content-disposition'], undefined)
    assert.equal(plain.headers['x-content-type-options'], 'nosniff')
  })

  it('gateway.inlineActiveContent serves active types inline, still under CSP sandbox', async () => {
    const inline = await startGateway({ node: h.node, port: 0, inlineActiveContent: true })
    try {
      const res = await http(inline.url, 'GET', `/uri/${encodeURIComponent(litCap('<b>hi</b>'))}?filename=x.html`)
      assert.equal(res.headers['content-type'], 'text/html; charset=utf-8')
      assert.match(String(res.headers['content-disposition']), /^inline; /)
      assert.equal(res.headers['content-security-policy'], "sandbox; default-src 'none'")
    } finally {
      await inline.close()
    }
  })

  it('/api/* needs the token, GETs included; a foreign Origin is refused even with it', async () => {
    const body = JSON.stringify({ quota: 2 ** 40 })
    const none = await http(h.gateway.url, 'POST', '/api/invites', body, json)
    assert.equal(none.status, 401)
    assert.equal(errorCode(none), 'ERR_UNAUTHORIZED')
    assert.match(JSON.parse(none.body.toString()).error.message, /api_auth_token/)
    const wrong = await http(h.gateway.url, 'POST', '/api/invites', body, { ...json, Authorization: 'Bearer ' + 'a'.repeat(52) })
    assert.equal(wrong.status, 401)
    for (const path of ['/api/node', '/api/clubs', '/api/account/usage', `/api/clubs/${encodeURIComponent(h.clubId)}?refresh=1`]) {
      const get = await http(h.gateway.url, 'GET', path)
      assert.equal(get.status, 401, path)
    }
    const foreign = await http(h.gateway.url, 'POST', '/api/invites', body, { ...json, ...auth, Origin: EVIL })
    assert.equal(foreign.status, 403)
    assert.equal(errorCode(foreign), 'ERR_FORBIDDEN_ORIGIN')
    const opaque = await http(h.gateway.url, 'GET', '/api/node', undefined, { ...auth, Origin: 'null' })
    assert.equal(opaque.status, 403, 'a sandboxed /uri page has the opaque origin "null"')
    // the CLI (no Origin) and the gateway's own pages pass
    const ok = await http(h.gateway.url, 'POST', '/api/invites', body, { ...json, ...auth })
    assert.equal(ok.status, 200, ok.body.toString())
    const own = await http(h.gateway.url, 'GET', '/api/node', undefined, { Cookie: `other=1; lafs_api=${h.gateway.apiToken}`, Origin: `http://localhost:${h.gateway.port}` })
    assert.equal(own.status, 200, own.body.toString())
  })

  it('the status page hands the token over as an HttpOnly, SameSite=Strict cookie', async () => {
    const page = await http(h.gateway.url, 'GET', '/status')
    assert.equal(page.status, 200)
    assert.deepEqual(page.headers['set-cookie'], [`lafs_api=${h.gateway.apiToken}; HttpOnly; SameSite=Strict; Path=/`])
    const file = await http(h.gateway.url, 'GET', `/uri/${encodeURIComponent(litCap('x'))}`)
    assert.equal(file.headers['set-cookie'], undefined)
  })

  it('a cross-origin form POST to /uri is refused and uploads nothing; curl-style PUT without Origin still works', async () => {
    const before = { ...h.gateway.transfers.totals }
    const form = await http(h.gateway.url, 'POST', '/uri', 'file=hello', { 'Content-Type': 'application/x-www-form-urlencoded', Origin: EVIL })
    assert.equal(form.status, 403)
    assert.equal(form.headers['x-lafs-error-code'], 'ERR_FORBIDDEN_ORIGIN')
    const put = await http(h.gateway.url, 'PUT', '/uri?server=/ip4/127.0.0.1/tcp/1', 'hello', { Origin: EVIL })
    assert.equal(put.status, 403)
    const del = await http(h.gateway.url, 'DELETE', `/uri/${encodeURIComponent(litCap('x'))}`, undefined, { Origin: EVIL })
    assert.equal(del.status, 403)
    assert.equal(h.gateway.transfers.totals.uploadsStarted, before.uploadsStarted, 'an upload was started')

    const curl = await http(h.gateway.url, 'PUT', '/uri', randomBytes(1000))
    assert.equal(curl.status, 200, curl.body.toString())
    assert.match(curl.body.toString(), /^URI:CHK:/)
    const ownPage = await http(h.gateway.url, 'POST', '/uri', 'tiny', { Origin: h.gateway.url })
    assert.equal(ownPage.status, 200, ownPage.body.toString())
  })

  it('/status?t=json shows storage indexes, not caps, without the token; /metrics stays open', async () => {
    // A download from a server that never answers stays in progress until the locate deadline.
    const silent = await startSilentServer()
    const missing = formatCap({ kind: 'chk', key: randomBytes(16), uebHash: randomBytes(32), k: 2, n: 4, size: 5000 })
    const downloading = http(h.gateway.url, 'GET', `/uri/${encodeURIComponent(missing)}?server=${encodeURIComponent(silent.multiaddr)}`)
    try {
      const deadline = Date.now() + 3000
      let open: any
      let full: any
      while (Date.now() < deadline) {
        // both views at once, while the download is still in progress
        const [a, b] = await Promise.all([http(h.gateway.url, 'GET', '/status?t=json'), http(h.gateway.url, 'GET', '/status?t=json', undefined, auth)])
        open = JSON.parse(a.body.toString())
        full = JSON.parse(b.body.toString())
        if (open.transfers.length > 0 && full.transfers.length > 0) break
        await new Promise(resolve => setTimeout(resolve, 20))
      }
      assert.equal(open.transfers.length, 1, 'the download never showed up in the status')
      assert.equal(open.transfers[0].cap, undefined)
      assert.match(open.transfers[0].storageIndex, /^[a-z2-7]{26}$/)
      assert.doesNotMatch(JSON.stringify(open), /URI:/)
      assert.ok(open.leasesExpiringSoon.every((l: { cap?: string }) => l.cap === undefined))
      assert.equal(full.transfers[0].cap, missing)
      assert.equal(full.transfers[0].storageIndex, open.transfers[0].storageIndex)
    } finally {
      assert.equal((await downloading).status, 404)
      await silent.close()
    }
    const metrics = await http(h.gateway.url, 'GET', '/metrics')
    assert.equal(metrics.status, 200)
    assert.doesNotMatch(metrics.body.toString(), /URI:/)
  })
})
