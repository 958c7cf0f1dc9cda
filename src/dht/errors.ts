/** Errors raised by the DHT layer. Each carries a stable `code` callers can switch on. */
export class DhtError extends Error {
  readonly code: string
  constructor (code: string, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'DhtError'
    this.code = code
  }
}

/** No peer (and not the local store) held a valid record or provider for the key. */
export class NotFoundError extends DhtError {
  constructor (message: string, options?: { cause?: unknown }) {
    super('ERR_DHT_NOT_FOUND', message, options)
    this.name = 'NotFoundError'
  }
}

/**
 * A put reached fewer peers than required. kad-dht itself never throws here: a
 * put that every peer refused looks like success unless the responses are counted.
 */
export class PutRejectedError extends DhtError {
  readonly accepted: number
  readonly rejected: number
  readonly errors: Error[]
  constructor (message: string, accepted: number, rejected: number, errors: Error[]) {
    super('ERR_DHT_PUT_REJECTED', message)
    this.name = 'PutRejectedError'
    this.accepted = accepted
    this.rejected = rejected
    this.errors = errors
  }
}

/** A query was stopped because it sent more RPCs than the caller allowed. */
export class QueryBudgetExceededError extends DhtError {
  readonly rpcs: number
  readonly maxRpcs: number
  constructor (rpcs: number, maxRpcs: number) {
    super('ERR_DHT_BUDGET_EXCEEDED', `DHT query stopped after ${rpcs} RPCs (budget ${maxRpcs}); raise maxRpcs or use a club hint`)
    this.name = 'QueryBudgetExceededError'
    this.rpcs = rpcs
    this.maxRpcs = maxRpcs
  }
}

/** The caller's signal aborted the query (deadline or cancel). */
export class QueryAbortedError extends DhtError {
  constructor (message: string, options?: { cause?: unknown }) {
    super('ERR_DHT_QUERY_ABORTED', message, options)
    this.name = 'QueryAbortedError'
  }
}

/** A record older than the copy this node already holds (a replay). */
export class StaleRecordError extends DhtError {
  constructor (message: string) {
    super('ERR_DHT_STALE_RECORD', message)
    this.name = 'StaleRecordError'
  }
}

export class InvalidStorageIndexError extends DhtError {
  constructor (message: string) {
    super('ERR_DHT_INVALID_STORAGE_INDEX', message)
    this.name = 'InvalidStorageIndexError'
  }
}

/** The DHT object lacks an internal this module relies on (kad-dht changed shape). */
export class UnsupportedDhtError extends DhtError {
  constructor (message: string) {
    super('ERR_DHT_UNSUPPORTED', message)
    this.name = 'UnsupportedDhtError'
  }
}
