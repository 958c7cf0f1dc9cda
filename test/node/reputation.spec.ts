import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { explainLines, putExplainLines, statusLines } from '../../src/cli/render.js'
import { base32Encode, parseHintedCap, storageIndexOf, type ChkReadCap } from '../../src/immutable/index.js'
import { createNode, type DownloadExplain, type HolderRanking, type LafsNode } from '../../src/node/index.js'
import { permute, planPlacement } from '../../src/routing/index.js'
import { parseMutableCap } from '../../src/mutable/index.js'
import { CONTAINER_DATA_OFFSET } from '../../src/storage/index.js'
import { startGrid, startServer, stopGrid, type GridServer } from '../fixtures/grid.js'

const LISTEN = ['/ip4/127.0.0.1/tcp/0']

/** Path of a share's file on a grid server (Tahoe's share tree). */
function shareFile (server: GridServer, cap: string, shnum: number): string {
  const si = base32Encode(storageIndexOf(parseHintedCap(cap).cap as ChkReadCap))
  return join(server.dir, 'shares', si.slice(0, 2), si, String(shnum))
}

describe('node: reputation that remembers (real servers, real SQLite)', function () {
  this.timeout(60_000)
  const dirs: string[] = []
  const nodes: LafsNode[] = []
  const grids: GridServer[][] = []
  const tempDir = async (): Promise<string> => {
    const dir = await mkdtemp(join(tmpdir(), 'lafs-rep-'))
    dirs.push(dir)
    return dir
  }
  const client = async (dataDir?: string): Promise<LafsNode> => {
    dataDir ??= await tempDir()
    const node = await createNode({ dataDir, listen: LISTEN, bootstrap: [], storage: { enabled: false }, gateway: false })
    nodes.push(node)
    return node
  }
  after(async () => {
    await Promise.all(nodes.map(async n => { await n.stop() }))
    await Promise.all(grids.map(async g => { await stopGrid(g) }))
    await Promise.all(dirs.map(async d => { await rm(d, { recursive: true, force: true }) }))
  })

  it('a server that served a corrupt block is read last, across a restart, until it passed 3 verify checks', async () => {
    const grid = await startGrid(5)
    grids.push(grid)
    const addrs = grid.map(s => s.info.multiaddrs[0])
    const byPeer = new Map(grid.map(s => [s.info.peerId, s]))
    let node = await client()
    const data = randomBytes(300_000)
    const { cap } = await node.put(data, { servers: addrs, k: 3, n: 5, happy: 5 })
    const holderOf = async (shnum: number): Promise<GridServer> => {
      const r = await node.check(cap, { servers: addrs })
      return byPeer.get(r.sharemap[shnum][0]) as GridServer
    }
    const bad = await holderOf(0)
    const badId = bad.info.peerId
    const file = shareFile(bad, cap, 0)
    const original = await readFile(file)
    const corrupted = Buffer.from(original)
    corrupted[Math.floor(corrupted.length / 2)] ^= 0xff
    await writeFile(file, corrupted)

    // The first download reads share 0 (a primary share), finds it corrupt and reads another.
    let explain: DownloadExplain | undefined
    assert.ok(Buffer.from(await node.get(cap, { servers: addrs, onExplain: e => { explain = e } })).equals(data))
    assert.equal(rankingOf(explain, badId)?.tier, 0, 'nothing was known before')
    assert.equal(node.reputation.get(badId)?.corruptBlocks, 1)
    const reads = node.reputation.get(badId)?.goodReads ?? 0

    // The next one does not ask it: its corrupt share would be caught again (a second corrupt block).
    assert.ok(Buffer.from(await node.get(cap, { servers: addrs, onExplain: e => { explain = e } })).equals(data))
    assert.equal(node.reputation.get(badId)?.corruptBlocks, 1, 'the server that lied was not read first again')
    assert.equal(rankingOf(explain, badId)?.tier, 3)
    assert.match(rankingOf(explain, badId)?.note ?? '', /not preferred: served a corrupt block \d+ s ago, 0 of 3 verify checks passed/)
    // What `get --explain` prints.
    assert.ok(explainLines(explain).some(l => l.startsWith(`  server ${badId} not preferred: served a corrupt block`)), explainLines(explain).join('\n'))

    // Restart: the record is on disk.
    const dataDir = node.dataDir
    await node.stop()
    node = await client(dataDir)
    assert.equal(node.reputation.get(badId)?.corruptBlocks, 1)
    assert.equal(node.reputation.probation(badId, '')?.kind, 'corrupt')
    const status = await node.admin.status()
    assert.equal(status.reputationOnProbation, 1)
    assert.equal(status.reputationTotal, 5)
    const shown = status.reputation.find(r => r.peerId === badId)
    assert.match(shown?.probation[0]?.text ?? '', /served a corrupt block/)
    // What `lafs-club status` prints.
    const zero = { uploadsStarted: 0, uploadsSucceeded: 0, uploadsFailed: 0, uploadBytes: 0, downloadsStarted: 0, downloadsSucceeded: 0, downloadsFailed: 0, downloadBytes: 0 }
    const lines = statusLines({ ...status, gateway: { url: 'http://127.0.0.1:1', startedAt: 0, uptimeMs: 0 }, transfers: [], totals: zero })
    assert.ok(lines.includes('servers   5 storage servers remembered, 1 on probation'), lines.join('\n'))
    assert.ok(lines.some(l => new RegExp(`^  ${badId}: served a corrupt block \\d+ s ago, 0 of 3 verify checks passed$`).test(l)), lines.join('\n'))

    // The operator restores the share; verify checks pass, and after the third the server is preferred again.
    await writeFile(file, original)
    for (let pass = 1; pass <= 3; pass++) {
      const r = await node.check(cap, { servers: addrs, verify: true })
      assert.deepEqual(r.corrupt, [])
      assert.ok(Buffer.from(await node.get(cap, { servers: addrs, onExplain: e => { explain = e } })).equals(data))
      if (pass < 3) {
        assert.match(rankingOf(explain, badId)?.note ?? '', new RegExp(`${pass} of 3 verify checks passed`))
        assert.equal(node.reputation.get(badId)?.goodReads, reads, 'still read after the others')
      }
    }
    assert.equal(node.reputation.probation(badId, ''), undefined)
    assert.equal(rankingOf(explain, badId)?.tier, 0, JSON.stringify(explain?.way === 'literal' ? null : explain?.ranking))
    assert.equal(node.reputation.get(badId)?.goodReads, reads + 1, 'preferred again: its share 0 is read')
  })

  it('a mutable read feeds the same table: a share that fails its signature check is a corrupt block, the others good reads', async () => {
    const grid = await startGrid(4)
    grids.push(grid)
    const addrs = grid.map(s => s.info.multiaddrs[0])
    const node = await client()
    const data = randomBytes(50_000)
    const created = await node.files.createMutable(data, { servers: addrs, k: 2, n: 4, happy: 4 })
    const si = base32Encode(parseMutableCap(created.cap).storageIndex)
    // one share's signed prefix (its root hash, 9 bytes into the share) altered on disk: every servermap update sees it
    const slotDir = (s: GridServer): string => join(s.dir, 'slots', si.slice(0, 2), si)
    const bad = grid[1]
    const [shnum] = await readdir(slotDir(bad))
    const file = join(slotDir(bad), shnum)
    const bytes = await readFile(file)
    bytes[CONTAINER_DATA_OFFSET + 20] ^= 0xff
    await writeFile(file, bytes)

    const read = await node.files.read(created.readCap, { servers: addrs })
    assert.deepEqual(Buffer.from(read.data), data)
    assert.equal(node.reputation.get(bad.info.peerId)?.corruptBlocks, 1)
    assert.match(node.reputation.get(bad.info.peerId)?.lastProblem?.detail ?? '', /mutable share \d+ failed the signature check/)
    const goodReads = grid.filter(s => s !== bad).map(s => node.reputation.get(s.info.peerId)?.goodReads ?? 0)
    assert.ok(goodReads.reduce((a, b) => a + b, 0) >= 2, `at least k good shares read: ${goodReads.join(', ')}`)
    assert.equal(node.reputation.get(bad.info.peerId)?.goodReads ?? 0, 0, 'no good read for the altered share')
  })

  it('a server that lists a share it cannot serve (a wrong have-share answer) is read last in the next download', async () => {
    const grid = await startGrid(4)
    grids.push(grid)
    const addrs = grid.map(s => s.info.multiaddrs[0])
    const node = await client()
    const data = randomBytes(200_000)
    const { cap } = await node.put(data, { servers: addrs, k: 2, n: 4, happy: 4 })
    const holder = (await node.check(cap, { servers: addrs })).sharemap[0][0]
    const liar = grid.find(s => s.info.peerId === holder) as GridServer
    // The file goes, the server's database still lists the share: have-share says yes, the read says no such share.
    await rm(shareFile(liar, cap, 0))
    assert.ok(Buffer.from(await node.get(cap, { servers: addrs })).equals(data))
    assert.equal(node.reputation.get(holder)?.wrongHaves, 1)
    assert.equal(node.reputation.probation(holder, '')?.kind, 'wrong-have')
    let explain: DownloadExplain | undefined
    assert.ok(Buffer.from(await node.get(cap, { servers: addrs, onExplain: e => { explain = e } })).equals(data))
    assert.equal(node.reputation.get(holder)?.wrongHaves, 1, 'not asked for the missing share again')
    assert.match(rankingOf(explain, holder)?.note ?? '', /listed a share it could not serve .* 0 of 3 verify checks passed/)
  })

  it('probation is per club: a server that lied in a club is skipped there, not for uploads to servers named by address', async () => {
    const grid = await startGrid(5)
    grids.push(grid)
    const addrs = grid.map(s => s.info.multiaddrs[0])
    const peer = await client()
    const node = await createNode({ dataDir: await tempDir(), listen: LISTEN, bootstrap: [peer.multiaddrs[0]], storage: { enabled: false }, gateway: false })
    nodes.push(node)
    await node.bootstrapped
    const { clubId } = await node.clubs.create({ name: 'reputation club', servers: addrs })
    const data = randomBytes(300_000)
    const { hintedCap } = await node.put(data, { club: clubId, k: 3, n: 5, happy: 4 })
    assert.ok(hintedCap !== undefined)
    const holder = (await node.check(hintedCap, {})).sharemap[0][0]
    const liar = grid.find(s => s.info.peerId === holder) as GridServer
    const file = shareFile(liar, hintedCap, 0)
    const bytes = await readFile(file)
    bytes[Math.floor(bytes.length / 2)] ^= 0xff
    await writeFile(file, bytes)
    assert.ok(Buffer.from(await node.get(hintedCap)).equals(data))
    assert.equal(node.reputation.probation(holder, clubId)?.kind, 'corrupt')
    assert.equal(node.reputation.probation(holder, ''), undefined, 'no club is another standing')
    const inClub = await node.put(randomBytes(100_000), { club: clubId, k: 3, n: 5, happy: 4 })
    assert.deepEqual(inClub.skipped?.map(s => s.peerId), [holder])
    const byAddress = await node.put(randomBytes(100_000), { servers: addrs, k: 3, n: 5, happy: 4 })
    assert.equal(byAddress.skipped, undefined)
  })

  it('an upload skips a server that lost shares, keeping the ring order; it uses it when it cannot be happy without it', async () => {
    let skew = 0
    const grid = await startGrid(5)
    // One server whose clock runs ahead on demand: its leases expire and gc drops the shares.
    const leaky = await startServer(undefined, { now: () => Date.now() + skew })
    grid.push(leaky)
    grids.push(grid)
    const addrs = grid.map(s => s.info.multiaddrs[0])
    const ids = grid.map(s => s.info.peerId)
    const leakyId = leaky.info.peerId
    const node = await client()
    const first = await node.put(randomBytes(100_000), { servers: addrs, k: 3, n: 6, happy: 6 })
    assert.equal(first.skipped, undefined)
    skew = 40 * 86_400_000
    assert.ok((await leaky.storage.gc()).deletedShares >= 1)
    const report = await node.check(first.cap, { servers: addrs })
    assert.equal(report.sharesFound, 5)
    assert.equal(node.reputation.get(leakyId)?.sharesLost, 1)
    assert.equal(node.reputation.probation(leakyId, '')?.kind, 'lost-share')

    const second = await node.put(randomBytes(100_000), { servers: addrs, k: 3, n: 6, happy: 5 })
    assert.deepEqual(second.skipped?.map(s => s.peerId), [leakyId])
    assert.match(second.skipped?.[0].reason ?? '', /lost a share placed on it .*, 0 of 3 verify checks passed/)
    assert.match(putExplainLines(second.skipped)[0], new RegExp(`^server ${leakyId} skipped: lost a share placed on it \\d+ s ago, 0 of 3 verify checks passed$`))
    const placed = await node.check(second.cap, { servers: addrs })
    assert.equal(placed.sharesFound, 6)
    assert.ok(!Object.values(placed.sharemap).flat().includes(leakyId), 'the server on probation got no share')
    // Placement on the unchanged ring, the server on probation counted as unreachable.
    const si = storageIndexOf(parseHintedCap(second.cap).cap as ChkReadCap)
    const ring = permute(si, ids.map(peerId => ({ peerId }))).map(s => s.peerId)
    const expected = planPlacement({ servers: ring, existing: new Map(), readOnly: new Set([leakyId]), totalShares: 6 })
    for (const [peer, shares] of expected.uploads) {
      for (const sh of shares) assert.ok(placed.sharemap[sh].includes(peer), `share ${sh} on ${peer}, as the ring says`)
    }

    // Happy 6 of 6 servers needs it: it is used after all.
    const third = await node.put(randomBytes(100_000), { servers: addrs, k: 3, n: 6, happy: 6 })
    assert.equal(third.skipped, undefined)
    assert.equal(third.happiness, 6)
  })
})

function rankingOf (explain: DownloadExplain | undefined, peerId: string): HolderRanking | undefined {
  if (explain == null || explain.way === 'literal') return undefined
  return explain.ranking?.find(r => r.peerId === peerId)
}
