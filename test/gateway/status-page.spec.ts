import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { createServer, request, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { startGateway } from '../../src/gateway/index.js'
import { formatCap } from '../../src/immutable/index.js'
import { startHarness, startSilentServer, type GatewayHarness } from './helpers.js'
import type { Browser } from 'playwright-core'
import { launchChromium } from '../fixtures/chromium.js'


describe('gateway: live status page in a real browser', function () {
  this.timeout(90_000)
  let h: GatewayHarness | undefined
  let browser: Browser | undefined

  before(async function () {
    browser = await launchChromium(this)
    h = await startHarness({ locateTimeoutMs: 8000 })
  })
  after(async () => {
    await browser?.close()
    await h?.stop()
  })

  it('shows a transfer started after the page loaded, and its progress, without a reload', async () => {
    assert.ok(h !== undefined && browser !== undefined)
    // The page's CSP forbids eval; the test's own probes need it.
    const page = await (await browser.newContext({ bypassCSP: true })).newPage()
    await page.goto(`${h.gateway.url}/status`)
    await page.waitForFunction(`document.getElementById('peer-id').textContent === ${JSON.stringify(h.node.peerId)}`, undefined, { timeout: 15_000 })
    // The node keeps its default club's servers connected, so it is ready before any upload.
    await page.waitForFunction("document.getElementById('upload-ready').textContent === 'YES'", undefined, { timeout: 15_000 })
    assert.match(await page.textContent('#transfers') ?? '', /no transfers right now/)
    const uploadsBefore = await page.textContent('#overview')
    assert.match(uploadsBefore ?? '', /uploads0 done/)
    assert.match(uploadsBefore ?? '', /reachableunknown/)
    assert.match(uploadsBefore ?? '', /peers\d+ \(\d+ direct, 0 hole-punched, 0 relayed\)/)
    // A marker on window survives only if the page is never reloaded.
    await page.evaluate('window.__sameDocument = true')

    // An upload whose body arrives slowly: 20 chunks of 16 KiB, 150 ms apart.
    const chunk = Buffer.alloc(16 * 1024, 7)
    const total = chunk.length * 20
    let answer = ''
    const req = request(new URL('/uri', h.gateway.url), { method: 'PUT', headers: { 'Content-Length': total } }, res => {
      res.on('data', (d: Buffer) => { answer += d.toString() })
    })
    req.on('error', () => {})
    const sending = (async () => {
      for (let i = 0; i < 20; i++) {
        req.write(chunk)
        await new Promise(resolve => setTimeout(resolve, 150))
      }
      req.end()
    })()

    const row = page.locator('#transfers tr[data-transfer-id]')
    await row.first().waitFor({ timeout: 5_000 })
    assert.match(await row.first().textContent() ?? '', /upload/)
    const first = Number(await row.first().getAttribute('data-bytes-done'))
    await page.waitForFunction(`(() => {
      const r = document.querySelector('#transfers tr[data-transfer-id]')
      return r !== null && Number(r.getAttribute('data-bytes-done')) > ${first}
    })()`, undefined, { timeout: 5_000 })
    const width = parseFloat(await page.locator('#transfers .bar > span').first().getAttribute('style').then(s => /width:\s*([\d.]+)%/.exec(s ?? '')?.[1] ?? 'NaN'))
    assert.ok(width > 0 && width <= 100, `progress bar width ${width}%`)

    await sending
    await page.waitForFunction("document.querySelector('#transfers tr[data-transfer-id]') === null", undefined, { timeout: 15_000 })
    await page.waitForFunction("/uploads1 done/.test(document.getElementById('overview').textContent)", undefined, { timeout: 5_000 })
    // the upload connected the node to the grid: readiness flips live too
    await page.waitForFunction("document.getElementById('upload-ready').textContent === 'YES'", undefined, { timeout: 5_000 })
    assert.match(answer, /^URI:CHK:/)
    assert.equal(await page.evaluate('window.__sameDocument'), true, 'the page was reloaded')
    // The servers the upload used are listed with what the node saw of them.
    await page.waitForFunction("document.querySelector('#reputation tr[data-peer]') !== null", undefined, { timeout: 5_000 })
    assert.match(await page.textContent('#reputation') ?? '', /good/)
    await page.screenshot({ path: `${h.dir}/status.png`, fullPage: true })
  })

  it('the page reaches the node through its HttpOnly cookie: caps show, script cannot read the token, a request without it is refused', async () => {
    assert.ok(h !== undefined && browser !== undefined)
    const page = await (await browser.newContext({ bypassCSP: true })).newPage()
    await page.goto(`${h.gateway.url}/status`)
    await page.waitForFunction(`document.getElementById('peer-id').textContent === ${JSON.stringify(h.node.peerId)}`, undefined, { timeout: 15_000 })
    assert.equal(await page.evaluate('document.cookie'), '', 'the token cookie must be HttpOnly')
    // A download that hangs on a silent server: its row shows the cap only to a caller with the token.
    const silent = await startSilentServer()
    const missing = formatCap({ kind: 'chk', key: randomBytes(16), uebHash: randomBytes(32), k: 2, n: 4, size: 5000 })
    const downloading = new Promise<number>(resolve => {
      request(new URL(`/uri/${encodeURIComponent(missing)}?server=${encodeURIComponent(silent.multiaddr)}`, h?.gateway.url), res => { res.resume(); resolve(res.statusCode ?? 0) }).on('error', () => { resolve(0) }).end()
    })
    try {
      await page.waitForFunction("/URI:CHK:/.test(document.getElementById('transfers').textContent)", undefined, { timeout: 6_000 })
      assert.equal(await page.evaluate("fetch('/api/node').then(r => r.status)"), 200)
      assert.equal(await page.evaluate("fetch('/api/node', { credentials: 'omit' }).then(r => r.status)"), 401)
    } finally {
      assert.equal(await downloading, 404)
      await silent.close()
    }
  })

  it('a literal cap named x.html is downloaded, not rendered; served inline (config) its script does not run', async () => {
    assert.ok(h !== undefined && browser !== undefined)
    const cap = encodeURIComponent(formatCap({ kind: 'lit', data: new TextEncoder().encode("<script>document.title='ran'</script>") }))
    const page = await (await browser.newContext()).newPage()
    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: 10_000 }),
      page.goto(`${h.gateway.url}/uri/${cap}?filename=x.html`).catch(() => undefined) // "Download is starting"
    ])
    assert.equal(download.suggestedFilename(), 'x.html')
    const inline = await startGateway({ node: h.node, port: 0, inlineActiveContent: true })
    try {
      await page.goto(`${inline.url}/uri/${cap}?filename=x.html`)
      assert.equal(await page.evaluate('document.contentType'), 'text/html')
      assert.notEqual(await page.title(), 'ran', 'the CSP sandbox let the file run its script')
    } finally {
      await inline.close()
    }
  })

  it('a form on another site that posts a file to /uri gets 403, and nothing is uploaded', async () => {
    assert.ok(h !== undefined && browser !== undefined)
    const target = `${h.gateway.url}/uri`
    const evil: Server = createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html' })
      res.end(`<form method="POST" enctype="text/plain" action="${target}"><input name="a" value="attacker's file"></form><script>document.forms[0].submit()</script>`)
    })
    await new Promise<void>(resolve => evil.listen(0, '127.0.0.1', resolve))
    try {
      const started = h.gateway.transfers.totals.uploadsStarted
      const page = await (await browser.newContext()).newPage()
      const answered = page.waitForResponse(r => r.url() === target, { timeout: 10_000 })
      await page.goto(`http://127.0.0.1:${(evil.address() as AddressInfo).port}/`)
      const res = await answered
      assert.equal(res.status(), 403)
      assert.equal((await res.headerValue('x-lafs-error-code')), 'ERR_FORBIDDEN_ORIGIN')
      assert.equal(h.gateway.transfers.totals.uploadsStarted, started, 'the form started an upload')
    } finally {
      await new Promise<void>(resolve => { evil.close(() => { resolve() }) })
    }
  })
})
