/**
 * Hand-written codec for the bulk upload message, Request{id, write:
 * WriteRequest}, so share data goes from the encoder's buffers to the
 * server's file without being copied into or out of a protobuf buffer.
 *
 * Same reason as read-chunk-frame.ts: on small VMs a fresh buffer as big as
 * a write costs more to touch than the bytes cost to move. The encoder
 * writes plain protobuf (fields in number order, share number and offset
 * always present), so the generated decoder reads it too. The fast decoder
 * takes the four WriteRequest fields in any order and gives up (undefined)
 * on anything else, leaving the frame to the generated decoder.
 */
import { Uint8ArrayList } from 'uint8arraylist'
import { encodeVarint } from '../framing/index.js'
import { readEnvelope, varintAt } from './fast-frame.js'

const TAG_ID = 0x08 // Request.id, field 1, varint
const TAG_WRITE = 0x22 // Request.write, field 4, length-delimited
const TAG_SI = 0x0a // WriteRequest.storage_index, field 1, length-delimited
const TAG_SHNUM = 0x10 // WriteRequest.share_number, field 2, varint
const TAG_OFFSET = 0x18 // WriteRequest.offset, field 3, varint
const TAG_DATA = 0x22 // WriteRequest.data, field 4, length-delimited

export interface WriteFields {
  storageIndex: Uint8Array
  shareNumber: number
  offset: number
  /** The bytes to write, in order; shared, never copied. */
  data: readonly Uint8Array[]
}

/** Length prefix + Request{id, write}, with the data pieces appended as they are. */
export function encodeWriteFrame (id: number, w: WriteFields): Uint8ArrayList {
  const dataLength = w.data.reduce((n, piece) => n + piece.byteLength, 0)
  const head = [
    TAG_SI, ...encodeVarint(w.storageIndex.byteLength), ...w.storageIndex,
    TAG_SHNUM, ...encodeVarint(w.shareNumber),
    TAG_OFFSET, ...encodeVarint(w.offset),
    TAG_DATA, ...encodeVarint(dataLength)
  ]
  const writeLength = head.length + dataLength
  const outer = [TAG_ID, ...encodeVarint(id), TAG_WRITE, ...encodeVarint(writeLength)]
  const messageLength = outer.length + writeLength
  const out = new Uint8ArrayList(Uint8Array.from([...encodeVarint(messageLength), ...outer, ...head]))
  for (const piece of w.data) if (piece.byteLength > 0) out.append(piece as Uint8Array<ArrayBuffer>)
  return out
}

export interface FastWrite extends WriteFields {
  id: number
}

/** Decodes a Request whose body is a write, sharing the data pieces; undefined for anything else. */
export function decodeWriteFast (frame: Uint8ArrayList): FastWrite | undefined {
  const envelope = readEnvelope(frame, TAG_WRITE)
  if (envelope == null) return undefined
  const { id, end } = envelope
  let pos = envelope.start
  let storageIndex: Uint8Array | undefined
  let shareNumber = 0
  let offset = 0
  let data: Uint8Array[] = []
  while (pos < end) {
    const tag = frame.get(pos)
    if (tag === TAG_SHNUM || tag === TAG_OFFSET) {
      const v = varintAt(frame, pos + 1, end)
      if (v == null) return undefined
      if (tag === TAG_SHNUM) shareNumber = v.value
      else offset = v.value
      pos = v.next
    } else if (tag === TAG_SI || tag === TAG_DATA) {
      const len = varintAt(frame, pos + 1, end)
      if (len == null || len.next + len.value > end) return undefined
      const field = frame.sublist(len.next, len.next + len.value)
      if (tag === TAG_SI) storageIndex = field.subarray()
      else data = [...field]
      pos = len.next + len.value
    } else {
      return undefined
    }
  }
  if (shareNumber > 0xffffffff) return undefined
  return { id, storageIndex: storageIndex ?? new Uint8Array(0), shareNumber, offset, data }
}
