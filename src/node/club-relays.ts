/**
 * A home server registers with its clubs' relays. The relay transport, when
 * the node listens on `/p2p-circuit`, takes a reservation with whichever
 * connected peer speaks the hop protocol first: often a bootstrap peer or a
 * public relay that grants only the default 128 KiB / 2 min, too little for
 * shares. The servers of this node's clubs that relay grant members
 * unlimited circuits (relay.unlimitedFor), and the roster keeper keeps them
 * connected; so on every pass this asks one of them for a reservation when
 * the node holds none with a club server yet. Its relayed address is then
 * the one `addressesToAdvertise` gives out.
 */
import { peerIdFromString } from '@libp2p/peer-id'
import type { LafsLibp2p } from './libp2p.js'

const HOP_PROTOCOL = '/libp2p/circuit/relay/0.2.0/hop'

export interface ClubRelays {
  /** One pass now: returns the club relay asked (undefined when none was needed or available). */
  runNow: () => Promise<string | undefined>
  stop: () => void
}

export interface ClubRelayOptions {
  /** Whether a peer is a server on a roster of this node's clubs. */
  isRosterServer: (peerId: string) => boolean
  /** Time between passes (default 30 s, the roster keeper's). */
  intervalMs?: number
}

export function registerWithClubRelays (libp2p: LafsLibp2p, options: ClubRelayOptions): ClubRelays {
  const log = libp2p.logger.forComponent('lafs-club:node:club-relays')
  const reachability = libp2p.services.reachability
  let stopped = false
  let running: Promise<string | undefined> | undefined

  const pass = async (): Promise<string | undefined> => {
    if (stopped) return undefined
    const current = reachability.reachability().relays
    if (current.some(r => options.isRosterServer(r))) return undefined
    const candidates = [...new Set(libp2p.getConnections()
      .filter(c => c.limits == null && !c.remoteAddr.toString().includes('/p2p-circuit'))
      .map(c => c.remotePeer.toString()))]
      .filter(id => options.isRosterServer(id) && !reachability.preferredRelays.has(id))
    for (const id of candidates) {
      let speaksHop = false
      try {
        speaksHop = (await libp2p.peerStore.get(peerIdFromString(id))).protocols.includes(HOP_PROTOCOL)
      } catch {
        continue
      }
      if (!speaksHop || stopped) continue
      try {
        await reachability.reserveOn(id)
        log('reservation on club relay %s', id)
        return id
      } catch (err) {
        log('club relay %s refused a reservation - %e', id, err)
      }
    }
    return undefined
  }

  const runNow = async (): Promise<string | undefined> => {
    running ??= pass().finally(() => { running = undefined })
    return await running
  }
  const passSoon = (): void => { runNow().catch((err: unknown) => { log.error('club relay pass failed - %e', err) }) }
  // a club server that relays is usually met (and identified) when the roster keeper dials it
  const onIdentify = (evt: CustomEvent<{ peerId: { toString: () => string }, protocols: string[] }>): void => {
    if (evt.detail.protocols.includes(HOP_PROTOCOL) && options.isRosterServer(evt.detail.peerId.toString())) passSoon()
  }
  libp2p.addEventListener('peer:identify', onIdentify)
  const timer = setInterval(passSoon, options.intervalMs ?? 30_000)
  timer.unref()
  return {
    runNow,
    stop: () => {
      stopped = true
      clearInterval(timer)
      libp2p.removeEventListener('peer:identify', onIdentify)
    }
  }
}
