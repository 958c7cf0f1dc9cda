/**
 * Plaintext that is generated, not held: an AES-128-CTR keystream of any
 * length. The same seed yields the same bytes on every read, so the
 * uploader can read it twice (convergent key, then encryption) without the
 * bench keeping a copy in memory.
 */
import { createCipheriv, createHash, randomBytes } from 'node:crypto'

const CHUNK = 2 ** 20

export interface GeneratedSource {
  size: number
  /** A PlaintextSource: each call starts the same byte sequence again. */
  read: () => AsyncIterable<Uint8Array>
  /** SHA-256 of the whole sequence (one more pass, no copy kept). */
  sha256: () => Promise<string>
}

export function generatedSource (size: number, seed: Uint8Array = randomBytes(32)): GeneratedSource {
  const key = seed.subarray(0, 16)
  const iv = seed.subarray(16, 32)
  async function * read (): AsyncGenerator<Uint8Array> {
    const cipher = createCipheriv('aes-128-ctr', key, iv)
    const zeros = new Uint8Array(CHUNK)
    for (let done = 0; done < size; done += CHUNK) {
      // A fresh buffer each time: consumers may keep a view of a chunk.
      yield cipher.update(zeros.subarray(0, Math.min(CHUNK, size - done)))
    }
  }
  return {
    size,
    read,
    sha256: async () => {
      const h = createHash('sha256')
      for await (const c of read()) h.update(c)
      return h.digest('hex')
    }
  }
}
