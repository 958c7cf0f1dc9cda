/**
 * For the magic-folder event tests: a second node sharing a folder with the
 * harness node, and a small server-sent-events client over real HTTP.
 */
import { request, type ClientRequest, type IncomingMessage } from 'node:http'
import { mkdtemp } from 'node:fs/promises'
import { join } from 'node:path'
import { createNode, silentLogger, type LafsNode } from '../../src/node/index.js'
import type { GatewayHarness } from './helpers.js'

/** Fast intervals: a file crosses within settle + scan + poll + transfer time. */
export const FAST = { pollSeconds: 1, scanSeconds: 1, settleMs: 200 }

export interface MagicPair {
  /** The other participant's node (no gateway). */
  other: LafsNode
  /** The folder on the harness node (participant alice) and on the other (bob). */
  pathA: string
  pathB: string
  stop: () => Promise<void>
}

/** A folder made on the harness node through its grid's servers and joined by a second node. */
export async function sharedFolder (h: GatewayHarness, name: string): Promise<MagicPair> {
  const servers = h.grid.map(s => s.info.multiaddrs[0])
  const other = await createNode({
    dataDir: join(h.dir, `other-${name}`),
    listen: ['/ip4/127.0.0.1/tcp/0'],
    bootstrap: [],
    gateway: false,
    storage: { enabled: false },
    config: { client: { k: 2, happy: 3, n: 4 }, connections: { allow: ['/ip4/127.0.0.0/ipcidr/8'] } },
    logger: silentLogger
  })
  try {
    const pathA = await mkdtemp(join(h.dir, 'mf-a-'))
    const pathB = await mkdtemp(join(h.dir, 'mf-b-'))
    await h.node.magicFolders.create(name, pathA, { ...FAST, participant: 'alice', servers })
    const { code } = await h.node.magicFolders.invite(name, 'bob')
    await other.magicFolders.join(code, name, pathB, FAST)
    return { other, pathA, pathB, stop: async () => { await other.stop() } }
  } catch (err) {
    await other.stop()
    throw err
  }
}

export interface SseEvent { id?: string, event: string, data: string }

export interface SseClient {
  status: number
  headers: IncomingMessage['headers']
  /** Every event so far, in order (comments are counted in `comments`). */
  events: SseEvent[]
  comments: number
  /** The body, when the answer is not a stream. */
  body: () => string
  /** Resolves with the first event (from `from` on) that `match` accepts. */
  next: (match: (e: SseEvent) => boolean, ms: number, what: string, from?: number) => Promise<SseEvent>
  /** Stops reading without closing: the server's writes pile up. */
  pause: () => void
  closed: Promise<void>
  close: () => void
}

/** Opens a stream (or gets the refusal) and parses the events as they come. */
export async function sse (base: string, path: string, headers: Record<string, string> = {}): Promise<SseClient> {
  let req: ClientRequest | undefined
  const res = await new Promise<IncomingMessage>((resolve, reject) => {
    req = request(new URL(path, base), { headers: { Accept: 'text/event-stream', ...headers } }, resolve)
    req.on('error', reject)
    req.end()
  })
  const events: SseEvent[] = []
  const waiters = new Set<() => void>()
  let buf = ''
  let raw = ''
  let comments = 0
  res.setEncoding('utf8')
  res.on('data', (chunk: string) => {
    raw += chunk
    buf += chunk
    let end
    while ((end = buf.indexOf('\n\n')) >= 0) {
      const block = buf.slice(0, end)
      buf = buf.slice(end + 2)
      const e: SseEvent = { event: 'message', data: '' }
      let any = false
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) { comments++; continue }
        const colon = line.indexOf(':')
        const field = colon < 0 ? line : line.slice(0, colon)
        const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '')
        if (field === 'event') { e.event = value; any = true } else if (field === 'data') { e.data += (e.data === '' ? '' : '\n') + value; any = true } else if (field === 'id') e.id = value
      }
      if (any) events.push(e)
    }
    for (const w of waiters) w()
  })
  // The socket's close too: a paused response never gets to its own 'close'.
  const closed = new Promise<void>(resolve => { res.on('close', resolve); res.on('error', () => { resolve() }); res.socket.on('close', () => { resolve() }) })
  const client: SseClient = {
    status: res.statusCode ?? 0,
    headers: res.headers,
    events,
    get comments () { return comments },
    body: () => raw,
    next: async (match, ms, what, from = 0) => await new Promise<SseEvent>((resolve, reject) => {
      const check = (): void => {
        const hit = events.slice(from).find(match)
        if (hit !== undefined) { done(); resolve(hit) }
      }
      const timer = setTimeout(() => { done(); reject(new Error(`timed out after ${ms} ms waiting for ${what}; got: ${events.map(e => e.event).join(', ')}`)) }, ms)
      const done = (): void => { clearTimeout(timer); waiters.delete(check) }
      waiters.add(check)
      check()
    }),
    pause: () => { res.pause() },
    closed,
    close: () => { req?.destroy(); res.destroy() }
  }
  return client
}

export const detail = (e: SseEvent): Record<string, unknown> => JSON.parse(e.data)
