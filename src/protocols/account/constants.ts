export const ACCOUNT_PROTOCOL = '/lafs-club/account/1.0.0'
export const MAX_ACCOUNT_REQUEST_FRAME = 4096
export const MAX_ACCOUNT_RESPONSE_FRAME = 256 * 1024
/** Invitation codes are short human-typed strings. */
export const MAX_INVITATION_CODE_LENGTH = 256
export const DEFAULT_ACCOUNT_TIMEOUT_MS = 10_000
export const MAX_INBOUND_STREAMS = 8
