/** Every storage error carries a stable `code`; protocol handlers map codes to wire errors. */
export class StorageError extends Error {
  readonly code: string
  constructor (code: string, message: string) {
    super(message)
    this.code = code
    this.name = new.target.name
  }
}

export class QuotaExceededError extends StorageError {
  static readonly code = 'ERR_QUOTA_EXCEEDED'
  constructor (message: string) { super(QuotaExceededError.code, message) }
}

export class CapacityExceededError extends StorageError {
  static readonly code = 'ERR_CAPACITY_EXCEEDED'
  constructor (message: string) { super(CapacityExceededError.code, message) }
}

export class ShareTooLargeError extends StorageError {
  static readonly code = 'ERR_SHARE_TOO_LARGE'
  constructor (message: string) { super(ShareTooLargeError.code, message) }
}

/** The upload exists but was allocated by another account. */
export class NotAllocatedError extends StorageError {
  static readonly code = 'ERR_NOT_YOURS'
  constructor (message: string) { super(NotAllocatedError.code, message) }
}

/** No upload in progress for this storage index and share number. */
export class NoSuchUploadError extends StorageError {
  static readonly code = 'ERR_NO_SUCH_UPLOAD'
  constructor (message: string) { super(NoSuchUploadError.code, message) }
}

export class OutOfRangeError extends StorageError {
  static readonly code = 'ERR_OUT_OF_RANGE'
  constructor (message: string) { super(OutOfRangeError.code, message) }
}

export class ConflictError extends StorageError {
  static readonly code = 'ERR_CONFLICT'
  constructor (message: string) { super(ConflictError.code, message) }
}

export class IncompleteShareError extends StorageError {
  static readonly code = 'ERR_INCOMPLETE_SHARE'
  constructor (message: string) { super(IncompleteShareError.code, message) }
}

export class AlreadyCompleteError extends StorageError {
  static readonly code = 'ERR_ALREADY_COMPLETE'
  constructor (message: string) { super(AlreadyCompleteError.code, message) }
}

export class NoSuchShareError extends StorageError {
  static readonly code = 'ERR_NO_SUCH_SHARE'
  constructor (message: string) { super(NoSuchShareError.code, message) }
}

export class InvalidArgumentError extends StorageError {
  static readonly code = 'ERR_INVALID_ARGUMENT'
  constructor (message: string) { super(InvalidArgumentError.code, message) }
}

export class InvitationUnknownError extends StorageError {
  static readonly code = 'ERR_INVITATION_UNKNOWN'
  constructor (message: string) { super(InvitationUnknownError.code, message) }
}

export class InvitationUsedError extends StorageError {
  static readonly code = 'ERR_INVITATION_USED'
  constructor (message: string) { super(InvitationUsedError.code, message) }
}

export class ServerClosedError extends StorageError {
  static readonly code = 'ERR_SERVER_CLOSED'
  constructor (message = 'the storage server has been closed') { super(ServerClosedError.code, message) }
}

/** The database was written by a newer lafs-club (its schema version is unknown here). */
export class DatabaseTooNewError extends StorageError {
  static readonly code = 'ERR_DATABASE_TOO_NEW'
  constructor (message: string) { super(DatabaseTooNewError.code, message) }
}

/** An upload limit was hit: uploads in progress for this account, or on the whole server. The message names the limit. */
export class TooManyUploadsError extends StorageError {
  static readonly code = 'ERR_TOO_MANY_UPLOADS'
  constructor (message: string) { super(TooManyUploadsError.code, message) }
}

/** The account holds (or is uploading) as many shares or storage indexes as this server allows it. */
export class TooManySharesError extends StorageError {
  static readonly code = 'ERR_TOO_MANY_SHARES'
  constructor (message: string) { super(TooManySharesError.code, message) }
}

/** Free (anonymous) accounts together use the budget the operator set aside for them. */
export class FreeBudgetExceededError extends StorageError {
  static readonly code = 'ERR_FREE_BUDGET_EXCEEDED'
  constructor (message: string) { super(FreeBudgetExceededError.code, message) }
}

/** Too many requests of one kind from one account in a short time. */
export class RateLimitedError extends StorageError {
  static readonly code = 'ERR_RATE_LIMITED'
  constructor (message: string) { super(RateLimitedError.code, message) }
}

/** The reporter has as many standing corruption advisories as this server keeps per reporter. */
export class TooManyReportsError extends StorageError {
  static readonly code = 'ERR_TOO_MANY_REPORTS'
  constructor (message: string) { super(TooManyReportsError.code, message) }
}

/**
 * A read-test-write on a mutable slot whose shares hold another write
 * enabler. `recordedBy` is the 20-byte server id stored with it (Tahoe's
 * "recorded by nodeid"), so a client can tell a migrated share.
 */
export class BadWriteEnablerError extends StorageError {
  static readonly code = 'ERR_BAD_WRITE_ENABLER'
  readonly recordedBy: Uint8Array
  constructor (message: string, recordedBy: Uint8Array) {
    super(BadWriteEnablerError.code, message)
    this.recordedBy = recordedBy
  }
}

/** A file in the mutable-slot tree that is not a mutable container this server can read. */
export class BadMutableContainerError extends StorageError {
  static readonly code = 'ERR_BAD_MUTABLE_CONTAINER'
  constructor (message: string) { super(BadMutableContainerError.code, message) }
}

/**
 * A mutable-slot call over one of the documented limits (vectors per call,
 * bytes per call, bytes an answer may carry). Nothing was written.
 */
export class LimitExceededError extends StorageError {
  static readonly code = 'ERR_LIMIT_EXCEEDED'
  constructor (message: string) { super(LimitExceededError.code, message) }
}
