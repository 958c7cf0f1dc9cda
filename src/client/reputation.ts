/**
 * The downloader's local memory of how servers behaved: verified blocks,
 * corrupt shares, failures and timeouts. It only breaks ties in server order;
 * it never excludes a server, so a recovered server gets another chance.
 */
export interface ServerRecord {
  goodReads: number
  corruptShares: number
  failures: number
}

export class ReputationTable {
  private readonly records = new Map<string, ServerRecord>()

  private record (peerId: string): ServerRecord {
    let r = this.records.get(peerId)
    if (r == null) {
      r = { goodReads: 0, corruptShares: 0, failures: 0 }
      this.records.set(peerId, r)
    }
    return r
  }

  good (peerId: string, count = 1): void { this.record(peerId).goodReads += count }
  corrupt (peerId: string): void { this.record(peerId).corruptShares++ }
  failed (peerId: string): void { this.record(peerId).failures++ }

  /** Higher is better. Corruption weighs more than a failure (a timeout may be bad luck). */
  score (peerId: string): number {
    const r = this.records.get(peerId)
    if (r == null) return 0
    return Math.min(r.goodReads, 100) / 100 - 5 * r.corruptShares - r.failures
  }

  get (peerId: string): ServerRecord | undefined {
    const r = this.records.get(peerId)
    return r == null ? undefined : { ...r }
  }

  /** Stable sort: better servers first, ties keep the given (permuted-ring) order. */
  order<T extends { peerId: string }> (servers: readonly T[]): T[] {
    return servers.map((s, i) => ({ s, i, score: this.score(s.peerId) }))
      .sort((a, b) => b.score - a.score || a.i - b.i)
      .map(x => x.s)
  }

  entries (): Array<{ peerId: string } & ServerRecord> {
    return [...this.records].map(([peerId, r]) => ({ peerId, ...r }))
  }
}
