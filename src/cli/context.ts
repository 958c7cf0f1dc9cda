/** What every command shares: the data folder, the output, option parsing and the daemon. */
import { homedir } from 'node:os'
import { resolve } from 'node:path'
import { parseSize, type ConfigInput } from '../node/index.js'
import { requireDaemon, type DaemonClient } from './daemon-client.js'
import { UsageError } from './errors.js'
import { createOutput, type Output } from './output.js'
import type { Command } from 'commander'

interface GlobalOptions { data?: string, json?: boolean }

export interface CommandContext {
  dataDir: string
  out: Output
  /** The folder was named with --data (so hints repeat it). */
  dataGiven: boolean
  daemon: () => Promise<DaemonClient>
}

export function defaultDataDir (): string {
  const env = process.env.LAFS_CLUB_DATA
  return env !== undefined && env !== '' ? resolve(env) : resolve(homedir(), '.lafs-club')
}

export function contextOf (cmd: Command): CommandContext {
  const globals = cmd.optsWithGlobals<GlobalOptions>()
  const dataDir = globals.data !== undefined ? resolve(globals.data) : defaultDataDir()
  return { dataDir, out: createOutput(globals.json === true), dataGiven: globals.data !== undefined, daemon: async () => await requireDaemon(dataDir) }
}

/** For repeatable options. */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value]

export function sizeArg (value: string): number {
  const n = parseSize(value)
  if (n === undefined) throw new UsageError(`"${value}" is not a size (e.g. 5GB, 500MiB, 1000000)`)
  return n
}

export function query (params: Record<string, string | boolean | string[] | undefined>): string {
  const q = new URLSearchParams()
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === false) continue
    if (Array.isArray(v)) for (const x of v) q.append(k, x)
    else q.set(k, v === true ? 'true' : v)
  }
  const s = q.toString()
  return s === '' ? '' : `?${s}`
}

/** Options that shape a new data folder: `init` takes them, and `start` when it creates the folder. */
export function addInitOptions (cmd: Command): Command {
  return cmd
    .option('--no-storage', 'do not run a storage server (a client-only node)')
    .option('--capacity <size>', 'most bytes of shares to keep, e.g. 50GB')
    .option('--listen <multiaddr>', 'listen address (repeatable; default TCP 4001 and WebSockets 4002)', collect)
    .option('--bootstrap <multiaddr>', 'bootstrap peer with /p2p/ (repeatable; replaces the public IPFS peers)', collect)
    .option('--no-bootstrap', 'start with no bootstrap peers')
    .option('--dht-protocol <id>', 'Kademlia protocol id, for a private DHT')
    .option('--gateway-port <port>', 'HTTP gateway port (default 3456; 0 = any free port)')
    .option('--gateway-host <host>', 'HTTP gateway interface (default 127.0.0.1)')
    .option('--tor-launch', 'use Tor: launch our own tor, with its files under private/tor/ (stopped with the node)')
    .option('--tor-control-port <endpoint>', 'use Tor: the running tor at this control port (unix:/run/tor/control, 127.0.0.1:9051 or 9051)')
    .option('--tor-executable <path>', 'the tor binary --tor-launch runs (default: tor from PATH)')
    .option('--tor-config <line>', 'a torrc line for the launched tor (repeatable), e.g. "TestingTorNetwork 1"', collect)
    .option('--listen-onion', 'publish an onion service and listen on it (/onion3/…:4001); needs --tor-launch or --tor-control-port')
    .option('--hide-ip', 'never reveal this node\'s IP address: every connection through Tor, no listening except on the onion service (as Tahoe\'s --hide-ip)')
}

export interface InitFlags {
  storage?: boolean
  capacity?: string
  listen?: string[]
  bootstrap?: string[] | boolean
  dhtProtocol?: string
  gatewayPort?: string
  gatewayHost?: string
  torLaunch?: boolean
  torControlPort?: string
  torExecutable?: string
  torConfig?: string[]
  listenOnion?: boolean
  hideIp?: boolean
}

export function configFromInitFlags (o: InitFlags): ConfigInput {
  const config: ConfigInput = {}
  if (o.storage === false) config.storage = { enabled: false }
  if (o.capacity !== undefined) config.storage = { ...config.storage, capacity: sizeArg(o.capacity) }
  if (o.listen !== undefined) config.listen = o.listen
  if (o.bootstrap === false) config.bootstrap = []
  else if (Array.isArray(o.bootstrap)) config.bootstrap = o.bootstrap
  if (o.dhtProtocol !== undefined) config.dht = { protocol: o.dhtProtocol }
  if (o.gatewayPort !== undefined || o.gatewayHost !== undefined) {
    const port = o.gatewayPort !== undefined ? Number(o.gatewayPort) : undefined
    if (port !== undefined && !Number.isInteger(port)) throw new UsageError(`--gateway-port must be a port number, got "${o.gatewayPort}"`)
    config.gateway = { ...(port !== undefined ? { port } : {}), ...(o.gatewayHost !== undefined ? { host: o.gatewayHost } : {}) }
  }
  const tor: NonNullable<ConfigInput['tor']> = {}
  if (o.torLaunch === true) tor.launch = true
  if (o.torControlPort !== undefined) tor.controlPort = o.torControlPort
  if (o.torExecutable !== undefined) tor.executable = o.torExecutable
  if (o.torConfig !== undefined) tor.extraConfig = o.torConfig
  if (o.listenOnion === true) tor.listenOnion = true
  if (o.hideIp === true) {
    tor.hideIp = true
    // no direct listening: peers reach a Tor-only node on its onion service (--listen-onion) or not at all
    if (o.listen === undefined) config.listen = []
  }
  if (Object.keys(tor).length > 0) config.tor = tor
  return config
}
