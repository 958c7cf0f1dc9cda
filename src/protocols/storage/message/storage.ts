/* eslint-disable require-yield */

import { decodeMessage, encodeMessage, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface LeaseSecrets {
  renewSecret: Uint8Array<ArrayBuffer>
  cancelSecret: Uint8Array<ArrayBuffer>
}

export namespace LeaseSecrets {
  let _codec: Codec<LeaseSecrets>

  export const codec = (): Codec<LeaseSecrets> => {
    if (_codec == null) {
      _codec = message<LeaseSecrets>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.renewSecret != null && obj.renewSecret.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.renewSecret)
        }

        if ((obj.cancelSecret != null && obj.cancelSecret.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.cancelSecret)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          renewSecret: uint8ArrayAlloc(0),
          cancelSecret: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.renewSecret = reader.bytes()
              break
            }
            case 2: {
              obj.cancelSecret = reader.bytes()
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
                field: `${prefix}.renewSecret`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.cancelSecret`,
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

  export interface LeaseSecretsRenewSecretFieldEvent {
    field: '$.renewSecret'
    value: Uint8Array<ArrayBuffer>
  }

  export interface LeaseSecretsCancelSecretFieldEvent {
    field: '$.cancelSecret'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<LeaseSecrets>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, LeaseSecrets.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<LeaseSecrets>): LeaseSecrets {
    return decodeMessage(buf, LeaseSecrets.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<LeaseSecrets>): Generator<LeaseSecretsRenewSecretFieldEvent | LeaseSecretsCancelSecretFieldEvent> {
    return streamMessage(buf, LeaseSecrets.codec(), opts)
  }
}

export interface VersionRequest {}

export namespace VersionRequest {
  let _codec: Codec<VersionRequest>

  export const codec = (): Codec<VersionRequest> => {
    if (_codec == null) {
      _codec = message<VersionRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
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

  export function encode (obj: Partial<VersionRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, VersionRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<VersionRequest>): VersionRequest {
    return decodeMessage(buf, VersionRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<VersionRequest>): Generator<{}> {
    return streamMessage(buf, VersionRequest.codec(), opts)
  }
}

export interface AllocateRequest {
  storageIndex: Uint8Array<ArrayBuffer>
  shareNumbers: number[]
  shareSize: number
  lease?: LeaseSecrets
}

export namespace AllocateRequest {
  let _codec: Codec<AllocateRequest>

  export const codec = (): Codec<AllocateRequest> => {
    if (_codec == null) {
      _codec = message<AllocateRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.storageIndex != null && obj.storageIndex.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.storageIndex)
        }

        if (obj.shareNumbers != null && obj.shareNumbers.length > 0) {
          for (const value of obj.shareNumbers) {
            w.uint32(16)
            w.uint32(value)
          }
        }

        if ((obj.shareSize != null && obj.shareSize !== 0)) {
          w.uint32(24)
          w.uint64Number(obj.shareSize)
        }

        if (obj.lease != null) {
          w.uint32(34)
          LeaseSecrets.codec().encode(obj.lease, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          storageIndex: uint8ArrayAlloc(0),
          shareNumbers: [],
          shareSize: 0
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
              if (opts.limits?.shareNumbers != null && obj.shareNumbers.length === opts.limits.shareNumbers) {
                throw new MaxLengthError('Decode error - repeated field "shareNumbers" had too many elements')
              }

              if (obj.shareNumbers.length === 256) {
                throw new MaxLengthError('Decode error - repeated field "shareNumbers" had too many elements')
              }

              obj.shareNumbers.push(reader.uint32())
              break
            }
            case 3: {
              obj.shareSize = reader.uint64Number()
              break
            }
            case 4: {
              obj.lease = LeaseSecrets.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.lease
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
        const obj = {
          shareNumbers: 256
        }

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
            case 3: {
              yield {
                field: `${prefix}.shareSize`,
                value: reader.uint64Number()
              }
              break
            }
            case 4: {
              yield * LeaseSecrets.codec().stream(reader, reader.uint32(), `${prefix}.lease`, {
                limits: opts.limits?.lease
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

  export interface AllocateRequestStorageIndexFieldEvent {
    field: '$.storageIndex'
    value: Uint8Array<ArrayBuffer>
  }

  export interface AllocateRequestShareNumbersFieldEvent {
    field: '$.shareNumbers[]'
    index: number
    value: number
  }

  export interface AllocateRequestShareSizeFieldEvent {
    field: '$.shareSize'
    value: number
  }

  export interface AllocateRequestLeaseRenewSecretFieldEvent {
    field: '$.lease.renewSecret'
    value: Uint8Array<ArrayBuffer>
  }

  export interface AllocateRequestLeaseCancelSecretFieldEvent {
    field: '$.lease.cancelSecret'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<AllocateRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, AllocateRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AllocateRequest>): AllocateRequest {
    return decodeMessage(buf, AllocateRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AllocateRequest>): Generator<AllocateRequestStorageIndexFieldEvent | AllocateRequestShareNumbersFieldEvent | AllocateRequestShareSizeFieldEvent | AllocateRequestLeaseRenewSecretFieldEvent | AllocateRequestLeaseCancelSecretFieldEvent> {
    return streamMessage(buf, AllocateRequest.codec(), opts)
  }
}

export interface WriteRequest {
  storageIndex: Uint8Array<ArrayBuffer>
  shareNumber: number
  offset: number
  data: Uint8Array<ArrayBuffer>
}

export namespace WriteRequest {
  let _codec: Codec<WriteRequest>

  export const codec = (): Codec<WriteRequest> => {
    if (_codec == null) {
      _codec = message<WriteRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.storageIndex != null && obj.storageIndex.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.storageIndex)
        }

        if ((obj.shareNumber != null && obj.shareNumber !== 0)) {
          w.uint32(16)
          w.uint32(obj.shareNumber)
        }

        if ((obj.offset != null && obj.offset !== 0)) {
          w.uint32(24)
          w.uint64Number(obj.offset)
        }

        if ((obj.data != null && obj.data.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.data)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          storageIndex: uint8ArrayAlloc(0),
          shareNumber: 0,
          offset: 0,
          data: uint8ArrayAlloc(0)
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
              obj.shareNumber = reader.uint32()
              break
            }
            case 3: {
              obj.offset = reader.uint64Number()
              break
            }
            case 4: {
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
                field: `${prefix}.storageIndex`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.shareNumber`,
                value: reader.uint32()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.offset`,
                value: reader.uint64Number()
              }
              break
            }
            case 4: {
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

  export interface WriteRequestStorageIndexFieldEvent {
    field: '$.storageIndex'
    value: Uint8Array<ArrayBuffer>
  }

  export interface WriteRequestShareNumberFieldEvent {
    field: '$.shareNumber'
    value: number
  }

  export interface WriteRequestOffsetFieldEvent {
    field: '$.offset'
    value: number
  }

  export interface WriteRequestDataFieldEvent {
    field: '$.data'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<WriteRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, WriteRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<WriteRequest>): WriteRequest {
    return decodeMessage(buf, WriteRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<WriteRequest>): Generator<WriteRequestStorageIndexFieldEvent | WriteRequestShareNumberFieldEvent | WriteRequestOffsetFieldEvent | WriteRequestDataFieldEvent> {
    return streamMessage(buf, WriteRequest.codec(), opts)
  }
}

export interface ShareRef {
  storageIndex: Uint8Array<ArrayBuffer>
  shareNumber: number
}

export namespace ShareRef {
  let _codec: Codec<ShareRef>

  export const codec = (): Codec<ShareRef> => {
    if (_codec == null) {
      _codec = message<ShareRef>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.storageIndex != null && obj.storageIndex.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.storageIndex)
        }

        if ((obj.shareNumber != null && obj.shareNumber !== 0)) {
          w.uint32(16)
          w.uint32(obj.shareNumber)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          storageIndex: uint8ArrayAlloc(0),
          shareNumber: 0
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
              obj.shareNumber = reader.uint32()
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
                field: `${prefix}.shareNumber`,
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

  export interface ShareRefStorageIndexFieldEvent {
    field: '$.storageIndex'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ShareRefShareNumberFieldEvent {
    field: '$.shareNumber'
    value: number
  }

  export function encode (obj: Partial<ShareRef>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ShareRef.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ShareRef>): ShareRef {
    return decodeMessage(buf, ShareRef.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ShareRef>): Generator<ShareRefStorageIndexFieldEvent | ShareRefShareNumberFieldEvent> {
    return streamMessage(buf, ShareRef.codec(), opts)
  }
}

export interface ListSharesRequest {
  storageIndex: Uint8Array<ArrayBuffer>
}

export namespace ListSharesRequest {
  let _codec: Codec<ListSharesRequest>

  export const codec = (): Codec<ListSharesRequest> => {
    if (_codec == null) {
      _codec = message<ListSharesRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.storageIndex != null && obj.storageIndex.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.storageIndex)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          storageIndex: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.storageIndex = reader.bytes()
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

  export interface ListSharesRequestStorageIndexFieldEvent {
    field: '$.storageIndex'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<ListSharesRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ListSharesRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ListSharesRequest>): ListSharesRequest {
    return decodeMessage(buf, ListSharesRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ListSharesRequest>): Generator<ListSharesRequestStorageIndexFieldEvent> {
    return streamMessage(buf, ListSharesRequest.codec(), opts)
  }
}

export interface ReadRequest {
  storageIndex: Uint8Array<ArrayBuffer>
  shareNumber: number
  offset: number
  length: number
}

export namespace ReadRequest {
  let _codec: Codec<ReadRequest>

  export const codec = (): Codec<ReadRequest> => {
    if (_codec == null) {
      _codec = message<ReadRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.storageIndex != null && obj.storageIndex.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.storageIndex)
        }

        if ((obj.shareNumber != null && obj.shareNumber !== 0)) {
          w.uint32(16)
          w.uint32(obj.shareNumber)
        }

        if ((obj.offset != null && obj.offset !== 0)) {
          w.uint32(24)
          w.uint64Number(obj.offset)
        }

        if ((obj.length != null && obj.length !== 0)) {
          w.uint32(32)
          w.uint64Number(obj.length)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          storageIndex: uint8ArrayAlloc(0),
          shareNumber: 0,
          offset: 0,
          length: 0
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
              obj.shareNumber = reader.uint32()
              break
            }
            case 3: {
              obj.offset = reader.uint64Number()
              break
            }
            case 4: {
              obj.length = reader.uint64Number()
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
                field: `${prefix}.shareNumber`,
                value: reader.uint32()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.offset`,
                value: reader.uint64Number()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.length`,
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

  export interface ReadRequestStorageIndexFieldEvent {
    field: '$.storageIndex'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ReadRequestShareNumberFieldEvent {
    field: '$.shareNumber'
    value: number
  }

  export interface ReadRequestOffsetFieldEvent {
    field: '$.offset'
    value: number
  }

  export interface ReadRequestLengthFieldEvent {
    field: '$.length'
    value: number
  }

  export function encode (obj: Partial<ReadRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ReadRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ReadRequest>): ReadRequest {
    return decodeMessage(buf, ReadRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ReadRequest>): Generator<ReadRequestStorageIndexFieldEvent | ReadRequestShareNumberFieldEvent | ReadRequestOffsetFieldEvent | ReadRequestLengthFieldEvent> {
    return streamMessage(buf, ReadRequest.codec(), opts)
  }
}

export interface AddLeaseRequest {
  storageIndex: Uint8Array<ArrayBuffer>
  lease?: LeaseSecrets
}

export namespace AddLeaseRequest {
  let _codec: Codec<AddLeaseRequest>

  export const codec = (): Codec<AddLeaseRequest> => {
    if (_codec == null) {
      _codec = message<AddLeaseRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.storageIndex != null && obj.storageIndex.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.storageIndex)
        }

        if (obj.lease != null) {
          w.uint32(18)
          LeaseSecrets.codec().encode(obj.lease, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          storageIndex: uint8ArrayAlloc(0)
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
              obj.lease = LeaseSecrets.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.lease
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
              yield {
                field: `${prefix}.storageIndex`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield * LeaseSecrets.codec().stream(reader, reader.uint32(), `${prefix}.lease`, {
                limits: opts.limits?.lease
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

  export interface AddLeaseRequestStorageIndexFieldEvent {
    field: '$.storageIndex'
    value: Uint8Array<ArrayBuffer>
  }

  export interface AddLeaseRequestLeaseRenewSecretFieldEvent {
    field: '$.lease.renewSecret'
    value: Uint8Array<ArrayBuffer>
  }

  export interface AddLeaseRequestLeaseCancelSecretFieldEvent {
    field: '$.lease.cancelSecret'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<AddLeaseRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, AddLeaseRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AddLeaseRequest>): AddLeaseRequest {
    return decodeMessage(buf, AddLeaseRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AddLeaseRequest>): Generator<AddLeaseRequestStorageIndexFieldEvent | AddLeaseRequestLeaseRenewSecretFieldEvent | AddLeaseRequestLeaseCancelSecretFieldEvent> {
    return streamMessage(buf, AddLeaseRequest.codec(), opts)
  }
}

export interface AdviseCorruptRequest {
  storageIndex: Uint8Array<ArrayBuffer>
  shareNumber: number
  reason: string
}

export namespace AdviseCorruptRequest {
  let _codec: Codec<AdviseCorruptRequest>

  export const codec = (): Codec<AdviseCorruptRequest> => {
    if (_codec == null) {
      _codec = message<AdviseCorruptRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.storageIndex != null && obj.storageIndex.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.storageIndex)
        }

        if ((obj.shareNumber != null && obj.shareNumber !== 0)) {
          w.uint32(16)
          w.uint32(obj.shareNumber)
        }

        if ((obj.reason != null && obj.reason !== '')) {
          w.uint32(26)
          w.string(obj.reason)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          storageIndex: uint8ArrayAlloc(0),
          shareNumber: 0,
          reason: ''
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
              obj.shareNumber = reader.uint32()
              break
            }
            case 3: {
              obj.reason = reader.string()
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
                field: `${prefix}.shareNumber`,
                value: reader.uint32()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.reason`,
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

  export interface AdviseCorruptRequestStorageIndexFieldEvent {
    field: '$.storageIndex'
    value: Uint8Array<ArrayBuffer>
  }

  export interface AdviseCorruptRequestShareNumberFieldEvent {
    field: '$.shareNumber'
    value: number
  }

  export interface AdviseCorruptRequestReasonFieldEvent {
    field: '$.reason'
    value: string
  }

  export function encode (obj: Partial<AdviseCorruptRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, AdviseCorruptRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AdviseCorruptRequest>): AdviseCorruptRequest {
    return decodeMessage(buf, AdviseCorruptRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AdviseCorruptRequest>): Generator<AdviseCorruptRequestStorageIndexFieldEvent | AdviseCorruptRequestShareNumberFieldEvent | AdviseCorruptRequestReasonFieldEvent> {
    return streamMessage(buf, AdviseCorruptRequest.codec(), opts)
  }
}

export interface ReadVector {
  offset: number
  size: number
}

export namespace ReadVector {
  let _codec: Codec<ReadVector>

  export const codec = (): Codec<ReadVector> => {
    if (_codec == null) {
      _codec = message<ReadVector>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.offset != null && obj.offset !== 0)) {
          w.uint32(8)
          w.uint64Number(obj.offset)
        }

        if ((obj.size != null && obj.size !== 0)) {
          w.uint32(16)
          w.uint64Number(obj.size)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          offset: 0,
          size: 0
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
              obj.size = reader.uint64Number()
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
                field: `${prefix}.size`,
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

  export interface ReadVectorOffsetFieldEvent {
    field: '$.offset'
    value: number
  }

  export interface ReadVectorSizeFieldEvent {
    field: '$.size'
    value: number
  }

  export function encode (obj: Partial<ReadVector>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ReadVector.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ReadVector>): ReadVector {
    return decodeMessage(buf, ReadVector.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ReadVector>): Generator<ReadVectorOffsetFieldEvent | ReadVectorSizeFieldEvent> {
    return streamMessage(buf, ReadVector.codec(), opts)
  }
}

export interface TestVector {
  offset: number
  size: number
  specimen: Uint8Array<ArrayBuffer>
}

export namespace TestVector {
  let _codec: Codec<TestVector>

  export const codec = (): Codec<TestVector> => {
    if (_codec == null) {
      _codec = message<TestVector>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.offset != null && obj.offset !== 0)) {
          w.uint32(8)
          w.uint64Number(obj.offset)
        }

        if ((obj.size != null && obj.size !== 0)) {
          w.uint32(16)
          w.uint64Number(obj.size)
        }

        if ((obj.specimen != null && obj.specimen.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.specimen)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          offset: 0,
          size: 0,
          specimen: uint8ArrayAlloc(0)
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
              obj.size = reader.uint64Number()
              break
            }
            case 3: {
              obj.specimen = reader.bytes()
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
                field: `${prefix}.size`,
                value: reader.uint64Number()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.specimen`,
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

  export interface TestVectorOffsetFieldEvent {
    field: '$.offset'
    value: number
  }

  export interface TestVectorSizeFieldEvent {
    field: '$.size'
    value: number
  }

  export interface TestVectorSpecimenFieldEvent {
    field: '$.specimen'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<TestVector>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, TestVector.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TestVector>): TestVector {
    return decodeMessage(buf, TestVector.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TestVector>): Generator<TestVectorOffsetFieldEvent | TestVectorSizeFieldEvent | TestVectorSpecimenFieldEvent> {
    return streamMessage(buf, TestVector.codec(), opts)
  }
}

export interface WriteVector {
  offset: number
  data: Uint8Array<ArrayBuffer>
}

export namespace WriteVector {
  let _codec: Codec<WriteVector>

  export const codec = (): Codec<WriteVector> => {
    if (_codec == null) {
      _codec = message<WriteVector>((obj, w, opts = {}) => {
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

  export interface WriteVectorOffsetFieldEvent {
    field: '$.offset'
    value: number
  }

  export interface WriteVectorDataFieldEvent {
    field: '$.data'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<WriteVector>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, WriteVector.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<WriteVector>): WriteVector {
    return decodeMessage(buf, WriteVector.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<WriteVector>): Generator<WriteVectorOffsetFieldEvent | WriteVectorDataFieldEvent> {
    return streamMessage(buf, WriteVector.codec(), opts)
  }
}

export interface SlotShareVectors {
  shareNumber: number
  test: TestVector[]
  write: WriteVector[]
  newLength?: number
}

export namespace SlotShareVectors {
  let _codec: Codec<SlotShareVectors>

  export const codec = (): Codec<SlotShareVectors> => {
    if (_codec == null) {
      _codec = message<SlotShareVectors>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.shareNumber != null && obj.shareNumber !== 0)) {
          w.uint32(8)
          w.uint32(obj.shareNumber)
        }

        if (obj.test != null && obj.test.length > 0) {
          for (const value of obj.test) {
            w.uint32(18)
            TestVector.codec().encode(value, w)
          }
        }

        if (obj.write != null && obj.write.length > 0) {
          for (const value of obj.write) {
            w.uint32(26)
            WriteVector.codec().encode(value, w)
          }
        }

        if (obj.newLength != null) {
          w.uint32(32)
          w.uint64Number(obj.newLength)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          shareNumber: 0,
          test: [],
          write: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.shareNumber = reader.uint32()
              break
            }
            case 2: {
              if (opts.limits?.test != null && obj.test.length === opts.limits.test) {
                throw new MaxLengthError('Decode error - repeated field "test" had too many elements')
              }

              if (obj.test.length === 1024) {
                throw new MaxLengthError('Decode error - repeated field "test" had too many elements')
              }

              obj.test.push(TestVector.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.test$
              }))
              break
            }
            case 3: {
              if (opts.limits?.write != null && obj.write.length === opts.limits.write) {
                throw new MaxLengthError('Decode error - repeated field "write" had too many elements')
              }

              if (obj.write.length === 4096) {
                throw new MaxLengthError('Decode error - repeated field "write" had too many elements')
              }

              obj.write.push(WriteVector.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.write$
              }))
              break
            }
            case 4: {
              obj.newLength = reader.uint64Number()
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
          test: 1024,
          write: 4096
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.shareNumber`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              if (opts.limits?.test != null && obj.test === opts.limits.test) {
                throw new MaxLengthError('Streaming decode error - repeated field "test" had too many elements')
              }

              if (obj.test === 1024) {
                throw new MaxLengthError('Streaming decode error - repeated field "test" had too many elements')
              }

              for (const evt of TestVector.codec().stream(reader, reader.uint32(), `${prefix}.test[]`, {
                limits: opts.limits?.test$
              })) {
                yield {
                  ...evt,
                  index: obj.test
                }
              }

              obj.test++

              break
            }
            case 3: {
              if (opts.limits?.write != null && obj.write === opts.limits.write) {
                throw new MaxLengthError('Streaming decode error - repeated field "write" had too many elements')
              }

              if (obj.write === 4096) {
                throw new MaxLengthError('Streaming decode error - repeated field "write" had too many elements')
              }

              for (const evt of WriteVector.codec().stream(reader, reader.uint32(), `${prefix}.write[]`, {
                limits: opts.limits?.write$
              })) {
                yield {
                  ...evt,
                  index: obj.write
                }
              }

              obj.write++

              break
            }
            case 4: {
              yield {
                field: `${prefix}.newLength`,
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

  export interface SlotShareVectorsShareNumberFieldEvent {
    field: '$.shareNumber'
    value: number
  }

  export interface SlotShareVectorsTestOffsetFieldEvent {
    field: '$.test[].offset'
    value: number
    index: number
  }

  export interface SlotShareVectorsTestSizeFieldEvent {
    field: '$.test[].size'
    value: number
    index: number
  }

  export interface SlotShareVectorsTestSpecimenFieldEvent {
    field: '$.test[].specimen'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface SlotShareVectorsWriteOffsetFieldEvent {
    field: '$.write[].offset'
    value: number
    index: number
  }

  export interface SlotShareVectorsWriteDataFieldEvent {
    field: '$.write[].data'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface SlotShareVectorsNewLengthFieldEvent {
    field: '$.newLength'
    value: number
  }

  export function encode (obj: Partial<SlotShareVectors>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, SlotShareVectors.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SlotShareVectors>): SlotShareVectors {
    return decodeMessage(buf, SlotShareVectors.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SlotShareVectors>): Generator<SlotShareVectorsShareNumberFieldEvent | SlotShareVectorsTestOffsetFieldEvent | SlotShareVectorsTestSizeFieldEvent | SlotShareVectorsTestSpecimenFieldEvent | SlotShareVectorsWriteOffsetFieldEvent | SlotShareVectorsWriteDataFieldEvent | SlotShareVectorsNewLengthFieldEvent> {
    return streamMessage(buf, SlotShareVectors.codec(), opts)
  }
}

export interface SlotReadTestWriteRequest {
  storageIndex: Uint8Array<ArrayBuffer>
  writeEnabler: Uint8Array<ArrayBuffer>
  lease?: LeaseSecrets
  shares: SlotShareVectors[]
  read: ReadVector[]
}

export namespace SlotReadTestWriteRequest {
  let _codec: Codec<SlotReadTestWriteRequest>

  export const codec = (): Codec<SlotReadTestWriteRequest> => {
    if (_codec == null) {
      _codec = message<SlotReadTestWriteRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.storageIndex != null && obj.storageIndex.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.storageIndex)
        }

        if ((obj.writeEnabler != null && obj.writeEnabler.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.writeEnabler)
        }

        if (obj.lease != null) {
          w.uint32(26)
          LeaseSecrets.codec().encode(obj.lease, w)
        }

        if (obj.shares != null && obj.shares.length > 0) {
          for (const value of obj.shares) {
            w.uint32(34)
            SlotShareVectors.codec().encode(value, w)
          }
        }

        if (obj.read != null && obj.read.length > 0) {
          for (const value of obj.read) {
            w.uint32(42)
            ReadVector.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          storageIndex: uint8ArrayAlloc(0),
          writeEnabler: uint8ArrayAlloc(0),
          shares: [],
          read: []
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
              obj.writeEnabler = reader.bytes()
              break
            }
            case 3: {
              obj.lease = LeaseSecrets.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.lease
              })
              break
            }
            case 4: {
              if (opts.limits?.shares != null && obj.shares.length === opts.limits.shares) {
                throw new MaxLengthError('Decode error - repeated field "shares" had too many elements')
              }

              if (obj.shares.length === 1024) {
                throw new MaxLengthError('Decode error - repeated field "shares" had too many elements')
              }

              obj.shares.push(SlotShareVectors.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.shares$
              }))
              break
            }
            case 5: {
              if (opts.limits?.read != null && obj.read.length === opts.limits.read) {
                throw new MaxLengthError('Decode error - repeated field "read" had too many elements')
              }

              if (obj.read.length === 1024) {
                throw new MaxLengthError('Decode error - repeated field "read" had too many elements')
              }

              obj.read.push(ReadVector.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.read$
              }))
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
          shares: 1024,
          read: 1024
        }

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
                field: `${prefix}.writeEnabler`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield * LeaseSecrets.codec().stream(reader, reader.uint32(), `${prefix}.lease`, {
                limits: opts.limits?.lease
              })

              break
            }
            case 4: {
              if (opts.limits?.shares != null && obj.shares === opts.limits.shares) {
                throw new MaxLengthError('Streaming decode error - repeated field "shares" had too many elements')
              }

              if (obj.shares === 1024) {
                throw new MaxLengthError('Streaming decode error - repeated field "shares" had too many elements')
              }

              for (const evt of SlotShareVectors.codec().stream(reader, reader.uint32(), `${prefix}.shares[]`, {
                limits: opts.limits?.shares$
              })) {
                yield {
                  ...evt,
                  index: obj.shares
                }
              }

              obj.shares++

              break
            }
            case 5: {
              if (opts.limits?.read != null && obj.read === opts.limits.read) {
                throw new MaxLengthError('Streaming decode error - repeated field "read" had too many elements')
              }

              if (obj.read === 1024) {
                throw new MaxLengthError('Streaming decode error - repeated field "read" had too many elements')
              }

              for (const evt of ReadVector.codec().stream(reader, reader.uint32(), `${prefix}.read[]`, {
                limits: opts.limits?.read$
              })) {
                yield {
                  ...evt,
                  index: obj.read
                }
              }

              obj.read++

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

  export interface SlotReadTestWriteRequestStorageIndexFieldEvent {
    field: '$.storageIndex'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SlotReadTestWriteRequestWriteEnablerFieldEvent {
    field: '$.writeEnabler'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SlotReadTestWriteRequestLeaseRenewSecretFieldEvent {
    field: '$.lease.renewSecret'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SlotReadTestWriteRequestLeaseCancelSecretFieldEvent {
    field: '$.lease.cancelSecret'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SlotReadTestWriteRequestSharesShareNumberFieldEvent {
    field: '$.shares[].shareNumber'
    value: number
    index: number
  }

  export interface SlotReadTestWriteRequestSharesTestOffsetFieldEvent {
    field: '$.shares[].test[].offset'
    value: number
    index: number
  }

  export interface SlotReadTestWriteRequestSharesTestSizeFieldEvent {
    field: '$.shares[].test[].size'
    value: number
    index: number
  }

  export interface SlotReadTestWriteRequestSharesTestSpecimenFieldEvent {
    field: '$.shares[].test[].specimen'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface SlotReadTestWriteRequestSharesWriteOffsetFieldEvent {
    field: '$.shares[].write[].offset'
    value: number
    index: number
  }

  export interface SlotReadTestWriteRequestSharesWriteDataFieldEvent {
    field: '$.shares[].write[].data'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface SlotReadTestWriteRequestSharesNewLengthFieldEvent {
    field: '$.shares[].newLength'
    value: number
    index: number
  }

  export interface SlotReadTestWriteRequestReadOffsetFieldEvent {
    field: '$.read[].offset'
    value: number
    index: number
  }

  export interface SlotReadTestWriteRequestReadSizeFieldEvent {
    field: '$.read[].size'
    value: number
    index: number
  }

  export function encode (obj: Partial<SlotReadTestWriteRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, SlotReadTestWriteRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SlotReadTestWriteRequest>): SlotReadTestWriteRequest {
    return decodeMessage(buf, SlotReadTestWriteRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SlotReadTestWriteRequest>): Generator<SlotReadTestWriteRequestStorageIndexFieldEvent | SlotReadTestWriteRequestWriteEnablerFieldEvent | SlotReadTestWriteRequestLeaseRenewSecretFieldEvent | SlotReadTestWriteRequestLeaseCancelSecretFieldEvent | SlotReadTestWriteRequestSharesShareNumberFieldEvent | SlotReadTestWriteRequestSharesTestOffsetFieldEvent | SlotReadTestWriteRequestSharesTestSizeFieldEvent | SlotReadTestWriteRequestSharesTestSpecimenFieldEvent | SlotReadTestWriteRequestSharesWriteOffsetFieldEvent | SlotReadTestWriteRequestSharesWriteDataFieldEvent | SlotReadTestWriteRequestSharesNewLengthFieldEvent | SlotReadTestWriteRequestReadOffsetFieldEvent | SlotReadTestWriteRequestReadSizeFieldEvent> {
    return streamMessage(buf, SlotReadTestWriteRequest.codec(), opts)
  }
}

export interface SlotReadRequest {
  storageIndex: Uint8Array<ArrayBuffer>
  shareNumbers: number[]
  read: ReadVector[]
}

export namespace SlotReadRequest {
  let _codec: Codec<SlotReadRequest>

  export const codec = (): Codec<SlotReadRequest> => {
    if (_codec == null) {
      _codec = message<SlotReadRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.storageIndex != null && obj.storageIndex.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.storageIndex)
        }

        if (obj.shareNumbers != null && obj.shareNumbers.length > 0) {
          for (const value of obj.shareNumbers) {
            w.uint32(16)
            w.uint32(value)
          }
        }

        if (obj.read != null && obj.read.length > 0) {
          for (const value of obj.read) {
            w.uint32(26)
            ReadVector.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          storageIndex: uint8ArrayAlloc(0),
          shareNumbers: [],
          read: []
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
              if (opts.limits?.shareNumbers != null && obj.shareNumbers.length === opts.limits.shareNumbers) {
                throw new MaxLengthError('Decode error - repeated field "shareNumbers" had too many elements')
              }

              if (obj.shareNumbers.length === 1024) {
                throw new MaxLengthError('Decode error - repeated field "shareNumbers" had too many elements')
              }

              obj.shareNumbers.push(reader.uint32())
              break
            }
            case 3: {
              if (opts.limits?.read != null && obj.read.length === opts.limits.read) {
                throw new MaxLengthError('Decode error - repeated field "read" had too many elements')
              }

              if (obj.read.length === 1024) {
                throw new MaxLengthError('Decode error - repeated field "read" had too many elements')
              }

              obj.read.push(ReadVector.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.read$
              }))
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
          shareNumbers: 1024,
          read: 1024
        }

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
              if (opts.limits?.shareNumbers != null && obj.shareNumbers === opts.limits.shareNumbers) {
                throw new MaxLengthError('Streaming decode error - repeated field "shareNumbers" had too many elements')
              }

              if (obj.shareNumbers === 1024) {
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
            case 3: {
              if (opts.limits?.read != null && obj.read === opts.limits.read) {
                throw new MaxLengthError('Streaming decode error - repeated field "read" had too many elements')
              }

              if (obj.read === 1024) {
                throw new MaxLengthError('Streaming decode error - repeated field "read" had too many elements')
              }

              for (const evt of ReadVector.codec().stream(reader, reader.uint32(), `${prefix}.read[]`, {
                limits: opts.limits?.read$
              })) {
                yield {
                  ...evt,
                  index: obj.read
                }
              }

              obj.read++

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

  export interface SlotReadRequestStorageIndexFieldEvent {
    field: '$.storageIndex'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SlotReadRequestShareNumbersFieldEvent {
    field: '$.shareNumbers[]'
    index: number
    value: number
  }

  export interface SlotReadRequestReadOffsetFieldEvent {
    field: '$.read[].offset'
    value: number
    index: number
  }

  export interface SlotReadRequestReadSizeFieldEvent {
    field: '$.read[].size'
    value: number
    index: number
  }

  export function encode (obj: Partial<SlotReadRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, SlotReadRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SlotReadRequest>): SlotReadRequest {
    return decodeMessage(buf, SlotReadRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SlotReadRequest>): Generator<SlotReadRequestStorageIndexFieldEvent | SlotReadRequestShareNumbersFieldEvent | SlotReadRequestReadOffsetFieldEvent | SlotReadRequestReadSizeFieldEvent> {
    return streamMessage(buf, SlotReadRequest.codec(), opts)
  }
}

export interface Request {
  id: number
  version?: VersionRequest
  allocate?: AllocateRequest
  write?: WriteRequest
  close?: ShareRef
  abort?: ShareRef
  listShares?: ListSharesRequest
  read?: ReadRequest
  addLease?: AddLeaseRequest
  adviseCorrupt?: AdviseCorruptRequest
  slotReadTestWrite?: SlotReadTestWriteRequest
  slotRead?: SlotReadRequest
  listSlotShares?: ListSharesRequest
}

export namespace Request {
  let _codec: Codec<Request>

  export const codec = (): Codec<Request> => {
    if (_codec == null) {
      _codec = message<Request>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        obj = { ...obj }

        if (obj.listSlotShares != null) {
          obj.slotRead = undefined
          obj.slotReadTestWrite = undefined
          obj.adviseCorrupt = undefined
          obj.addLease = undefined
          obj.read = undefined
          obj.listShares = undefined
          obj.abort = undefined
          obj.close = undefined
          obj.write = undefined
          obj.allocate = undefined
          obj.version = undefined
        }

        if (obj.slotRead != null) {
          obj.listSlotShares = undefined
          obj.slotReadTestWrite = undefined
          obj.adviseCorrupt = undefined
          obj.addLease = undefined
          obj.read = undefined
          obj.listShares = undefined
          obj.abort = undefined
          obj.close = undefined
          obj.write = undefined
          obj.allocate = undefined
          obj.version = undefined
        }

        if (obj.slotReadTestWrite != null) {
          obj.listSlotShares = undefined
          obj.slotRead = undefined
          obj.adviseCorrupt = undefined
          obj.addLease = undefined
          obj.read = undefined
          obj.listShares = undefined
          obj.abort = undefined
          obj.close = undefined
          obj.write = undefined
          obj.allocate = undefined
          obj.version = undefined
        }

        if (obj.adviseCorrupt != null) {
          obj.listSlotShares = undefined
          obj.slotRead = undefined
          obj.slotReadTestWrite = undefined
          obj.addLease = undefined
          obj.read = undefined
          obj.listShares = undefined
          obj.abort = undefined
          obj.close = undefined
          obj.write = undefined
          obj.allocate = undefined
          obj.version = undefined
        }

        if (obj.addLease != null) {
          obj.listSlotShares = undefined
          obj.slotRead = undefined
          obj.slotReadTestWrite = undefined
          obj.adviseCorrupt = undefined
          obj.read = undefined
          obj.listShares = undefined
          obj.abort = undefined
          obj.close = undefined
          obj.write = undefined
          obj.allocate = undefined
          obj.version = undefined
        }

        if (obj.read != null) {
          obj.listSlotShares = undefined
          obj.slotRead = undefined
          obj.slotReadTestWrite = undefined
          obj.adviseCorrupt = undefined
          obj.addLease = undefined
          obj.listShares = undefined
          obj.abort = undefined
          obj.close = undefined
          obj.write = undefined
          obj.allocate = undefined
          obj.version = undefined
        }

        if (obj.listShares != null) {
          obj.listSlotShares = undefined
          obj.slotRead = undefined
          obj.slotReadTestWrite = undefined
          obj.adviseCorrupt = undefined
          obj.addLease = undefined
          obj.read = undefined
          obj.abort = undefined
          obj.close = undefined
          obj.write = undefined
          obj.allocate = undefined
          obj.version = undefined
        }

        if (obj.abort != null) {
          obj.listSlotShares = undefined
          obj.slotRead = undefined
          obj.slotReadTestWrite = undefined
          obj.adviseCorrupt = undefined
          obj.addLease = undefined
          obj.read = undefined
          obj.listShares = undefined
          obj.close = undefined
          obj.write = undefined
          obj.allocate = undefined
          obj.version = undefined
        }

        if (obj.close != null) {
          obj.listSlotShares = undefined
          obj.slotRead = undefined
          obj.slotReadTestWrite = undefined
          obj.adviseCorrupt = undefined
          obj.addLease = undefined
          obj.read = undefined
          obj.listShares = undefined
          obj.abort = undefined
          obj.write = undefined
          obj.allocate = undefined
          obj.version = undefined
        }

        if (obj.write != null) {
          obj.listSlotShares = undefined
          obj.slotRead = undefined
          obj.slotReadTestWrite = undefined
          obj.adviseCorrupt = undefined
          obj.addLease = undefined
          obj.read = undefined
          obj.listShares = undefined
          obj.abort = undefined
          obj.close = undefined
          obj.allocate = undefined
          obj.version = undefined
        }

        if (obj.allocate != null) {
          obj.listSlotShares = undefined
          obj.slotRead = undefined
          obj.slotReadTestWrite = undefined
          obj.adviseCorrupt = undefined
          obj.addLease = undefined
          obj.read = undefined
          obj.listShares = undefined
          obj.abort = undefined
          obj.close = undefined
          obj.write = undefined
          obj.version = undefined
        }

        if (obj.version != null) {
          obj.listSlotShares = undefined
          obj.slotRead = undefined
          obj.slotReadTestWrite = undefined
          obj.adviseCorrupt = undefined
          obj.addLease = undefined
          obj.read = undefined
          obj.listShares = undefined
          obj.abort = undefined
          obj.close = undefined
          obj.write = undefined
          obj.allocate = undefined
        }

        if ((obj.id != null && obj.id !== 0)) {
          w.uint32(8)
          w.uint32(obj.id)
        }

        if (obj.version != null) {
          w.uint32(18)
          VersionRequest.codec().encode(obj.version, w)
        }

        if (obj.allocate != null) {
          w.uint32(26)
          AllocateRequest.codec().encode(obj.allocate, w)
        }

        if (obj.write != null) {
          w.uint32(34)
          WriteRequest.codec().encode(obj.write, w)
        }

        if (obj.close != null) {
          w.uint32(42)
          ShareRef.codec().encode(obj.close, w)
        }

        if (obj.abort != null) {
          w.uint32(50)
          ShareRef.codec().encode(obj.abort, w)
        }

        if (obj.listShares != null) {
          w.uint32(58)
          ListSharesRequest.codec().encode(obj.listShares, w)
        }

        if (obj.read != null) {
          w.uint32(66)
          ReadRequest.codec().encode(obj.read, w)
        }

        if (obj.addLease != null) {
          w.uint32(74)
          AddLeaseRequest.codec().encode(obj.addLease, w)
        }

        if (obj.adviseCorrupt != null) {
          w.uint32(82)
          AdviseCorruptRequest.codec().encode(obj.adviseCorrupt, w)
        }

        if (obj.slotReadTestWrite != null) {
          w.uint32(90)
          SlotReadTestWriteRequest.codec().encode(obj.slotReadTestWrite, w)
        }

        if (obj.slotRead != null) {
          w.uint32(98)
          SlotReadRequest.codec().encode(obj.slotRead, w)
        }

        if (obj.listSlotShares != null) {
          w.uint32(106)
          ListSharesRequest.codec().encode(obj.listSlotShares, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          id: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.id = reader.uint32()
              break
            }
            case 2: {
              obj.version = VersionRequest.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.version
              })
              break
            }
            case 3: {
              obj.allocate = AllocateRequest.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.allocate
              })
              break
            }
            case 4: {
              obj.write = WriteRequest.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.write
              })
              break
            }
            case 5: {
              obj.close = ShareRef.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.close
              })
              break
            }
            case 6: {
              obj.abort = ShareRef.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.abort
              })
              break
            }
            case 7: {
              obj.listShares = ListSharesRequest.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.listShares
              })
              break
            }
            case 8: {
              obj.read = ReadRequest.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.read
              })
              break
            }
            case 9: {
              obj.addLease = AddLeaseRequest.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.addLease
              })
              break
            }
            case 10: {
              obj.adviseCorrupt = AdviseCorruptRequest.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.adviseCorrupt
              })
              break
            }
            case 11: {
              obj.slotReadTestWrite = SlotReadTestWriteRequest.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.slotReadTestWrite
              })
              break
            }
            case 12: {
              obj.slotRead = SlotReadRequest.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.slotRead
              })
              break
            }
            case 13: {
              obj.listSlotShares = ListSharesRequest.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.listSlotShares
              })
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        if (obj.listSlotShares != null) {
          delete obj.slotRead
          delete obj.slotReadTestWrite
          delete obj.adviseCorrupt
          delete obj.addLease
          delete obj.read
          delete obj.listShares
          delete obj.abort
          delete obj.close
          delete obj.write
          delete obj.allocate
          delete obj.version
        }

        if (obj.slotRead != null) {
          delete obj.listSlotShares
          delete obj.slotReadTestWrite
          delete obj.adviseCorrupt
          delete obj.addLease
          delete obj.read
          delete obj.listShares
          delete obj.abort
          delete obj.close
          delete obj.write
          delete obj.allocate
          delete obj.version
        }

        if (obj.slotReadTestWrite != null) {
          delete obj.listSlotShares
          delete obj.slotRead
          delete obj.adviseCorrupt
          delete obj.addLease
          delete obj.read
          delete obj.listShares
          delete obj.abort
          delete obj.close
          delete obj.write
          delete obj.allocate
          delete obj.version
        }

        if (obj.adviseCorrupt != null) {
          delete obj.listSlotShares
          delete obj.slotRead
          delete obj.slotReadTestWrite
          delete obj.addLease
          delete obj.read
          delete obj.listShares
          delete obj.abort
          delete obj.close
          delete obj.write
          delete obj.allocate
          delete obj.version
        }

        if (obj.addLease != null) {
          delete obj.listSlotShares
          delete obj.slotRead
          delete obj.slotReadTestWrite
          delete obj.adviseCorrupt
          delete obj.read
          delete obj.listShares
          delete obj.abort
          delete obj.close
          delete obj.write
          delete obj.allocate
          delete obj.version
        }

        if (obj.read != null) {
          delete obj.listSlotShares
          delete obj.slotRead
          delete obj.slotReadTestWrite
          delete obj.adviseCorrupt
          delete obj.addLease
          delete obj.listShares
          delete obj.abort
          delete obj.close
          delete obj.write
          delete obj.allocate
          delete obj.version
        }

        if (obj.listShares != null) {
          delete obj.listSlotShares
          delete obj.slotRead
          delete obj.slotReadTestWrite
          delete obj.adviseCorrupt
          delete obj.addLease
          delete obj.read
          delete obj.abort
          delete obj.close
          delete obj.write
          delete obj.allocate
          delete obj.version
        }

        if (obj.abort != null) {
          delete obj.listSlotShares
          delete obj.slotRead
          delete obj.slotReadTestWrite
          delete obj.adviseCorrupt
          delete obj.addLease
          delete obj.read
          delete obj.listShares
          delete obj.close
          delete obj.write
          delete obj.allocate
          delete obj.version
        }

        if (obj.close != null) {
          delete obj.listSlotShares
          delete obj.slotRead
          delete obj.slotReadTestWrite
          delete obj.adviseCorrupt
          delete obj.addLease
          delete obj.read
          delete obj.listShares
          delete obj.abort
          delete obj.write
          delete obj.allocate
          delete obj.version
        }

        if (obj.write != null) {
          delete obj.listSlotShares
          delete obj.slotRead
          delete obj.slotReadTestWrite
          delete obj.adviseCorrupt
          delete obj.addLease
          delete obj.read
          delete obj.listShares
          delete obj.abort
          delete obj.close
          delete obj.allocate
          delete obj.version
        }

        if (obj.allocate != null) {
          delete obj.listSlotShares
          delete obj.slotRead
          delete obj.slotReadTestWrite
          delete obj.adviseCorrupt
          delete obj.addLease
          delete obj.read
          delete obj.listShares
          delete obj.abort
          delete obj.close
          delete obj.write
          delete obj.version
        }

        if (obj.version != null) {
          delete obj.listSlotShares
          delete obj.slotRead
          delete obj.slotReadTestWrite
          delete obj.adviseCorrupt
          delete obj.addLease
          delete obj.read
          delete obj.listShares
          delete obj.abort
          delete obj.close
          delete obj.write
          delete obj.allocate
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.id`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield * VersionRequest.codec().stream(reader, reader.uint32(), `${prefix}.version`, {
                limits: opts.limits?.version
              })

              break
            }
            case 3: {
              yield * AllocateRequest.codec().stream(reader, reader.uint32(), `${prefix}.allocate`, {
                limits: opts.limits?.allocate
              })

              break
            }
            case 4: {
              yield * WriteRequest.codec().stream(reader, reader.uint32(), `${prefix}.write`, {
                limits: opts.limits?.write
              })

              break
            }
            case 5: {
              yield * ShareRef.codec().stream(reader, reader.uint32(), `${prefix}.close`, {
                limits: opts.limits?.close
              })

              break
            }
            case 6: {
              yield * ShareRef.codec().stream(reader, reader.uint32(), `${prefix}.abort`, {
                limits: opts.limits?.abort
              })

              break
            }
            case 7: {
              yield * ListSharesRequest.codec().stream(reader, reader.uint32(), `${prefix}.listShares`, {
                limits: opts.limits?.listShares
              })

              break
            }
            case 8: {
              yield * ReadRequest.codec().stream(reader, reader.uint32(), `${prefix}.read`, {
                limits: opts.limits?.read
              })

              break
            }
            case 9: {
              yield * AddLeaseRequest.codec().stream(reader, reader.uint32(), `${prefix}.addLease`, {
                limits: opts.limits?.addLease
              })

              break
            }
            case 10: {
              yield * AdviseCorruptRequest.codec().stream(reader, reader.uint32(), `${prefix}.adviseCorrupt`, {
                limits: opts.limits?.adviseCorrupt
              })

              break
            }
            case 11: {
              yield * SlotReadTestWriteRequest.codec().stream(reader, reader.uint32(), `${prefix}.slotReadTestWrite`, {
                limits: opts.limits?.slotReadTestWrite
              })

              break
            }
            case 12: {
              yield * SlotReadRequest.codec().stream(reader, reader.uint32(), `${prefix}.slotRead`, {
                limits: opts.limits?.slotRead
              })

              break
            }
            case 13: {
              yield * ListSharesRequest.codec().stream(reader, reader.uint32(), `${prefix}.listSlotShares`, {
                limits: opts.limits?.listSlotShares
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

  export interface RequestIdFieldEvent {
    field: '$.id'
    value: number
  }

  export interface RequestAllocateStorageIndexFieldEvent {
    field: '$.allocate.storageIndex'
    value: Uint8Array<ArrayBuffer>
  }

  export interface RequestAllocateShareNumbersFieldEvent {
    field: '$.allocate.shareNumbers[]'
    index: number
    value: number
  }

  export interface RequestAllocateShareSizeFieldEvent {
    field: '$.allocate.shareSize'
    value: number
  }

  export interface RequestAllocateLeaseRenewSecretFieldEvent {
    field: '$.allocate.lease.renewSecret'
    value: Uint8Array<ArrayBuffer>
  }

  export interface RequestAllocateLeaseCancelSecretFieldEvent {
    field: '$.allocate.lease.cancelSecret'
    value: Uint8Array<ArrayBuffer>
  }

  export interface RequestWriteStorageIndexFieldEvent {
    field: '$.write.storageIndex'
    value: Uint8Array<ArrayBuffer>
  }

  export interface RequestWriteShareNumberFieldEvent {
    field: '$.write.shareNumber'
    value: number
  }

  export interface RequestWriteOffsetFieldEvent {
    field: '$.write.offset'
    value: number
  }

  export interface RequestWriteDataFieldEvent {
    field: '$.write.data'
    value: Uint8Array<ArrayBuffer>
  }

  export interface RequestCloseStorageIndexFieldEvent {
    field: '$.close.storageIndex'
    value: Uint8Array<ArrayBuffer>
  }

  export interface RequestCloseShareNumberFieldEvent {
    field: '$.close.shareNumber'
    value: number
  }

  export interface RequestAbortStorageIndexFieldEvent {
    field: '$.abort.storageIndex'
    value: Uint8Array<ArrayBuffer>
  }

  export interface RequestAbortShareNumberFieldEvent {
    field: '$.abort.shareNumber'
    value: number
  }

  export interface RequestListSharesStorageIndexFieldEvent {
    field: '$.listShares.storageIndex'
    value: Uint8Array<ArrayBuffer>
  }

  export interface RequestReadStorageIndexFieldEvent {
    field: '$.read.storageIndex'
    value: Uint8Array<ArrayBuffer>
  }

  export interface RequestReadShareNumberFieldEvent {
    field: '$.read.shareNumber'
    value: number
  }

  export interface RequestReadOffsetFieldEvent {
    field: '$.read.offset'
    value: number
  }

  export interface RequestReadLengthFieldEvent {
    field: '$.read.length'
    value: number
  }

  export interface RequestAddLeaseStorageIndexFieldEvent {
    field: '$.addLease.storageIndex'
    value: Uint8Array<ArrayBuffer>
  }

  export interface RequestAddLeaseLeaseRenewSecretFieldEvent {
    field: '$.addLease.lease.renewSecret'
    value: Uint8Array<ArrayBuffer>
  }

  export interface RequestAddLeaseLeaseCancelSecretFieldEvent {
    field: '$.addLease.lease.cancelSecret'
    value: Uint8Array<ArrayBuffer>
  }

  export interface RequestAdviseCorruptStorageIndexFieldEvent {
    field: '$.adviseCorrupt.storageIndex'
    value: Uint8Array<ArrayBuffer>
  }

  export interface RequestAdviseCorruptShareNumberFieldEvent {
    field: '$.adviseCorrupt.shareNumber'
    value: number
  }

  export interface RequestAdviseCorruptReasonFieldEvent {
    field: '$.adviseCorrupt.reason'
    value: string
  }

  export interface RequestSlotReadTestWriteStorageIndexFieldEvent {
    field: '$.slotReadTestWrite.storageIndex'
    value: Uint8Array<ArrayBuffer>
  }

  export interface RequestSlotReadTestWriteWriteEnablerFieldEvent {
    field: '$.slotReadTestWrite.writeEnabler'
    value: Uint8Array<ArrayBuffer>
  }

  export interface RequestSlotReadTestWriteLeaseRenewSecretFieldEvent {
    field: '$.slotReadTestWrite.lease.renewSecret'
    value: Uint8Array<ArrayBuffer>
  }

  export interface RequestSlotReadTestWriteLeaseCancelSecretFieldEvent {
    field: '$.slotReadTestWrite.lease.cancelSecret'
    value: Uint8Array<ArrayBuffer>
  }

  export interface RequestSlotReadTestWriteSharesShareNumberFieldEvent {
    field: '$.slotReadTestWrite.shares[].shareNumber'
    value: number
    index: number
  }

  export interface RequestSlotReadTestWriteSharesTestOffsetFieldEvent {
    field: '$.slotReadTestWrite.shares[].test[].offset'
    value: number
    index: number
  }

  export interface RequestSlotReadTestWriteSharesTestSizeFieldEvent {
    field: '$.slotReadTestWrite.shares[].test[].size'
    value: number
    index: number
  }

  export interface RequestSlotReadTestWriteSharesTestSpecimenFieldEvent {
    field: '$.slotReadTestWrite.shares[].test[].specimen'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface RequestSlotReadTestWriteSharesWriteOffsetFieldEvent {
    field: '$.slotReadTestWrite.shares[].write[].offset'
    value: number
    index: number
  }

  export interface RequestSlotReadTestWriteSharesWriteDataFieldEvent {
    field: '$.slotReadTestWrite.shares[].write[].data'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface RequestSlotReadTestWriteSharesNewLengthFieldEvent {
    field: '$.slotReadTestWrite.shares[].newLength'
    value: number
    index: number
  }

  export interface RequestSlotReadTestWriteReadOffsetFieldEvent {
    field: '$.slotReadTestWrite.read[].offset'
    value: number
    index: number
  }

  export interface RequestSlotReadTestWriteReadSizeFieldEvent {
    field: '$.slotReadTestWrite.read[].size'
    value: number
    index: number
  }

  export interface RequestSlotReadStorageIndexFieldEvent {
    field: '$.slotRead.storageIndex'
    value: Uint8Array<ArrayBuffer>
  }

  export interface RequestSlotReadShareNumbersFieldEvent {
    field: '$.slotRead.shareNumbers[]'
    index: number
    value: number
  }

  export interface RequestSlotReadReadOffsetFieldEvent {
    field: '$.slotRead.read[].offset'
    value: number
    index: number
  }

  export interface RequestSlotReadReadSizeFieldEvent {
    field: '$.slotRead.read[].size'
    value: number
    index: number
  }

  export interface RequestListSlotSharesStorageIndexFieldEvent {
    field: '$.listSlotShares.storageIndex'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<Request>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Request.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Request>): Request {
    return decodeMessage(buf, Request.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Request>): Generator<RequestIdFieldEvent | RequestAllocateStorageIndexFieldEvent | RequestAllocateShareNumbersFieldEvent | RequestAllocateShareSizeFieldEvent | RequestAllocateLeaseRenewSecretFieldEvent | RequestAllocateLeaseCancelSecretFieldEvent | RequestWriteStorageIndexFieldEvent | RequestWriteShareNumberFieldEvent | RequestWriteOffsetFieldEvent | RequestWriteDataFieldEvent | RequestCloseStorageIndexFieldEvent | RequestCloseShareNumberFieldEvent | RequestAbortStorageIndexFieldEvent | RequestAbortShareNumberFieldEvent | RequestListSharesStorageIndexFieldEvent | RequestReadStorageIndexFieldEvent | RequestReadShareNumberFieldEvent | RequestReadOffsetFieldEvent | RequestReadLengthFieldEvent | RequestAddLeaseStorageIndexFieldEvent | RequestAddLeaseLeaseRenewSecretFieldEvent | RequestAddLeaseLeaseCancelSecretFieldEvent | RequestAdviseCorruptStorageIndexFieldEvent | RequestAdviseCorruptShareNumberFieldEvent | RequestAdviseCorruptReasonFieldEvent | RequestSlotReadTestWriteStorageIndexFieldEvent | RequestSlotReadTestWriteWriteEnablerFieldEvent | RequestSlotReadTestWriteLeaseRenewSecretFieldEvent | RequestSlotReadTestWriteLeaseCancelSecretFieldEvent | RequestSlotReadTestWriteSharesShareNumberFieldEvent | RequestSlotReadTestWriteSharesTestOffsetFieldEvent | RequestSlotReadTestWriteSharesTestSizeFieldEvent | RequestSlotReadTestWriteSharesTestSpecimenFieldEvent | RequestSlotReadTestWriteSharesWriteOffsetFieldEvent | RequestSlotReadTestWriteSharesWriteDataFieldEvent | RequestSlotReadTestWriteSharesNewLengthFieldEvent | RequestSlotReadTestWriteReadOffsetFieldEvent | RequestSlotReadTestWriteReadSizeFieldEvent | RequestSlotReadStorageIndexFieldEvent | RequestSlotReadShareNumbersFieldEvent | RequestSlotReadReadOffsetFieldEvent | RequestSlotReadReadSizeFieldEvent | RequestListSlotSharesStorageIndexFieldEvent> {
    return streamMessage(buf, Request.codec(), opts)
  }
}

export interface ErrorReply {
  code: string
  message: string
  fatal: boolean
}

export namespace ErrorReply {
  let _codec: Codec<ErrorReply>

  export const codec = (): Codec<ErrorReply> => {
    if (_codec == null) {
      _codec = message<ErrorReply>((obj, w, opts = {}) => {
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

        if ((obj.fatal != null && obj.fatal !== false)) {
          w.uint32(24)
          w.bool(obj.fatal)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          code: '',
          message: '',
          fatal: false
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
            case 3: {
              obj.fatal = reader.bool()
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
            case 3: {
              yield {
                field: `${prefix}.fatal`,
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

  export interface ErrorReplyCodeFieldEvent {
    field: '$.code'
    value: string
  }

  export interface ErrorReplyMessageFieldEvent {
    field: '$.message'
    value: string
  }

  export interface ErrorReplyFatalFieldEvent {
    field: '$.fatal'
    value: boolean
  }

  export function encode (obj: Partial<ErrorReply>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ErrorReply.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ErrorReply>): ErrorReply {
    return decodeMessage(buf, ErrorReply.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ErrorReply>): Generator<ErrorReplyCodeFieldEvent | ErrorReplyMessageFieldEvent | ErrorReplyFatalFieldEvent> {
    return streamMessage(buf, ErrorReply.codec(), opts)
  }
}

export interface VersionResponse {
  maximumImmutableShareSize: number
  availableSpace: number
  applicationVersion: string
  maxWriteSize: number
  maxReadSize: number
}

export namespace VersionResponse {
  let _codec: Codec<VersionResponse>

  export const codec = (): Codec<VersionResponse> => {
    if (_codec == null) {
      _codec = message<VersionResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.maximumImmutableShareSize != null && obj.maximumImmutableShareSize !== 0)) {
          w.uint32(8)
          w.uint64Number(obj.maximumImmutableShareSize)
        }

        if ((obj.availableSpace != null && obj.availableSpace !== 0)) {
          w.uint32(16)
          w.uint64Number(obj.availableSpace)
        }

        if ((obj.applicationVersion != null && obj.applicationVersion !== '')) {
          w.uint32(26)
          w.string(obj.applicationVersion)
        }

        if ((obj.maxWriteSize != null && obj.maxWriteSize !== 0)) {
          w.uint32(32)
          w.uint32(obj.maxWriteSize)
        }

        if ((obj.maxReadSize != null && obj.maxReadSize !== 0)) {
          w.uint32(40)
          w.uint64Number(obj.maxReadSize)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          maximumImmutableShareSize: 0,
          availableSpace: 0,
          applicationVersion: '',
          maxWriteSize: 0,
          maxReadSize: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.maximumImmutableShareSize = reader.uint64Number()
              break
            }
            case 2: {
              obj.availableSpace = reader.uint64Number()
              break
            }
            case 3: {
              obj.applicationVersion = reader.string()
              break
            }
            case 4: {
              obj.maxWriteSize = reader.uint32()
              break
            }
            case 5: {
              obj.maxReadSize = reader.uint64Number()
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
                field: `${prefix}.maximumImmutableShareSize`,
                value: reader.uint64Number()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.availableSpace`,
                value: reader.uint64Number()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.applicationVersion`,
                value: reader.string()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.maxWriteSize`,
                value: reader.uint32()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.maxReadSize`,
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

  export interface VersionResponseMaximumImmutableShareSizeFieldEvent {
    field: '$.maximumImmutableShareSize'
    value: number
  }

  export interface VersionResponseAvailableSpaceFieldEvent {
    field: '$.availableSpace'
    value: number
  }

  export interface VersionResponseApplicationVersionFieldEvent {
    field: '$.applicationVersion'
    value: string
  }

  export interface VersionResponseMaxWriteSizeFieldEvent {
    field: '$.maxWriteSize'
    value: number
  }

  export interface VersionResponseMaxReadSizeFieldEvent {
    field: '$.maxReadSize'
    value: number
  }

  export function encode (obj: Partial<VersionResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, VersionResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<VersionResponse>): VersionResponse {
    return decodeMessage(buf, VersionResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<VersionResponse>): Generator<VersionResponseMaximumImmutableShareSizeFieldEvent | VersionResponseAvailableSpaceFieldEvent | VersionResponseApplicationVersionFieldEvent | VersionResponseMaxWriteSizeFieldEvent | VersionResponseMaxReadSizeFieldEvent> {
    return streamMessage(buf, VersionResponse.codec(), opts)
  }
}

export interface AllocateResponse {
  allocated: number[]
  alreadyHave: number[]
}

export namespace AllocateResponse {
  let _codec: Codec<AllocateResponse>

  export const codec = (): Codec<AllocateResponse> => {
    if (_codec == null) {
      _codec = message<AllocateResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.allocated != null && obj.allocated.length > 0) {
          for (const value of obj.allocated) {
            w.uint32(8)
            w.uint32(value)
          }
        }

        if (obj.alreadyHave != null && obj.alreadyHave.length > 0) {
          for (const value of obj.alreadyHave) {
            w.uint32(16)
            w.uint32(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          allocated: [],
          alreadyHave: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.allocated != null && obj.allocated.length === opts.limits.allocated) {
                throw new MaxLengthError('Decode error - repeated field "allocated" had too many elements')
              }

              if (obj.allocated.length === 256) {
                throw new MaxLengthError('Decode error - repeated field "allocated" had too many elements')
              }

              obj.allocated.push(reader.uint32())
              break
            }
            case 2: {
              if (opts.limits?.alreadyHave != null && obj.alreadyHave.length === opts.limits.alreadyHave) {
                throw new MaxLengthError('Decode error - repeated field "alreadyHave" had too many elements')
              }

              if (obj.alreadyHave.length === 256) {
                throw new MaxLengthError('Decode error - repeated field "alreadyHave" had too many elements')
              }

              obj.alreadyHave.push(reader.uint32())
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
          allocated: 256,
          alreadyHave: 256
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.allocated != null && obj.allocated === opts.limits.allocated) {
                throw new MaxLengthError('Streaming decode error - repeated field "allocated" had too many elements')
              }

              if (obj.allocated === 256) {
                throw new MaxLengthError('Streaming decode error - repeated field "allocated" had too many elements')
              }

              yield {
                field: `${prefix}.allocated[]`,
                index: obj.allocated,
                value: reader.uint32()
              }

              obj.allocated++

              break
            }
            case 2: {
              if (opts.limits?.alreadyHave != null && obj.alreadyHave === opts.limits.alreadyHave) {
                throw new MaxLengthError('Streaming decode error - repeated field "alreadyHave" had too many elements')
              }

              if (obj.alreadyHave === 256) {
                throw new MaxLengthError('Streaming decode error - repeated field "alreadyHave" had too many elements')
              }

              yield {
                field: `${prefix}.alreadyHave[]`,
                index: obj.alreadyHave,
                value: reader.uint32()
              }

              obj.alreadyHave++

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

  export interface AllocateResponseAllocatedFieldEvent {
    field: '$.allocated[]'
    index: number
    value: number
  }

  export interface AllocateResponseAlreadyHaveFieldEvent {
    field: '$.alreadyHave[]'
    index: number
    value: number
  }

  export function encode (obj: Partial<AllocateResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, AllocateResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AllocateResponse>): AllocateResponse {
    return decodeMessage(buf, AllocateResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AllocateResponse>): Generator<AllocateResponseAllocatedFieldEvent | AllocateResponseAlreadyHaveFieldEvent> {
    return streamMessage(buf, AllocateResponse.codec(), opts)
  }
}

export interface WriteResponse {
  complete: boolean
}

export namespace WriteResponse {
  let _codec: Codec<WriteResponse>

  export const codec = (): Codec<WriteResponse> => {
    if (_codec == null) {
      _codec = message<WriteResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.complete != null && obj.complete !== false)) {
          w.uint32(8)
          w.bool(obj.complete)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          complete: false
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.complete = reader.bool()
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
                field: `${prefix}.complete`,
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

  export interface WriteResponseCompleteFieldEvent {
    field: '$.complete'
    value: boolean
  }

  export function encode (obj: Partial<WriteResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, WriteResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<WriteResponse>): WriteResponse {
    return decodeMessage(buf, WriteResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<WriteResponse>): Generator<WriteResponseCompleteFieldEvent> {
    return streamMessage(buf, WriteResponse.codec(), opts)
  }
}

export interface Ack {}

export namespace Ack {
  let _codec: Codec<Ack>

  export const codec = (): Codec<Ack> => {
    if (_codec == null) {
      _codec = message<Ack>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
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

  export function encode (obj: Partial<Ack>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Ack.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Ack>): Ack {
    return decodeMessage(buf, Ack.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Ack>): Generator<{}> {
    return streamMessage(buf, Ack.codec(), opts)
  }
}

export interface ShareInfo {
  shareNumber: number
  size: number
}

export namespace ShareInfo {
  let _codec: Codec<ShareInfo>

  export const codec = (): Codec<ShareInfo> => {
    if (_codec == null) {
      _codec = message<ShareInfo>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.shareNumber != null && obj.shareNumber !== 0)) {
          w.uint32(8)
          w.uint32(obj.shareNumber)
        }

        if ((obj.size != null && obj.size !== 0)) {
          w.uint32(16)
          w.uint64Number(obj.size)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          shareNumber: 0,
          size: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.shareNumber = reader.uint32()
              break
            }
            case 2: {
              obj.size = reader.uint64Number()
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
                field: `${prefix}.shareNumber`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.size`,
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

  export interface ShareInfoShareNumberFieldEvent {
    field: '$.shareNumber'
    value: number
  }

  export interface ShareInfoSizeFieldEvent {
    field: '$.size'
    value: number
  }

  export function encode (obj: Partial<ShareInfo>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ShareInfo.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ShareInfo>): ShareInfo {
    return decodeMessage(buf, ShareInfo.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ShareInfo>): Generator<ShareInfoShareNumberFieldEvent | ShareInfoSizeFieldEvent> {
    return streamMessage(buf, ShareInfo.codec(), opts)
  }
}

export interface ListSharesResponse {
  shares: ShareInfo[]
}

export namespace ListSharesResponse {
  let _codec: Codec<ListSharesResponse>

  export const codec = (): Codec<ListSharesResponse> => {
    if (_codec == null) {
      _codec = message<ListSharesResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.shares != null && obj.shares.length > 0) {
          for (const value of obj.shares) {
            w.uint32(10)
            ShareInfo.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          shares: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.shares != null && obj.shares.length === opts.limits.shares) {
                throw new MaxLengthError('Decode error - repeated field "shares" had too many elements')
              }

              if (obj.shares.length === 256) {
                throw new MaxLengthError('Decode error - repeated field "shares" had too many elements')
              }

              obj.shares.push(ShareInfo.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.shares$
              }))
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
          shares: 256
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.shares != null && obj.shares === opts.limits.shares) {
                throw new MaxLengthError('Streaming decode error - repeated field "shares" had too many elements')
              }

              if (obj.shares === 256) {
                throw new MaxLengthError('Streaming decode error - repeated field "shares" had too many elements')
              }

              for (const evt of ShareInfo.codec().stream(reader, reader.uint32(), `${prefix}.shares[]`, {
                limits: opts.limits?.shares$
              })) {
                yield {
                  ...evt,
                  index: obj.shares
                }
              }

              obj.shares++

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

  export interface ListSharesResponseSharesShareNumberFieldEvent {
    field: '$.shares[].shareNumber'
    value: number
    index: number
  }

  export interface ListSharesResponseSharesSizeFieldEvent {
    field: '$.shares[].size'
    value: number
    index: number
  }

  export function encode (obj: Partial<ListSharesResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ListSharesResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ListSharesResponse>): ListSharesResponse {
    return decodeMessage(buf, ListSharesResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ListSharesResponse>): Generator<ListSharesResponseSharesShareNumberFieldEvent | ListSharesResponseSharesSizeFieldEvent> {
    return streamMessage(buf, ListSharesResponse.codec(), opts)
  }
}

export interface ReadChunk {
  data: Uint8Array<ArrayBuffer>
  last: boolean
}

export namespace ReadChunk {
  let _codec: Codec<ReadChunk>

  export const codec = (): Codec<ReadChunk> => {
    if (_codec == null) {
      _codec = message<ReadChunk>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.data != null && obj.data.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.data)
        }

        if ((obj.last != null && obj.last !== false)) {
          w.uint32(16)
          w.bool(obj.last)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          data: uint8ArrayAlloc(0),
          last: false
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.data = reader.bytes()
              break
            }
            case 2: {
              obj.last = reader.bool()
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
                field: `${prefix}.data`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.last`,
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

  export interface ReadChunkDataFieldEvent {
    field: '$.data'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ReadChunkLastFieldEvent {
    field: '$.last'
    value: boolean
  }

  export function encode (obj: Partial<ReadChunk>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ReadChunk.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ReadChunk>): ReadChunk {
    return decodeMessage(buf, ReadChunk.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ReadChunk>): Generator<ReadChunkDataFieldEvent | ReadChunkLastFieldEvent> {
    return streamMessage(buf, ReadChunk.codec(), opts)
  }
}

export interface SlotShareData {
  shareNumber: number
  data: Uint8Array<ArrayBuffer>[]
}

export namespace SlotShareData {
  let _codec: Codec<SlotShareData>

  export const codec = (): Codec<SlotShareData> => {
    if (_codec == null) {
      _codec = message<SlotShareData>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.shareNumber != null && obj.shareNumber !== 0)) {
          w.uint32(8)
          w.uint32(obj.shareNumber)
        }

        if (obj.data != null && obj.data.length > 0) {
          for (const value of obj.data) {
            w.uint32(18)
            w.bytes(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          shareNumber: 0,
          data: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.shareNumber = reader.uint32()
              break
            }
            case 2: {
              if (opts.limits?.data != null && obj.data.length === opts.limits.data) {
                throw new MaxLengthError('Decode error - repeated field "data" had too many elements')
              }

              if (obj.data.length === 1024) {
                throw new MaxLengthError('Decode error - repeated field "data" had too many elements')
              }

              obj.data.push(reader.bytes())
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
          data: 1024
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.shareNumber`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              if (opts.limits?.data != null && obj.data === opts.limits.data) {
                throw new MaxLengthError('Streaming decode error - repeated field "data" had too many elements')
              }

              if (obj.data === 1024) {
                throw new MaxLengthError('Streaming decode error - repeated field "data" had too many elements')
              }

              yield {
                field: `${prefix}.data[]`,
                index: obj.data,
                value: reader.bytes()
              }

              obj.data++

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

  export interface SlotShareDataShareNumberFieldEvent {
    field: '$.shareNumber'
    value: number
  }

  export interface SlotShareDataDataFieldEvent {
    field: '$.data[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<SlotShareData>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, SlotShareData.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SlotShareData>): SlotShareData {
    return decodeMessage(buf, SlotShareData.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SlotShareData>): Generator<SlotShareDataShareNumberFieldEvent | SlotShareDataDataFieldEvent> {
    return streamMessage(buf, SlotShareData.codec(), opts)
  }
}

export interface SlotReadTestWriteResponse {
  success: boolean
  data: SlotShareData[]
}

export namespace SlotReadTestWriteResponse {
  let _codec: Codec<SlotReadTestWriteResponse>

  export const codec = (): Codec<SlotReadTestWriteResponse> => {
    if (_codec == null) {
      _codec = message<SlotReadTestWriteResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.success != null && obj.success !== false)) {
          w.uint32(8)
          w.bool(obj.success)
        }

        if (obj.data != null && obj.data.length > 0) {
          for (const value of obj.data) {
            w.uint32(18)
            SlotShareData.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          success: false,
          data: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.success = reader.bool()
              break
            }
            case 2: {
              if (opts.limits?.data != null && obj.data.length === opts.limits.data) {
                throw new MaxLengthError('Decode error - repeated field "data" had too many elements')
              }

              if (obj.data.length === 256) {
                throw new MaxLengthError('Decode error - repeated field "data" had too many elements')
              }

              obj.data.push(SlotShareData.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.data$
              }))
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
          data: 256
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.success`,
                value: reader.bool()
              }
              break
            }
            case 2: {
              if (opts.limits?.data != null && obj.data === opts.limits.data) {
                throw new MaxLengthError('Streaming decode error - repeated field "data" had too many elements')
              }

              if (obj.data === 256) {
                throw new MaxLengthError('Streaming decode error - repeated field "data" had too many elements')
              }

              for (const evt of SlotShareData.codec().stream(reader, reader.uint32(), `${prefix}.data[]`, {
                limits: opts.limits?.data$
              })) {
                yield {
                  ...evt,
                  index: obj.data
                }
              }

              obj.data++

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

  export interface SlotReadTestWriteResponseSuccessFieldEvent {
    field: '$.success'
    value: boolean
  }

  export interface SlotReadTestWriteResponseDataShareNumberFieldEvent {
    field: '$.data[].shareNumber'
    value: number
    index: number
  }

  export interface SlotReadTestWriteResponseDataDataFieldEvent {
    field: '$.data[].data[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<SlotReadTestWriteResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, SlotReadTestWriteResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SlotReadTestWriteResponse>): SlotReadTestWriteResponse {
    return decodeMessage(buf, SlotReadTestWriteResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SlotReadTestWriteResponse>): Generator<SlotReadTestWriteResponseSuccessFieldEvent | SlotReadTestWriteResponseDataShareNumberFieldEvent | SlotReadTestWriteResponseDataDataFieldEvent> {
    return streamMessage(buf, SlotReadTestWriteResponse.codec(), opts)
  }
}

export interface SlotReadResponse {
  data: SlotShareData[]
}

export namespace SlotReadResponse {
  let _codec: Codec<SlotReadResponse>

  export const codec = (): Codec<SlotReadResponse> => {
    if (_codec == null) {
      _codec = message<SlotReadResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.data != null && obj.data.length > 0) {
          for (const value of obj.data) {
            w.uint32(10)
            SlotShareData.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          data: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.data != null && obj.data.length === opts.limits.data) {
                throw new MaxLengthError('Decode error - repeated field "data" had too many elements')
              }

              if (obj.data.length === 256) {
                throw new MaxLengthError('Decode error - repeated field "data" had too many elements')
              }

              obj.data.push(SlotShareData.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.data$
              }))
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
          data: 256
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.data != null && obj.data === opts.limits.data) {
                throw new MaxLengthError('Streaming decode error - repeated field "data" had too many elements')
              }

              if (obj.data === 256) {
                throw new MaxLengthError('Streaming decode error - repeated field "data" had too many elements')
              }

              for (const evt of SlotShareData.codec().stream(reader, reader.uint32(), `${prefix}.data[]`, {
                limits: opts.limits?.data$
              })) {
                yield {
                  ...evt,
                  index: obj.data
                }
              }

              obj.data++

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

  export interface SlotReadResponseDataShareNumberFieldEvent {
    field: '$.data[].shareNumber'
    value: number
    index: number
  }

  export interface SlotReadResponseDataDataFieldEvent {
    field: '$.data[].data[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<SlotReadResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, SlotReadResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SlotReadResponse>): SlotReadResponse {
    return decodeMessage(buf, SlotReadResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SlotReadResponse>): Generator<SlotReadResponseDataShareNumberFieldEvent | SlotReadResponseDataDataFieldEvent> {
    return streamMessage(buf, SlotReadResponse.codec(), opts)
  }
}

export interface Response {
  id: number
  error?: ErrorReply
  version?: VersionResponse
  allocate?: AllocateResponse
  write?: WriteResponse
  ack?: Ack
  listShares?: ListSharesResponse
  read?: ReadChunk
  slotReadTestWrite?: SlotReadTestWriteResponse
  slotRead?: SlotReadResponse
}

export namespace Response {
  let _codec: Codec<Response>

  export const codec = (): Codec<Response> => {
    if (_codec == null) {
      _codec = message<Response>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        obj = { ...obj }

        if (obj.slotRead != null) {
          obj.slotReadTestWrite = undefined
          obj.read = undefined
          obj.listShares = undefined
          obj.ack = undefined
          obj.write = undefined
          obj.allocate = undefined
          obj.version = undefined
          obj.error = undefined
        }

        if (obj.slotReadTestWrite != null) {
          obj.slotRead = undefined
          obj.read = undefined
          obj.listShares = undefined
          obj.ack = undefined
          obj.write = undefined
          obj.allocate = undefined
          obj.version = undefined
          obj.error = undefined
        }

        if (obj.read != null) {
          obj.slotRead = undefined
          obj.slotReadTestWrite = undefined
          obj.listShares = undefined
          obj.ack = undefined
          obj.write = undefined
          obj.allocate = undefined
          obj.version = undefined
          obj.error = undefined
        }

        if (obj.listShares != null) {
          obj.slotRead = undefined
          obj.slotReadTestWrite = undefined
          obj.read = undefined
          obj.ack = undefined
          obj.write = undefined
          obj.allocate = undefined
          obj.version = undefined
          obj.error = undefined
        }

        if (obj.ack != null) {
          obj.slotRead = undefined
          obj.slotReadTestWrite = undefined
          obj.read = undefined
          obj.listShares = undefined
          obj.write = undefined
          obj.allocate = undefined
          obj.version = undefined
          obj.error = undefined
        }

        if (obj.write != null) {
          obj.slotRead = undefined
          obj.slotReadTestWrite = undefined
          obj.read = undefined
          obj.listShares = undefined
          obj.ack = undefined
          obj.allocate = undefined
          obj.version = undefined
          obj.error = undefined
        }

        if (obj.allocate != null) {
          obj.slotRead = undefined
          obj.slotReadTestWrite = undefined
          obj.read = undefined
          obj.listShares = undefined
          obj.ack = undefined
          obj.write = undefined
          obj.version = undefined
          obj.error = undefined
        }

        if (obj.version != null) {
          obj.slotRead = undefined
          obj.slotReadTestWrite = undefined
          obj.read = undefined
          obj.listShares = undefined
          obj.ack = undefined
          obj.write = undefined
          obj.allocate = undefined
          obj.error = undefined
        }

        if (obj.error != null) {
          obj.slotRead = undefined
          obj.slotReadTestWrite = undefined
          obj.read = undefined
          obj.listShares = undefined
          obj.ack = undefined
          obj.write = undefined
          obj.allocate = undefined
          obj.version = undefined
        }

        if ((obj.id != null && obj.id !== 0)) {
          w.uint32(8)
          w.uint32(obj.id)
        }

        if (obj.error != null) {
          w.uint32(18)
          ErrorReply.codec().encode(obj.error, w)
        }

        if (obj.version != null) {
          w.uint32(26)
          VersionResponse.codec().encode(obj.version, w)
        }

        if (obj.allocate != null) {
          w.uint32(34)
          AllocateResponse.codec().encode(obj.allocate, w)
        }

        if (obj.write != null) {
          w.uint32(42)
          WriteResponse.codec().encode(obj.write, w)
        }

        if (obj.ack != null) {
          w.uint32(50)
          Ack.codec().encode(obj.ack, w)
        }

        if (obj.listShares != null) {
          w.uint32(58)
          ListSharesResponse.codec().encode(obj.listShares, w)
        }

        if (obj.read != null) {
          w.uint32(66)
          ReadChunk.codec().encode(obj.read, w)
        }

        if (obj.slotReadTestWrite != null) {
          w.uint32(74)
          SlotReadTestWriteResponse.codec().encode(obj.slotReadTestWrite, w)
        }

        if (obj.slotRead != null) {
          w.uint32(82)
          SlotReadResponse.codec().encode(obj.slotRead, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          id: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.id = reader.uint32()
              break
            }
            case 2: {
              obj.error = ErrorReply.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.error
              })
              break
            }
            case 3: {
              obj.version = VersionResponse.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.version
              })
              break
            }
            case 4: {
              obj.allocate = AllocateResponse.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.allocate
              })
              break
            }
            case 5: {
              obj.write = WriteResponse.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.write
              })
              break
            }
            case 6: {
              obj.ack = Ack.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.ack
              })
              break
            }
            case 7: {
              obj.listShares = ListSharesResponse.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.listShares
              })
              break
            }
            case 8: {
              obj.read = ReadChunk.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.read
              })
              break
            }
            case 9: {
              obj.slotReadTestWrite = SlotReadTestWriteResponse.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.slotReadTestWrite
              })
              break
            }
            case 10: {
              obj.slotRead = SlotReadResponse.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.slotRead
              })
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        if (obj.slotRead != null) {
          delete obj.slotReadTestWrite
          delete obj.read
          delete obj.listShares
          delete obj.ack
          delete obj.write
          delete obj.allocate
          delete obj.version
          delete obj.error
        }

        if (obj.slotReadTestWrite != null) {
          delete obj.slotRead
          delete obj.read
          delete obj.listShares
          delete obj.ack
          delete obj.write
          delete obj.allocate
          delete obj.version
          delete obj.error
        }

        if (obj.read != null) {
          delete obj.slotRead
          delete obj.slotReadTestWrite
          delete obj.listShares
          delete obj.ack
          delete obj.write
          delete obj.allocate
          delete obj.version
          delete obj.error
        }

        if (obj.listShares != null) {
          delete obj.slotRead
          delete obj.slotReadTestWrite
          delete obj.read
          delete obj.ack
          delete obj.write
          delete obj.allocate
          delete obj.version
          delete obj.error
        }

        if (obj.ack != null) {
          delete obj.slotRead
          delete obj.slotReadTestWrite
          delete obj.read
          delete obj.listShares
          delete obj.write
          delete obj.allocate
          delete obj.version
          delete obj.error
        }

        if (obj.write != null) {
          delete obj.slotRead
          delete obj.slotReadTestWrite
          delete obj.read
          delete obj.listShares
          delete obj.ack
          delete obj.allocate
          delete obj.version
          delete obj.error
        }

        if (obj.allocate != null) {
          delete obj.slotRead
          delete obj.slotReadTestWrite
          delete obj.read
          delete obj.listShares
          delete obj.ack
          delete obj.write
          delete obj.version
          delete obj.error
        }

        if (obj.version != null) {
          delete obj.slotRead
          delete obj.slotReadTestWrite
          delete obj.read
          delete obj.listShares
          delete obj.ack
          delete obj.write
          delete obj.allocate
          delete obj.error
        }

        if (obj.error != null) {
          delete obj.slotRead
          delete obj.slotReadTestWrite
          delete obj.read
          delete obj.listShares
          delete obj.ack
          delete obj.write
          delete obj.allocate
          delete obj.version
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.id`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield * ErrorReply.codec().stream(reader, reader.uint32(), `${prefix}.error`, {
                limits: opts.limits?.error
              })

              break
            }
            case 3: {
              yield * VersionResponse.codec().stream(reader, reader.uint32(), `${prefix}.version`, {
                limits: opts.limits?.version
              })

              break
            }
            case 4: {
              yield * AllocateResponse.codec().stream(reader, reader.uint32(), `${prefix}.allocate`, {
                limits: opts.limits?.allocate
              })

              break
            }
            case 5: {
              yield * WriteResponse.codec().stream(reader, reader.uint32(), `${prefix}.write`, {
                limits: opts.limits?.write
              })

              break
            }
            case 6: {
              yield * Ack.codec().stream(reader, reader.uint32(), `${prefix}.ack`, {
                limits: opts.limits?.ack
              })

              break
            }
            case 7: {
              yield * ListSharesResponse.codec().stream(reader, reader.uint32(), `${prefix}.listShares`, {
                limits: opts.limits?.listShares
              })

              break
            }
            case 8: {
              yield * ReadChunk.codec().stream(reader, reader.uint32(), `${prefix}.read`, {
                limits: opts.limits?.read
              })

              break
            }
            case 9: {
              yield * SlotReadTestWriteResponse.codec().stream(reader, reader.uint32(), `${prefix}.slotReadTestWrite`, {
                limits: opts.limits?.slotReadTestWrite
              })

              break
            }
            case 10: {
              yield * SlotReadResponse.codec().stream(reader, reader.uint32(), `${prefix}.slotRead`, {
                limits: opts.limits?.slotRead
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

  export interface ResponseIdFieldEvent {
    field: '$.id'
    value: number
  }

  export interface ResponseErrorCodeFieldEvent {
    field: '$.error.code'
    value: string
  }

  export interface ResponseErrorMessageFieldEvent {
    field: '$.error.message'
    value: string
  }

  export interface ResponseErrorFatalFieldEvent {
    field: '$.error.fatal'
    value: boolean
  }

  export interface ResponseVersionMaximumImmutableShareSizeFieldEvent {
    field: '$.version.maximumImmutableShareSize'
    value: number
  }

  export interface ResponseVersionAvailableSpaceFieldEvent {
    field: '$.version.availableSpace'
    value: number
  }

  export interface ResponseVersionApplicationVersionFieldEvent {
    field: '$.version.applicationVersion'
    value: string
  }

  export interface ResponseVersionMaxWriteSizeFieldEvent {
    field: '$.version.maxWriteSize'
    value: number
  }

  export interface ResponseVersionMaxReadSizeFieldEvent {
    field: '$.version.maxReadSize'
    value: number
  }

  export interface ResponseAllocateAllocatedFieldEvent {
    field: '$.allocate.allocated[]'
    index: number
    value: number
  }

  export interface ResponseAllocateAlreadyHaveFieldEvent {
    field: '$.allocate.alreadyHave[]'
    index: number
    value: number
  }

  export interface ResponseWriteCompleteFieldEvent {
    field: '$.write.complete'
    value: boolean
  }

  export interface ResponseListSharesSharesShareNumberFieldEvent {
    field: '$.listShares.shares[].shareNumber'
    value: number
    index: number
  }

  export interface ResponseListSharesSharesSizeFieldEvent {
    field: '$.listShares.shares[].size'
    value: number
    index: number
  }

  export interface ResponseReadDataFieldEvent {
    field: '$.read.data'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ResponseReadLastFieldEvent {
    field: '$.read.last'
    value: boolean
  }

  export interface ResponseSlotReadTestWriteSuccessFieldEvent {
    field: '$.slotReadTestWrite.success'
    value: boolean
  }

  export interface ResponseSlotReadTestWriteDataShareNumberFieldEvent {
    field: '$.slotReadTestWrite.data[].shareNumber'
    value: number
    index: number
  }

  export interface ResponseSlotReadTestWriteDataDataFieldEvent {
    field: '$.slotReadTestWrite.data[].data[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface ResponseSlotReadDataShareNumberFieldEvent {
    field: '$.slotRead.data[].shareNumber'
    value: number
    index: number
  }

  export interface ResponseSlotReadDataDataFieldEvent {
    field: '$.slotRead.data[].data[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<Response>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Response.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Response>): Response {
    return decodeMessage(buf, Response.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Response>): Generator<ResponseIdFieldEvent | ResponseErrorCodeFieldEvent | ResponseErrorMessageFieldEvent | ResponseErrorFatalFieldEvent | ResponseVersionMaximumImmutableShareSizeFieldEvent | ResponseVersionAvailableSpaceFieldEvent | ResponseVersionApplicationVersionFieldEvent | ResponseVersionMaxWriteSizeFieldEvent | ResponseVersionMaxReadSizeFieldEvent | ResponseAllocateAllocatedFieldEvent | ResponseAllocateAlreadyHaveFieldEvent | ResponseWriteCompleteFieldEvent | ResponseListSharesSharesShareNumberFieldEvent | ResponseListSharesSharesSizeFieldEvent | ResponseReadDataFieldEvent | ResponseReadLastFieldEvent | ResponseSlotReadTestWriteSuccessFieldEvent | ResponseSlotReadTestWriteDataShareNumberFieldEvent | ResponseSlotReadTestWriteDataDataFieldEvent | ResponseSlotReadDataShareNumberFieldEvent | ResponseSlotReadDataDataFieldEvent> {
    return streamMessage(buf, Response.codec(), opts)
  }
}
