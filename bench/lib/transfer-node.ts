/**
 * The libp2p stack every side of the transfer bench uses: TCP on 127.0.0.1,
 * a secure channel, Yamux. Loopback is allow-listed so ten servers dialled
 * at once by one client are not cut by the per-host inbound connection limit.
 *
 * The channel is chosen by the dialling side: libp2p's multistream-select
 * takes the dialler's first proposal the listener supports, so servers built
 * with 'both' (as lafs-club nodes are, see src/node/libp2p.ts) serve a Noise
 * client over Noise and a TLS client over TLS, and a client built with one
 * channel puts its raw-stream baseline on that same channel.
 * Yamux is configured as a lafs-club node configures it (src/node/libp2p.ts).
 */
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { tcp } from '@libp2p/tcp'
import { tls } from '@libp2p/tls'
import { createLibp2p } from 'libp2p'
import { YAMUX_OPTIONS } from '../../src/node/libp2p.js'
import type { Libp2p } from '@libp2p/interface'

export type BenchChannel = 'noise' | 'tls'
/** One channel, or what a lafs-club node offers by default (Noise first, then TLS). */
export type BenchChannels = BenchChannel | 'both'

export const BENCH_CHANNELS: readonly BenchChannel[] = ['noise', 'tls']

function encrypters (channels: BenchChannels): Array<ReturnType<typeof noise> | ReturnType<typeof tls>> {
  if (channels === 'noise') return [noise()]
  if (channels === 'tls') return [tls()]
  return [noise(), tls()]
}

export async function createBenchNode (channels: BenchChannels = 'noise'): Promise<Libp2p> {
  return await createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: encrypters(channels),
    // A lafs-club node's stream windows (4 MiB, not yamux's 16): what a peer may push ahead of a busy reader is part of its memory.
    streamMuxers: [yamux(YAMUX_OPTIONS)],
    connectionManager: { allow: ['/ip4/127.0.0.0/ipcidr/8'] }
  })
}
