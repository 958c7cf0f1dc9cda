import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { upload, uploadViaHelper, type HelperUploadResult } from '../../src/client/index.js'
import { createUploadHelper } from '../../src/helper/index.js'
import { createTestLibp2p, PARAMS, SECRET, startGrid, startHelper, stopGrid, stopHelper, uploadDroppedAt, type HelperNode } from './helpers.js'
import type { GridServer } from '../fixtures/grid.js'
import type { Libp2p } from '@libp2p/interface'

/** Bytes the storage servers hold in share files still being uploaded (their `shares/incoming/`), read from their disks. */
async function incomingBytes (grid: GridServer[]): Promise<number> {
  let total = 0
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => [])
    for (const e of entries) {
      const path = join(dir, e.name)
      if (e.isDirectory()) await walk(path)
      else total += (await stat(path).catch(() => ({ size: 0 }))).size
    }
  }
  for (const s of grid) await walk(join(s.dir, 'shares', 'incoming'))
  return total
}

async function until (what: string, ms: number, ok: () => boolean | Promise<boolean>): Promise<boolean> {
  const deadline = Date.now() + ms
  while (Date.now() < deadline) {
    if (await ok()) return true
    await new Promise(resolve => setTimeout(resolve, 25))
  }
  return await ok()
}

const CHUNK = 256 * 1024

describe('helper: placement while the crypttext arrives', function () {
  this.timeout(90_000)
  let grid: GridServer[] = []
  const clients: Libp2p[] = []
  const client = async (): Promise<Libp2p> => {
    const c = await createTestLibp2p()
    clients.push(c)
    return c
  }
  const directCap = async (data: Uint8Array): Promise<string> =>
    (await upload(await client(), data, { servers: grid.map(s => s.info), ...PARAMS, convergenceSecret: SECRET, leaseSecret: randomBytes(32) })).cap

  before(async () => { grid = await startGrid(5) })
  after(async () => {
    await Promise.all(clients.map(async c => { await c.stop() }))
    await stopGrid(grid)
  })

  it('storage servers receive blocks before the client has sent its last chunk', async () => {
    const h = await startHelper(grid)
    try {
      // 4 MiB in 64 KiB segments: a share's 512 KiB write batch fills after about 1 MiB of crypttext
      const data = randomBytes(4 * 1024 * 1024)
      let reads = 0
      let heldBeforeLast = -1
      let receivedBeforeLast = -1
      const source = (): AsyncIterable<Uint8Array> => (async function * () {
        const sending = ++reads === 2 // the first read plans the key, the second is encrypted and sent
        for (let at = 0; at < data.length; at += CHUNK) {
          if (sending && at + CHUNK >= data.length) {
            // Before the last chunk: wait (bounded) for block writes to reach the servers' disks. Share
            // files hold a header of under 100 bytes until blocks are written.
            await until('blocks on the servers', 20_000, async () => await incomingBytes(grid) > 64 * 1024)
            heldBeforeLast = await incomingBytes(grid)
            receivedBeforeLast = h.received()
          }
          yield data.subarray(at, at + CHUNK)
        }
      })()
      const res = await uploadViaHelper(await client(), source, { helper: h.addr, ...PARAMS, convergenceSecret: SECRET, leaseSecret: randomBytes(32) }) as HelperUploadResult
      assert.ok(receivedBeforeLast < data.length, `the helper had ${receivedBeforeLast} of ${data.length} bytes`)
      assert.ok(heldBeforeLast > 64 * 1024, `the servers held ${heldBeforeLast} bytes of shares before the client's last chunk`)
      assert.equal(h.received(), data.length, 'the crypttext crossed once')
      assert.equal(h.helper.stats().placedFromSpool, 0, 'the pipeline placed it')
      assert.equal(res.cap, await directCap(data), 'byte-identical to a direct upload')
      assert.equal(await incomingBytes(grid), 0, 'no share left half-written')
    } finally {
      await stopHelper(h)
    }
  })

  it('a dropped connection mid-upload: the pipeline goes on with the resumed stream and the cap is right', async () => {
    const h = await startHelper(grid)
    try {
      const data = randomBytes(3 * 1024 * 1024)
      const carol = await client()
      const { res, dropped } = await uploadDroppedAt(carol, h, data, 1_800_000)
      assert.ok(dropped)
      assert.ok(res.helper.attempts >= 2)
      assert.equal(h.received(), data.length, 'every byte once')
      assert.equal(h.helper.stats().placedFromSpool, 0, 'the placement begun by the first stream finished it')
      assert.equal(res.cap, await directCap(data))
    } finally {
      await stopHelper(h)
    }
  })

  it('a pipeline that stalls gives up its shares; the resumed upload is placed from the spool with the right cap', async () => {
    let cut = false
    const h: HelperNode = await startHelper(grid, { pipelineStallMs: 300 }, {
      onData: () => { if (!cut && h.received() >= 1_500_000) { cut = true; throw new Error('test: the upload breaks off here') } }
    })
    try {
      const data = randomBytes(3 * 1024 * 1024)
      await assert.rejects(uploadViaHelper(await client(), data, { helper: h.addr, ...PARAMS, convergenceSecret: SECRET, leaseSecret: randomBytes(32), retries: 0 }))
      assert.ok(await until('the pipeline gives up', 10_000, () => h.helper.stats().partials.every(p => !p.placing && !p.active)), JSON.stringify(h.helper.stats().partials))
      assert.ok(await until('its shares are aborted', 10_000, async () => await incomingBytes(grid) === 0), 'the given-up pipeline left no share on the servers')
      const res = await uploadViaHelper(await client(), data, { helper: h.addr, ...PARAMS, convergenceSecret: SECRET, leaseSecret: randomBytes(32) }) as HelperUploadResult
      assert.ok(res.helper.sentBytes < data.length, 'the second attempt sent only the rest')
      assert.equal(res.cap, await directCap(data))
    } finally {
      await stopHelper(h)
    }
  })

  it('after a helper restart the placement starts over from the spool', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lafs-helper-'))
    const data = randomBytes(2 * 1024 * 1024)
    const node = async (onData?: (n: number) => void): Promise<{ libp2p: Libp2p, helper: ReturnType<typeof createUploadHelper> }> => {
      const libp2p = await createTestLibp2p()
      const helper = createUploadHelper({ opener: libp2p, dir, leaseSecret: randomBytes(32), servers: async () => grid.map(s => s.info) })
      await helper.start(libp2p, { onData: (_peer, bytes) => onData?.(bytes) })
      return { libp2p, helper }
    }
    let got = 0
    let killed: Promise<void> | undefined
    const first = await node(bytes => {
      got += bytes
      if (killed == null && got >= 1_000_000) killed = (async () => { await first.helper.stop(); await first.libp2p.stop() })()
    })
    let second: Awaited<ReturnType<typeof node>> | undefined
    try {
      const addr = (n: Libp2p): string => n.getMultiaddrs()[0].toString()
      await assert.rejects(uploadViaHelper(await client(), data, { helper: addr(first.libp2p), ...PARAMS, convergenceSecret: SECRET, leaseSecret: randomBytes(32), retries: 0 }))
      await killed
      assert.ok(await until('the stopped helper\'s shares are aborted', 10_000, async () => await incomingBytes(grid) === 0))
      second = await node()
      const [partial] = second.helper.stats().partials
      // a graceful stop may still take the frames on their way, so the spool may hold the whole file
      assert.ok(partial != null && partial.have > 0 && !partial.placing, JSON.stringify(partial))
      const res = await uploadViaHelper(await client(), data, { helper: addr(second.libp2p), ...PARAMS, convergenceSecret: SECRET, leaseSecret: randomBytes(32) }) as HelperUploadResult
      assert.equal(res.helper.sentBytes, data.length - partial.have)
      assert.equal(res.cap, await directCap(data))
    } finally {
      await first.helper.stop().catch(() => {})
      await Promise.resolve(first.libp2p.stop()).catch(() => {})
      await second?.helper.stop()
      await second?.libp2p.stop()
      await rm(dir, { recursive: true, force: true })
    }
  })
})
