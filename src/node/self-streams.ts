/**
 * Streams from this node to its own storage server. libp2p refuses to dial
 * self ("Can not dial self"), yet a node that serves a club and uploads to it
 * must be able to keep a share on its own disk, as a Tahoe node with a
 * storage server does. The storage, have-share and account protocols are
 * served in-process instead: the handlers registered through `LocalProtocols`
 * get the other end of an in-memory stream pair, with this node as the remote
 * peer (so the node writes under its own account). The client layers above
 * see an ordinary stream and need no special case.
 */
import { streamPair } from '@libp2p/utils'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { SelfProtocolNotServedError } from './errors.js'
import type { StreamOpener } from '../protocols/index.js'
import type { AbortOptions, Connection, Libp2p, Logger, PeerId, Stream, StreamHandler, StreamHandlerOptions } from '@libp2p/interface'

/** Handlers of the protocols this node serves to itself, recorded as they are registered with libp2p. */
export class LocalProtocols {
  private readonly handlers = new Map<string, StreamHandler>()

  /** What `registerStorageProtocols` gets: registers with libp2p and remembers the handler. */
  registrar (libp2p: Pick<Libp2p, 'handle' | 'unhandle' | 'logger'>): Pick<Libp2p, 'handle' | 'unhandle' | 'logger'> {
    return {
      logger: libp2p.logger,
      handle: async (protocol: string | string[], handler: StreamHandler, options?: StreamHandlerOptions) => {
        await libp2p.handle(protocol, handler, options)
        for (const p of Array.isArray(protocol) ? protocol : [protocol]) this.handlers.set(p, handler)
      },
      unhandle: async (protocol: string | string[], options?: AbortOptions) => {
        for (const p of Array.isArray(protocol) ? protocol : [protocol]) this.handlers.delete(p)
        await libp2p.unhandle(protocol, options)
      }
    }
  }

  get (protocol: string): StreamHandler | undefined {
    return this.handlers.get(protocol)
  }
}

function targetPeer (peer: PeerId | Multiaddr | Multiaddr[]): string | undefined {
  if (Array.isArray(peer)) return peer.length === 1 ? targetPeer(peer[0]) : undefined
  if ('getComponents' in peer) return peer.getComponents().findLast(c => c.name === 'p2p')?.value
  return peer.toString()
}

/** A connection-shaped object for the handlers: they read the remote peer (the account) and the limits. */
function selfConnection (self: PeerId, id: number): Connection {
  return {
    id: `self-${id}`,
    remotePeer: self,
    remoteAddr: multiaddr(`/p2p/${self.toString()}`),
    direction: 'inbound',
    status: 'open',
    limits: undefined,
    streams: [],
    tags: [],
    timeline: { open: Date.now() }
  } as unknown as Connection
}

/**
 * An opener that serves dials to this node's own peer ID in-process and
 * passes every other dial to libp2p.
 */
export function selfAwareOpener (libp2p: Pick<Libp2p, 'dialProtocol' | 'peerId' | 'logger' | 'getConnections' | 'addEventListener' | 'removeEventListener'>, local: LocalProtocols): Required<StreamOpener> {
  const self = libp2p.peerId
  const log: Logger = libp2p.logger.forComponent('lafs-club:node:self-streams')
  let next = 0
  const dialProtocol = (async (peer: PeerId | Multiaddr | Multiaddr[], protocols: string | string[], options?: AbortOptions): Promise<Stream> => {
    if (targetPeer(peer) !== self.toString()) return await libp2p.dialProtocol(peer, protocols, options)
    options?.signal?.throwIfAborted()
    const wanted = Array.isArray(protocols) ? protocols : [protocols]
    const protocol = wanted.find(p => local.get(p) != null)
    const handler = protocol == null ? undefined : local.get(protocol)
    if (protocol == null || handler == null) throw new SelfProtocolNotServedError(wanted.join(', '))
    const [outbound, inbound] = await streamPair({ protocol })
    const connection = selfConnection(self, next++)
    log('serving %s to self on stream %s', protocol, connection.id)
    Promise.resolve(handler(inbound, connection)).catch((err: unknown) => {
      log.error('%s to self failed - %e', protocol, err)
      inbound.abort(err instanceof Error ? err : new Error(String(err)))
    })
    return outbound
  }) as StreamOpener['dialProtocol']
  return {
    dialProtocol,
    logger: libp2p.logger,
    getConnections: libp2p.getConnections.bind(libp2p),
    addEventListener: libp2p.addEventListener.bind(libp2p),
    removeEventListener: libp2p.removeEventListener.bind(libp2p)
  }
}
