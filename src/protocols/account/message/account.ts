/* eslint-disable require-yield */

import { decodeMessage, encodeMessage, MaxLengthError, message, streamMessage } from 'protons-runtime'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface TermsRequest {}

export namespace TermsRequest {
  let _codec: Codec<TermsRequest>

  export const codec = (): Codec<TermsRequest> => {
    if (_codec == null) {
      _codec = message<TermsRequest>((obj, w, opts = {}) => {
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

  export function encode (obj: Partial<TermsRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, TermsRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TermsRequest>): TermsRequest {
    return decodeMessage(buf, TermsRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TermsRequest>): Generator<{}> {
    return streamMessage(buf, TermsRequest.codec(), opts)
  }
}

export interface UsageRequest {}

export namespace UsageRequest {
  let _codec: Codec<UsageRequest>

  export const codec = (): Codec<UsageRequest> => {
    if (_codec == null) {
      _codec = message<UsageRequest>((obj, w, opts = {}) => {
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

  export function encode (obj: Partial<UsageRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, UsageRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<UsageRequest>): UsageRequest {
    return decodeMessage(buf, UsageRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<UsageRequest>): Generator<{}> {
    return streamMessage(buf, UsageRequest.codec(), opts)
  }
}

export interface RedeemRequest {
  code: string
}

export namespace RedeemRequest {
  let _codec: Codec<RedeemRequest>

  export const codec = (): Codec<RedeemRequest> => {
    if (_codec == null) {
      _codec = message<RedeemRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.code != null && obj.code !== '')) {
          w.uint32(10)
          w.string(obj.code)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          code: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.code = reader.string()
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

  export interface RedeemRequestCodeFieldEvent {
    field: '$.code'
    value: string
  }

  export function encode (obj: Partial<RedeemRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, RedeemRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RedeemRequest>): RedeemRequest {
    return decodeMessage(buf, RedeemRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RedeemRequest>): Generator<RedeemRequestCodeFieldEvent> {
    return streamMessage(buf, RedeemRequest.codec(), opts)
  }
}

export interface AccountRequest {
  terms?: TermsRequest
  usage?: UsageRequest
  redeem?: RedeemRequest
}

export namespace AccountRequest {
  let _codec: Codec<AccountRequest>

  export const codec = (): Codec<AccountRequest> => {
    if (_codec == null) {
      _codec = message<AccountRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        obj = { ...obj }

        if (obj.redeem != null) {
          obj.usage = undefined
          obj.terms = undefined
        }

        if (obj.usage != null) {
          obj.redeem = undefined
          obj.terms = undefined
        }

        if (obj.terms != null) {
          obj.redeem = undefined
          obj.usage = undefined
        }

        if (obj.terms != null) {
          w.uint32(10)
          TermsRequest.codec().encode(obj.terms, w)
        }

        if (obj.usage != null) {
          w.uint32(18)
          UsageRequest.codec().encode(obj.usage, w)
        }

        if (obj.redeem != null) {
          w.uint32(26)
          RedeemRequest.codec().encode(obj.redeem, w)
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
              obj.terms = TermsRequest.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.terms
              })
              break
            }
            case 2: {
              obj.usage = UsageRequest.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.usage
              })
              break
            }
            case 3: {
              obj.redeem = RedeemRequest.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.redeem
              })
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        if (obj.redeem != null) {
          delete obj.usage
          delete obj.terms
        }

        if (obj.usage != null) {
          delete obj.redeem
          delete obj.terms
        }

        if (obj.terms != null) {
          delete obj.redeem
          delete obj.usage
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield * TermsRequest.codec().stream(reader, reader.uint32(), `${prefix}.terms`, {
                limits: opts.limits?.terms
              })

              break
            }
            case 2: {
              yield * UsageRequest.codec().stream(reader, reader.uint32(), `${prefix}.usage`, {
                limits: opts.limits?.usage
              })

              break
            }
            case 3: {
              yield * RedeemRequest.codec().stream(reader, reader.uint32(), `${prefix}.redeem`, {
                limits: opts.limits?.redeem
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

  export interface AccountRequestRedeemCodeFieldEvent {
    field: '$.redeem.code'
    value: string
  }

  export function encode (obj: Partial<AccountRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, AccountRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AccountRequest>): AccountRequest {
    return decodeMessage(buf, AccountRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AccountRequest>): Generator<AccountRequestRedeemCodeFieldEvent> {
    return streamMessage(buf, AccountRequest.codec(), opts)
  }
}

export interface PaymentMethod {
  name: string
  url?: string
  explanation: string
}

export namespace PaymentMethod {
  let _codec: Codec<PaymentMethod>

  export const codec = (): Codec<PaymentMethod> => {
    if (_codec == null) {
      _codec = message<PaymentMethod>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.name != null && obj.name !== '')) {
          w.uint32(10)
          w.string(obj.name)
        }

        if (obj.url != null) {
          w.uint32(18)
          w.string(obj.url)
        }

        if ((obj.explanation != null && obj.explanation !== '')) {
          w.uint32(26)
          w.string(obj.explanation)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          name: '',
          explanation: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.name = reader.string()
              break
            }
            case 2: {
              obj.url = reader.string()
              break
            }
            case 3: {
              obj.explanation = reader.string()
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
                field: `${prefix}.name`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.url`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.explanation`,
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

  export interface PaymentMethodNameFieldEvent {
    field: '$.name'
    value: string
  }

  export interface PaymentMethodUrlFieldEvent {
    field: '$.url'
    value: string
  }

  export interface PaymentMethodExplanationFieldEvent {
    field: '$.explanation'
    value: string
  }

  export function encode (obj: Partial<PaymentMethod>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, PaymentMethod.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PaymentMethod>): PaymentMethod {
    return decodeMessage(buf, PaymentMethod.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PaymentMethod>): Generator<PaymentMethodNameFieldEvent | PaymentMethodUrlFieldEvent | PaymentMethodExplanationFieldEvent> {
    return streamMessage(buf, PaymentMethod.codec(), opts)
  }
}

export interface TermsResponse {
  freeQuota: number
  methods: PaymentMethod[]
}

export namespace TermsResponse {
  let _codec: Codec<TermsResponse>

  export const codec = (): Codec<TermsResponse> => {
    if (_codec == null) {
      _codec = message<TermsResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.freeQuota != null && obj.freeQuota !== 0)) {
          w.uint32(8)
          w.uint64Number(obj.freeQuota)
        }

        if (obj.methods != null && obj.methods.length > 0) {
          for (const value of obj.methods) {
            w.uint32(18)
            PaymentMethod.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          freeQuota: 0,
          methods: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.freeQuota = reader.uint64Number()
              break
            }
            case 2: {
              if (opts.limits?.methods != null && obj.methods.length === opts.limits.methods) {
                throw new MaxLengthError('Decode error - repeated field "methods" had too many elements')
              }

              if (obj.methods.length === 64) {
                throw new MaxLengthError('Decode error - repeated field "methods" had too many elements')
              }

              obj.methods.push(PaymentMethod.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.methods$
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
          methods: 64
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.freeQuota`,
                value: reader.uint64Number()
              }
              break
            }
            case 2: {
              if (opts.limits?.methods != null && obj.methods === opts.limits.methods) {
                throw new MaxLengthError('Streaming decode error - repeated field "methods" had too many elements')
              }

              if (obj.methods === 64) {
                throw new MaxLengthError('Streaming decode error - repeated field "methods" had too many elements')
              }

              for (const evt of PaymentMethod.codec().stream(reader, reader.uint32(), `${prefix}.methods[]`, {
                limits: opts.limits?.methods$
              })) {
                yield {
                  ...evt,
                  index: obj.methods
                }
              }

              obj.methods++

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

  export interface TermsResponseFreeQuotaFieldEvent {
    field: '$.freeQuota'
    value: number
  }

  export interface TermsResponseMethodsNameFieldEvent {
    field: '$.methods[].name'
    value: string
    index: number
  }

  export interface TermsResponseMethodsUrlFieldEvent {
    field: '$.methods[].url'
    value: string
    index: number
  }

  export interface TermsResponseMethodsExplanationFieldEvent {
    field: '$.methods[].explanation'
    value: string
    index: number
  }

  export function encode (obj: Partial<TermsResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, TermsResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TermsResponse>): TermsResponse {
    return decodeMessage(buf, TermsResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TermsResponse>): Generator<TermsResponseFreeQuotaFieldEvent | TermsResponseMethodsNameFieldEvent | TermsResponseMethodsUrlFieldEvent | TermsResponseMethodsExplanationFieldEvent> {
    return streamMessage(buf, TermsResponse.codec(), opts)
  }
}

export interface UsageResponse {
  account: string
  bytes: number
  shares: number
  leases: number
  quota: number
  reserved: number
}

export namespace UsageResponse {
  let _codec: Codec<UsageResponse>

  export const codec = (): Codec<UsageResponse> => {
    if (_codec == null) {
      _codec = message<UsageResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.account != null && obj.account !== '')) {
          w.uint32(10)
          w.string(obj.account)
        }

        if ((obj.bytes != null && obj.bytes !== 0)) {
          w.uint32(16)
          w.uint64Number(obj.bytes)
        }

        if ((obj.shares != null && obj.shares !== 0)) {
          w.uint32(24)
          w.uint64Number(obj.shares)
        }

        if ((obj.leases != null && obj.leases !== 0)) {
          w.uint32(32)
          w.uint64Number(obj.leases)
        }

        if ((obj.quota != null && obj.quota !== 0)) {
          w.uint32(40)
          w.uint64Number(obj.quota)
        }

        if ((obj.reserved != null && obj.reserved !== 0)) {
          w.uint32(48)
          w.uint64Number(obj.reserved)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          account: '',
          bytes: 0,
          shares: 0,
          leases: 0,
          quota: 0,
          reserved: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.account = reader.string()
              break
            }
            case 2: {
              obj.bytes = reader.uint64Number()
              break
            }
            case 3: {
              obj.shares = reader.uint64Number()
              break
            }
            case 4: {
              obj.leases = reader.uint64Number()
              break
            }
            case 5: {
              obj.quota = reader.uint64Number()
              break
            }
            case 6: {
              obj.reserved = reader.uint64Number()
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
                field: `${prefix}.account`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.bytes`,
                value: reader.uint64Number()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.shares`,
                value: reader.uint64Number()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.leases`,
                value: reader.uint64Number()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.quota`,
                value: reader.uint64Number()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.reserved`,
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

  export interface UsageResponseAccountFieldEvent {
    field: '$.account'
    value: string
  }

  export interface UsageResponseBytesFieldEvent {
    field: '$.bytes'
    value: number
  }

  export interface UsageResponseSharesFieldEvent {
    field: '$.shares'
    value: number
  }

  export interface UsageResponseLeasesFieldEvent {
    field: '$.leases'
    value: number
  }

  export interface UsageResponseQuotaFieldEvent {
    field: '$.quota'
    value: number
  }

  export interface UsageResponseReservedFieldEvent {
    field: '$.reserved'
    value: number
  }

  export function encode (obj: Partial<UsageResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, UsageResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<UsageResponse>): UsageResponse {
    return decodeMessage(buf, UsageResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<UsageResponse>): Generator<UsageResponseAccountFieldEvent | UsageResponseBytesFieldEvent | UsageResponseSharesFieldEvent | UsageResponseLeasesFieldEvent | UsageResponseQuotaFieldEvent | UsageResponseReservedFieldEvent> {
    return streamMessage(buf, UsageResponse.codec(), opts)
  }
}

export interface RedeemResponse {
  quota: number
}

export namespace RedeemResponse {
  let _codec: Codec<RedeemResponse>

  export const codec = (): Codec<RedeemResponse> => {
    if (_codec == null) {
      _codec = message<RedeemResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.quota != null && obj.quota !== 0)) {
          w.uint32(8)
          w.uint64Number(obj.quota)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          quota: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.quota = reader.uint64Number()
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
                field: `${prefix}.quota`,
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

  export interface RedeemResponseQuotaFieldEvent {
    field: '$.quota'
    value: number
  }

  export function encode (obj: Partial<RedeemResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, RedeemResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RedeemResponse>): RedeemResponse {
    return decodeMessage(buf, RedeemResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RedeemResponse>): Generator<RedeemResponseQuotaFieldEvent> {
    return streamMessage(buf, RedeemResponse.codec(), opts)
  }
}

export interface AccountErrorReply {
  code: string
  message: string
}

export namespace AccountErrorReply {
  let _codec: Codec<AccountErrorReply>

  export const codec = (): Codec<AccountErrorReply> => {
    if (_codec == null) {
      _codec = message<AccountErrorReply>((obj, w, opts = {}) => {
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

  export interface AccountErrorReplyCodeFieldEvent {
    field: '$.code'
    value: string
  }

  export interface AccountErrorReplyMessageFieldEvent {
    field: '$.message'
    value: string
  }

  export function encode (obj: Partial<AccountErrorReply>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, AccountErrorReply.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AccountErrorReply>): AccountErrorReply {
    return decodeMessage(buf, AccountErrorReply.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AccountErrorReply>): Generator<AccountErrorReplyCodeFieldEvent | AccountErrorReplyMessageFieldEvent> {
    return streamMessage(buf, AccountErrorReply.codec(), opts)
  }
}

export interface AccountResponse {
  error?: AccountErrorReply
  terms?: TermsResponse
  usage?: UsageResponse
  redeem?: RedeemResponse
}

export namespace AccountResponse {
  let _codec: Codec<AccountResponse>

  export const codec = (): Codec<AccountResponse> => {
    if (_codec == null) {
      _codec = message<AccountResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        obj = { ...obj }

        if (obj.redeem != null) {
          obj.usage = undefined
          obj.terms = undefined
          obj.error = undefined
        }

        if (obj.usage != null) {
          obj.redeem = undefined
          obj.terms = undefined
          obj.error = undefined
        }

        if (obj.terms != null) {
          obj.redeem = undefined
          obj.usage = undefined
          obj.error = undefined
        }

        if (obj.error != null) {
          obj.redeem = undefined
          obj.usage = undefined
          obj.terms = undefined
        }

        if (obj.error != null) {
          w.uint32(10)
          AccountErrorReply.codec().encode(obj.error, w)
        }

        if (obj.terms != null) {
          w.uint32(18)
          TermsResponse.codec().encode(obj.terms, w)
        }

        if (obj.usage != null) {
          w.uint32(26)
          UsageResponse.codec().encode(obj.usage, w)
        }

        if (obj.redeem != null) {
          w.uint32(34)
          RedeemResponse.codec().encode(obj.redeem, w)
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
              obj.error = AccountErrorReply.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.error
              })
              break
            }
            case 2: {
              obj.terms = TermsResponse.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.terms
              })
              break
            }
            case 3: {
              obj.usage = UsageResponse.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.usage
              })
              break
            }
            case 4: {
              obj.redeem = RedeemResponse.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.redeem
              })
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        if (obj.redeem != null) {
          delete obj.usage
          delete obj.terms
          delete obj.error
        }

        if (obj.usage != null) {
          delete obj.redeem
          delete obj.terms
          delete obj.error
        }

        if (obj.terms != null) {
          delete obj.redeem
          delete obj.usage
          delete obj.error
        }

        if (obj.error != null) {
          delete obj.redeem
          delete obj.usage
          delete obj.terms
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield * AccountErrorReply.codec().stream(reader, reader.uint32(), `${prefix}.error`, {
                limits: opts.limits?.error
              })

              break
            }
            case 2: {
              yield * TermsResponse.codec().stream(reader, reader.uint32(), `${prefix}.terms`, {
                limits: opts.limits?.terms
              })

              break
            }
            case 3: {
              yield * UsageResponse.codec().stream(reader, reader.uint32(), `${prefix}.usage`, {
                limits: opts.limits?.usage
              })

              break
            }
            case 4: {
              yield * RedeemResponse.codec().stream(reader, reader.uint32(), `${prefix}.redeem`, {
                limits: opts.limits?.redeem
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

  export interface AccountResponseErrorCodeFieldEvent {
    field: '$.error.code'
    value: string
  }

  export interface AccountResponseErrorMessageFieldEvent {
    field: '$.error.message'
    value: string
  }

  export interface AccountResponseTermsFreeQuotaFieldEvent {
    field: '$.terms.freeQuota'
    value: number
  }

  export interface AccountResponseTermsMethodsNameFieldEvent {
    field: '$.terms.methods[].name'
    value: string
    index: number
  }

  export interface AccountResponseTermsMethodsUrlFieldEvent {
    field: '$.terms.methods[].url'
    value: string
    index: number
  }

  export interface AccountResponseTermsMethodsExplanationFieldEvent {
    field: '$.terms.methods[].explanation'
    value: string
    index: number
  }

  export interface AccountResponseUsageAccountFieldEvent {
    field: '$.usage.account'
    value: string
  }

  export interface AccountResponseUsageBytesFieldEvent {
    field: '$.usage.bytes'
    value: number
  }

  export interface AccountResponseUsageSharesFieldEvent {
    field: '$.usage.shares'
    value: number
  }

  export interface AccountResponseUsageLeasesFieldEvent {
    field: '$.usage.leases'
    value: number
  }

  export interface AccountResponseUsageQuotaFieldEvent {
    field: '$.usage.quota'
    value: number
  }

  export interface AccountResponseUsageReservedFieldEvent {
    field: '$.usage.reserved'
    value: number
  }

  export interface AccountResponseRedeemQuotaFieldEvent {
    field: '$.redeem.quota'
    value: number
  }

  export function encode (obj: Partial<AccountResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, AccountResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AccountResponse>): AccountResponse {
    return decodeMessage(buf, AccountResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AccountResponse>): Generator<AccountResponseErrorCodeFieldEvent | AccountResponseErrorMessageFieldEvent | AccountResponseTermsFreeQuotaFieldEvent | AccountResponseTermsMethodsNameFieldEvent | AccountResponseTermsMethodsUrlFieldEvent | AccountResponseTermsMethodsExplanationFieldEvent | AccountResponseUsageAccountFieldEvent | AccountResponseUsageBytesFieldEvent | AccountResponseUsageSharesFieldEvent | AccountResponseUsageLeasesFieldEvent | AccountResponseUsageQuotaFieldEvent | AccountResponseUsageReservedFieldEvent | AccountResponseRedeemQuotaFieldEvent> {
    return streamMessage(buf, AccountResponse.codec(), opts)
  }
}
