import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { download, findShares, ReputationTable, upload, type ServerInfo } from '../../src/client/index.js'
import { computeParams, parseCap, parseHeader, storageIndexOf, type ChkReadCap } from '../../src/immutable/index.js'
import { encodeStorageIndex } from '../../src/storage/index.js'
import { startGrid, stopGrid, stopServer, type GridServer } from '../fixtures/grid.js'
import { createTestLibp2p } from '../fixtures/libp2p.js'
import type { LocatedServer } from '../../src/routing/index.js'
import type { Libp2p } from '@libp2p/interface'

async function collect (it: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = []
  for await (const p of it) parts.push(p)
  return Buffer.concat(parts)
}

// 32 segments of 128 KiB (blocks of about 43 KiB), k = 3 of N = 10, one share per server.
const SIZE = 4 * 2 ** 20
const SEGMENT = 128 * 1024
const K = 3
const N = 10
const CHILD = fileURLToPath(new URL('../protocols/fixtures/storage-server-child.ts', import.meta.url))
const ROOT = fileURLToPath(new URL('../../', import.meta.url))

/** A real storage server alone in a child process (so it can be frozen with SIGSTOP: a server that hangs without closing its connections). */
async function spawnServer (): Promise<{ child: ChildProcess, info: ServerInfo }> {
  const dir = await mkdtemp(join(tmpdir(), 'lafs-spread-'))
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dir], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr?.on('data', (d: Buffer) => { stderr += d.toString() })
  const addr = await new Promise<string>((resolve, reject) => {
    let out = ''
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`server child did not start in time: ${stderr}`)) }, 30_000)
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString()
      if (!out.includes('\n')) return
      clearTimeout(timer)
      try { resolve((JSON.parse(out.split('\n')[0]) as { addr: string }).addr) } catch (err) { reject(err instanceof Error ? err : new Error(String(err))) }
    })
    child.on('exit', code => { clearTimeout(timer); reject(new Error(`server child exited (${code}): ${stderr}`)) })
  })
  return { child, info: { peerId: addr.split('/p2p/')[1], multiaddrs: [addr] } }
}

async function stopChild (child: ChildProcess): Promise<void> {
  if (child.exitCode != null || child.signalCode != null) return
  const exited = new Promise<void>(resolve => child.once('exit', () => { resolve() }))
  child.kill('SIGCONT')
  child.stdin?.end()
  const timer = setTimeout(() => { child.kill('SIGKILL') }, 10_000)
  await exited
  clearTimeout(timer)
}

describe('client: a download spreads its segments over every server holding a share', function () {
  this.timeout(60_000)
  let grid: GridServer[]
  let client: Libp2p
  const leaseSecret = randomBytes(32)
  const infos = (): ServerInfo[] => grid.filter(s => s.running).map(s => s.info)
  const served = (): Map<string, number> => new Map(grid.filter(s => s.running).map(s => [s.info.peerId, s.storage.readCounters().bytes]))
  const blockSize = computeParams(SIZE, K, N, SEGMENT).blockSize

  before(async () => {
    grid = await startGrid(N)
    client = await createTestLibp2p()
  })
  after(async () => {
    await client?.stop()
    await stopGrid(grid ?? [])
  })

  async function stored (size = SIZE): Promise<{ data: Buffer, cap: string, si: Uint8Array, holders: LocatedServer[] }> {
    const data = randomBytes(size)
    const up = await upload(client, data, { servers: infos(), leaseSecret, convergenceSecret: randomBytes(32), k: K, n: N, maxSegmentSize: SEGMENT })
    assert.equal(up.happiness, N, 'one share on each server')
    const si = storageIndexOf(parseCap(up.cap) as ChkReadCap)
    const { holders } = await findShares(client, si, infos())
    assert.equal(holders.length, N)
    return { data, cap: up.cap, si, holders }
  }

  it('every server holding a share serves blocks, and no more bytes are read than the file needs', async () => {
    const f = await stored()
    const before = served()
    const got = await collect(download(client, f.cap, { holders: f.holders }))
    assert.ok(got.equals(f.data), 'byte-correct')
    const after = served()
    const per = f.holders.map(h => (after.get(h.peerId) ?? 0) - (before.get(h.peerId) ?? 0))
    // Counted by the servers themselves. Before spreading, 3 servers served every block and 7 served none.
    for (const [i, bytes] of per.entries()) {
      assert.ok(bytes >= 2 * blockSize, `server ${i} (share ${f.holders[i].shares.join(',')}) served ${bytes} bytes: at least two blocks of ${blockSize} expected; all: ${per.join(' ')}`)
    }
    // k blocks per segment and the hash trees: no read-ahead of blocks nobody uses.
    const total = per.reduce((a, b) => a + b, 0)
    assert.ok(total < SIZE * 1.1, `servers sent ${total} bytes for a ${SIZE}-byte file`)
  })

  it('each server is asked for a run of consecutive blocks in one request, not one request per block', async () => {
    const size = 3 * SIZE
    const f = await stored(size)
    const reads = (): number => grid.filter(s => s.running).reduce((n, s) => n + s.storage.readCounters().reads, 0)
    const before = reads()
    const got = await collect(download(client, f.cap, { holders: f.holders }))
    assert.ok(got.equals(f.data), 'byte-correct')
    // One read per block would be 96 segments x 3 = 288, plus the headers and hash trees of the ten shares
    // (and the first blocks of each server, which are single: it is measured first).
    const blocks = (size / SEGMENT) * K
    const requests = reads() - before
    assert.ok(requests < blocks * 0.6, `the servers answered ${requests} reads for ${blocks} blocks (and the hash trees)`)
  })

  it('a server that serves corrupt blocks from the middle of the file on is blamed, told, and the download stays byte-correct', async () => {
    const f = await stored()
    const victim = f.holders.find(h => h.shares.includes(0)) as LocatedServer
    const server = grid.find(s => s.info.peerId === victim.peerId) as GridServer
    const b32 = encodeStorageIndex(f.si)
    const file = join(server.dir, 'shares', b32.slice(0, 2), b32, '0')
    const bytes = await readFile(file)
    const o = parseHeader(bytes, N).offsets
    // Every block from segment 8 (of 32) on gets a flipped bit.
    for (let at = o.data + 8 * blockSize + 7; at < o.plaintextHashTree; at += 4096) bytes[at] ^= 0x01
    await writeFile(file, bytes)

    const reputation = ReputationTable.inMemory()
    const bad: Array<{ peerId: string, shnum: number, check: string }> = []
    try {
      const got = await collect(download(client, f.cap, { holders: f.holders, reputation, onBadShare: r => bad.push(r) }))
      assert.ok(got.equals(f.data), 'byte-correct from the other shares')
      assert.deepEqual(bad.map(b => [b.peerId, b.shnum, b.check]), [[victim.peerId, 0, 'block-hash']], `blamed once, then not read again: ${JSON.stringify(bad)}`)
      assert.equal(reputation.get(victim.peerId)?.corruptBlocks, 1)
      const ofThisFile = (): unknown[] => server.storage.corruptionReports().recent.filter(r => r.storageIndex === b32)
      const deadline = Date.now() + 10_000
      while (ofThisFile().length === 0 && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 50))
      assert.equal(ofThisFile().length, 1, 'the server got the advisory')
    } finally {
      reputation.close()
    }
  })

  it('a server that stops while the download runs is dropped and the download completes from the others', async () => {
    const f = await stored()
    const victim = f.holders[4]
    const server = grid.find(s => s.info.peerId === victim.peerId) as GridServer
    const bad: Array<{ peerId: string, check: string }> = []
    let stopping: Promise<void> | undefined
    let stoppedAt = 0
    const before = served()
    const got = await collect(download(client, f.cap, {
      holders: f.holders,
      onBadShare: r => bad.push(r),
      onProgress: p => {
        if (stopping == null && p.bytesDone > 0.3 * p.bytesTotal) {
          stoppedAt = p.bytesDone
          stopping = stopServer(server)
        }
      }
    }))
    await stopping
    assert.ok(stoppedAt > 0 && stoppedAt < SIZE, 'the server stopped mid-file')
    assert.ok(got.equals(f.data), 'byte-correct from the other servers')
    assert.ok(server.storage.readCounters().bytes - (before.get(victim.peerId) ?? 0) >= blockSize, 'the victim served blocks before it stopped')
    assert.ok(bad.every(b => b.peerId === victim.peerId && b.check === 'read-error'), `only the stopped server is blamed: ${JSON.stringify(bad)}`)
  })

  it('a server that hangs mid-file (its process frozen, connections open) is worked around long before the storage timeout', async () => {
    const frozen = await spawnServer()
    try {
      const servers = [...infos().slice(0, N - 1), frozen.info]
      // 96 segments of 64 KiB: when the server freezes, most segments are not yet asked for (32 are in flight).
      const data = randomBytes(6 * 2 ** 20)
      const up = await upload(client, data, { servers, leaseSecret, convergenceSecret: randomBytes(32), k: K, n: N, maxSegmentSize: 64 * 1024 })
      assert.equal(up.happiness, N)
      const { holders } = await findShares(client, storageIndexOf(parseCap(up.cap) as ChkReadCap), servers)
      assert.ok(holders.some(h => h.peerId === frozen.info.peerId), 'the frozen server holds a share')
      let frozenAt = 0
      const bad: unknown[] = []
      const got = await collect(download(client, up.cap, {
        holders,
        onBadShare: r => bad.push(r),
        onProgress: p => {
          if (frozenAt === 0 && p.bytesDone > 0.3 * p.bytesTotal) {
            frozenAt = Date.now()
            frozen.child.kill('SIGSTOP')
          }
        }
      }))
      const after = Date.now() - frozenAt
      assert.ok(frozenAt > 0, 'frozen mid-file')
      assert.ok(got.equals(data), 'byte-correct from the other servers')
      // A storage session gives up after 30 s without progress; hedged reads go around the frozen server in about a second.
      assert.ok(after < 10_000, `the download finished ${after} ms after the server froze`)
      assert.deepEqual(bad, [], 'a server that is only late is not blamed')
    } finally {
      await stopChild(frozen.child)
    }
  })
})
