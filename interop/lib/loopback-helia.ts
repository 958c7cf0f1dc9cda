/**
 * A stock Helia 7 node that never leaves loopback.
 *
 * Helia's `createHelia()` adds, besides libp2p, the HTTP mixin (delegated
 * routing at delegated-ipfs.dev, public trustless gateways) and a libp2p config
 * that bootstraps to public peers and runs mDNS, UPnP, autoNAT and autoTLS.
 * Helia's own building blocks compose the same node without those parts:
 * `createHeliaLight` (blockstore, datastore, keychain, routing), `withLibp2pLight`
 * (our libp2p options, nothing merged in; it registers Helia's libp2p router),
 * and `withBitswap`. The DHT speaks the same protocol as the lafs-club nodes
 * it joins, keeps loopback addresses and serves from the start.
 */
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { kadDHT, passthroughMapper, type KadDHT } from '@libp2p/kad-dht'
import { ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { multiaddr } from '@multiformats/multiaddr'
import { loadHelia } from './load-helia.js'
import type { IPNS } from '@helia/ipns'
import type { HeliaWithLibp2p } from '@helia/libp2p'
import type { Identify } from '@libp2p/identify'
import type { Ping } from '@libp2p/ping'

export interface LoopbackHeliaServices extends Record<string, unknown> {
  identify: Identify
  ping: Ping
  dht: KadDHT
}

export type LoopbackHelia = HeliaWithLibp2p<LoopbackHeliaServices>

export interface LoopbackHeliaOptions {
  /** The kad-dht protocol of the network to join (our tests use a private one). */
  dhtProtocol: string
  /** Loopback multiaddrs (ending in /p2p/<id>) dialled once started. */
  peers?: string[]
  /**
   * Where to listen instead of 127.0.0.1 (the shaped-link bench passes a lab
   * namespace's own address; the namespace keeps it off every real network).
   */
  listen?: string[]
}

export interface StartedHelia {
  helia: LoopbackHelia
  /** Helia's IPNS API; created after start so it can install its validator in the DHT. */
  ipns: IPNS
  peerId: string
  stop: () => Promise<void>
}

export async function startLoopbackHelia (options: LoopbackHeliaOptions): Promise<StartedHelia> {
  const { helia: heliaModule, libp2p: heliaLibp2p, bitswap, ipns: heliaIpns } = await loadHelia()
  const light = heliaModule.createHeliaLight()
  const withNet = heliaLibp2p.withLibp2pLight(light, {
    addresses: { listen: options.listen ?? ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    // every peer is 127.0.0.1: without this the per-host inbound limit drops dials
    connectionManager: { allow: ['/ip4/127.0.0.0/ipcidr/8'] },
    peerDiscovery: [],
    services: {
      identify: identify(),
      ping: ping(),
      dht: kadDHT({
        protocol: options.dhtProtocol,
        clientMode: false,
        peerInfoMapper: passthroughMapper
      })
    }
  })
  const helia = bitswap.withBitswap(withNet) as unknown as LoopbackHelia
  await helia.start()
  try {
    // @helia/ipns looks for a started libp2p among its components to put its
    // own IPNS validator and selector into the DHT service
    const ipns = heliaIpns.ipns(helia)
    for (const addr of options.peers ?? []) await helia.libp2p.dial(multiaddr(addr))
    return { helia, ipns, peerId: helia.libp2p.peerId.toString(), stop: async () => { await helia.stop() } }
  } catch (err) {
    await helia.stop()
    throw err
  }
}
