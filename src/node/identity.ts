/**
 * The node's libp2p identity: an Ed25519 key kept in the data folder so the
 * PeerId (and with it every account and lease a server keeps for this node)
 * survives restarts.
 */
import { readFile, writeFile } from 'node:fs/promises'
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import type { PrivateKey } from '@libp2p/interface'
import { KeyFileError } from './errors.js'

/** Reads the key at `path`; undefined when the file does not exist. */
export async function readIdentity (path: string): Promise<PrivateKey | undefined> {
  let bytes: Uint8Array
  try {
    bytes = await readFile(path)
  } catch (err: any) {
    if (err?.code === 'ENOENT') return undefined
    throw new KeyFileError(path, `cannot read the identity key (${err?.message ?? err})`, err)
  }
  let key: PrivateKey
  try {
    key = privateKeyFromProtobuf(bytes)
  } catch (err: any) {
    throw new KeyFileError(path, 'is not a libp2p private key', err)
  }
  if (key.type !== 'Ed25519') throw new KeyFileError(path, `holds a ${key.type} key; lafs-club identities are Ed25519`)
  return key
}

/** Generates a new Ed25519 key and writes it to `path` (mode 0600; refuses to overwrite). */
export async function createIdentity (path: string): Promise<PrivateKey> {
  const key = await generateKeyPair('Ed25519')
  await writeFile(path, privateKeyToProtobuf(key), { mode: 0o600, flag: 'wx' })
  return key
}

/** The key at `path`, created on first use. */
export async function loadOrCreateIdentity (path: string): Promise<PrivateKey> {
  const existing = await readIdentity(path)
  if (existing !== undefined) return existing
  try {
    return await createIdentity(path)
  } catch (err: any) {
    // Another init won the race: use its key rather than fork the identity.
    if (err?.code === 'EEXIST') return (await readIdentity(path))!
    throw err
  }
}

export function peerIdString (key: PrivateKey): string {
  return peerIdFromPrivateKey(key).toString()
}
