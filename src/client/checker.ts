/**
 * check / verify / repair, as Tahoe's checker and repairer do:
 * - check counts the shares servers say they hold (have-share queries only);
 * - verify also downloads every block of every share and checks the hashes;
 * - repair regenerates missing (or corrupt) share numbers from k good shares
 *   and uploads them to servers that hold no share of the file yet, with
 *   the file's own key and segment size, so the new shares are byte-identical
 *   to the lost ones.
 */
import { encodeChk, formatCap, planChk, readImmutable, storageIndexOf, toCap, verifyShares, type ChkReadCap } from '../immutable/index.js'
import { type HaveBatch, type StreamOpener } from '../protocols/index.js'
import { happinessOf, permute, planPlacement, type LocatedServer } from '../routing/index.js'
import { ClientError, SharesNotFoundError } from './errors.js'
import { findShares } from './find-shares.js'
import { serverLeaseSecrets } from './lease.js'
import { clientLogger, shortPeer, siText } from './log.js'
import { RemoteShare } from './remote-share.js'
import { readShareUeb } from './share-ueb.js'
import { StorageClientPool, type ServerInfo } from './servers.js'

export interface CheckOptions {
  /** Sessions shared with the node's other operations (a server allows few per connection); default: this call's own, closed at its end. */
  pool?: StorageClientPool
  servers: readonly ServerInfo[]
  verify?: boolean
  repair?: boolean
  /** Needed for repair (the new shares' leases). */
  leaseSecret?: Uint8Array
  happy?: number
  /**
   * Servers repair may place new shares on (default: `servers`). Self-repair
   * passes the file's club roster so shares stay in the club they were uploaded to;
   * servers already holding shares keep them wherever they are.
   */
  placeOn?: readonly ServerInfo[]
  /** Have answers shared with the other files of a self-repair pass, for the first count (after a repair, servers are asked again). */
  haveBatch?: HaveBatch
  signal?: AbortSignal
}

export interface CheckReport {
  storageIndex: string
  k: number
  n: number
  /** Distinct good share numbers found. */
  sharesFound: number
  /** Servers holding at least one share. */
  serversWithShares: number
  happiness: number
  healthy: boolean
  recoverable: boolean
  /** Share → servers holding it. */
  sharemap: Record<number, string[]>
  corrupt: Array<{ peerId: string, shnum: number, check: string }>
  unreachable: string[]
  /** Why each unreachable server could not be asked. */
  unreachableErrors?: Record<string, string>
  repaired?: { sharesUploaded: number, sharesFoundAfter: number, happinessAfter: number }
}

function sharemapOf (holders: readonly LocatedServer[], skip: ReadonlySet<string>): Map<string, Set<number>> {
  const m = new Map<string, Set<number>>()
  for (const h of holders) {
    const shares = h.shares.filter(sh => !skip.has(`${h.peerId}/${sh}`))
    if (shares.length > 0) m.set(h.peerId, new Set(shares))
  }
  return m
}

export async function checkFile (opener: StreamOpener, capIn: string, options: CheckOptions): Promise<CheckReport> {
  const cap = toCap(capIn)
  if (cap.kind === 'lit') {
    return { storageIndex: '', k: 1, n: 1, sharesFound: 1, serversWithShares: 0, happiness: 0, healthy: true, recoverable: true, sharemap: {}, corrupt: [], unreachable: [] }
  }
  const si = storageIndexOf(cap)
  const log = clientLogger(opener, 'checker')
  const { holders, failures } = await findShares(opener, si, options.servers, { signal: options.signal, batch: options.haveBatch })
  const corrupt: CheckReport['corrupt'] = []
  const bad = new Set<string>()
  const pool = options.pool ?? new StorageClientPool(opener)
  try {
    if (options.verify === true || options.repair === true) {
      const sources = holders.flatMap(h => h.shares.map(sh => new RemoteShare(pool.get(h), h.peerId, si, sh)))
      if (sources.length > 0) {
        const results = await verifyShares(cap, sources, { signal: options.signal })
        for (const r of results) {
          if (r.ok) continue
          const src = r.source as RemoteShare
          log('%s: share %d on %s failed verification (%s): %s', siText(si), src.shnum, shortPeer(src.serverId), r.check ?? 'unknown', r.error?.message ?? '')
          bad.add(`${src.serverId}/${src.shnum}`)
          corrupt.push({ peerId: src.serverId, shnum: src.shnum, check: r.check ?? 'unknown' })
          await pool.get({ peerId: src.serverId, multiaddrs: holders.find(h => h.peerId === src.serverId)?.multiaddrs ?? [] })
            .adviseCorrupt(si, src.shnum, `verify: ${r.check ?? 'failed'}: ${r.error?.message ?? ''}`.slice(0, 1000)).catch(() => {})
        }
      }
    }
    const report = summarize(cap.k, cap.n, si, holders, bad, corrupt, failures.map(f => f.peerId), options.happy)
    report.unreachableErrors = Object.fromEntries(failures.map(f => [f.peerId, f.error.message]))
    log('%s: %s: %d of %d share(s) on %d server(s), happiness %d, %d corrupt, %d unreachable', siText(si), report.healthy ? 'healthy' : 'not healthy',
      report.sharesFound, cap.n, report.serversWithShares, report.happiness, corrupt.length, failures.length)
    if (options.repair === true && !report.healthy) {
      if (cap.kind !== 'chk') throw new ClientError('ERR_NEED_READ_CAP', 'repair needs the read-cap (URI:CHK:…): a verify-cap cannot regenerate shares')
      if (!report.recoverable) throw new SharesNotFoundError(`cannot repair: only ${report.sharesFound} good share(s) of the ${cap.k} needed were found`)
      if (options.leaseSecret == null) throw new ClientError('ERR_NO_LEASE_SECRET', 'repair needs the lease secret to lease the new shares')
      const uploaded = await repair(opener, pool, cap, holders, bad, new Set(report.unreachable), options)
      const after = await findShares(opener, si, options.servers, { signal: options.signal })
      const again = summarize(cap.k, cap.n, si, after.holders, bad, [], after.failures.map(f => f.peerId), options.happy)
      report.repaired = { sharesUploaded: uploaded, sharesFoundAfter: again.sharesFound, happinessAfter: again.happiness }
      log('%s: repair uploaded %d share(s); now %d of %d share(s), happiness %d', siText(si), uploaded, again.sharesFound, cap.n, again.happiness)
    }
    return report
  } finally {
    if (options.pool == null) await pool.stop()
  }
}

function summarize (k: number, n: number, si: Uint8Array, holders: readonly LocatedServer[], bad: ReadonlySet<string>,
  corrupt: CheckReport['corrupt'], unreachable: string[], happy?: number): CheckReport {
  const map = sharemapOf(holders, bad)
  const sharemap: Record<number, string[]> = {}
  for (const [peer, shares] of map) for (const sh of shares) (sharemap[sh] ??= []).push(peer)
  const sharesFound = Object.keys(sharemap).length
  const happiness = happinessOf(map)
  return {
    storageIndex: Buffer.from(si).toString('hex'),
    k,
    n,
    sharesFound,
    serversWithShares: map.size,
    happiness,
    healthy: sharesFound === n && happiness >= Math.min(happy ?? n, n),
    recoverable: sharesFound >= k,
    sharemap,
    corrupt,
    unreachable
  }
}

async function repair (opener: StreamOpener, pool: StorageClientPool, cap: ChkReadCap, holders: readonly LocatedServer[],
  bad: ReadonlySet<string>, unreachable: ReadonlySet<string>, options: CheckOptions): Promise<number> {
  const si = storageIndexOf(cap)
  const log = clientLogger(opener, 'repair')
  const good = holders.flatMap(h => h.shares.filter(sh => !bad.has(`${h.peerId}/${sh}`)).map(sh => new RemoteShare(pool.get(h), h.peerId, si, sh)))
  const ueb = await readShareUeb(cap, good[0])
  const plan = await planChk(async function * () {
    yield * readImmutable(cap, good, { signal: options.signal })
  }, { key: cap.key, segmentSize: ueb.params.segmentSize, k: cap.k, n: cap.n, happy: 1, size: cap.size })
  if (plan.kind !== 'chk') throw new ClientError('ERR_INTERNAL', 'repair planned a literal file')

  const existing = sharemapOf(holders, bad)
  const candidates = options.placeOn == null
    ? options.servers
    : [...options.placeOn, ...options.servers.filter(s => existing.has(s.peerId) && !options.placeOn?.some(p => p.peerId === s.peerId))]
  const order = permute(si, candidates).slice(0, 2 * cap.n + (options.placeOn == null ? 0 : existing.size)).map(s => s.peerId)
  // A server holding a corrupt copy of a share would answer "already have" to
  // it (the protocol cannot overwrite a share), so it takes no new ones; its
  // copy stays, with the advisory its operator was sent.
  const readOnly = new Set([...unreachable, ...[...bad].map(key => key.slice(0, key.lastIndexOf('/')))])
  // Servers that hold a share keep it; new shares go to servers that hold none, where possible.
  const placement = planPlacement({ servers: order, existing, readOnly, totalShares: cap.n })
  const present = new Set([...existing.values()].flatMap(s => [...s]))
  const uploads = new Map<string, number[]>()
  for (const [peer, shares] of placement.uploads) {
    const missing = shares.filter(sh => !present.has(sh))
    if (missing.length > 0) uploads.set(peer, missing)
  }
  log('%s: regenerating %s', siText(si), uploads.size === 0 ? 'nothing: no server can take the missing shares' : [...uploads].map(([p, sh]) => `[${sh.join(',')}] for ${shortPeer(p)}`).join(', '))
  if (uploads.size === 0) return 0
  const byId = new Map(candidates.map(s => [s.peerId, s]))
  const targets: Array<{ server: ServerInfo, shares: number[] }> = []
  for (const [peer, shares] of uploads) {
    const server = byId.get(peer)
    if (server == null) continue
    try {
      const answer = await pool.get(server).allocate(si, shares, plan.shareSize, serverLeaseSecrets(options.leaseSecret as Uint8Array, si, peer))
      if (answer.allocated.length > 0) targets.push({ server, shares: answer.allocated })
      const refused = shares.filter(sh => !answer.allocated.includes(sh))
      if (refused.length > 0) log('%s: %s did not allocate share(s) %s (it holds %s)', siText(si), shortPeer(peer), refused.join(','), answer.alreadyHave.join(',') || 'none')
    } catch (err) {
      // A server that refuses is skipped; the report after repair shows what was reached.
      log('%s: %s refused the repair allocation: %s', siText(si), shortPeer(peer), (err as Error).message)
    }
  }
  const write = async (offset: number, dataOf: (sh: number) => Uint8Array): Promise<void> => {
    await Promise.all(targets.map(async t => {
      for (const sh of t.shares) await pool.get(t.server).write(si, sh, offset, dataOf(sh))
    }))
  }
  await write(0, () => plan.header)
  const gen = encodeChk(plan, async function * () { yield * readImmutable(cap, good, { signal: options.signal }) })
  for (;;) {
    const step = await gen.next()
    if (step.done === true) {
      if (step.value.cap !== formatCap(cap)) {
        // Regenerated shares must belong to the same file: the UEB hash in the cap proves it.
        log.error('%s: regenerated shares do not match the cap; aborting them', siText(si))
        await Promise.all(targets.map(async t => { for (const sh of t.shares) await pool.get(t.server).abort(si, sh).catch(() => {}) }))
        throw new ClientError('ERR_REPAIR_MISMATCH', 'regenerated shares do not match the cap; nothing was stored')
      }
      break
    }
    const ev = step.value
    if (ev.type === 'blocks') await write(ev.offset, sh => ev.blocks[sh])
    else if (ev.type === 'trailer') await write(ev.offset, sh => ev.trailers[sh])
  }
  let count = 0
  await Promise.all(targets.map(async t => {
    for (const sh of t.shares) { await pool.get(t.server).close(si, sh); count++ }
  }))
  return count
}
