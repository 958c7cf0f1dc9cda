/**
 * Club private keys on disk: `<dataDir>/clubs/<clubId>.key`, libp2p protobuf
 * form, mode 0600 in a 0700 folder. Whoever reads this file owns the club.
 */
import { chmod, mkdir, readFile, readdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import { clubIdFromPublicKey, normalizeClubId } from './club-id.js'
import type { PrivateKey } from '@libp2p/interface'

export class ClubKeyStore {
  readonly dir: string

  constructor (dataDir: string) {
    this.dir = join(dataDir, 'clubs')
  }

  pathFor (clubId: string): string {
    return join(this.dir, `${normalizeClubId(clubId)}.key`)
  }

  /** Saves a new club key; refuses to overwrite an existing one (that would orphan the club). */
  async save (key: PrivateKey): Promise<string> {
    const clubId = clubIdFromPublicKey(key.publicKey)
    await mkdir(this.dir, { recursive: true, mode: 0o700 })
    const path = this.pathFor(clubId)
    await writeFile(path, privateKeyToProtobuf(key), { mode: 0o600, flag: 'wx' })
    await chmod(path, 0o600) // the umask may have narrowed the mode, never widen it beyond 0600
    return clubId
  }

  async load (clubId: string): Promise<PrivateKey | undefined> {
    try {
      return privateKeyFromProtobuf(await readFile(this.pathFor(clubId)))
    } catch (err: any) {
      if (err?.code === 'ENOENT') return undefined
      throw err
    }
  }

  async list (): Promise<string[]> {
    let names: string[]
    try { names = await readdir(this.dir) } catch (err: any) {
      if (err?.code === 'ENOENT') return []
      throw err
    }
    return names.filter(n => n.endsWith('.key')).map(n => n.slice(0, -'.key'.length)).sort()
  }
}
