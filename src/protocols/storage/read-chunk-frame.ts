/**
 * Hand-written codec for the one bulk message, Response{id, read: ReadChunk},
 * so share data is never copied into or out of a protobuf buffer.
 *
 * On this class of machine the first touch of freshly allocated memory costs
 * about 2.7 ms per MiB, more than moving the bytes through Noise; the
 * generated encoder (copy into a new buffer) and decoder (concatenate the
 * frame's pieces) each added one such allocation per MiB read. The bytes on
 * the wire are exactly what the generated encoder writes for the same
 * fields, so any protobuf decoder reads them; the fast decoder accepts only
 * this canonical layout and returns undefined for anything else, which the
 * caller then hands to the generated decoder.
 */
import { Uint8ArrayList } from 'uint8arraylist'
import { encodeVarint } from '../framing/index.js'
import { readEnvelope, varintAt } from './fast-frame.js'

const TAG_ID = 0x08 // field 1, varint
const TAG_READ = 0x42 // field 8, length-delimited
const TAG_DATA = 0x0a // field 1, length-delimited
const TAG_LAST = 0x10 // field 2, varint

/** Length prefix + Response{id, read: {data, last}}, sharing `data` without copying it. */
export function encodeReadChunkFrame (id: number, data: Uint8Array, last: boolean): Uint8ArrayList {
  const inner: number[] = []
  if (data.byteLength > 0) inner.push(TAG_DATA, ...encodeVarint(data.byteLength))
  const tail = last ? [TAG_LAST, 1] : []
  const innerLength = inner.length + data.byteLength + tail.length
  const head = [
    ...(id !== 0 ? [TAG_ID, ...encodeVarint(id)] : []),
    TAG_READ, ...encodeVarint(innerLength),
    ...inner
  ]
  const messageLength = head.length + data.byteLength + tail.length
  const out = new Uint8ArrayList(Uint8Array.from([...encodeVarint(messageLength), ...head]))
  if (data.byteLength > 0) out.append(data as Uint8Array<ArrayBuffer>)
  if (tail.length > 0) out.append(Uint8Array.from(tail))
  return out
}

export interface FastReadChunk {
  id: number
  data: Uint8ArrayList
  last: boolean
}

/** Decodes a frame body laid out exactly as encodeReadChunkFrame writes it, else undefined. */
export function decodeReadChunkFast (frame: Uint8ArrayList): FastReadChunk | undefined {
  const envelope = readEnvelope(frame, TAG_READ)
  if (envelope == null) return undefined
  const { id, end } = envelope
  let pos = envelope.start
  let dataStart = pos
  let dataEnd = pos
  if (pos < end && frame.get(pos) === TAG_DATA) {
    const len = varintAt(frame, pos + 1, end)
    if (len == null || len.next + len.value > end) return undefined
    dataStart = len.next
    dataEnd = len.next + len.value
    pos = dataEnd
  }
  let last = false
  if (pos < end) {
    if (frame.get(pos) !== TAG_LAST || pos + 2 !== end) return undefined
    const flag = frame.get(pos + 1)
    if (flag > 1) return undefined
    last = flag === 1
    pos += 2
  }
  if (pos !== end) return undefined
  return { id, data: frame.sublist(dataStart, dataEnd), last }
}
