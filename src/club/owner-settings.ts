/**
 * What an owner chose for each of its clubs that is not in the roster itself:
 * the validity it signs rosters with (`club create|publish --valid`). On disk
 * (`<dataDir>/clubs/owned.json`) so the republish timer keeps using it after a
 * restart. Whether a club is local is in the roster, where members see it.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { normalizeClubId } from './club-id.js'
import { MAX_VALIDITY_MS, MIN_VALIDITY_MS } from './constants.js'
import { InvalidRosterError, MembershipFileError } from './errors.js'

export interface OwnedClubSettings {
  /** IPNS validity of this club's rosters, in ms. */
  validityMs?: number
}

interface FileShape { v: 1, clubs: Record<string, OwnedClubSettings> }

/** Throws InvalidRosterError for a validity outside [1 h, 365 d]. */
export function checkValidity (ms: number): number {
  if (!Number.isSafeInteger(ms) || ms < MIN_VALIDITY_MS || ms > MAX_VALIDITY_MS) {
    throw new InvalidRosterError(`roster validity must be between 1 hour and 365 days, got ${ms} ms`)
  }
  return ms
}

export class OwnerSettings {
  readonly path: string
  private loaded?: Promise<Record<string, OwnedClubSettings>>
  private writing: Promise<unknown> = Promise.resolve()

  constructor (dataDir: string) {
    this.path = join(dataDir, 'clubs', 'owned.json')
  }

  private async load (): Promise<Record<string, OwnedClubSettings>> {
    this.loaded ??= (async () => {
      let text: string
      try { text = await readFile(this.path, 'utf8') } catch (err: any) {
        if (err?.code === 'ENOENT') return {}
        throw err
      }
      try {
        const parsed = JSON.parse(text) as FileShape
        return typeof parsed?.clubs === 'object' && parsed.clubs !== null ? parsed.clubs : {}
      } catch (err) {
        throw new MembershipFileError(`${this.path} is not valid JSON (${String(err)}); fix or remove it (removing it signs rosters with the default validity)`, { cause: err })
      }
    })()
    return await this.loaded
  }

  async get (clubId: string): Promise<OwnedClubSettings> {
    return { ...(await this.load())[normalizeClubId(clubId)] }
  }

  async set (clubId: string, patch: OwnedClubSettings): Promise<void> {
    const all = await this.load()
    const id = normalizeClubId(clubId)
    all[id] = { ...all[id], ...patch }
    const body: FileShape = { v: 1, clubs: all }
    const write = this.writing.catch(() => {}).then(async () => {
      await mkdir(join(this.path, '..'), { recursive: true, mode: 0o700 })
      const tmp = `${this.path}.${process.pid}.${Date.now()}.tmp`
      await writeFile(tmp, JSON.stringify(body, null, 2) + '\n', { mode: 0o600 })
      await rename(tmp, this.path)
    })
    this.writing = write
    await write
  }
}
