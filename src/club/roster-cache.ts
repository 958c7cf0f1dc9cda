/**
 * Rosters this node has accepted, on disk (`<dataDir>/clubs/cache/<clubId>.ipns`,
 * the raw record), so the highest sequence seen survives restarts and a replayed
 * or rolled-back roster is refused even after a reboot. Records are re-verified
 * when read (expiry excepted: an expired roster is still a useful hint locally).
 */
import { mkdir, readFile, readdir, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { normalizeClubId } from './club-id.js'
import { StaleRosterError } from './errors.js'
import { verifyRosterRecord, type SignedRoster } from './roster-record.js'

export type CacheUpdate = 'stored' | 'unchanged'

export class RosterCache {
  readonly dir: string
  private readonly memory = new Map<string, SignedRoster>()

  constructor (dataDir: string) {
    this.dir = join(dataDir, 'clubs', 'cache')
  }

  private pathFor (clubId: string): string {
    return join(this.dir, `${clubId}.ipns`)
  }

  async get (clubId: string): Promise<SignedRoster | undefined> {
    const id = normalizeClubId(clubId)
    const hit = this.memory.get(id)
    if (hit != null) return hit
    let raw: Uint8Array
    try { raw = await readFile(this.pathFor(id)) } catch (err: any) {
      if (err?.code === 'ENOENT') return undefined
      throw err
    }
    try {
      const signed = await verifyRosterRecord(id, new Uint8Array(raw), { allowExpired: true })
      this.memory.set(id, signed)
      return signed
    } catch {
      // a damaged cache file only costs one DHT lookup
      return undefined
    }
  }

  /**
   * Keeps `signed` if it is newer than the cached roster (higher sequence, or
   * the same sequence with a later expiry: a re-signed copy). A lower sequence
   * throws StaleRosterError.
   */
  async put (signed: SignedRoster): Promise<CacheUpdate> {
    const current = await this.get(signed.clubId)
    if (current != null) {
      if (signed.sequence < current.sequence) {
        throw new StaleRosterError(`club ${signed.clubId}: roster sequence ${signed.sequence} is lower than the cached ${current.sequence}; refusing a replayed or rolled-back roster`)
      }
      if (signed.sequence === current.sequence && signed.expiresAt <= current.expiresAt) return 'unchanged'
    }
    await mkdir(this.dir, { recursive: true, mode: 0o700 })
    const path = this.pathFor(signed.clubId)
    const tmp = `${path}.${process.pid}.${Date.now()}.tmp`
    await writeFile(tmp, signed.record, { mode: 0o600 })
    await rename(tmp, path)
    this.memory.set(signed.clubId, signed)
    return 'stored'
  }

  async list (): Promise<string[]> {
    let names: string[]
    try { names = await readdir(this.dir) } catch (err: any) {
      if (err?.code === 'ENOENT') return []
      throw err
    }
    return names.filter(n => n.endsWith('.ipns')).map(n => n.slice(0, -'.ipns'.length)).sort()
  }
}
