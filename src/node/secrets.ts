/**
 * The two 32-byte secrets Tahoe keeps in `private/`: the convergence secret
 * (mixed into every content key, so identical files uploaded by nodes with
 * different secrets do not share ciphertext) and the lease secret (from which
 * renew/cancel secrets for each lease are derived). Stored as lowercase base32
 * text with a newline, as Tahoe does, so the files are portable.
 */
import { randomBytes } from 'node:crypto'
import { readFile, writeFile } from 'node:fs/promises'
import { base32 } from 'multiformats/bases/base32'
import { KeyFileError } from './errors.js'

export const SECRET_LENGTH = 32

export function encodeSecret (secret: Uint8Array): string {
  return base32.baseEncode(secret) + '\n'
}

export function decodeSecret (text: string, path: string): Uint8Array {
  let bytes: Uint8Array
  try {
    bytes = base32.baseDecode(text.trim().toLowerCase())
  } catch (err) {
    throw new KeyFileError(path, 'is not base32 text', err)
  }
  if (bytes.length !== SECRET_LENGTH) throw new KeyFileError(path, `holds ${bytes.length} bytes, expected ${SECRET_LENGTH}`)
  return bytes
}

/** Reads a secret file; undefined when it does not exist. */
export async function readSecret (path: string): Promise<Uint8Array | undefined> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err: any) {
    if (err?.code === 'ENOENT') return undefined
    throw new KeyFileError(path, `cannot be read (${err?.message ?? err})`, err)
  }
  return decodeSecret(text, path)
}

/** Reads the secret at `path`, writing a new random one (mode 0600) if there is none. */
export async function loadOrCreateSecret (path: string): Promise<Uint8Array> {
  const existing = await readSecret(path)
  if (existing !== undefined) return existing
  const secret = new Uint8Array(randomBytes(SECRET_LENGTH))
  try {
    await writeFile(path, encodeSecret(secret), { mode: 0o600, flag: 'wx' })
  } catch (err: any) {
    if (err?.code === 'EEXIST') return (await readSecret(path))!
    throw err
  }
  return secret
}
