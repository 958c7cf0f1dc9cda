import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { request } from 'node:http'
import { startHarness, type GatewayHarness } from './helpers.js'
import type { Browser } from 'playwright-core'

const CHROMIUM = '/usr/bin/chromium'

describe('gateway: live status page in a real browser', function () {
  this.timeout(90_000)
  let h: GatewayHarness | undefined
  let browser: Browser | undefined

  before(async function () {
    if (!existsSync(CHROMIUM)) {
      console.log('SKIPPED: chromium not installed (apt-get install chromium)')
      this.skip()
    }
    const { chromium } = await import('playwright-core')
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']
    })
    h = await startHarness()
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
    await page.screenshot({ path: `${h.dir}/status.png`, fullPage: true })
  })
})
