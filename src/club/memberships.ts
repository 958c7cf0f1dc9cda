/**
 * The clubs this node belongs to, on disk (`<dataDir>/clubs/joined.json`):
 * joined as a user (`joinAsUser`, `joinWithInvite`), accepted as a server
 * (`askToJoin` answered 'accepted'), or migrated from an older data folder.
 * Only these clubs (and owned ones, known by their key files) are kept
 * connected by the roster keeper, re-put by the republisher and listed by
 * `clubs.list()`; any other roster the node reads stays in the short-lived
 * ReadRosterCache. Reading a roster never adds an entry here.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { normalizeClubId } from './club-id.js'
import { MembershipFileError } from './errors.js'

/**
 * 'migrated': a roster found in the cache of a data folder written before this file existed.
 * 'listed': a roster its owner pushed names this node as a server, which never asked to join.
 * A listed club is no membership: `has` and `list` leave it out (no keep-alive, no republish,
 * not in `clubs.list()`); it only lets the node's have answers name the club.
 */
export type MembershipRole = 'user' | 'server' | 'migrated' | 'listed'

export interface ClubMembership {
  clubId: string
  role: MembershipRole
  /** When this node joined (ms since the epoch). */
  since: number
}

interface FileShape { v: 1, clubs: ClubMembership[] }

export class ClubMemberships {
  readonly path: string
  private readonly legacyClubs: () => Promise<string[]>
  private loaded?: Promise<Map<string, ClubMembership>>
  private writing: Promise<unknown> = Promise.resolve()

  /**
   * `legacyClubs` lists the rosters in the on-disk cache. It is read once, when
   * joined.json does not exist yet: versions before this file cached a roster
   * only when the user joined or created a club (reading one also cached it,
   * but only since the gateway's refresh and hinted caps, which is the hole this
   * file closes), so every cached roster of an older folder counts as joined.
   */
  constructor (dataDir: string, legacyClubs: () => Promise<string[]>) {
    this.path = join(dataDir, 'clubs', 'joined.json')
    this.legacyClubs = legacyClubs
  }

  private async load (): Promise<Map<string, ClubMembership>> {
    this.loaded ??= (async () => {
      let text: string | undefined
      try { text = await readFile(this.path, 'utf8') } catch (err: any) {
        if (err?.code !== 'ENOENT') throw err
      }
      const map = new Map<string, ClubMembership>()
      if (text == null) {
        const now = Date.now()
        for (const id of await this.legacyClubs()) map.set(id, { clubId: id, role: 'migrated', since: now })
        await this.save(map)
        return map
      }
      let parsed: FileShape
      try { parsed = JSON.parse(text) } catch (err) {
        throw new MembershipFileError(`${this.path} is not valid JSON (${String(err)}); fix or remove it (removing it re-reads the clubs in clubs/cache/ as joined)`, { cause: err })
      }
      if (!Array.isArray(parsed?.clubs)) throw new MembershipFileError(`${this.path} has no "clubs" list; fix or remove it (removing it re-reads the clubs in clubs/cache/ as joined)`)
      for (const m of parsed.clubs) map.set(normalizeClubId(m.clubId), { clubId: normalizeClubId(m.clubId), role: m.role, since: m.since })
      return map
    })()
    return await this.loaded
  }

  private async save (map: Map<string, ClubMembership>): Promise<void> {
    const body: FileShape = { v: 1, clubs: [...map.values()].sort((a, b) => a.clubId.localeCompare(b.clubId)) }
    const write = this.writing.catch(() => {}).then(async () => {
      await mkdir(join(this.path, '..'), { recursive: true, mode: 0o700 })
      const tmp = `${this.path}.${process.pid}.${Date.now()}.tmp`
      await writeFile(tmp, JSON.stringify(body, null, 2) + '\n', { mode: 0o600 })
      await rename(tmp, this.path)
    })
    this.writing = write
    await write
  }

  async has (clubId: string): Promise<boolean> {
    const m = (await this.load()).get(normalizeClubId(clubId))
    return m != null && m.role !== 'listed'
  }

  async list (): Promise<ClubMembership[]> {
    return [...(await this.load()).values()].filter(m => m.role !== 'listed').sort((a, b) => a.clubId.localeCompare(b.clubId))
  }

  /** Clubs whose owner listed this node as a server without it asking (role 'listed'). */
  async listed (): Promise<string[]> {
    return [...(await this.load()).values()].filter(m => m.role === 'listed').map(m => m.clubId).sort()
  }

  /** Records the membership (a later role replaces an earlier one; `since` is kept; 'listed' never replaces a membership). */
  async add (clubId: string, role: MembershipRole): Promise<void> {
    const map = await this.load()
    const id = normalizeClubId(clubId)
    const previous = map.get(id)
    if (previous?.role === role) return
    if (role === 'listed' && previous != null) return
    map.set(id, { clubId: id, role, since: previous?.since ?? Date.now() })
    await this.save(map)
  }

  /** Forgets the membership; true when there was one. */
  async remove (clubId: string): Promise<boolean> {
    const map = await this.load()
    if (!map.delete(normalizeClubId(clubId))) return false
    await this.save(map)
    return true
  }
}
