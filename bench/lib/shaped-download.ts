/**
 * One download round of the shaped-link bench: the reader's `cat` of the
 * file naming the ten servers, then its raw baseline, raw libp2p streams
 * from each server that served that download, each moving the bytes its
 * link carried then, all at once: the same servers, bytes and links.
 */
import { mbit, measureStep, type StepCost, type Watched } from './shaped-measure.js'
import type { ShapedNode } from './shaped-nodes.js'

/** Bytes a server must have sent to count as serving the download (a have-query answer is far less). */
export const SENDING_THRESHOLD = 2 ** 20

export interface DownloadRound {
  down: StepCost<{ ms: number }>
  raw: StepCost<unknown>
  rawBytes: number
  /** Servers that sent more than SENDING_THRESHOLD in the download (and so took part in the raw step). */
  sending: string[]
}

export interface DownloadInput {
  reader: ShapedNode
  servers: ShapedNode[]
  cap: string
  size: number
  sha256: string
  watch: Watched
  timeoutMs: number
  log: (line: string) => void
}

export async function downloadRound (i: DownloadInput, round: string): Promise<DownloadRound> {
  const addrs = i.servers.map(s => s.addr)
  const down = await measureStep(i.watch, async () => await i.reader.call<{ ms: number }>('cat', { cap: i.cap, servers: addrs, size: i.size, sha256: i.sha256 }, i.timeoutMs))
  const sent = (s: ShapedNode): number => down.bytes[s.host.name].tx
  const total = (rec: Record<string, number>): number => Math.round(i.servers.reduce((a, s) => a + (rec[s.host.name] ?? 0), 0))
  const cpu = (c: StepCost<unknown>): string => `${total(c.cpuMs)} ms, woken ${total(c.wakeups)} times`
  const senders = i.servers.filter(s => sent(s) > SENDING_THRESHOLD)
  i.log(`download ${round}: ${(down.value.ms / 1000).toFixed(1)} s = ${mbit(i.size, down.value.ms).toFixed(1)} Mbit/s, servers' CPU ${cpu(down)}; servers sent (MiB) ${i.servers.map(s => `${s.host.name} ${(sent(s) / 2 ** 20).toFixed(1)}`).join(', ')}`)
  const rawBytes = senders.reduce((a, s) => a + sent(s), 0)
  const raw = await measureStep(i.watch, async () => await Promise.all(senders.map(async s => await i.reader.call('rawDown', { addr: s.addr, size: sent(s) }, i.timeoutMs))))
  i.log(`raw down ${round}: the same bytes from the same ${senders.length} servers in ${(raw.wallMs / 1000).toFixed(1)} s = ${mbit(rawBytes, raw.wallMs).toFixed(1)} Mbit/s, servers' CPU ${cpu(raw)}`)
  return { down, raw, rawBytes, sending: senders.map(s => s.host.name) }
}
