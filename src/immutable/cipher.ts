/**
 * AES-128-CTR over the whole file as one stream (spec §6): zero IV, the
 * full 16-byte block is the big-endian counter, so byte o uses counter
 * block floor(o/16) at keystream position o mod 16.
 */
import { createCipheriv, type Cipher } from 'node:crypto'

/** The CTR counter block for 16-byte block `blockIndex` of the file. */
export function counterBlock (blockIndex: number): Uint8Array {
  const iv = new Uint8Array(16)
  new DataView(iv.buffer).setBigUint64(8, BigInt(blockIndex))
  return iv
}

/** A keystream positioned at byte `offset`: feed it consecutive bytes from there. */
export function ctrStreamAt (key: Uint8Array, offset: number): Cipher {
  const c = createCipheriv('aes-128-ctr', key, counterBlock(Math.floor(offset / 16)))
  const skip = offset % 16
  if (skip > 0) c.update(new Uint8Array(skip))
  return c
}
