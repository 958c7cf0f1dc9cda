/**
 * `lafs-club start`: one node from the data folder with its gateway, until
 * SIGINT/SIGTERM. The gateway's URL goes to `<dataDir>/gateway.url` so the
 * other commands find the daemon; it is removed on a clean stop.
 */
import { rm, writeFile } from 'node:fs/promises'
import { backendFromNode, startGateway, type Gateway } from '../gateway/index.js'
import { consoleLogger, createNode, installProcessHandlers, type LafsNode, type NodeLogger } from '../node/index.js'
import { CliError, EXIT_FAILED } from './errors.js'
import { gatewayUrlPath } from './daemon-client.js'

export interface Daemon {
  node: LafsNode
  gateway?: Gateway
  stop: () => Promise<void>
}

/** Starts the node and its gateway; the caller decides how long it runs. */
export async function startDaemon (dataDir: string, opts: { logger?: NodeLogger } = {}): Promise<Daemon> {
  const node = await createNode({ dataDir, requireInit: true, logger: opts.logger ?? consoleLogger })
  let gateway: Gateway | undefined
  const { enabled, host, port } = node.config.gateway
  if (enabled) {
    try {
      gateway = await startGateway({ backend: backendFromNode(node), host, port })
    } catch (err: any) {
      await node.stop()
      if (err?.code === 'EADDRINUSE') {
        throw new CliError('ERR_GATEWAY_PORT_IN_USE', EXIT_FAILED, `the gateway cannot listen on ${host}:${port}: the port is in use (another lafs-club or Tahoe node?). Stop that program, or set "gateway.port" in ${dataDir}/config.json (0 picks a free port).`, { cause: err })
      }
      throw err
    }
    await writeFile(gatewayUrlPath(dataDir), gateway.url + '\n', { mode: 0o600 })
    if (!['127.0.0.1', '::1', 'localhost'].includes(host)) {
      (opts.logger ?? consoleLogger).warn(`the gateway listens on ${host}:${gateway.port}: anyone who can reach that address can upload, download and drive this node. Set "gateway.host" to 127.0.0.1 unless you mean that.`)
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
  return { node, gateway, stop }
}

/** Runs the daemon until a signal stops it (process handlers exit the process). */
export async function runDaemon (dataDir: string, print: (info: { peerId: string, multiaddrs: string[], gateway?: string, dataDir: string }) => void, opts: { json?: boolean } = {}): Promise<void> {
  // With --json, stdout carries only the JSON document; the log goes to stderr.
  const logger: NodeLogger = opts.json === true ? { ...consoleLogger, info: (m) => { console.error(m) } } : consoleLogger
  const daemon = await startDaemon(dataDir, { logger })
  installProcessHandlers({ stop: daemon.stop }, { logger })
  print({ peerId: daemon.node.peerId, multiaddrs: daemon.node.multiaddrs, gateway: daemon.gateway?.url, dataDir })
  // The listeners keep the event loop alive; the signal handler ends the process.
  await new Promise<never>(() => {})
}
