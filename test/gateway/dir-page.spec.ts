import assert from 'node:assert/strict'
import { DIR_PAGE_HEADERS, renderDirPage } from '../../src/gateway/dir-page.js'
import type { DirListing } from '../../src/node/index.js'
import { http, startHarness, type GatewayHarness } from './helpers.js'
import type { Browser } from 'playwright-core'
import { launchChromium } from '../fixtures/chromium.js'

const HOSTILE = '<img src=x onerror="document.title=\'pwned\'">\'"<script>document.title=\'pwned\' <b>bold.txt'
const u = (cap: string, ...names: string[]): string => `/uri/${encodeURIComponent(cap)}${names.map(n => '/' + encodeURIComponent(n)).join('')}`

describe('gateway: the HTML directory page', () => {
  const WRITE = 'URI:DIR2:aaaaaaaaaaaaaaaaaaaaaaaaaa:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb'
  const READ = 'URI:DIR2-RO:cccccccccccccccccccccccccc:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb'
  const listing = (writable: boolean): DirListing => ({
    ...(writable ? { writeCap: WRITE } : {}),
    readCap: READ,
    mutable: true,
    format: 'sdmf',
    readOnly: !writable,
    children: [
      { name: HOSTILE, type: 'filenode', readCap: 'URI:LIT:nbswy3dp', mutable: false, format: 'LIT', size: 5, metadata: { tahoe: { linkcrtime: 1700000000, linkmotime: 1700000000.5 } } },
      { name: 'sub dir', type: 'dirnode', readCap: READ, mutable: true, metadata: {} }
    ]
  })

  it('escapes names in text and links, percent-encodes hrefs, and never prints a write cap', () => {
    for (const writable of [true, false]) {
      const html = renderDirPage({ urlCap: writable ? WRITE : READ, segments: ['a "b"', '<c>'], listing: listing(writable) })
      assert.ok(!html.includes('<script>document'), 'a name became a script element')
      assert.ok(!html.includes('<img src=x'), 'a name became an element')
      assert.ok(html.includes('&lt;img src=x onerror=&quot;document.title=&#39;pwned&#39;&quot;&gt;'))
      // hrefs: every name percent-encoded, nothing that closes the attribute
      for (const m of html.matchAll(/href="([^"]*)"/g)) assert.match(m[1], /^\/uri\/[A-Za-z0-9%._~!*()'-]+(\/[A-Za-z0-9%._~!*()&#;'-]*)*(\?save=true|\?t=json)?$/, m[1])
      assert.ok(html.includes(`/uri/${encodeURIComponent(writable ? WRITE : READ)}/a%20%22b%22/%3Cc%3E/sub%20dir/`))
      assert.ok(html.includes(READ), 'the read-only cap is shown')
      const text = html.replace(/href="[^"]*"/g, '')
      assert.ok(!text.includes(WRITE.slice(9)), 'the write cap is printed outside the links')
      assert.match(html, writable ? /Writable/ : /Read-only/)
      assert.match(html, /2023-11-14 22:13:20 UTC/)
      assert.match(html, /id="parent" href="[^"]*\/a%20%22b%22\/"/)
    }
    assert.match(DIR_PAGE_HEADERS['Content-Security-Policy'], /^sandbox allow-downloads; default-src 'none'/)
  })
})

describe('gateway: the directory page in a real browser', function () {
  this.timeout(90_000)
  let h: GatewayHarness | undefined
  let browser: Browser | undefined
  let root = ''
  let ro = ''

  before(async function () {
    browser = await launchChromium(this)
    h = await startHarness()
    root = (await http(h.gateway.url, 'POST', '/uri?t=mkdir')).body.toString()
    for (const [path, body] of [[['hello.txt'], 'hello, world'], [['docs', 'readme.txt'], 'read me please'], [['docs', 'deeper', 'x.bin'], 'x'], [[HOSTILE], 'hostile']] as const) {
      const res = await http(h.gateway.url, 'PUT', u(root, ...path), body)
      assert.equal(res.status, 201, res.body.toString())
    }
    ro = (await http(h.gateway.url, 'GET', u(root) + '?t=readonly-uri')).body.toString()
  })
  after(async () => {
    await browser?.close()
    await h?.stop()
  })

  it('lists a 2-level tree, follows a subdirectory link, a parent link and a file link (the bytes come back)', async () => {
    assert.ok(h !== undefined && browser !== undefined)
    const page = await (await browser.newContext()).newPage()
    const first = await page.goto(`${h.gateway.url}${u(root)}`)
    assert.equal(first?.status(), 200)
    assert.match(first?.headers()['content-security-policy'] ?? '', /^sandbox allow-downloads/)
    const names = await page.locator('#children a.name').allTextContents()
    assert.deepEqual(names, [HOSTILE, 'docs/', 'hello.txt'])
    assert.match(await page.locator('#access').textContent() ?? '', /Writable/)
    assert.equal(await page.locator('#ro-cap').textContent(), ro)
    assert.ok(!(await page.locator('body').innerText()).includes(root.slice(9)), 'the write cap is visible on the page')

    await page.locator('#children a.name', { hasText: 'docs/' }).click()
    await page.waitForURL(/\/docs\/$/)
    assert.deepEqual(await page.locator('#children a.name').allTextContents(), ['deeper/', 'readme.txt'])
    assert.equal(await page.locator('#path').textContent(), '/docs')
    await page.locator('#parent').click()
    await page.waitForURL(new RegExp(`${encodeURIComponent(root)}/$`))
    await page.locator('#children a.name', { hasText: 'docs/' }).click()
    await page.waitForURL(/\/docs\/$/)

    const [file] = await Promise.all([
      page.waitForResponse(r => r.url().endsWith('/docs/readme.txt'), { timeout: 10_000 }),
      page.locator('#children a.name', { hasText: 'readme.txt' }).click()
    ])
    assert.equal(file.status(), 200)
    assert.equal((await file.body()).toString(), 'read me please')
    await page.waitForURL(/readme\.txt$/)
    assert.equal((await page.locator('body').innerText()).trim(), 'read me please')
    await page.goBack()
    await page.screenshot({ path: process.env.LAFS_SCREENSHOT ?? `${h.dir}/dir-page.png`, fullPage: true })
  })

  it('a hostile file name renders as text (even with the CSP off) and its link opens that file', async () => {
    assert.ok(h !== undefined && browser !== undefined)
    // CSP off: only the escaping stands between the name and the page.
    const page = await (await browser.newContext({ bypassCSP: true })).newPage()
    await page.goto(`${h.gateway.url}${u(ro)}`)
    assert.equal(await page.locator('#children a.name').first().textContent(), HOSTILE)
    assert.equal(await page.evaluate('document.querySelectorAll("#children img, #children script, #children b").length'), 0)
    assert.notEqual(await page.title(), 'pwned')
    assert.match(await page.locator('#access').textContent() ?? '', /Read-only/)
    assert.ok(!(await page.content()).includes(root.slice(9)), 'a read-only page holds the write cap')
    const [file] = await Promise.all([
      page.waitForResponse(r => r.url().includes(encodeURIComponent('<img')) && r.request().resourceType() === 'document', { timeout: 10_000 }),
      page.locator('#children a.name').first().click()
    ])
    assert.equal((await file.body()).toString(), 'hostile')
  })
})
