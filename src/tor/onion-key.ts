/**
 * Onion service keys (v3, rend-spec-v3 §6): we make the Ed25519 key
 * ourselves rather than asking tor for `NEW:`, so the address is known
 * before tor is asked to publish it — libp2p needs its listen address up
 * front. The file keeps the 32-byte seed; tor gets the expanded secret key.
 */
import { createHash, createPrivateKey, createPublicKey, randomBytes } from 'node:crypto'
import { readFile, writeFile } from 'node:fs/promises'
import { OnionKeyError } from './errors.js'

const SEED_LENGTH = 32
const ONION_VERSION = 3
/** DER prefix of a PKCS#8 Ed25519 private key; the 32-byte seed follows. */
const PKCS8_ED25519 = Buffer.from('302e020100300506032b657004220420', 'hex')
const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567'

function base32 (bytes: Uint8Array): string {
  let out = ''
  let bits = 0
  let value = 0
  for (const b of bytes) {
    value = (value << 8) | b
    bits += 8
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31]
      bits -= 5
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31]
  return out
}

export interface OnionKey {
  /** The 56-character address, without `.onion`. */
  address: string
  /** What ADD_ONION takes: `ED25519-V3:<base64 of the 64-byte expanded secret key>`. */
  torKey: string
}

/** The onion address and tor's key form of an Ed25519 seed. */
export function onionKeyFromSeed (seed: Uint8Array): OnionKey {
  if (seed.length !== SEED_LENGTH) throw new RangeError(`an onion key seed has ${SEED_LENGTH} bytes, not ${seed.length}`)
  const priv = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519, seed]), format: 'der', type: 'pkcs8' })
  const spki = createPublicKey(priv).export({ format: 'der', type: 'spki' })
  const pub = spki.subarray(spki.length - 32)
  const version = Buffer.from([ONION_VERSION])
  const checksum = createHash('sha3-256').update(Buffer.concat([Buffer.from('.onion checksum'), pub, version])).digest().subarray(0, 2)
  const address = base32(Buffer.concat([pub, checksum, version]))
  // Ed25519's expanded secret key: SHA-512 of the seed, its scalar half clamped.
  const h = createHash('sha512').update(seed).digest()
  h[0] &= 248
  h[31] &= 127
  h[31] |= 64
  return { address, torKey: `ED25519-V3:${h.toString('base64')}` }
}

/** True for a well-formed v3 onion address (56 base32 characters, right checksum and version). */
export function isOnionAddress (address: string): boolean {
  const a = address.replace(/\.onion$/, '')
  if (!/^[a-z2-7]{56}$/.test(a)) return false
  const bytes: number[] = []
  let value = 0
  let bits = 0
  for (const c of a) {
    value = (value << 5) | BASE32.indexOf(c)
    bits += 5
    if (bits >= 8) { bytes.push((value >>> (bits - 8)) & 255); bits -= 8 }
  }
  const buf = Buffer.from(bytes)
  const pub = buf.subarray(0, 32)
  const version = buf.subarray(34, 35)
  const sum = createHash('sha3-256').update(Buffer.concat([Buffer.from('.onion checksum'), pub, version])).digest().subarray(0, 2)
  return version[0] === ONION_VERSION && sum.equals(buf.subarray(32, 34))
}

/**
 * Reads the onion key kept at `path`, or makes one and writes it (mode 0600)
 * when there is none, so the address survives restarts.
 */
export async function loadOrCreateOnionKey (path: string): Promise<OnionKey & { created: boolean }> {
  let seed: Buffer
  try {
    seed = await readFile(path)
  } catch (err: any) {
    if (err?.code !== 'ENOENT') throw new OnionKeyError(path, `cannot be read (${err?.code ?? err})`)
    seed = randomBytes(SEED_LENGTH)
    await writeFile(path, seed, { mode: 0o600, flag: 'wx' })
    return { ...onionKeyFromSeed(seed), created: true }
  }
  if (seed.length !== SEED_LENGTH) throw new OnionKeyError(path, `holds ${seed.length} bytes where an onion key seed has ${SEED_LENGTH}`)
  return { ...onionKeyFromSeed(seed), created: false }
}
