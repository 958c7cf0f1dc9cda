import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { readFile, readdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { checkFile, download, findShares, upload, UploadUnhappyError, type ServerInfo } from '../../src/client/index.js'
import { parseCap, storageIndexOf, type ChkReadCap } from '../../src/immutable/index.js'
import { encodeStorageIndex } from '../../src/storage/index.js'
import { startGrid, startServer, stopGrid, stopServer, type GridServer } from '../fixtures/grid.js'
import { createTestLibp2p } from '../fixtures/libp2p.js'
import type { Libp2p } from '@libp2p/interface'

async function collect (it: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = []
  for await (const p of it) parts.push(p)
  return Buffer.concat(parts)
}

describe('client: upload and download over 10 real servers', function () {
  this.timeout(120_000)
  let grid: GridServer[]
  let client: Libp2p
  const leaseSecret = randomBytes(32)
  const convergenceSecret = randomBytes(32)
  const infos = (): ServerInfo[] => grid.filter(s => s.running).map(s => s.info)

  before(async () => {
    grid = await startGrid(10)
    client = await createTestLibp2p()
  })
  after(async () => {
    await client?.stop()
    await stopGrid(grid ?? [])
  })

  async function roundTrip (size: number, opts: { maxSegmentSize?: number } = {}): Promise<string> {
    const data = randomBytes(size)
    const up = await upload(client, data, { servers: infos(), leaseSecret, convergenceSecret, ...opts })
    if (size > 55) {
      assert.equal(up.happiness, 10, 'one share on each of 10 servers')
      assert.equal([...up.placement.values()].flat().length, 10)
    }
    const cap = parseCap(up.cap)
    const holders = cap.kind === 'chk' ? (await findShares(client, storageIndexOf(cap), infos())).holders : []
    const got = await collect(download(client, up.cap, { holders }))
    assert.ok(got.equals(data), `round trip of ${size} bytes`)
    return up.cap
  }

  it('round-trips files of several sizes', async () => {
    for (const size of [0, 1, 55, 56, 1000, 300_000]) await roundTrip(size)
    await roundTrip(1_000_000, { maxSegmentSize: 65536 })
  })

  it('uploads 8 MiB with progress and downloads a range', async () => {
    const data = randomBytes(8 * 1024 * 1024 + 17)
    const seen: number[] = []
    const up = await upload(client, data, { servers: infos(), leaseSecret, convergenceSecret, onProgress: p => { if (p.phase === 'uploading') seen.push(p.bytesDone) } })
    assert.ok(seen.length >= 8 && seen[seen.length - 1] === data.length, 'progress reaches the file size')
    const si = storageIndexOf(parseCap(up.cap) as ChkReadCap)
    const { holders } = await findShares(client, si, infos())
    const part = await collect(download(client, up.cap, { holders, offset: 3_000_000, length: 2_500_000 }))
    assert.ok(part.equals(data.subarray(3_000_000, 5_500_000)))
  })

  it('a long download left after its first chunk, or aborted midway, stops cleanly with segments in flight', async () => {
    // 12 segments of 1 MiB; the decoder keeps four in flight on the worker, and their blocks are still on the way when the reader stops.
    const data = randomBytes(12 * 1024 * 1024)
    const up = await upload(client, data, { servers: infos(), leaseSecret, convergenceSecret })
    const si = storageIndexOf(parseCap(up.cap) as ChkReadCap)
    const { holders } = await findShares(client, si, infos())
    const unhandled: unknown[] = []
    const onUnhandled = (err: unknown): void => { unhandled.push(err) }
    process.on('unhandledRejection', onUnhandled)
    const blamed: string[] = []
    const onBadShare = (r: { shnum: number, check: string }): void => { blamed.push(`${r.shnum}:${r.check}`) }
    try {
      for await (const chunk of download(client, up.cap, { holders, onBadShare })) {
        assert.ok(Buffer.from(chunk).equals(data.subarray(0, chunk.byteLength)))
        break
      }
      const controller = new AbortController()
      let got = 0
      await assert.rejects((async () => {
        for await (const chunk of download(client, up.cap, { holders, onBadShare, signal: controller.signal })) {
          got += chunk.byteLength
          if (got >= 1024 * 1024) controller.abort()
        }
      })(), (err: Error) => err.name === 'AbortError' || (err as { code?: string }).code === 'ERR_ABORTED')
      assert.ok(got < data.length, 'the abort stopped the download')
      // Whatever was still in flight settles (during this whole download) without an
      // unhandled rejection, and no share is blamed for reads cut off by the end.
      assert.ok((await collect(download(client, up.cap, { holders, onBadShare }))).equals(data))
      assert.deepEqual(unhandled, [])
      assert.deepEqual(blamed, [])
    } finally {
      process.off('unhandledRejection', onUnhandled)
    }
  })

  it('downloads with 7 of the 10 servers stopped, and a stopped server keeps its shares after restart', async () => {
    const data = randomBytes(2_000_000)
    const up = await upload(client, data, { servers: infos(), leaseSecret, convergenceSecret })
    const si = storageIndexOf(parseCap(up.cap) as ChkReadCap)
    const victims = grid.slice(0, 7)
    await Promise.all(victims.map(stopServer))
    try {
      const { holders, failures } = await findShares(client, si, grid.map(s => s.info), { timeoutMs: 3000 })
      assert.equal(failures.length, 7)
      assert.equal(holders.length, 3)
      const got = await collect(download(client, up.cap, { holders }))
      assert.ok(got.equals(data))
    } finally {
      for (let i = 0; i < 7; i++) {
        const old = grid[i]
        grid[i] = await startServer(old.dir, old.options)
      }
    }
    const { holders } = await findShares(client, si, infos())
    assert.equal(holders.length, 10, 'restarted servers still hold their shares')
    assert.ok((await collect(download(client, up.cap, { holders }))).equals(data))
  })

  it('detects a share corrupted on disk, uses another, and the server gets the advisory', async () => {
    const data = randomBytes(500_000)
    const up = await upload(client, data, { servers: infos(), leaseSecret, convergenceSecret })
    const si = storageIndexOf(parseCap(up.cap) as ChkReadCap)
    const { holders } = await findShares(client, si, infos())
    const victim = holders.find(h => h.shares.includes(0)) as ServerInfo
    const server = grid.find(s => s.info.peerId === victim.peerId) as GridServer
    const b32 = encodeStorageIndex(si)
    const file = join(server.dir, 'shares', b32.slice(0, 2), b32, '0')
    const bytes = await readFile(file)
    bytes[0x24 + 100] ^= 0x01 // inside share 0's first block
    await writeFile(file, bytes)
    const bad: Array<{ peerId: string, shnum: number, check: string }> = []
    const got = await collect(download(client, up.cap, { holders, onBadShare: r => bad.push(r) }))
    assert.ok(got.equals(data), 'right bytes from other shares')
    assert.deepEqual(bad.map(b => [b.peerId, b.shnum, b.check]), [[victim.peerId, 0, 'block-hash']])
    const deadline = Date.now() + 10_000
    const ofThisFile = (): Array<{ shareNumber: number, reportedBy: string }> => server.storage.corruptionReports().recent.filter(r => r.storageIndex === b32)
    while (ofThisFile().length === 0 && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 50))
    const reports = ofThisFile()
    assert.equal(reports.length, 1)
    assert.equal(reports[0].shareNumber, 0)
    assert.equal(reports[0].reportedBy, client.peerId.toString())
  })

  it('fails with a clear error when happiness cannot be met, leaving nothing allocated', async () => {
    const few = infos().slice(0, 3)
    await assert.rejects(upload(client, randomBytes(100_000), { servers: few, leaseSecret, convergenceSecret, happy: 7 }),
      (err: any) => err instanceof UploadUnhappyError && err.code === 'ERR_UPLOAD_UNHAPPY' && err.happiness === 3)
    for (const s of grid.slice(0, 3)) {
      const stats = s.storage.stats()
      assert.equal(stats.incoming, 0)
    }
  })

  it('a server lost part way through is replaced by the next on the ring: the file is placed and sent again', async () => {
    const six = await startGrid(6)
    try {
      const data = randomBytes(16 * 1024 * 1024)
      let stopping: Promise<void> | undefined
      let victim: GridServer | undefined
      const up = await upload(client, data, {
        servers: six.map(s => s.info), leaseSecret, convergenceSecret, k: 3, happy: 5, n: 5,
        onProgress: p => {
          if (p.phase !== 'uploading' || stopping != null) return
          // one of the five servers being written to goes away after the first segment
          victim = six.find(s => s.storage.stats().incoming > 0)
          if (victim != null) stopping = stopServer(victim)
        }
      })
      await stopping
      assert.ok(victim != null, 'a server was stopped mid-upload')
      assert.equal(up.happiness, 5)
      assert.ok(!up.placement.has(victim.info.peerId), 'the lost server holds nothing in the result')
      assert.equal(up.placement.size, 5, 'the spare server took its place')
      const si = storageIndexOf(parseCap(up.cap) as ChkReadCap)
      const { holders } = await findShares(client, si, six.filter(s => s.running).map(s => s.info))
      assert.ok((await collect(download(client, up.cap, { holders }))).equals(data))
    } finally {
      await stopGrid(six)
    }
  })

  it('a client over quota gets a clear error, nothing partial remains, another client is unaffected', async () => {
    const tight = await startGrid(10, { freeQuota: 200_000 })
    const other = await createTestLibp2p()
    try {
      const servers = tight.map(s => s.info)
      await assert.rejects(upload(client, randomBytes(2_000_000), { servers, leaseSecret, convergenceSecret }),
        (err: any) => err.code === 'ERR_UPLOAD_UNHAPPY' && /quota/i.test(err.message))
      for (const s of tight) {
        assert.equal(s.storage.stats().incoming, 0)
        assert.equal(s.storage.stats().shares, 0)
        const dirs = await readdir(join(s.dir, 'shares')).catch(() => [])
        assert.ok(!dirs.some(d => d !== 'incoming'), 'no share folders')
      }
      const data = randomBytes(100_000)
      const up = await upload(other, data, { servers, leaseSecret: randomBytes(32), convergenceSecret })
      assert.equal(up.happiness, 10)
    } finally {
      await other.stop()
      await stopGrid(tight)
    }
  })

  it('check counts shares, verify finds nothing wrong with intact ones, repair brings 4 lost shares back to 10', async () => {
    const data = randomBytes(700_000)
    const up = await upload(client, data, { servers: infos(), leaseSecret, convergenceSecret })
    const si = storageIndexOf(parseCap(up.cap) as ChkReadCap)
    let report = await checkFile(client, up.cap, { servers: infos() })
    assert.equal(report.sharesFound, 10)
    assert.equal(report.healthy, true)
    // Lose 4 shares: delete their files on 4 servers (and restart so the index forgets them).
    const { holders } = await findShares(client, si, infos())
    const b32 = encodeStorageIndex(si)
    for (const h of holders.slice(0, 4)) {
      const idx = grid.findIndex(s => s.info.peerId === h.peerId)
      const old = grid[idx]
      await stopServer(old)
      await rm(join(old.dir, 'shares', b32.slice(0, 2), b32), { recursive: true, force: true })
      grid[idx] = await startServer(old.dir, old.options)
    }
    report = await checkFile(client, up.cap, { servers: infos() })
    assert.equal(report.sharesFound, 6)
    assert.equal(report.healthy, false)
    report = await checkFile(client, up.cap, { servers: infos(), verify: true, repair: true, leaseSecret })
    assert.deepEqual(report.corrupt, [], 'the 6 shares left are intact')
    assert.equal(report.repaired?.sharesUploaded, 4)
    assert.equal(report.repaired?.sharesFoundAfter, 10)
    assert.equal(report.repaired?.happinessAfter, 10)
    const after = await findShares(client, si, infos())
    assert.ok((await collect(download(client, up.cap, { holders: after.holders }))).equals(data))
  })

  it('verify reports exactly the share corrupted on disk, and repair puts a good copy of it on a server that had none', async () => {
    // 7 shares on the 10 servers, so 3 servers hold none: the corrupt copy
    // cannot be overwritten in place (a server answers "already have").
    const data = randomBytes(600_000)
    const up = await upload(client, data, { servers: infos(), leaseSecret, convergenceSecret: randomBytes(32), n: 7, happy: 7 })
    const si = storageIndexOf(parseCap(up.cap) as ChkReadCap)
    const before = await findShares(client, si, infos())
    assert.equal(before.holders.length, 7)
    const victim = before.holders[2]
    const shnum = victim.shares[0]
    const server = grid.find(s => s.info.peerId === victim.peerId) as GridServer
    const b32 = encodeStorageIndex(si)
    const file = join(server.dir, 'shares', b32.slice(0, 2), b32, String(shnum))
    const bytes = await readFile(file)
    bytes[0x24 + 100] ^= 0x01 // inside the share's first block
    await writeFile(file, bytes)

    const checked = await checkFile(client, up.cap, { servers: infos() })
    assert.equal(checked.healthy, true, 'a check only counts shares: it cannot see the flipped bit')
    const verified = await checkFile(client, up.cap, { servers: infos(), verify: true })
    assert.deepEqual(verified.corrupt, [{ peerId: victim.peerId, shnum, check: 'block-hash' }])
    assert.equal(verified.sharesFound, 6)
    assert.deepEqual(verified.sharemap[shnum], undefined, 'the corrupt copy is not counted')
    assert.equal(verified.healthy, false)
    // The advisory is sent without waiting for it, and an earlier test may have
    // sent this server one about another file: wait for this file's, by deadline.
    const ofThisFile = (): Array<{ shareNumber: number }> => server.storage.corruptionReports().recent.filter(r => r.storageIndex === b32)
    const deadline = Date.now() + 10_000
    while (ofThisFile().length === 0 && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 50))
    const reports = ofThisFile()
    assert.equal(reports.length, 1, 'the server holding it got the advisory')
    assert.equal(reports[0].shareNumber, shnum)

    const repaired = await checkFile(client, up.cap, { servers: infos(), verify: true, repair: true, leaseSecret })
    assert.deepEqual(repaired.corrupt.map(c => [c.peerId, c.shnum]), [[victim.peerId, shnum]])
    assert.deepEqual(repaired.repaired, { sharesUploaded: 1, sharesFoundAfter: 7, happinessAfter: 7 })

    // Over the network: the share number is now also on a server that held nothing before.
    const after = await findShares(client, si, infos())
    const newHolders = after.holders.filter(h => h.shares.includes(shnum) && h.peerId !== victim.peerId)
    assert.equal(newHolders.length, 1)
    assert.ok(!before.holders.some(h => h.peerId === newHolders[0].peerId), 'the new copy went to a server without a share')
    const again = await checkFile(client, up.cap, { servers: infos(), verify: true })
    assert.equal(again.healthy, true)
    assert.equal(again.sharesFound, 7)
    assert.deepEqual(again.sharemap[shnum], [newHolders[0].peerId], 'the good copy counts, the corrupt one (left where it is) does not')
    // The new copy is a good share: a download from it and two others (k = 3) verifies every block.
    const bad: unknown[] = []
    const others = after.holders.filter(h => h.peerId !== victim.peerId && h.peerId !== newHolders[0].peerId).slice(0, 2)
    const three = [{ ...newHolders[0], shares: [shnum] }, ...others.map(h => ({ ...h, shares: h.shares.filter(sh => sh !== shnum) }))]
    assert.ok((await collect(download(client, up.cap, { holders: three, onBadShare: r => bad.push(r) }))).equals(data))
    assert.deepEqual(bad, [])
  })
})
