/**
 * A DHT-only node for the parts of a big bench network that only route: the
 * same transports, muxer, encryption and kad-dht service (same protocol,
 * server mode, loopback addresses kept, roster IPNS checks) as a full node
 * built by src/node/libp2p.ts, but with an in-memory datastore and no storage,
 * clubs, leases or client. A profile of 60 full nodes in one process spent a
 * tenth of its time in LevelDB for the peer store alone; 85 of those on one
 * event loop starve the nodes being measured.
 */
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { bootstrap } from '@libp2p/bootstrap'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { identify } from '@libp2p/identify'
import { ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { MemoryDatastore } from 'datastore-core'
import { createLibp2p } from 'libp2p'
import { rosterIpnsCheck } from '../../src/club/index.js'
import { createDhtService } from '../../src/dht/index.js'
import type { LafsLibp2p } from '../../src/node/index.js'

export interface LightNode {
  libp2p: LafsLibp2p
  stop: () => Promise<void>
}

export async function createLightDhtNode (opts: { protocol: string, listen: string[], bootstrap: string[] }): Promise<LightNode> {
  const libp2p = await createLibp2p({
    privateKey: await generateKeyPair('Ed25519'),
    datastore: new MemoryDatastore(),
    addresses: { listen: opts.listen },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionManager: { maxConnections: 1000, allow: ['/ip4/127.0.0.0/ipcidr/8'] },
    // see quietConnectionMonitor in locate-network.ts
    connectionMonitor: { enabled: false },
    peerDiscovery: opts.bootstrap.length > 0 ? [bootstrap({ list: opts.bootstrap })] : [],
    services: {
      identify: identify(),
      ping: ping(),
      dht: createDhtService({ protocol: opts.protocol, clientMode: false, addressScope: 'all', ipnsChecks: [rosterIpnsCheck] })
    }
  }) as unknown as LafsLibp2p
  return { libp2p, stop: async () => { await libp2p.stop() } }
}
