/**
 * The club of issue #18 on the private Tor network, for the end-to-end spec
 * and the benchmark: a TCP storage server on loopback (the bootstrap peer and
 * club owner, with its own launched tor to reach onion servers), two storage
 * servers listening only on onion addresses (`--tor-launch --listen-onion
 * --hide-ip`), and Tor-only clients attached to a lab tor that runs as the tor
 * user (`--tor-control-port … --hide-ip --no-storage`).
 */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { SystemUser } from './firewall.js'
import { type LafsNode, chownTree, cli, lafsNode, patchConfig, startLafs, statusOf } from './lafs.js'
import type { TorNetwork } from './network.js'
import type { TorNode } from './nodes.js'
import { freePort } from './procs.js'
import { retryUntil } from './wait.js'

export const DHT = '/lafs-club-torlab/kad/1.0.0'
/** 2-of-3 on the three servers: every upload uses the TCP server and both onion servers */
export const ENCODING = { k: 2, happy: 3, n: 3 }
/** a first contact with an onion service took ~25 s on this machine kind; circuits are rebuilt on failure */
export const TOR_DEADLINE_MS = 240_000

/**
 * The lab's ordinary servers are on loopback: a DHT that drops private and
 * loopback addresses (the public DHT's rule, which a node with no listen
 * address may pick) would leave them out of every routing table.
 */
const LAB_DHT = { dht: { lan: true } }

export interface ClubServers { tcp: LafsNode, dht: LafsNode, onions: LafsNode[], bootstrap: string, clubId: string }

function torConfigArgs (net: TorNetwork): string[] {
  return net.joinLines().flatMap(l => ['--tor-config', l])
}

/** Waits until the node's tor reports 100 % (it starts without waiting for it). */
export async function torBootstrapped (n: LafsNode, timeoutMs = 180_000): Promise<void> {
  await retryUntil(async () => {
    const st = await statusOf(n)
    if (st.tor?.bootstrap?.progress !== 100) throw new Error(`${n.name}: tor at ${st.tor?.bootstrap?.progress}% (${st.tor?.bootstrap?.summary})`)
  }, timeoutMs, `${n.name}'s tor to bootstrap`, 1000)
}

/** A plain TCP server on loopback (no Tor), for the TCP baseline of the benchmark. */
export async function tcpServer (base: string, name: string, bootstrap?: string, extra: string[] = []): Promise<LafsNode> {
  const n = lafsNode(base, name)
  const port = await freePort()
  await cli(n, ['init', '--listen', `/ip4/127.0.0.1/tcp/${port}`, '--gateway-port', '0', '--dht-protocol', DHT,
    ...(bootstrap === undefined ? ['--no-bootstrap'] : ['--bootstrap', bootstrap]), ...extra])
  await patchConfig(n, { dht: { lan: true, clientMode: 'server' }, nat: { upnp: false } })
  return n
}

/**
 * The TCP server, the two onion servers, started; an open club they all serve.
 * Every node is pushed to `started` as soon as it runs, so the caller stops it
 * whatever fails later.
 *
 * A Tor-only node runs the DHT as a client only, so the TCP server would be
 * the DHT's one server and could publish no record (a put needs another DHT
 * server). A second ordinary node without storage (`dht1`) is that peer.
 */
export async function startClubServers (net: TorNetwork, base: string, log: (l: string) => void, started: LafsNode[]): Promise<ClubServers> {
  // its own tor, launched by the node: an ordinary node that can also dial the onion servers
  const tcp = await tcpServer(base, 'tcp1', undefined, ['--tor-launch', ...torConfigArgs(net)])
  started.push(tcp)
  const info = await startLafs(tcp)
  const bootstrap = info.multiaddrs.find(a => a.startsWith('/ip4/127.0.0.1/tcp/')) ?? info.multiaddrs[0]
  log(`tcp1 listens on ${bootstrap}`)
  const dht = await tcpServer(base, 'dht1', bootstrap, ['--no-storage'])
  started.push(dht)
  await startLafs(dht)
  const onions = await Promise.all(['onion1', 'onion2'].map(async name => {
    const n = lafsNode(base, name)
    started.push(n)
    await cli(n, ['init', '--tor-launch', ...torConfigArgs(net), '--listen-onion', '--hide-ip', '--bootstrap', bootstrap,
      '--gateway-port', '0', '--dht-protocol', DHT])
    await patchConfig(n, LAB_DHT)
    const t0 = Date.now()
    const i = await startLafs(n)
    log(`${name} started in ${Date.now() - t0} ms: ${i.multiaddrs.join(' ')}`)
    return n
  }))
  await Promise.all([tcp, ...onions].map(async n => { await torBootstrapped(n) }))
  // the owner lists its own storage server in the first roster
  const club = await cli(tcp, ['club', 'create', 'torlab', '--policy', 'open', '--description', 'issue 18', '--server', bootstrap], 60_000)
  const clubId: string = club.clubId
  // A Tor-only node reaches the DHT only once its circuits to the TCP servers are up: the first
  // lookups may run out of time, so a join is retried until the Tor deadline. One at a time, so
  // the log shows which roster sequence listed which server (concurrent joins were not tried).
  for (const n of onions) {
    const r = await retryUntil(async () => await cli(n, ['club', 'join', clubId, '--serve'], 120_000), TOR_DEADLINE_MS, `${n.name} to join the club`, 5000)
    log(`${n.name} joined with --serve: ${JSON.stringify(r.server)}, roster of ${r.servers?.length} servers`)
  }
  await retryUntil(async () => {
    const r = await cli(tcp, ['club', 'show', clubId, '--refresh'], 60_000)
    if ((r.servers?.length ?? 0) < 3) throw new Error(`roster lists ${r.servers?.length ?? 0} servers`)
  }, TOR_DEADLINE_MS, 'the roster to list the 3 servers', 3000)
  return { tcp, dht, onions, bootstrap, clubId }
}

/**
 * A Tor-only client: its tor is a lab client tor (run by the tor user, no
 * control-port authentication so another user's node can attach); the node
 * attaches to it, runs as `user` when given, and knows only `bootstrap`.
 */
export async function torOnlyClient (net: TorNetwork, base: string, name: string, bootstrap: string, user?: SystemUser): Promise<{ node: LafsNode, tor: TorNode, gatewayPort: number }> {
  const tor = await net.startClient(`${name}-tor`, { extra: ['CookieAuthentication 0'] })
  const n = lafsNode(base, name, user)
  const gatewayPort = await freePort()
  await cli(n, ['init', '--tor-control-port', `127.0.0.1:${tor.controlPort ?? 0}`, '--hide-ip', '--no-storage', '--bootstrap', bootstrap,
    '--gateway-port', String(gatewayPort), '--dht-protocol', DHT])
  await patchConfig(n, { client: ENCODING, ...LAB_DHT })
  if (user !== undefined) {
    mkdirSync(n.dir, { recursive: true })
    await chownTree(n.dir, user)
  }
  return { node: n, tor, gatewayPort }
}

/** Waits until the client is connected to `want` storage servers. */
export async function connectedToServers (n: LafsNode, want: number, timeoutMs = TOR_DEADLINE_MS): Promise<void> {
  await retryUntil(async () => {
    const st = await statusOf(n)
    if ((st.storageServersConnected ?? 0) < want) throw new Error(`${n.name}: ${st.storageServersConnected} storage servers connected`)
  }, timeoutMs, `${n.name} to connect to ${want} storage servers`, 2000)
}

export function filePath (base: string, name: string): string {
  return join(base, name)
}
