/**
 * The helper variant of the shaped upload (issue 17): a node on the 1 Gbit/s
 * host started with `helper.enabled: true` and connected to the ten servers
 * (a helper places shares on its default club's servers, else on the storage
 * servers it is connected to), and the client's `put` with the `helper`
 * option naming it and no servers (a put that names servers goes direct). The client should send the ciphertext once
 * (about 1x the file) through its 20 Mbit/s uplink; the helper encodes and
 * places the shares.
 *
 * It runs on every build: where the node refuses the `helper` config key
 * (createNode's config validation), it reports "not available on this
 * build"; where the client's link carried more than 1.5x the file, the
 * build's `put` ignored the option (a direct upload) and it says so instead
 * of reporting a helper figure.
 */
import { measureStep, type StepCost, type Watched } from './shaped-measure.js'
import { startShapedNode, type ShapedNode } from './shaped-nodes.js'
import type { ShapedHost } from './shaped-lab.js'
import type { PutArg, PutReply } from './shaped-node.js'

export const HELPER_CONFIG = { helper: { enabled: true } }
/** Above this many bytes on the client's link per file byte, the upload did not go through a helper. */
const MAX_HELPER_WIRE_FACTOR = 1.5

export type HelperOutcome =
  /** Not available on this build, or `failed`: the helper upload threw (the rest of the bench still runs). */
  | { ran: false, why: string, failed?: boolean }
  | { ran: true, cost: StepCost<PutReply>, clientWireFactor: number }

export interface HelperInput {
  helperHost: ShapedHost
  client: ShapedNode
  servers: ShapedNode[]
  put: Omit<PutArg, 'helper' | 'servers'>
  /** What to watch during the upload (the helper's process is added). */
  watch: Watched
  timeoutMs: number
  log: (line: string) => void
  /** The helper node's config (default HELPER_CONFIG; a test passes another to reach the later guards). */
  config?: Record<string, unknown>
}

export async function helperUpload (input: HelperInput): Promise<HelperOutcome> {
  const started = await startShapedNode(input.helperHost, { storage: false, config: input.config ?? HELPER_CONFIG })
  if ('refused' in started) {
    return { ran: false, why: `helper upload: not available on this build (the node refused config helper.enabled: ${started.refused.split('\n')[0].slice(0, 160)})` }
  }
  const helper = started.node
  try {
    input.log(`helper node up at ${helper.addr}; uploading through it`)
    const watch: Watched = { hosts: [...input.watch.hosts, input.helperHost], pids: { ...input.watch.pids, helper: helper.pid } }
    const addrs = input.servers.map(s => s.addr)
    await helper.call('connect', { addrs, timeoutMs: 20_000 }, 30_000)
    const arg: PutArg = { ...input.put, servers: addrs, helper: helper.addr }
    let cost: StepCost<PutReply>
    try {
      cost = await measureStep(watch, async () => await input.client.call<PutReply>('put', arg, input.timeoutMs))
    } catch (err) {
      return { ran: false, failed: true, why: `helper upload FAILED: ${(err as Error).message.split('\n').slice(0, 2).join(' ').slice(0, 300)}` }
    }
    const clientWireFactor = cost.bytes[input.client.host.name].tx / input.put.size
    if (clientWireFactor > MAX_HELPER_WIRE_FACTOR) {
      return { ran: false, why: `helper upload: not available on this build (put ignored the helper option: the client's link carried ${clientWireFactor.toFixed(2)}x the file, a direct upload)` }
    }
    if (cost.value.helper?.alreadyStored === true) return { ran: false, failed: true, why: 'helper upload FAILED: the helper found the file already stored, so nothing was measured' }
    return { ran: true, cost, clientWireFactor }
  } finally {
    await helper.stop()
  }
}
