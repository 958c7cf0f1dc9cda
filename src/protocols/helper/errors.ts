/**
 * Refusals of an upload helper. Each is answered with its code and ends the
 * stream; the client re-raises it as RemoteStorageError with the same code.
 */
import { ProtocolError } from '../errors.js'

export { SlowDownError, MalformedMessageError, MessageTooLargeError, OutOfOrderError, RemoteStorageError } from '../errors.js'

/** The helper runs as many uploads as it allows; ask again after `retryAfterMs`. */
export class HelperBusyError extends ProtocolError {
  static readonly code = 'ERR_HELPER_BUSY'
  readonly retryAfterMs: number
  constructor (message: string, retryAfterMs: number) {
    super(HelperBusyError.code, message)
    this.retryAfterMs = retryAfterMs
  }
}

/** Another stream is uploading the same storage index right now. */
export class UploadInProgressError extends ProtocolError {
  static readonly code = 'ERR_UPLOAD_IN_PROGRESS'
  readonly retryAfterMs: number
  constructor (message: string, retryAfterMs = 1_000) {
    super(UploadInProgressError.code, message)
    this.retryAfterMs = retryAfterMs
  }
}

/** This helper serves only the clients its operator listed (config `helper.clients`). */
export class HelperNotAllowedError extends ProtocolError {
  static readonly code = 'ERR_HELPER_NOT_ALLOWED'
  constructor (message: string) { super(HelperNotAllowedError.code, message) }
}

/** The file would take the client over its spool quota on this helper. */
export class SpoolQuotaError extends ProtocolError {
  static readonly code = 'ERR_SPOOL_QUOTA'
  constructor (message: string) { super(SpoolQuotaError.code, message) }
}

/** The helper's spool (all clients together) has no room for the file. */
export class SpoolFullError extends ProtocolError {
  static readonly code = 'ERR_SPOOL_FULL'
  constructor (message: string) { super(SpoolFullError.code, message) }
}

/** The encoding asked for would make the helper hold or send more than it allows (N x segment / k, or N/k). */
export class EncodingRefusedError extends ProtocolError {
  static readonly code = 'ERR_ENCODING_REFUSED'
  constructor (message: string) { super(EncodingRefusedError.code, message) }
}

/** An upload sent less than the helper's minimum rate over a window; its slot goes to others, and a new attempt resumes. */
export class UploadTooSlowError extends ProtocolError {
  static readonly code = 'ERR_UPLOAD_TOO_SLOW'
  constructor (message: string) { super(UploadTooSlowError.code, message) }
}
