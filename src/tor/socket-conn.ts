/**
 * A net.Socket (a SOCKS stream through tor, or tor's inbound connection to
 * our onion listener) as a libp2p MultiaddrConnection, ready for the
 * upgrader (Noise, Yamux). @libp2p/tcp keeps its own version private, so
 * this is the same small mapping of socket events onto the abstract class.
 */
import { TimeoutError } from '@libp2p/interface'
import { AbstractMultiaddrConnection } from '@libp2p/utils'
import { pEvent } from 'p-event'
import type { Logger, AbortOptions } from '@libp2p/interface'
import type { SendResult } from '@libp2p/utils'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { Socket } from 'node:net'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface SocketConnInit {
  socket: Socket
  remoteAddr: Multiaddr
  direction: 'inbound' | 'outbound'
  log: Logger
  /** Close the socket after this long without traffic. Default 2 minutes, as @libp2p/tcp. */
  inactivityTimeout?: number
}

class SocketConnection extends AbstractMultiaddrConnection {
  private readonly socket: Socket

  constructor (init: SocketConnInit) {
    super({ remoteAddr: init.remoteAddr, direction: init.direction, log: init.log, inactivityTimeout: init.inactivityTimeout })
    const socket = this.socket = init.socket
    socket.on('data', buf => { this.onData(buf) })
    socket.on('error', err => { this.log('socket error %s', err.message); this.abort(err) })
    socket.setTimeout(init.inactivityTimeout ?? 120_000)
    socket.once('timeout', () => { this.abort(new TimeoutError('no traffic on the connection through tor')) })
    // the peer finished sending; with allowHalfOpen false Node ends our side and emits 'close'
    socket.once('end', () => { this.onTransportClosed() })
    socket.once('close', hadError => {
      if (hadError) this.abort(new Error('the connection through tor failed'))
      else this.onTransportClosed()
    })
    socket.on('drain', () => { this.safeDispatchEvent('drain') })
    // the SOCKS client leaves the socket paused, with any early bytes unshifted
    socket.resume()
  }

  sendData (data: Uint8ArrayList): SendResult {
    let sentBytes = 0
    let canSendMore = true
    for (const buf of data) {
      sentBytes += buf.byteLength
      canSendMore = this.socket.write(buf)
      if (!canSendMore) break
    }
    return { sentBytes, canSendMore }
  }

  async sendClose (options?: AbortOptions): Promise<void> {
    if (this.socket.destroyed) return
    this.socket.destroySoon()
    await pEvent(this.socket, 'close', options)
  }

  sendReset (): void {
    this.socket.destroy()
  }

  sendPause (): void {
    this.socket.pause()
  }

  sendResume (): void {
    this.socket.resume()
  }
}

export function socketToConnection (init: SocketConnInit): AbstractMultiaddrConnection {
  return new SocketConnection(init)
}
