/** /lafs-club/account/1.0.0: server terms, the caller's usage, invitation codes. */
export { AccountClient, type ServerTerms, type AccountUsage, type AccountClientOptions } from './client.js'
export { registerAccountProtocol, type AccountProtocolOptions } from './register.js'
export { ACCOUNT_PROTOCOL } from './constants.js'
