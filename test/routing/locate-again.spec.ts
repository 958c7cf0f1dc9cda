/**
 * The DHT way walks again when a walk ended short of k shares: a young file's
 * holders announce their provider records one at a time, and a reader's walk
 * can pass the closest peers before they have them. The servers here
 * announce only when the test calls provide(), and the test does so when the
 * reader's locate logs that it will walk again (the pause before that walk
 * is the holders' window), so which walk sees what is fixed, not raced.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { upload } from '../../src/client/index.js'
import { provide } from '../../src/dht/index.js'
import { parseCap, storageIndexOf } from '../../src/immutable/index.js'
import { registerStorageProtocols } from '../../src/protocols/index.js'
import { locate, LocateError, type LocateTarget } from '../../src/routing/index.js'
import { createStorageServer } from '../../src/storage/index.js'
import { startCluster, stopNodes, TEST_DHT_PROTOCOL, type DhtNode } from '../dht/cluster.js'
import { stopServer, type GridServer } from '../fixtures/grid.js'
import type { ComponentLogger, Logger } from '@libp2p/interface'

const HOUR = 3_600_000
const SERVERS = 4
const NODES = 10
const nodeDht = { protocol: TEST_DHT_PROTOCOL, querySelfInterval: HOUR, kadInit: { reprovide: { interval: HOUR } } }

/** The reader's own logger, also telling `onLine` every line logged (to act when the locate says it will walk again). */
function observed (base: ComponentLogger, onLine: (line: string) => void): ComponentLogger {
  return {
    forComponent: (name: string): Logger => {
      const inner = base.forComponent(name)
      const log: Logger = Object.assign((formatter: any, ...args: any[]) => {
        onLine(String(formatter))
        inner(formatter, ...args)
      }, {
        error: (formatter: any, ...args: any[]) => { inner.error(formatter, ...args) },
        trace: (formatter: any, ...args: any[]) => { inner.trace(formatter, ...args) },
        enabled: inner.enabled,
        newScope: (name: string) => inner.newScope(name)
      })
      return log
    }
  }
}

describe('routing/locate: walking the DHT again', function () {
  this.timeout(120_000)
  let nodes: DhtNode[] = []
  const grid: GridServer[] = []
  let root: string

  /** A file on every server, announced by none of them yet. */
  async function unannounced (): Promise<LocateTarget> {
    const up = await upload(nodes[0], randomBytes(40_000), { servers: grid.map(s => s.info), k: 2, happy: SERVERS, n: SERVERS, leaseSecret: randomBytes(32) })
    const cap = parseCap(up.cap)
    assert.ok(cap.kind === 'chk')
    return { storageIndex: storageIndexOf(cap), k: cap.k, n: cap.n }
  }

  const provideFrom = async (servers: GridServer[], target: LocateTarget): Promise<void> => {
    await Promise.all(servers.map(async s => { await provide((s.libp2p as DhtNode).services.dht, target.storageIndex) }))
  }

  before(async function () {
    root = await mkdtemp(join(tmpdir(), 'lafs-locate-again-'))
    nodes = await startCluster(NODES, Array.from({ length: NODES }, () => ({ dht: nodeDht })))
    for (const node of nodes.slice(1, 1 + SERVERS)) {
      const dir = join(root, `server-${grid.length}`)
      const storage = await createStorageServer({ dir, gcIntervalMs: 0 })
      await registerStorageProtocols(node, storage)
      grid.push({ libp2p: node, storage, dir, options: {}, running: true, info: { peerId: node.peerId.toString(), multiaddrs: [node.getMultiaddrs()[0].toString()] } })
    }
  })

  after(async function () {
    await Promise.all(grid.map(stopServer))
    await stopNodes(nodes)
    await rm(root, { recursive: true, force: true })
  })

  it('a walk that found nothing is walked once more, and finds the holders that announced meanwhile', async function () {
    const target = await unannounced()
    const reader = nodes[NODES - 1]
    let announced: Promise<void> | undefined
    const logger = observed(reader.logger, line => {
      if (line.includes('walking the DHT again') && announced == null) announced = provideFrom(grid, target)
    })
    const { servers, explain } = await locate({ libp2p: { dialProtocol: reader.dialProtocol.bind(reader), peerId: reader.peerId, logger }, dht: reader.services.dht }, target, { budget: { deadlineMs: 20_000 } })
    await announced
    assert.deepEqual(explain.runs.map(r => [r.way, r.again === true, r.distinctShares]).slice(0, 1), [['dht', false, 0]])
    assert.equal(explain.runs.length, 2, JSON.stringify(explain.runs))
    assert.equal(explain.runs[1].again, true)
    assert.equal(explain.fellBack, false, 'walking the same way again is not falling back')
    assert.ok(new Set(servers.flatMap(s => s.shares)).size >= target.k)
  })

  it('a walk that found too few shares is walked again until k are known, keeping what the first found', async function () {
    const target = await unannounced()
    await provideFrom(grid.slice(0, 1), target)
    const reader = nodes[NODES - 2]
    let announced: Promise<void> | undefined
    const logger = observed(reader.logger, line => {
      if (line.includes('walking the DHT again') && announced == null) announced = provideFrom(grid.slice(1), target)
    })
    const { servers, explain } = await locate({ libp2p: { dialProtocol: reader.dialProtocol.bind(reader), peerId: reader.peerId, logger }, dht: reader.services.dht }, target, { budget: { deadlineMs: 20_000 } })
    await announced
    assert.equal(explain.runs[0].distinctShares, 1, 'the first walk found the one announced holder')
    assert.ok(explain.runs.length >= 2 && explain.runs.slice(1).every(r => r.way === 'dht' && r.again === true), JSON.stringify(explain.runs))
    assert.ok(servers.some(s => s.peerId === grid[0].info.peerId), 'the first walk\'s holder is kept')
    assert.ok(new Set(servers.flatMap(s => s.shares)).size >= target.k)
  })

  it('a file nobody announces is walked twice, then reported missing long before the deadline', async function () {
    const target = { storageIndex: randomBytes(16), k: 2, n: 4 }
    const reader = nodes[NODES - 3]
    const t0 = Date.now()
    await assert.rejects(locate({ libp2p: reader, dht: reader.services.dht }, target, { budget: { deadlineMs: 25_000 } }), (err: unknown) => {
      assert.ok(err instanceof LocateError && err.code === 'ERR_NOT_FOUND', String(err))
      assert.deepEqual(err.explain?.runs.map(r => [r.way, r.again === true]), [['dht', false], ['dht', true]])
      return true
    })
    assert.ok(Date.now() - t0 < 15_000, `took ${Date.now() - t0} ms with a 25 s deadline`)
  })
})
