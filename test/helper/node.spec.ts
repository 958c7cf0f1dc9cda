import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startGateway, type Gateway } from '../../src/gateway/index.js'
import { createNode, silentLogger, type LafsNode } from '../../src/node/index.js'
import { STORAGE_PROTOCOL } from '../../src/protocols/index.js'
import { startGrid, stopGrid, type GridServer } from '../fixtures/grid.js'
import { http } from '../gateway/helpers.js'
import { run } from '../cli/helpers.js'
import { launchChromium } from '../fixtures/chromium.js'

const NODE_CONFIG = { client: { k: 2, happy: 3, n: 4 }, connections: { allow: ['/ip4/127.0.0.0/ipcidr/8'] } }

describe('helper: through LafsNode, the CLI\'s gateway parameter and config', function () {
  this.timeout(60_000)
  let dir = ''
  let grid: GridServer[] = []
  let helper: LafsNode | undefined
  let client: LafsNode | undefined
  let gateway: Gateway | undefined

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lafs-helper-node-'))
    grid = await startGrid(4)
    helper = await createNode({
      dataDir: join(dir, 'helper'), listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap: [], gateway: false, storage: { enabled: false },
      config: { ...NODE_CONFIG, helper: { enabled: true, spoolBytes: '64 MiB' } }, logger: silentLogger
    })
    // Without a club the helper places shares on the storage servers it is connected to (identify says which).
    const h = helper
    await Promise.all(grid.map(async s => { await h.libp2p.dial(s.libp2p.getMultiaddrs()[0]) }))
    const deadline = Date.now() + 10_000
    for (;;) {
      const known = await Promise.all(grid.map(async s => (await h.libp2p.peerStore.get(s.libp2p.peerId)).protocols.includes(STORAGE_PROTOCOL)))
      if (known.every(Boolean)) break
      if (Date.now() > deadline) throw new Error('identify did not tell the helper which peers serve storage within 10 s')
      await new Promise(resolve => setTimeout(resolve, 50))
    }
    // The helper node is also the client's DHT peer, where the client's club roster is published.
    client = await createNode({
      dataDir: join(dir, 'client'), listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap: [h.multiaddrs[0]], gateway: false, storage: { enabled: false }, config: NODE_CONFIG, logger: silentLogger
    })
    await client.bootstrapped
    gateway = await startGateway({ node: client, port: 0 })
  })
  after(async () => {
    await gateway?.close()
    await client?.stop()
    await helper?.stop()
    await stopGrid(grid)
    await rm(dir, { recursive: true, force: true })
  })

  it('node.put({ helper }) gives the direct cap, records the lease, and the gateway\'s ?helper= finds the file stored', async () => {
    const c = client as LafsNode
    const h = helper as LafsNode
    const helperAddr = h.multiaddrs[0]
    assert.ok(helperAddr.includes('/p2p/'))
    const data = randomBytes(400_000)
    const via = await c.put(data, { helper: helperAddr })
    assert.equal(via.helper?.alreadyStored, false)
    assert.equal(via.helper?.sentBytes, data.length)
    assert.equal(h.helper?.stats().placed, 1)
    const status = (await h.admin.status()).helper
    assert.equal(status?.placed, 1)
    assert.deepEqual(status?.clients, [{ peerId: c.peerId.toString(), receivedBytes: data.length }], 'the helper counts its clients by peer ID')
    const direct = await c.put(data, { servers: grid.map(s => s.info.multiaddrs[0]) })
    assert.equal(via.cap, direct.cap)
    assert.ok(c.leases.list().some(l => l.cap === via.cap && l.servers.length >= 3), 'recorded for renewal and repair')
    assert.ok(Buffer.from(await c.get(via.cap, { servers: grid.map(s => s.info.multiaddrs[0]) })).equals(data))

    const other = randomBytes(100_000)
    const answer = await http(gateway?.url as string, 'PUT', `/uri?t=json&helper=${encodeURIComponent(helperAddr)}`, other, { 'Content-Type': 'application/octet-stream' })
    assert.equal(answer.status, 200, answer.body.toString())
    const json = JSON.parse(answer.body.toString()) as { cap: string, helper?: { alreadyStored: boolean, sentBytes: number } }
    assert.equal(json.helper?.sentBytes, other.length)
    const again = await http(gateway?.url as string, 'PUT', `/uri?t=json&helper=${encodeURIComponent(helperAddr)}`, other, { 'Content-Type': 'application/octet-stream' })
    const json2 = JSON.parse(again.body.toString()) as { cap: string, helper?: { alreadyStored: boolean, sentBytes: number } }
    assert.equal(json2.cap, json.cap)
    assert.equal(json2.helper?.alreadyStored, true)
    assert.equal(json2.helper?.sentBytes, 0)
  })

  it('put({ helper: "club" }) uses the helper the club\'s roster lists, and hints the cap with the club', async () => {
    const c = client as LafsNode
    const h = helper as LafsNode
    const club = await c.clubs.create({ name: 'helper test club', local: true, servers: grid.map(s => s.info.multiaddrs[0]) })
    await c.clubs.setDefault(club.clubId)
    // a helper places shares only on clubs its operator owns or joined
    await h.clubs.join(club.clubId)
    await assert.rejects(c.put(randomBytes(10_000), { helper: 'club' }), { code: 'ERR_NO_SERVERS' }, 'no helper listed yet')
    const status = await c.clubs.setHelpers(club.clubId, [h.multiaddrs[0]])
    assert.equal(status.helpers?.[0].peerId, h.peerId.toString())
    const placedBefore = h.helper?.stats().placed ?? 0
    const data = randomBytes(120_000)
    const res = await c.put(data, { helper: 'club' })
    assert.equal(res.helper?.peerId, h.peerId.toString())
    assert.equal(res.hintedCap, `${res.cap}@${club.clubId}`)
    assert.equal(h.helper?.stats().placed, placedBefore + 1)
  })

  it('put({ helper, club }) has the helper place the shares on that club\'s servers only, and hints the cap with it; a club the helper is not in is refused', async () => {
    const c = client as LafsNode
    const h = helper as LafsNode
    // three of the four servers the helper is connected to
    const members = grid.slice(0, 3)
    const club = await c.clubs.create({ name: 'three of four', local: true, servers: members.map(s => s.info.multiaddrs[0]) })
    const data = randomBytes(150_000)
    await assert.rejects(c.put(data, { helper: h.multiaddrs[0], club: club.clubId }), { code: 'ERR_HELPER_NOT_ALLOWED' },
      'a helper sends N/k times the file only to the servers of clubs its operator owns or joined')
    await h.clubs.join(club.clubId)
    const res = await c.put(data, { helper: h.multiaddrs[0], club: club.clubId })
    assert.equal(res.hintedCap, `${res.cap}@${club.clubId}`)
    const lease = c.leases.list().find(l => l.cap === res.cap)
    assert.ok(lease != null)
    const ids = new Set(members.map(s => s.info.peerId))
    assert.equal(lease.servers.length, 3)
    for (const server of lease.servers) assert.ok([...ids].some(id => server.endsWith(id)), `${server} is in the club`)
  })

  it('a club\'s next helper stands in for one that does not serve the protocol, which is not retried', async () => {
    const c = client as LafsNode
    const h = helper as LafsNode
    const club = await c.clubs.create({ name: 'two helpers', local: true, servers: grid.map(s => s.info.multiaddrs[0]) })
    await h.clubs.join(club.clubId)
    // a storage server listed as a helper: it speaks no helper protocol
    const notAHelper = grid[3].info.multiaddrs[0]
    await c.clubs.setHelpers(club.clubId, [notAHelper, h.multiaddrs[0]])
    const started = Date.now()
    const res = await c.put(randomBytes(90_000), { helper: 'club', club: club.clubId })
    assert.equal(res.helper?.peerId, h.peerId.toString())
    assert.ok(Date.now() - started < 3_000, `took ${Date.now() - started} ms: the first helper was retried`)
    await c.clubs.setHelpers(club.clubId, [notAHelper])
    await assert.rejects(c.put(randomBytes(90_000), { helper: 'club', club: club.clubId }), { code: 'ERR_HELPER_UNAVAILABLE' })
  })

  it('lafs-club put --helper MA (an in-process node) prints the cap and what it sent', async () => {
    const h = helper as LafsNode
    const cliDir = join(dir, 'cli')
    const init = await run(['--data', cliDir, 'init', '--no-storage', '--listen', '/ip4/127.0.0.1/tcp/0', '--no-bootstrap', '--gateway-port', '0'])
    assert.equal(init.code, 0, init.stderr)
    const config = JSON.parse(await readFile(join(cliDir, 'config.json'), 'utf8'))
    await writeFile(join(cliDir, 'config.json'), JSON.stringify({ ...config, ...NODE_CONFIG }))
    const file = join(dir, 'cli-file.bin')
    const data = randomBytes(90_000)
    await writeFile(file, data)
    const put = await run(['--data', cliDir, '--json', 'put', file, '--helper', h.multiaddrs[0]], { timeoutMs: 60_000 })
    assert.equal(put.code, 0, put.stderr)
    const answer = JSON.parse(put.stdout) as { cap: string, helper?: { peerId: string, alreadyStored: boolean, sentBytes: number } }
    assert.match(answer.cap, /^URI:CHK:/)
    assert.deepEqual(answer.helper, { peerId: h.peerId.toString(), alreadyStored: false, sentBytes: data.length })
    assert.ok(Buffer.from(await (client as LafsNode).get(answer.cap, { servers: grid.map(s => s.info.multiaddrs[0]) })).equals(data))

  })

  it('config client.helper is the default helper of put', async () => {
    const h = helper as LafsNode
    const byConfig = await createNode({
      dataDir: join(dir, 'by-config'), listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap: [], gateway: false, storage: { enabled: false },
      config: { ...NODE_CONFIG, client: { ...NODE_CONFIG.client, helper: h.multiaddrs[0] } }, logger: silentLogger
    })
    try {
      const data = randomBytes(70_000)
      const res = await byConfig.put(data)
      assert.equal(res.helper?.peerId, h.peerId.toString())
      assert.equal(res.helper?.sentBytes, data.length)
    } finally {
      await byConfig.stop()
    }
  })

  it('the helper node\'s status page and /metrics show what it placed and its spool', async function () {
    const h = helper as LafsNode
    const browser = await launchChromium(this)
    await (client as LafsNode).put(randomBytes(80_000), { helper: h.multiaddrs[0] })
    const own = await startGateway({ node: h, port: 0 })
    try {
      const metrics = await http(own.url, 'GET', '/metrics')
      assert.match(metrics.body.toString(), new RegExp(`lafs_club_helper_uploads_total\\{outcome="placed"\\} ${h.helper?.stats().placed ?? -1}\\n`))
      assert.match(metrics.body.toString(), /lafs_club_helper_spool_limit_bytes 67108864\n/)
      const page = await (await browser.newContext()).newPage()
      await page.goto(`${own.url}/status`)
      await page.locator('#helper-section').waitFor({ state: 'visible', timeout: 15_000 })
      assert.match(await page.textContent('#helper') ?? '', /\d+ placed, \d+ found stored already/)
      assert.match(await page.textContent('#helper-clients') ?? '', /KiB|MiB|bytes/)
    } finally {
      await browser.close()
      await own.close()
    }
  })
})
