import { decodeMessage, encodeMessage, MaxLengthError, message, streamMessage } from 'protons-runtime'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface HaveRequest {
  storageIndexes: Uint8Array<ArrayBuffer>[]
}

export namespace HaveRequest {
  let _codec: Codec<HaveRequest>

  export const codec = (): Codec<HaveRequest> => {
    if (_codec == null) {
      _codec = message<HaveRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.storageIndexes != null && obj.storageIndexes.length > 0) {
          for (const value of obj.storageIndexes) {
            w.uint32(10)
            w.bytes(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          storageIndexes: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.storageIndexes != null && obj.storageIndexes.length === opts.limits.storageIndexes) {
                throw new MaxLengthError('Decode error - repeated field "storageIndexes" had too many elements')
              }

              if (obj.storageIndexes.length === 1000) {
                throw new MaxLengthError('Decode error - repeated field "storageIndexes" had too many elements')
              }

              obj.storageIndexes.push(reader.bytes())
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          storageIndexes: 1000
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.storageIndexes != null && obj.storageIndexes === opts.limits.storageIndexes) {
                throw new MaxLengthError('Streaming decode error - repeated field "storageIndexes" had too many elements')
              }

              if (obj.storageIndexes === 1000) {
                throw new MaxLengthError('Streaming decode error - repeated field "storageIndexes" had too many elements')
              }

              yield {
                field: `${prefix}.storageIndexes[]`,
                index: obj.storageIndexes,
                value: reader.bytes()
              }

              obj.storageIndexes++

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface HaveRequestStorageIndexesFieldEvent {
    field: '$.storageIndexes[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<HaveRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, HaveRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<HaveRequest>): HaveRequest {
    return decodeMessage(buf, HaveRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<HaveRequest>): Generator<HaveRequestStorageIndexesFieldEvent> {
    return streamMessage(buf, HaveRequest.codec(), opts)
  }
}

export interface HaveEntry {
  shareNumbers: number[]
}

export namespace HaveEntry {
  let _codec: Codec<HaveEntry>

  export const codec = (): Codec<HaveEntry> => {
    if (_codec == null) {
      _codec = message<HaveEntry>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.shareNumbers != null && obj.shareNumbers.length > 0) {
          for (const value of obj.shareNumbers) {
            w.uint32(8)
            w.uint32(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          shareNumbers: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.shareNumbers != null && obj.shareNumbers.length === opts.limits.shareNumbers) {
                throw new MaxLengthError('Decode error - repeated field "shareNumbers" had too many elements')
              }

              if (obj.shareNumbers.length === 256) {
                throw new MaxLengthError('Decode error - repeated field "shareNumbers" had too many elements')
              }

              obj.shareNumbers.push(reader.uint32())
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          shareNumbers: 256
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.shareNumbers != null && obj.shareNumbers === opts.limits.shareNumbers) {
                throw new MaxLengthError('Streaming decode error - repeated field "shareNumbers" had too many elements')
              }

              if (obj.shareNumbers === 256) {
                throw new MaxLengthError('Streaming decode error - repeated field "shareNumbers" had too many elements')
              }

              yield {
                field: `${prefix}.shareNumbers[]`,
                index: obj.shareNumbers,
                value: reader.uint32()
              }

              obj.shareNumbers++

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface HaveEntryShareNumbersFieldEvent {
    field: '$.shareNumbers[]'
    index: number
    value: number
  }

  export function encode (obj: Partial<HaveEntry>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, HaveEntry.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<HaveEntry>): HaveEntry {
    return decodeMessage(buf, HaveEntry.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<HaveEntry>): Generator<HaveEntryShareNumbersFieldEvent> {
    return streamMessage(buf, HaveEntry.codec(), opts)
  }
}

export interface HaveErrorReply {
  code: string
  message: string
}

export namespace HaveErrorReply {
  let _codec: Codec<HaveErrorReply>

  export const codec = (): Codec<HaveErrorReply> => {
    if (_codec == null) {
      _codec = message<HaveErrorReply>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.code != null && obj.code !== '')) {
          w.uint32(10)
          w.string(obj.code)
        }

        if ((obj.message != null && obj.message !== '')) {
          w.uint32(18)
          w.string(obj.message)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          code: '',
          message: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.code = reader.string()
              break
            }
            case 2: {
              obj.message = reader.string()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.code`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.message`,
                value: reader.string()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface HaveErrorReplyCodeFieldEvent {
    field: '$.code'
    value: string
  }

  export interface HaveErrorReplyMessageFieldEvent {
    field: '$.message'
    value: string
  }

  export function encode (obj: Partial<HaveErrorReply>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, HaveErrorReply.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<HaveErrorReply>): HaveErrorReply {
    return decodeMessage(buf, HaveErrorReply.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<HaveErrorReply>): Generator<HaveErrorReplyCodeFieldEvent | HaveErrorReplyMessageFieldEvent> {
    return streamMessage(buf, HaveErrorReply.codec(), opts)
  }
}

export interface HaveResponse {
  entries: HaveEntry[]
  error?: HaveErrorReply
  retryAfterMs: number
  clubs: string[]
}

export namespace HaveResponse {
  let _codec: Codec<HaveResponse>

  export const codec = (): Codec<HaveResponse> => {
    if (_codec == null) {
      _codec = message<HaveResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.entries != null && obj.entries.length > 0) {
          for (const value of obj.entries) {
            w.uint32(10)
            HaveEntry.codec().encode(value, w)
          }
        }

        if (obj.error != null) {
          w.uint32(18)
          HaveErrorReply.codec().encode(obj.error, w)
        }

        if ((obj.retryAfterMs != null && obj.retryAfterMs !== 0)) {
          w.uint32(24)
          w.uint32(obj.retryAfterMs)
        }

        if (obj.clubs != null && obj.clubs.length > 0) {
          for (const value of obj.clubs) {
            w.uint32(34)
            w.string(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          entries: [],
          retryAfterMs: 0,
          clubs: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.entries != null && obj.entries.length === opts.limits.entries) {
                throw new MaxLengthError('Decode error - repeated field "entries" had too many elements')
              }

              if (obj.entries.length === 1000) {
                throw new MaxLengthError('Decode error - repeated field "entries" had too many elements')
              }

              obj.entries.push(HaveEntry.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.entries$
              }))
              break
            }
            case 2: {
              obj.error = HaveErrorReply.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.error
              })
              break
            }
            case 3: {
              obj.retryAfterMs = reader.uint32()
              break
            }
            case 4: {
              if (opts.limits?.clubs != null && obj.clubs.length === opts.limits.clubs) {
                throw new MaxLengthError('Decode error - repeated field "clubs" had too many elements')
              }

              if (obj.clubs.length === 16) {
                throw new MaxLengthError('Decode error - repeated field "clubs" had too many elements')
              }

              obj.clubs.push(reader.string())
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          entries: 1000,
          clubs: 16
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.entries != null && obj.entries === opts.limits.entries) {
                throw new MaxLengthError('Streaming decode error - repeated field "entries" had too many elements')
              }

              if (obj.entries === 1000) {
                throw new MaxLengthError('Streaming decode error - repeated field "entries" had too many elements')
              }

              for (const evt of HaveEntry.codec().stream(reader, reader.uint32(), `${prefix}.entries[]`, {
                limits: opts.limits?.entries$
              })) {
                yield {
                  ...evt,
                  index: obj.entries
                }
              }

              obj.entries++

              break
            }
            case 2: {
              yield * HaveErrorReply.codec().stream(reader, reader.uint32(), `${prefix}.error`, {
                limits: opts.limits?.error
              })

              break
            }
            case 3: {
              yield {
                field: `${prefix}.retryAfterMs`,
                value: reader.uint32()
              }
              break
            }
            case 4: {
              if (opts.limits?.clubs != null && obj.clubs === opts.limits.clubs) {
                throw new MaxLengthError('Streaming decode error - repeated field "clubs" had too many elements')
              }

              if (obj.clubs === 16) {
                throw new MaxLengthError('Streaming decode error - repeated field "clubs" had too many elements')
              }

              yield {
                field: `${prefix}.clubs[]`,
                index: obj.clubs,
                value: reader.string()
              }

              obj.clubs++

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface HaveResponseEntriesShareNumbersFieldEvent {
    field: '$.entries[].shareNumbers[]'
    index: number
    value: number
  }

  export interface HaveResponseErrorCodeFieldEvent {
    field: '$.error.code'
    value: string
  }

  export interface HaveResponseErrorMessageFieldEvent {
    field: '$.error.message'
    value: string
  }

  export interface HaveResponseRetryAfterMsFieldEvent {
    field: '$.retryAfterMs'
    value: number
  }

  export interface HaveResponseClubsFieldEvent {
    field: '$.clubs[]'
    index: number
    value: string
  }

  export function encode (obj: Partial<HaveResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, HaveResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<HaveResponse>): HaveResponse {
    return decodeMessage(buf, HaveResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<HaveResponse>): Generator<HaveResponseEntriesShareNumbersFieldEvent | HaveResponseErrorCodeFieldEvent | HaveResponseErrorMessageFieldEvent | HaveResponseRetryAfterMsFieldEvent | HaveResponseClubsFieldEvent> {
    return streamMessage(buf, HaveResponse.codec(), opts)
  }
}
