/**
 * One have-share question per server for many files. A self-repair pass
 * checks its files a few at a time, and each check asks every server of the
 * file's club about one storage index: a pass of F files over a roster of R
 * servers opened F × R streams, each with its protocol negotiation, where R
 * streams carrying F indexes each say the same. A HaveBatch is made for the
 * files of a pass; the first check that asks a server about one of them asks
 * that server about all of them, and the others read the same answer.
 *
 * The answer is as old as the batch: a caller that changed what servers hold
 * (a repair) asks again without it.
 */
import { raceSignal } from 'race-signal'
import { dialTarget, type ServerAddress } from '../dial-target.js'
import { queryHaveAnswer, type QueryHaveOptions } from './client.js'
import type { Libp2p } from '@libp2p/interface'

type Opener = Pick<Libp2p, 'dialProtocol'>

export class HaveBatch {
  private readonly indexes: Uint8Array[] = []
  private readonly position = new Map<string, number>()
  private readonly answers = new Map<string, Promise<{ shares: number[][], clubs: string[] }>>()
  private readonly timeoutMs?: number
  private readonly signal?: AbortSignal

  /** `signal` ends every question of the batch (the pass's); `timeoutMs` is per server. */
  constructor (storageIndexes: Iterable<Uint8Array>, options: QueryHaveOptions = {}) {
    for (const si of storageIndexes) {
      const key = Buffer.from(si).toString('hex')
      if (this.position.has(key)) continue
      this.position.set(key, this.indexes.length)
      this.indexes.push(si)
    }
    this.timeoutMs = options.timeoutMs
    this.signal = options.signal
  }

  covers (storageIndex: Uint8Array): boolean {
    return this.position.has(Buffer.from(storageIndex).toString('hex'))
  }

  /** The shares `server` holds of `storageIndex` (which the batch must cover), and the clubs it names. */
  async ask (opener: Opener, server: ServerAddress, storageIndex: Uint8Array, signal?: AbortSignal): Promise<{ shares: number[], clubs: string[] }> {
    const at = this.position.get(Buffer.from(storageIndex).toString('hex'))
    if (at === undefined) throw new Error('storage index not in this have batch')
    let answer = this.answers.get(server.peerId)
    if (answer === undefined) {
      answer = queryHaveAnswer(opener, dialTarget(server), this.indexes, { timeoutMs: this.timeoutMs, signal: this.signal })
      // a failure reaches every caller through the same promise; a later batch asks again
      answer.catch(() => {})
      this.answers.set(server.peerId, answer)
    }
    const { shares, clubs } = await raceSignal(answer, signal)
    return { shares: shares[at], clubs: shares[at].length > 0 ? clubs : [] }
  }
}
