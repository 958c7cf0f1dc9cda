/**
 * `put` and `get` without a daemon: a short-lived node from the same data
 * folder (same identity, secrets and config), with no storage server and no
 * gateway, listening on free ports so it cannot collide with anything.
 */
import { createNode, dataDirPaths, defaultLogger, loadConfigFile, type LafsNode } from '../node/index.js'

function freePort (addr: string): string {
  return addr.replace(/\/(tcp|udp)\/\d+/, '/$1/0')
}

export async function withLocalNode<T> (dataDir: string, fn: (node: LafsNode) => Promise<T>): Promise<T> {
  const config = await loadConfigFile(dataDirPaths(dataDir).config, dataDir)
  const node = await createNode({
    dataDir,
    requireInit: true,
    storage: { enabled: false },
    gateway: false,
    listen: config.listen.map(freePort),
    logger: { ...defaultLogger, info: () => {} }
  })
  const onSignal = (): void => { void node.stop().finally(() => process.exit(130)) }
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  try {
    await node.bootstrapped
    return await fn(node)
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
    await node.stop()
  }
}
