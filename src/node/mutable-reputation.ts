/**
 * What a mutable-file read tells the reputation table: servers whose shares
 * failed a check served a corrupt block (the same charge, and probation, as
 * for an immutable file), servers that could not be asked failed, and those
 * whose shares of the version read passed their checks answered well.
 */
import type { ReputationTable, Retrieved, Servermap } from '../client/index.js'

export function recordMutableRead (reputation: ReputationTable, map: Pick<Servermap, 'unreachable'>, got: Pick<Retrieved, 'version' | 'corrupt' | 'goodShares'>, club: string): void {
  for (const u of map.unreachable) reputation.failed(u.server.peerId, u.error)
  const corrupt = new Set<string>()
  for (const c of got.corrupt) {
    corrupt.add(c.server.peerId)
    reputation.corrupt(c.server.peerId, { club, detail: `mutable share ${c.shnum} failed the ${c.check} check` })
  }
  const good = new Set(got.goodShares)
  // the retrieve reads the first copy of each share number in ring order
  const read = new Set<number>()
  const served = new Map<string, number>()
  for (const s of got.version.shares) {
    if (read.has(s.shnum)) continue
    read.add(s.shnum)
    if (!good.has(s.shnum) || corrupt.has(s.server.peerId)) continue
    served.set(s.server.peerId, (served.get(s.server.peerId) ?? 0) + 1)
  }
  for (const [peerId, count] of served) reputation.good(peerId, count)
}
