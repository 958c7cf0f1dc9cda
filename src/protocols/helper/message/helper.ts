import { decodeMessage, encodeMessage, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface CheckRequest {
  storageIndex: Uint8Array<ArrayBuffer>
  neededShares: number
  happy: number
  totalShares: number
  segmentSize: number
  size: number
  club: string
}

export namespace CheckRequest {
  let _codec: Codec<CheckRequest>

  export const codec = (): Codec<CheckRequest> => {
    if (_codec == null) {
      _codec = message<CheckRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.storageIndex != null && obj.storageIndex.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.storageIndex)
        }

        if ((obj.neededShares != null && obj.neededShares !== 0)) {
          w.uint32(16)
          w.uint32(obj.neededShares)
        }

        if ((obj.happy != null && obj.happy !== 0)) {
          w.uint32(24)
          w.uint32(obj.happy)
        }

        if ((obj.totalShares != null && obj.totalShares !== 0)) {
          w.uint32(32)
          w.uint32(obj.totalShares)
        }

        if ((obj.segmentSize != null && obj.segmentSize !== 0)) {
          w.uint32(40)
          w.uint64Number(obj.segmentSize)
        }

        if ((obj.size != null && obj.size !== 0)) {
          w.uint32(48)
          w.uint64Number(obj.size)
        }

        if ((obj.club != null && obj.club !== '')) {
          w.uint32(58)
          w.string(obj.club)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          storageIndex: uint8ArrayAlloc(0),
          neededShares: 0,
          happy: 0,
          totalShares: 0,
          segmentSize: 0,
          size: 0,
          club: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.storageIndex = reader.bytes()
              break
            }
            case 2: {
              obj.neededShares = reader.uint32()
              break
            }
            case 3: {
              obj.happy = reader.uint32()
              break
            }
            case 4: {
              obj.totalShares = reader.uint32()
              break
            }
            case 5: {
              obj.segmentSize = reader.uint64Number()
              break
            }
            case 6: {
              obj.size = reader.uint64Number()
              break
            }
            case 7: {
              obj.club = reader.string()
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
                field: `${prefix}.storageIndex`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.neededShares`,
                value: reader.uint32()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.happy`,
                value: reader.uint32()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.totalShares`,
                value: reader.uint32()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.segmentSize`,
                value: reader.uint64Number()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.size`,
                value: reader.uint64Number()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.club`,
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

  export interface CheckRequestStorageIndexFieldEvent {
    field: '$.storageIndex'
    value: Uint8Array<ArrayBuffer>
  }

  export interface CheckRequestNeededSharesFieldEvent {
    field: '$.neededShares'
    value: number
  }

  export interface CheckRequestHappyFieldEvent {
    field: '$.happy'
    value: number
  }

  export interface CheckRequestTotalSharesFieldEvent {
    field: '$.totalShares'
    value: number
  }

  export interface CheckRequestSegmentSizeFieldEvent {
    field: '$.segmentSize'
    value: number
  }

  export interface CheckRequestSizeFieldEvent {
    field: '$.size'
    value: number
  }

  export interface CheckRequestClubFieldEvent {
    field: '$.club'
    value: string
  }

  export function encode (obj: Partial<CheckRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, CheckRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CheckRequest>): CheckRequest {
    return decodeMessage(buf, CheckRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CheckRequest>): Generator<CheckRequestStorageIndexFieldEvent | CheckRequestNeededSharesFieldEvent | CheckRequestHappyFieldEvent | CheckRequestTotalSharesFieldEvent | CheckRequestSegmentSizeFieldEvent | CheckRequestSizeFieldEvent | CheckRequestClubFieldEvent> {
    return streamMessage(buf, CheckRequest.codec(), opts)
  }
}

export interface CrypttextChunk {
  offset: number
  data: Uint8Array<ArrayBuffer>
}

export namespace CrypttextChunk {
  let _codec: Codec<CrypttextChunk>

  export const codec = (): Codec<CrypttextChunk> => {
    if (_codec == null) {
      _codec = message<CrypttextChunk>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.offset != null && obj.offset !== 0)) {
          w.uint32(8)
          w.uint64Number(obj.offset)
        }

        if ((obj.data != null && obj.data.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.data)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          offset: 0,
          data: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.offset = reader.uint64Number()
              break
            }
            case 2: {
              obj.data = reader.bytes()
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
                field: `${prefix}.offset`,
                value: reader.uint64Number()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.data`,
                value: reader.bytes()
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

  export interface CrypttextChunkOffsetFieldEvent {
    field: '$.offset'
    value: number
  }

  export interface CrypttextChunkDataFieldEvent {
    field: '$.data'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<CrypttextChunk>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, CrypttextChunk.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CrypttextChunk>): CrypttextChunk {
    return decodeMessage(buf, CrypttextChunk.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CrypttextChunk>): Generator<CrypttextChunkOffsetFieldEvent | CrypttextChunkDataFieldEvent> {
    return streamMessage(buf, CrypttextChunk.codec(), opts)
  }
}

export interface HelperRequest {
  check?: CheckRequest
  data?: CrypttextChunk
}

export namespace HelperRequest {
  let _codec: Codec<HelperRequest>

  export const codec = (): Codec<HelperRequest> => {
    if (_codec == null) {
      _codec = message<HelperRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.check != null) {
          w.uint32(10)
          CheckRequest.codec().encode(obj.check, w)
        }

        if (obj.data != null) {
          w.uint32(18)
          CrypttextChunk.codec().encode(obj.data, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {}

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.check = CheckRequest.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.check
              })
              break
            }
            case 2: {
              obj.data = CrypttextChunk.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.data
              })
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
              yield * CheckRequest.codec().stream(reader, reader.uint32(), `${prefix}.check`, {
                limits: opts.limits?.check
              })

              break
            }
            case 2: {
              yield * CrypttextChunk.codec().stream(reader, reader.uint32(), `${prefix}.data`, {
                limits: opts.limits?.data
              })

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

  export interface HelperRequestCheckStorageIndexFieldEvent {
    field: '$.check.storageIndex'
    value: Uint8Array<ArrayBuffer>
  }

  export interface HelperRequestCheckNeededSharesFieldEvent {
    field: '$.check.neededShares'
    value: number
  }

  export interface HelperRequestCheckHappyFieldEvent {
    field: '$.check.happy'
    value: number
  }

  export interface HelperRequestCheckTotalSharesFieldEvent {
    field: '$.check.totalShares'
    value: number
  }

  export interface HelperRequestCheckSegmentSizeFieldEvent {
    field: '$.check.segmentSize'
    value: number
  }

  export interface HelperRequestCheckSizeFieldEvent {
    field: '$.check.size'
    value: number
  }

  export interface HelperRequestCheckClubFieldEvent {
    field: '$.check.club'
    value: string
  }

  export interface HelperRequestDataOffsetFieldEvent {
    field: '$.data.offset'
    value: number
  }

  export interface HelperRequestDataDataFieldEvent {
    field: '$.data.data'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<HelperRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, HelperRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<HelperRequest>): HelperRequest {
    return decodeMessage(buf, HelperRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<HelperRequest>): Generator<HelperRequestCheckStorageIndexFieldEvent | HelperRequestCheckNeededSharesFieldEvent | HelperRequestCheckHappyFieldEvent | HelperRequestCheckTotalSharesFieldEvent | HelperRequestCheckSegmentSizeFieldEvent | HelperRequestCheckSizeFieldEvent | HelperRequestCheckClubFieldEvent | HelperRequestDataOffsetFieldEvent | HelperRequestDataDataFieldEvent> {
    return streamMessage(buf, HelperRequest.codec(), opts)
  }
}

export interface Placement {
  peerId: string
  multiaddrs: string[]
  shareNumbers: number[]
}

export namespace Placement {
  let _codec: Codec<Placement>

  export const codec = (): Codec<Placement> => {
    if (_codec == null) {
      _codec = message<Placement>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.peerId != null && obj.peerId !== '')) {
          w.uint32(10)
          w.string(obj.peerId)
        }

        if (obj.multiaddrs != null && obj.multiaddrs.length > 0) {
          for (const value of obj.multiaddrs) {
            w.uint32(18)
            w.string(value)
          }
        }

        if (obj.shareNumbers != null && obj.shareNumbers.length > 0) {
          for (const value of obj.shareNumbers) {
            w.uint32(24)
            w.uint32(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          peerId: '',
          multiaddrs: [],
          shareNumbers: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.peerId = reader.string()
              break
            }
            case 2: {
              if (opts.limits?.multiaddrs != null && obj.multiaddrs.length === opts.limits.multiaddrs) {
                throw new MaxLengthError('Decode error - repeated field "multiaddrs" had too many elements')
              }

              if (obj.multiaddrs.length === 16) {
                throw new MaxLengthError('Decode error - repeated field "multiaddrs" had too many elements')
              }

              obj.multiaddrs.push(reader.string())
              break
            }
            case 3: {
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
          multiaddrs: 16,
          shareNumbers: 256
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.peerId`,
                value: reader.string()
              }
              break
            }
            case 2: {
              if (opts.limits?.multiaddrs != null && obj.multiaddrs === opts.limits.multiaddrs) {
                throw new MaxLengthError('Streaming decode error - repeated field "multiaddrs" had too many elements')
              }

              if (obj.multiaddrs === 16) {
                throw new MaxLengthError('Streaming decode error - repeated field "multiaddrs" had too many elements')
              }

              yield {
                field: `${prefix}.multiaddrs[]`,
                index: obj.multiaddrs,
                value: reader.string()
              }

              obj.multiaddrs++

              break
            }
            case 3: {
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

  export interface PlacementPeerIdFieldEvent {
    field: '$.peerId'
    value: string
  }

  export interface PlacementMultiaddrsFieldEvent {
    field: '$.multiaddrs[]'
    index: number
    value: string
  }

  export interface PlacementShareNumbersFieldEvent {
    field: '$.shareNumbers[]'
    index: number
    value: number
  }

  export function encode (obj: Partial<Placement>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Placement.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Placement>): Placement {
    return decodeMessage(buf, Placement.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Placement>): Generator<PlacementPeerIdFieldEvent | PlacementMultiaddrsFieldEvent | PlacementShareNumbersFieldEvent> {
    return streamMessage(buf, Placement.codec(), opts)
  }
}

export interface UploadDone {
  uebHash: Uint8Array<ArrayBuffer>
  placements: Placement[]
  happiness: number
  alreadyStored: boolean
}

export namespace UploadDone {
  let _codec: Codec<UploadDone>

  export const codec = (): Codec<UploadDone> => {
    if (_codec == null) {
      _codec = message<UploadDone>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.uebHash != null && obj.uebHash.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.uebHash)
        }

        if (obj.placements != null && obj.placements.length > 0) {
          for (const value of obj.placements) {
            w.uint32(18)
            Placement.codec().encode(value, w)
          }
        }

        if ((obj.happiness != null && obj.happiness !== 0)) {
          w.uint32(24)
          w.uint32(obj.happiness)
        }

        if ((obj.alreadyStored != null && obj.alreadyStored !== false)) {
          w.uint32(32)
          w.bool(obj.alreadyStored)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          uebHash: uint8ArrayAlloc(0),
          placements: [],
          happiness: 0,
          alreadyStored: false
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.uebHash = reader.bytes()
              break
            }
            case 2: {
              if (opts.limits?.placements != null && obj.placements.length === opts.limits.placements) {
                throw new MaxLengthError('Decode error - repeated field "placements" had too many elements')
              }

              if (obj.placements.length === 256) {
                throw new MaxLengthError('Decode error - repeated field "placements" had too many elements')
              }

              obj.placements.push(Placement.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.placements$
              }))
              break
            }
            case 3: {
              obj.happiness = reader.uint32()
              break
            }
            case 4: {
              obj.alreadyStored = reader.bool()
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
          placements: 256
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.uebHash`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              if (opts.limits?.placements != null && obj.placements === opts.limits.placements) {
                throw new MaxLengthError('Streaming decode error - repeated field "placements" had too many elements')
              }

              if (obj.placements === 256) {
                throw new MaxLengthError('Streaming decode error - repeated field "placements" had too many elements')
              }

              for (const evt of Placement.codec().stream(reader, reader.uint32(), `${prefix}.placements[]`, {
                limits: opts.limits?.placements$
              })) {
                yield {
                  ...evt,
                  index: obj.placements
                }
              }

              obj.placements++

              break
            }
            case 3: {
              yield {
                field: `${prefix}.happiness`,
                value: reader.uint32()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.alreadyStored`,
                value: reader.bool()
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

  export interface UploadDoneUebHashFieldEvent {
    field: '$.uebHash'
    value: Uint8Array<ArrayBuffer>
  }

  export interface UploadDonePlacementsPeerIdFieldEvent {
    field: '$.placements[].peerId'
    value: string
    index: number
  }

  export interface UploadDonePlacementsMultiaddrsFieldEvent {
    field: '$.placements[].multiaddrs[]'
    index: number
    value: string
  }

  export interface UploadDonePlacementsShareNumbersFieldEvent {
    field: '$.placements[].shareNumbers[]'
    index: number
    value: number
  }

  export interface UploadDoneHappinessFieldEvent {
    field: '$.happiness'
    value: number
  }

  export interface UploadDoneAlreadyStoredFieldEvent {
    field: '$.alreadyStored'
    value: boolean
  }

  export function encode (obj: Partial<UploadDone>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, UploadDone.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<UploadDone>): UploadDone {
    return decodeMessage(buf, UploadDone.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<UploadDone>): Generator<UploadDoneUebHashFieldEvent | UploadDonePlacementsPeerIdFieldEvent | UploadDonePlacementsMultiaddrsFieldEvent | UploadDonePlacementsShareNumbersFieldEvent | UploadDoneHappinessFieldEvent | UploadDoneAlreadyStoredFieldEvent> {
    return streamMessage(buf, UploadDone.codec(), opts)
  }
}

export interface CheckAnswer {
  haveBytes: number
}

export namespace CheckAnswer {
  let _codec: Codec<CheckAnswer>

  export const codec = (): Codec<CheckAnswer> => {
    if (_codec == null) {
      _codec = message<CheckAnswer>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.haveBytes != null && obj.haveBytes !== 0)) {
          w.uint32(8)
          w.uint64Number(obj.haveBytes)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          haveBytes: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.haveBytes = reader.uint64Number()
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
                field: `${prefix}.haveBytes`,
                value: reader.uint64Number()
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

  export interface CheckAnswerHaveBytesFieldEvent {
    field: '$.haveBytes'
    value: number
  }

  export function encode (obj: Partial<CheckAnswer>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, CheckAnswer.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CheckAnswer>): CheckAnswer {
    return decodeMessage(buf, CheckAnswer.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CheckAnswer>): Generator<CheckAnswerHaveBytesFieldEvent> {
    return streamMessage(buf, CheckAnswer.codec(), opts)
  }
}

export interface HelperErrorReply {
  code: string
  message: string
}

export namespace HelperErrorReply {
  let _codec: Codec<HelperErrorReply>

  export const codec = (): Codec<HelperErrorReply> => {
    if (_codec == null) {
      _codec = message<HelperErrorReply>((obj, w, opts = {}) => {
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

  export interface HelperErrorReplyCodeFieldEvent {
    field: '$.code'
    value: string
  }

  export interface HelperErrorReplyMessageFieldEvent {
    field: '$.message'
    value: string
  }

  export function encode (obj: Partial<HelperErrorReply>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, HelperErrorReply.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<HelperErrorReply>): HelperErrorReply {
    return decodeMessage(buf, HelperErrorReply.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<HelperErrorReply>): Generator<HelperErrorReplyCodeFieldEvent | HelperErrorReplyMessageFieldEvent> {
    return streamMessage(buf, HelperErrorReply.codec(), opts)
  }
}

export interface HelperResponse {
  check?: CheckAnswer
  done?: UploadDone
  error?: HelperErrorReply
  retryAfterMs: number
}

export namespace HelperResponse {
  let _codec: Codec<HelperResponse>

  export const codec = (): Codec<HelperResponse> => {
    if (_codec == null) {
      _codec = message<HelperResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.check != null) {
          w.uint32(10)
          CheckAnswer.codec().encode(obj.check, w)
        }

        if (obj.done != null) {
          w.uint32(18)
          UploadDone.codec().encode(obj.done, w)
        }

        if (obj.error != null) {
          w.uint32(26)
          HelperErrorReply.codec().encode(obj.error, w)
        }

        if ((obj.retryAfterMs != null && obj.retryAfterMs !== 0)) {
          w.uint32(32)
          w.uint32(obj.retryAfterMs)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          retryAfterMs: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.check = CheckAnswer.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.check
              })
              break
            }
            case 2: {
              obj.done = UploadDone.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.done
              })
              break
            }
            case 3: {
              obj.error = HelperErrorReply.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.error
              })
              break
            }
            case 4: {
              obj.retryAfterMs = reader.uint32()
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
              yield * CheckAnswer.codec().stream(reader, reader.uint32(), `${prefix}.check`, {
                limits: opts.limits?.check
              })

              break
            }
            case 2: {
              yield * UploadDone.codec().stream(reader, reader.uint32(), `${prefix}.done`, {
                limits: opts.limits?.done
              })

              break
            }
            case 3: {
              yield * HelperErrorReply.codec().stream(reader, reader.uint32(), `${prefix}.error`, {
                limits: opts.limits?.error
              })

              break
            }
            case 4: {
              yield {
                field: `${prefix}.retryAfterMs`,
                value: reader.uint32()
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

  export interface HelperResponseCheckHaveBytesFieldEvent {
    field: '$.check.haveBytes'
    value: number
  }

  export interface HelperResponseDoneUebHashFieldEvent {
    field: '$.done.uebHash'
    value: Uint8Array<ArrayBuffer>
  }

  export interface HelperResponseDonePlacementsPeerIdFieldEvent {
    field: '$.done.placements[].peerId'
    value: string
    index: number
  }

  export interface HelperResponseDonePlacementsMultiaddrsFieldEvent {
    field: '$.done.placements[].multiaddrs[]'
    index: number
    value: string
  }

  export interface HelperResponseDonePlacementsShareNumbersFieldEvent {
    field: '$.done.placements[].shareNumbers[]'
    index: number
    value: number
  }

  export interface HelperResponseDoneHappinessFieldEvent {
    field: '$.done.happiness'
    value: number
  }

  export interface HelperResponseDoneAlreadyStoredFieldEvent {
    field: '$.done.alreadyStored'
    value: boolean
  }

  export interface HelperResponseErrorCodeFieldEvent {
    field: '$.error.code'
    value: string
  }

  export interface HelperResponseErrorMessageFieldEvent {
    field: '$.error.message'
    value: string
  }

  export interface HelperResponseRetryAfterMsFieldEvent {
    field: '$.retryAfterMs'
    value: number
  }

  export function encode (obj: Partial<HelperResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, HelperResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<HelperResponse>): HelperResponse {
    return decodeMessage(buf, HelperResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<HelperResponse>): Generator<HelperResponseCheckHaveBytesFieldEvent | HelperResponseDoneUebHashFieldEvent | HelperResponseDonePlacementsPeerIdFieldEvent | HelperResponseDonePlacementsMultiaddrsFieldEvent | HelperResponseDonePlacementsShareNumbersFieldEvent | HelperResponseDoneHappinessFieldEvent | HelperResponseDoneAlreadyStoredFieldEvent | HelperResponseErrorCodeFieldEvent | HelperResponseErrorMessageFieldEvent | HelperResponseRetryAfterMsFieldEvent> {
    return streamMessage(buf, HelperResponse.codec(), opts)
  }
}
