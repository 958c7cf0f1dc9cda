/**
 * `lafs-club start`: one node from the data folder with its gateway, until
 * SIGINT/SIGTERM. On first run the data folder is created with the defaults
 * (and the init options given), as `ipfs daemon --init` does. The gateway's
 * URL goes to `<dataDir>/gateway.url` so the other commands find the daemon;
 * it is removed on a clean stop.
 */
import { rm, writeFile } from 'node:fs/promises'
import { startGateway, type Gateway } from '../gateway/index.js'
import {
  AlreadyInitializedError, apiTokenPath, consoleLogger, createNode, dataDirPaths, initDataDir, installProcessHandlers, loadConfigFile, loadOrCreateApiToken, MissingDataDirError,
  type ConfigInput, type LafsNode, type NodeLogger
} from '../node/index.js'
import { CliError, EXIT_FAILED } from './errors.js'
import { gatewayUrlPath } from './daemon-client.js'

export interface Daemon {
  node: LafsNode
  gateway?: Gateway
  /** The data folder did not exist and was created for this run. */
  created: boolean
  stop: () => Promise<void>
}

export interface DaemonOptions {
  logger?: NodeLogger
  /** Settings for a data folder created on first run (ignored when it exists). */
  initConfig?: ConfigInput
}

/** Creates the data folder when it has no config.json yet; true when it did. */
async function ensureInitialized (dataDir: string, config: ConfigInput | undefined): Promise<boolean> {
  try {
    await loadConfigFile(dataDirPaths(dataDir).config, dataDir)
    return false
  } catch (err) {
    if (!(err instanceof MissingDataDirError)) throw err
  }
  try {
    await initDataDir(dataDir, { config })
    return true
  } catch (err) {
    if (err instanceof AlreadyInitializedError) return false
    throw err
  }
}

/** Starts the node and its gateway; the caller decides how long it runs. */
export async function startDaemon (dataDir: string, opts: DaemonOptions = {}): Promise<Daemon> {
  const logger = opts.logger ?? consoleLogger
  const created = await ensureInitialized(dataDir, opts.initConfig)
  const node = await createNode({ dataDir, requireInit: true, logger })
  let gateway: Gateway | undefined
  const { enabled, host, port, inlineActiveContent } = node.config.gateway
  if (enabled) {
    try {
      // Tahoe's api_auth_token: made on the first start when init did not make it (folders from before it existed).
      const apiToken = await loadOrCreateApiToken(dataDir)
      gateway = await startGateway({ node, host, port, apiToken, apiTokenFile: apiTokenPath(dataDir), inlineActiveContent })
    } catch (err) {
      await node.stop()
      if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
        throw new CliError('ERR_GATEWAY_PORT_IN_USE', EXIT_FAILED, `the gateway cannot listen on ${host}:${port}: the port is in use (another lafs-club or Tahoe node?). Stop that program, or set "gateway.port" in ${dataDir}/config.json (0 picks a free port).`, { cause: err })
      }
      throw err
    }
    await writeFile(gatewayUrlPath(dataDir), gateway.url + '\n', { mode: 0o600 })
    if (!['127.0.0.1', '::1', 'localhost'].includes(host)) {
      logger.warn(`the gateway listens on ${host}:${gateway.port}: anyone who can reach that address can upload, download and drive this node. Set "gateway.host" to 127.0.0.1 unless you mean that.`)
    }
  }
  let stopping: Promise<void> | undefined
  const stop = async (): Promise<void> => {
    stopping ??= (async () => {
      await gateway?.close()
      if (gateway !== undefined) await rm(gatewayUrlPath(dataDir), { force: true })
      await node.stop()
    })()
    await stopping
  }
  return { node, gateway, created, stop }
}

export interface DaemonInfo {
  peerId: string
  multiaddrs: string[]
  gateway?: string
  dataDir: string
  created: boolean
}

/** Runs the daemon until a signal stops it (process handlers exit the process). */
export async function runDaemon (dataDir: string, opts: { json?: boolean, initConfig?: ConfigInput }, print: (info: DaemonInfo) => void): Promise<void> {
  // With --json, stdout carries only the JSON document; the log goes to stderr.
  const logger: NodeLogger = opts.json === true ? { ...consoleLogger, info: (m) => { console.error(m) } } : consoleLogger
  const daemon = await startDaemon(dataDir, { logger, initConfig: opts.initConfig })
  installProcessHandlers({ stop: daemon.stop }, { logger })
  print({ peerId: daemon.node.peerId, multiaddrs: daemon.node.multiaddrs, gateway: daemon.gateway?.url, dataDir, created: daemon.created })
  // The listeners keep the event loop alive; the signal handler ends the process.
  await new Promise<never>(() => {})
}
