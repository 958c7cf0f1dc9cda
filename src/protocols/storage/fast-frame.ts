/**
 * What the two hand decoders (read-chunk-frame.ts, write-frame.ts) share:
 * varints read in place from a frame that is still in pieces, and the
 * envelope both bulk messages have, `{ id = 1; <body> = N }` with the body
 * running to the end of the frame.
 */
import type { Uint8ArrayList } from 'uint8arraylist'

const TAG_ID = 0x08 // field 1, varint

/** A varint of up to 8 bytes (share offsets reach 2^53) at `pos`; undefined if cut off, too long or unsafe. */
export function varintAt (buf: Uint8ArrayList, pos: number, end: number): { value: number, next: number } | undefined {
  let value = 0
  let scale = 1
  for (let i = pos; i < end && i < pos + 8; i++) {
    const b = buf.get(i)
    value += (b & 0x7f) * scale
    if ((b & 0x80) === 0) return Number.isSafeInteger(value) ? { value, next: i + 1 } : undefined
    scale *= 128
  }
  return undefined
}

/**
 * The request or response id (0 when absent) and where the body starts, if
 * the frame is an optional id followed by one `bodyTag` field that ends
 * exactly where the frame ends; undefined otherwise.
 */
export function readEnvelope (frame: Uint8ArrayList, bodyTag: number): { id: number, start: number, end: number } | undefined {
  const end = frame.byteLength
  let pos = 0
  let id = 0
  if (pos < end && frame.get(pos) === TAG_ID) {
    const v = varintAt(frame, pos + 1, end)
    if (v == null) return undefined
    id = v.value
    pos = v.next
  }
  if (pos >= end || frame.get(pos) !== bodyTag) return undefined
  const length = varintAt(frame, pos + 1, end)
  if (length == null || length.next + length.value !== end) return undefined
  return { id, start: length.next, end }
}
