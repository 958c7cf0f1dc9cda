import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createNode, type LafsNode, type MutableCheckReport } from '../../src/node/index.js'
import { leaseRenewer } from '../../src/node/lease-renewal.js'

const LISTEN = ['/ip4/127.0.0.1/tcp/0']

describe('node: mutable files through the door', function () {
  this.timeout(180_000)
  const dirs: string[] = []
  const nodes: LafsNode[] = []
  let addrs: string[]
  const fresh = async (storage: boolean, bootstrap: string[] = []): Promise<LafsNode> => {
    const dir = await mkdtemp(join(tmpdir(), 'lafs-node-'))
    dirs.push(dir)
    const node = await createNode({ dataDir: dir, listen: LISTEN, bootstrap, storage: { enabled: storage }, gateway: false })
    nodes.push(node)
    return node
  }
  before(async () => {
    const servers = await Promise.all(Array.from({ length: 10 }, async () => await fresh(true)))
    addrs = servers.map(s => s.multiaddrs.find(a => a.includes('/tcp/') && !a.includes('/ws')) as string)
  })
  after(async () => {
    await Promise.all(nodes.map(async n => { await n.stop() }))
    await Promise.all(dirs.map(async d => { await rm(d, { recursive: true, force: true }) }))
  })

  for (const format of ['sdmf', 'mdmf'] as const) {
    it(`${format}: create, get/cat/read, overwrite in 2 round trips, modify, check; another node reads the newest`, async () => {
      const writer = await fresh(false)
      const data = randomBytes(1024)
      const made = await writer.files.createMutable(data, { servers: addrs, format })
      assert.match(made.cap, format === 'sdmf' ? /^URI:SSK:/ : /^URI:MDMF:/)
      assert.match(made.readCap, format === 'sdmf' ? /^URI:SSK-RO:/ : /^URI:MDMF-RO:/)
      assert.equal(made.happiness, 10)
      const leases = writer.leases.list()
      assert.deepEqual(leases.map(l => [l.cap, l.servers.length]), [[made.readCap, 10]], 'kept alive by read cap, never the write cap')
      // The renewer adds or renews a lease on the slot (add_lease works on slots).
      const renewed = await leaseRenewer(writer.libp2p, randomBytes(32))(leases[0], {})
      assert.ok(renewed.expiresAt > Date.now() && renewed.expiresAt < Number.MAX_SAFE_INTEGER)
      assert.ok(Buffer.from(await writer.get(made.cap, { servers: addrs })).equals(data))
      const next = randomBytes(1024)
      const w = await writer.files.overwrite(made.cap, next, { servers: addrs })
      assert.deepEqual([w.seqnum, w.roundTrips, w.requests], [2, 2, 20])
      const m = await writer.files.modify(made.cap, old => Buffer.concat([old, Buffer.from('!')]), { servers: addrs })
      assert.equal(m.seqnum, 3)
      const reader = await fresh(false)
      const got = await reader.files.read(made.readCap, { servers: addrs })
      assert.equal(got.seqnum, 3)
      assert.ok(Buffer.from(got.data).equals(Buffer.concat([next, Buffer.from('!')])))
      const parts: Uint8Array[] = []
      let explain: any
      for await (const p of reader.cat(made.readCap, { servers: addrs, offset: 1000, length: 25, onExplain: e => { explain = e } })) parts.push(p)
      assert.equal(explain?.way, 'servers')
      assert.equal(explain.servers.length, 10, 'the holders of the version read')
      assert.ok(Buffer.concat(parts).equals(Buffer.concat([next, Buffer.from('!')]).subarray(1000, 1025)))
      await assert.rejects(reader.files.overwrite(made.readCap, data, { servers: addrs }), /needs the file's write cap/)
      const report = await reader.check(made.readCap, { servers: addrs, verify: true }) as MutableCheckReport
      assert.equal(report.mutable, true)
      assert.equal(report.healthy, true)
      assert.equal(report.seqnum, 3)
      assert.equal(report.sharesFound, 10)
    })
  }

  it('two nodes overwriting from the same state: both changes land through the retries of modify; plain overwrites: the loser is told', async () => {
    const a = await fresh(false)
    const b = await fresh(false)
    const made = await a.files.createMutable(Buffer.from('start'), { servers: addrs })
    // A modifier may run again after a collision (perhaps on a version holding its own change): idempotent, as Tahoe asks.
    const add = (mark: string) => (old: Uint8Array): Uint8Array | undefined => {
      const text = Buffer.from(old).toString()
      return text.includes(mark) ? undefined : Buffer.from(`${text}${mark}`)
    }
    const results = await Promise.allSettled([
      a.files.modify(made.cap, add('|a'), { servers: addrs, maxAttempts: 20 }),
      b.files.modify(made.cap, add('|b'), { servers: addrs, maxAttempts: 20 })
    ])
    assert.deepEqual(results.map(r => r.status), ['fulfilled', 'fulfilled'])
    const text = Buffer.from(await b.get(made.cap, { servers: addrs })).toString()
    assert.ok(text === 'start|a|b' || text === 'start|b|a', text)
    // Without retries the loser is told.
    const again = await b.files.read(made.cap, { servers: addrs })
    const [x, y] = await Promise.allSettled([
      a.files.overwrite(made.cap, Buffer.from('x'), { servers: addrs }),
      b.files.overwrite(made.cap, Buffer.from('y'), { servers: addrs })
    ])
    const codes = [x, y].map(r => r.status === 'rejected' ? (r.reason as { code?: string }).code : 'ok')
    assert.ok(codes.every(c => c === 'ok' || c === 'ERR_UNCOORDINATED_WRITE'), codes.join())
    const final = await b.files.read(made.cap, { servers: addrs })
    assert.ok(final.seqnum > again.seqnum)
    assert.ok(['x', 'y'].includes(Buffer.from(final.data).toString()), 'one whole version, never a mix')
  })

  it('a fresh node with no club and no hint finds a mutable file by provider records', async () => {
    const first = await fresh(true)
    const seed = first.multiaddrs.find(a => a.includes('/tcp/') && !a.includes('/ws')) as string
    const rest = await Promise.all(Array.from({ length: 4 }, async () => await fresh(true, [seed])))
    await Promise.all(rest.map(async n => await n.bootstrapped))
    const servers = [first, ...rest]
    const five = servers.map(s => s.multiaddrs.find(a => a.includes('/tcp/') && !a.includes('/ws')) as string)
    const writer = await fresh(false)
    const made = await writer.files.createMutable(Buffer.from('found by the DHT'), { servers: five, k: 2, n: 5, happy: 4 })
    await Promise.all(servers.map(async s => { await s.announcer?.onIdle() }))
    assert.ok(servers.some(s => (s.announcer?.stats.announced ?? 0) >= 1), 'a server announced the slot')
    const reader = await fresh(false, [seed])
    await reader.bootstrapped
    const got = await reader.files.read(made.readCap)
    assert.equal(Buffer.from(got.data).toString(), 'found by the DHT')
  })
})
