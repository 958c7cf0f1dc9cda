/**
 * The node's one Tor provider (config `tor`): started before libp2p, since
 * the onion listen address and the Tor transport need it, and stopped after
 * libp2p. Bootstrapping is waited for in the background: the node starts at
 * once, and an operator is told (with tor's last log lines) if tor never
 * gets there.
 */
import { join } from 'node:path'
import { TorProvider, parseControlEndpoint, type ControlEndpoint } from '../tor/index.js'
import { ConfigError } from './errors.js'
import { torEnabled } from './tor-config.js'
import type { NodeConfig } from './config.js'
import type { NodeLogger } from './log.js'
import type { TorNodeStatus } from './shapes.js'

export interface NodeTor {
  provider: TorProvider
  /** Listen addresses Tor adds: `/onion3/<address>:<port>` with `tor.listenOnion`. */
  listen: string[]
  /** Resolves true once tor reports 100%, false when it did not within `tor.bootstrapTimeoutSeconds` (the node warned). */
  bootstrapped: Promise<boolean>
  status: () => Promise<TorNodeStatus>
  stop: () => Promise<void>
}

/** The tor folder of a data folder: tor's state, control socket, torrc and onion keys. */
export function torDir (privateDir: string): string {
  return join(privateDir, 'tor')
}

/** Starts (or attaches to) the node's tor when config `tor` asks for one; undefined when it does not. */
export async function startNodeTor (config: NodeConfig, privateDir: string, say: NodeLogger): Promise<NodeTor | undefined> {
  if (!torEnabled(config)) return undefined
  const t = config.tor
  let attach: ControlEndpoint | undefined
  if (t.controlPort !== null) {
    attach = parseControlEndpoint(t.controlPort)
    if (attach === undefined) throw new ConfigError('tor.controlPort', `is not a control endpoint: ${t.controlPort}`)
  }
  const provider = await TorProvider.start({ torDir: torDir(privateDir), attach, executable: t.executable, extraConfig: t.extraConfig })
  try {
    const listen = t.listenOnion ? [`/onion3/${await provider.onionAddress(t.onionPort)}:${t.onionPort}`] : []
    const abort = new AbortController()
    let error: string | undefined
    const bootstrapped = provider.waitForBootstrap({ timeoutMs: t.bootstrapTimeoutSeconds * 1000, signal: abort.signal }).then(() => {
      say.info(`tor is bootstrapped${listen.length > 0 ? `; onion address ${listen[0]}` : ''}`)
      return true
    }, (err: unknown) => {
      if (abort.signal.aborted) return false
      error = err instanceof Error ? err.message : String(err)
      say.warn(`${error}\nThe node keeps running; Tor connections work once tor gets through.`)
      return false
    })
    return {
      provider,
      listen,
      bootstrapped,
      status: async () => {
        const s = await provider.status().catch(() => undefined)
        return {
          mode: provider.mode,
          hideIp: t.hideIp,
          control: s?.control ?? '',
          socks: s?.socks ?? null,
          version: s?.version ?? '',
          bootstrap: s?.bootstrap ?? { progress: 0, tag: 'unknown', summary: 'tor does not answer' },
          onionAddrs: listen,
          ...(error !== undefined ? { error } : {})
        }
      },
      stop: async () => {
        abort.abort()
        await bootstrapped
        await provider.stop()
      }
    }
  } catch (err) {
    await provider.stop()
    throw err
  }
}
