/**
 * The Tor provider: launch or attach tor, onion services, and a libp2p
 * transport that dials through tor's SOCKS port. Imports nothing else of ours.
 *
 * Typical use (what src/node does):
 *
 *   const tor = await TorProvider.start({ torDir: '<dataDir>/private/tor', extraConfig: [...] })
 *   const onion = await tor.onionAddress(4001)              // key made once, kept in onion-4001.key
 *   createLibp2p({ addresses: { listen: [`/onion3/${onion}:4001`] },
 *                  transports: [torTransport({ provider: tor, dialAll: true })], ... })
 *   await tor.waitForBootstrap({ timeoutMs: 180_000 })
 *   ...
 *   await libp2p.stop(); await tor.stop()
 */
export { TorProvider } from './provider.js'
export type { TorProviderOptions, TorStatus, PublishOnionOptions } from './provider.js'
export { TorControl, parseControlEndpoint, endpointText } from './control.js'
export type { ControlEndpoint, OnionPort, AddOnionResult } from './control.js'
export { launchTor, torPaths } from './launch.js'
export type { LaunchOptions, LaunchedTor } from './launch.js'
export { socksConnect } from './socks.js'
export type { SocksEndpoint, SocksConnectOptions } from './socks.js'
export { torTransport, torTarget } from './transport.js'
export type { TorTransportInit, TorTransportProvider } from './transport.js'
export { onionKeyFromSeed, loadOrCreateOnionKey, isOnionAddress } from './onion-key.js'
export type { OnionKey } from './onion-key.js'
export { parseBootstrapPhase, parseKeywords, parseGetInfo, ReplyParser } from './reply.js'
export type { BootstrapPhase, Reply, ReplyLine } from './reply.js'
export {
  TorError, TorNotInstalledError, TorStartError, TorBootstrapTimeoutError, TorControlUnreachableError,
  TorControlCommandError, TorControlClosedError, SocksError, TorNotRunningError, OnionKeyError
} from './errors.js'
