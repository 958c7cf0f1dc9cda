/** /lafs-club/helper/1.0.0: upload through a helper that encodes and places the shares of crypttext it is sent once. */
export { helperUploadAttempt, type HelperAttemptOptions, type HelperAttemptResult } from './client.js'
export { registerHelperProtocol, type HelperProtocolOptions } from './register.js'
export { HELPER_PROTOCOL, MAX_HELPER_CHUNK } from './constants.js'
export { HelperBusyError, HelperNotAllowedError, UploadInProgressError, SpoolQuotaError, SpoolFullError, EncodingRefusedError, UploadTooSlowError } from './errors.js'
export type { HelperBackend, HelperCheck, HelperDone, HelperPlacement, HelperUploadSession } from './types.js'
