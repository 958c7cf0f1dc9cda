/** /lafs-club/have/1.0.0: the free, rate-limited "which shares do you hold?" query. */
export { queryHave, queryHaveAnswer, type HaveAnswer, type QueryHaveOptions } from './client.js'
export { queryHaveAcross, type HaveAcrossOptions, type HaveAcrossResult } from './across.js'
export { HaveBatch } from './batch.js'
export { registerHaveProtocol, type HaveProtocolOptions } from './register.js'
export { HAVE_PROTOCOL } from './constants.js'
export { SlowDownError } from './errors.js'
