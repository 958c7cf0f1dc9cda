/**
 * Convergent encryption reads the plaintext twice (once for the key, once for
 * the shares); a stream can be read once, so it is written to a private file
 * in the data folder first and read from there.
 */
import { randomBytes } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdir, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'

export interface Spooled {
  /** Reads the file from the start, as often as needed. */
  source: () => AsyncIterable<Uint8Array>
  size: number
  remove: () => Promise<void>
}

export async function spool (data: AsyncIterable<Uint8Array>, dir: string): Promise<Spooled> {
  await mkdir(dir, { recursive: true, mode: 0o700 })
  const file = join(dir, `upload-${randomBytes(8).toString('hex')}`)
  const remove = async (): Promise<void> => { await rm(file, { force: true }) }
  try {
    await pipeline(Readable.from(data), createWriteStream(file, { mode: 0o600 }))
    const { size } = await stat(file)
    return { source: () => createReadStream(file, { highWaterMark: 1024 * 1024 }), size, remove }
  } catch (err) {
    await remove()
    throw err
  }
}
