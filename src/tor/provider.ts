/**
 * The Tor provider: the one tor a node uses. It either launches its own tor
 * (data under `<dataDir>/private/tor/`, stopped with the node) or attaches
 * to a running tor's control port, and offers what the rest needs: the
 * SOCKS endpoint, the bootstrap state, and onion services whose keys are
 * kept under the tor folder so their addresses survive restarts.
 */
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { logger } from '@libp2p/logger'
import { TorControl, endpointText, type ControlEndpoint } from './control.js'
import { TorBootstrapTimeoutError, TorNotRunningError, TorStartError } from './errors.js'
import { launchTor, type LaunchedTor } from './launch.js'
import { loadOrCreateOnionKey } from './onion-key.js'
import type { BootstrapPhase } from './reply.js'
import type { SocksEndpoint } from './socks.js'

const log = logger('lafs-club:tor:provider')

/** How often the bootstrap state is asked while waiting for it. */
const BOOTSTRAP_POLL_MS = 500

export interface TorProviderOptions {
  /** The node's tor folder, normally `<dataDir>/private/tor`. Onion keys live here in both modes. */
  torDir: string
  /** Launch our own tor (default), or attach to the tor at this control endpoint. */
  attach?: ControlEndpoint
  /** The tor binary when launching. Default `tor` from PATH. */
  executable?: string
  /** Extra torrc lines when launching (e.g. a private network's `TestingTorNetwork 1` and `DirAuthority …`). */
  extraConfig?: readonly string[]
  /** SocksPort of a launched tor: `auto` (default), a port, or `unix:<path>`. */
  socksPort?: 'auto' | number | `unix:${string}`
  /** How long a launched tor may take to open its control port. Default 30 s. */
  startTimeoutMs?: number
}

/** What the status page shows. */
export interface TorStatus {
  mode: 'launched' | 'attached'
  /** The control endpoint, as text. */
  control: string
  /** tor's SOCKS endpoint once known (`127.0.0.1:port` or `unix:path`), else null. */
  socks: string | null
  bootstrap: BootstrapPhase
  /** Onion services published through this provider: `<56 chars>.onion:<virtual port>`. */
  onions: string[]
  /** tor's version. */
  version: string
}

export interface PublishOnionOptions {
  /** The port peers dial (part of the address `/onion3/<addr>:<port>`). */
  virtualPort: number
  /** Where tor forwards connections: our listener on 127.0.0.1. */
  targetPort: number
}

export class TorProvider {
  private readonly onions = new Map<string, number>()
  private socks: SocksEndpoint | undefined
  private stopped = false
  private version = ''

  private constructor (
    readonly control: TorControl,
    private readonly options: TorProviderOptions,
    private readonly launched?: LaunchedTor
  ) {}

  /** Launches or attaches, per the options; resolves once the control port is authenticated (not bootstrapped: see waitForBootstrap). */
  static async start (options: TorProviderOptions): Promise<TorProvider> {
    await mkdir(options.torDir, { recursive: true, mode: 0o700 })
    let provider: TorProvider
    if (options.attach !== undefined) {
      const control = await TorControl.connect(options.attach)
      try {
        await control.authenticate()
      } catch (err) {
        control.close()
        throw err
      }
      provider = new TorProvider(control, options)
    } else {
      const launched = await launchTor({ executable: options.executable, torDir: options.torDir, extraConfig: options.extraConfig, socksPort: options.socksPort, startTimeoutMs: options.startTimeoutMs })
      provider = new TorProvider(launched.control, options, launched)
      // tor exits when our control connection closes, even if this process is killed
      try { await launched.control.takeOwnership() } catch (err) { await provider.stop(); throw err }
    }
    provider.version = (await provider.control.getInfo('version')).version ?? ''
    log('%s tor %s at %s', provider.launched !== undefined ? 'launched' : 'attached to', provider.version, endpointText(provider.control.endpoint))
    return provider
  }

  get mode (): 'launched' | 'attached' { return this.launched !== undefined ? 'launched' : 'attached' }

  /** The last lines a launched tor logged (empty when attached: that tor's log is elsewhere). */
  logTail (): string[] {
    return this.launched?.logTail() ?? []
  }

  /** The process id of a launched tor. */
  get pid (): number | undefined {
    return this.launched?.child.pid
  }

  private alive (what: string): void {
    if (this.stopped) throw new TorNotRunningError(what)
  }

  async bootstrapPhase (): Promise<BootstrapPhase> {
    this.alive('reading the bootstrap state')
    return await this.control.bootstrapPhase()
  }

  /**
   * Resolves when tor reports 100% (it can build circuits). Rejects with
   * TorBootstrapTimeoutError after `timeoutMs`, or TorStartError when a
   * launched tor exits meanwhile.
   */
  async waitForBootstrap (options: { timeoutMs?: number, signal?: AbortSignal } = {}): Promise<void> {
    const timeoutMs = options.timeoutMs ?? 180_000
    const deadline = Date.now() + timeoutMs
    let phase: BootstrapPhase = { progress: 0, tag: 'starting', summary: 'Starting' }
    while (true) {
      options.signal?.throwIfAborted()
      this.alive('waiting for bootstrap')
      try {
        phase = await this.control.bootstrapPhase()
      } catch (err) {
        if (this.launched !== undefined) {
          const code = await Promise.race([this.launched.exited, new Promise<undefined>(resolve => setTimeout(() => { resolve(undefined) }, 200))])
          if (code !== undefined) throw new TorStartError(`it exited with code ${String(code)} while bootstrapping`, code, this.logTail(), err)
        }
        throw err
      }
      if (phase.progress >= 100) return
      if (Date.now() >= deadline) throw new TorBootstrapTimeoutError(timeoutMs, phase.progress, phase.warning ?? phase.summary, this.logTail())
      await new Promise<void>(resolve => {
        const t = setTimeout(done, Math.min(BOOTSTRAP_POLL_MS, Math.max(0, deadline - Date.now())))
        function done (): void { clearTimeout(t); options.signal?.removeEventListener('abort', done); resolve() }
        options.signal?.addEventListener('abort', done, { once: true })
      })
    }
  }

  /**
   * tor's SOCKS endpoint (asked once, then remembered). Throws when tor has
   * none, e.g. while `DisableNetwork 1` or with `SocksPort 0`.
   */
  async socksEndpoint (): Promise<SocksEndpoint> {
    this.alive('dialing through Tor')
    if (this.socks !== undefined) return this.socks
    const v = await this.control.getInfo('net/listeners/socks')
    const first = /"([^"]+)"/.exec(v['net/listeners/socks'] ?? '')?.[1]
    if (first === undefined) throw new TorNotRunningError('tor has no SOCKS port open (DisableNetwork, or SocksPort 0 in its torrc); dialing through Tor')
    const m = /^(.*):(\d+)$/.exec(first)
    this.socks = first.startsWith('unix:') ? { path: first.slice(5) } : { host: (m?.[1] ?? '127.0.0.1').replace(/^\[|\]$/g, ''), port: Number(m?.[2]) }
    return this.socks
  }

  /** Where the key of the onion service on `virtualPort` is kept. */
  onionKeyFile (virtualPort: number): string {
    return join(this.options.torDir, `onion-${virtualPort}.key`)
  }

  /** The onion address (56 characters, no `.onion`) for `virtualPort`, making its key if there is none yet. */
  async onionAddress (virtualPort: number): Promise<string> {
    return (await loadOrCreateOnionKey(this.onionKeyFile(virtualPort))).address
  }

  /**
   * Publishes the onion service for `virtualPort` (key from `onionKeyFile`,
   * made on first use), forwarding to 127.0.0.1:`targetPort`. A launched tor
   * owns the service; an attached tor is asked to drop it when we stop.
   */
  async publishOnion (o: PublishOnionOptions): Promise<string> {
    this.alive('publishing an onion service')
    const key = await loadOrCreateOnionKey(this.onionKeyFile(o.virtualPort))
    const { serviceId } = await this.control.addOnion(key.torKey, [{ virtualPort: o.virtualPort, target: `127.0.0.1:${o.targetPort}` }])
    if (serviceId !== key.address) throw new TorStartError(`tor published ${serviceId}.onion for the key of ${key.address}.onion`, null, this.logTail())
    this.onions.set(serviceId, o.virtualPort)
    log('published %s.onion:%d -> 127.0.0.1:%d', serviceId, o.virtualPort, o.targetPort)
    return serviceId
  }

  async removeOnion (address: string): Promise<void> {
    if (!this.onions.delete(address) || this.stopped) return
    await this.control.delOnion(address)
  }

  async status (): Promise<TorStatus> {
    const bootstrap = this.stopped ? { progress: 0, tag: 'stopped', summary: 'Stopped' } : await this.control.bootstrapPhase()
    const s = this.socks
    return {
      mode: this.mode,
      control: endpointText(this.control.endpoint),
      socks: s === undefined ? null : 'path' in s ? `unix:${s.path}` : `${s.host}:${s.port}`,
      bootstrap,
      onions: [...this.onions].map(([a, p]) => `${a}.onion:${p}`),
      version: this.version
    }
  }

  /** Stops a launched tor (SIGNAL SHUTDOWN, then SIGKILL after `graceMs`); detaches from an attached one. */
  async stop (options: { graceMs?: number } = {}): Promise<void> {
    if (this.stopped) return
    const onions = [...this.onions.keys()]
    if (this.launched === undefined) {
      for (const a of onions) await this.control.delOnion(a).catch(() => {})
      this.stopped = true
      this.control.close()
      return
    }
    this.stopped = true
    const { child, exited } = this.launched
    if (child.exitCode === null && child.signalCode === null) {
      await this.control.signal('SHUTDOWN').catch(() => {})
      const timer = setTimeout(() => { child.kill('SIGKILL') }, options.graceMs ?? 5000)
      await exited
      clearTimeout(timer)
    }
    this.control.close()
    await this.control.closed
    log('tor stopped')
  }
}
