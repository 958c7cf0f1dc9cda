/** /lafs-club/have/1.0.0: the free, rate-limited "which shares do you hold?" query. */
export { queryHave, type QueryHaveOptions } from './client.js'
export { registerHaveProtocol, type HaveProtocolOptions } from './register.js'
export { HAVE_PROTOCOL, MAX_HAVE_BATCH, DEFAULT_HAVE_RATE_LIMIT } from './constants.js'
export { SlowDownError } from './errors.js'
