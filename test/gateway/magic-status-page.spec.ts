import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { startHarness, type GatewayHarness } from './helpers.js'
import { sharedFolder, type MagicPair } from './magic-helpers.js'
import type { Browser } from 'playwright-core'
import { launchChromium } from '../fixtures/chromium.js'


describe('gateway: magic folders live on the status page in a real browser', function () {
  this.timeout(90_000)
  let h: GatewayHarness | undefined
  let pair: MagicPair | undefined
  let browser: Browser | undefined

  before(async function () {
    browser = await launchChromium(this)
    h = await startHarness()
    pair = await sharedFolder(h, 'family photos')
  })
  after(async () => {
    await browser?.close()
    await pair?.stop()
    await h?.stop()
  })

  it('shows a file\'s upload appear and complete, and the other participant\'s file arrive, without a reload', async () => {
    assert.ok(h !== undefined && pair !== undefined && browser !== undefined)
    // The page runs under its own CSP (no bypass, so the test probes with locators only, no eval): the stream must work within it.
    const context = await browser.newContext()
    const page = await context.newPage()
    const violations: string[] = []
    page.on('console', m => { if (/Content Security Policy|Refused/i.test(m.text())) violations.push(m.text()) })
    let navigations = 0
    page.on('framenavigated', f => { if (f === page.mainFrame()) navigations++ })
    await page.goto(`${h.gateway.url}/status`)
    const folder = page.locator('[data-folder="family photos"]')
    await folder.waitFor({ timeout: 15_000 })
    assert.match(await folder.textContent() ?? '', new RegExp(pair.pathA.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')))
    await page.locator('#mf-live').filter({ hasText: /^live$/ }).waitFor({ timeout: 5_000 })

    const size = 1024 * 1024
    await writeFile(join(pair.pathA, 'holiday.jpg'), Buffer.alloc(size, 9))
    const row = folder.locator('tr[data-relpath="holiday.jpg"]').first()
    await row.waitFor({ timeout: 15_000 })
    assert.match(await row.getAttribute('data-state') ?? '', /^(queued|uploading|done)$/)
    await folder.locator('tr[data-relpath="holiday.jpg"][data-state="done"]').first().waitFor({ timeout: 20_000 })
    const done = folder.locator('tr[data-relpath="holiday.jpg"][data-state="done"]').first()
    assert.match(await done.textContent() ?? '', /1\.0 MiB \/ 1\.0 MiB/)
    assert.match(await done.locator('.bar > span').getAttribute('style') ?? '', /width: ?100(\.0)?%/)

    // bob's file comes down into alice's folder: a download row from bob, then done.
    await writeFile(join(pair.pathB, 'from-bob.txt'), 'hello alice')
    await folder.locator('tr[data-relpath="from-bob.txt"][data-state="done"]').first().waitFor({ timeout: 20_000 })
    assert.match(await folder.locator('tr[data-relpath="from-bob.txt"]').first().textContent() ?? '', /bob.*done: created/)
    // The participants table: bob seen changing something a moment ago.
    await folder.locator('tr', { hasText: /^bob\d+ s ago$/ }).waitFor({ timeout: 10_000 })
    assert.match(await folder.textContent() ?? '', /last poll(\d+ s ago|polling now)/)
    assert.match(await folder.textContent() ?? '', /next poll(in \d+ s|due now)/)

    assert.equal(navigations, 1, 'the page was reloaded')
    assert.doesNotMatch(await page.locator('#magic-folders').textContent() ?? '', /URI:/, 'no cap in the magic-folders section')
    assert.deepEqual(violations, [])
    await page.screenshot({ path: process.env.MF_SHOT ?? `${h.dir}/magic-status.png`, fullPage: true })
    await context.close()
  })
})
