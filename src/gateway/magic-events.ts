/**
 * `GET /api/magic-folders/events`: the magic folders' events as server-sent
 * events, for the status page and any tool that wants to follow along. The
 * route sits behind the API token like the rest of /api (the status page's
 * EventSource sends the HttpOnly cookie the page got; other tools send
 * `Authorization: Bearer`). Payloads hold folder names, local paths and
 * file names, never a cap.
 *
 * A stream starts with `snapshot` (every folder's status), then the recent
 * events a reconnecting client missed (`Last-Event-ID`) or, for a new one,
 * the last few (`?replay=N`), then live events. `status` follows each scan,
 * poll and interval change with that folder's full status. Progress events
 * are live only: they are not kept for replay. A client that does not read
 * (its unsent data passes `maxBufferedBytes`) is dropped, not buffered for.
 */
import { logger } from '@libp2p/logger'
import { GatewayError } from './errors.js'
import { MAGIC_FOLDER_EVENT_NAMES, type LafsNode, type MagicFolderEventName } from '../node/index.js'
import type { IncomingMessage, ServerResponse } from 'node:http'

const log = logger('lafs-club:gateway:magic-events')

export const MAGIC_EVENTS_PATH = '/api/magic-folders/events'
export const DEFAULT_MAX_SUBSCRIBERS = 16
export const DEFAULT_REPLAY_KEPT = 256
export const DEFAULT_REPLAY_NEW = 50
export const DEFAULT_HEARTBEAT_MS = 15_000
export const DEFAULT_MAX_BUFFERED_BYTES = 512 * 1024
/** How long a browser waits before reconnecting (the SSE `retry:` field). */
const RETRY_MS = 3000

export interface MagicEventsInit {
  node: LafsNode
  maxSubscribers?: number
  /** Events kept for replay. */
  replayKept?: number
  heartbeatMs?: number
  /** Unsent bytes a subscriber may have queued before it is dropped. */
  maxBufferedBytes?: number
}

export interface MagicEvents {
  handle: (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>
  readonly subscribers: number
  /** Ends every stream and stops listening to the node. */
  close: () => void
}

/** Errors answered before a stream starts. */
export class TooManySubscribersError extends GatewayError {
  constructor (max: number) {
    super('ERR_TOO_MANY_SUBSCRIBERS', 503, `at most ${max} clients may follow the magic-folder events at once; close another one (another status page tab?) and try again`)
    this.name = 'TooManySubscribersError'
  }
}

interface Kept { id: number, frame: string }

const LIVE_ONLY = new Set<string>(['upload-progress', 'download-progress'])
const STATUS_AFTER = new Set<string>(['scan-finished', 'poll-finished', 'intervals-changed'])

function frame (event: string, data: unknown, id?: number): string {
  // JSON.stringify never writes a raw newline, so one `data:` line holds it.
  return `${id === undefined ? '' : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`
}

function wholeNumber (v: string | null | undefined): number | undefined {
  if (v === null || v === undefined || !/^\d{1,15}$/.test(v.trim())) return undefined
  return Number(v.trim())
}

export function magicEvents (init: MagicEventsInit): MagicEvents {
  const max = init.maxSubscribers ?? DEFAULT_MAX_SUBSCRIBERS
  const keptMax = init.replayKept ?? DEFAULT_REPLAY_KEPT
  const heartbeatMs = init.heartbeatMs ?? DEFAULT_HEARTBEAT_MS
  const maxBuffered = init.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES
  let subs = new Set<ServerResponse>()
  const kept: Kept[] = []
  let nextId = 1
  let heartbeat: NodeJS.Timeout | undefined
  let closed = false

  const drop = (res: ServerResponse, why: string): void => {
    if (!subs.delete(res)) return
    log('dropped a subscriber: %s', why)
    res.destroy()
    if (subs.size === 0 && heartbeat !== undefined) { clearInterval(heartbeat); heartbeat = undefined }
  }
  const write = (res: ServerResponse, text: string): void => {
    if (res.writableLength > maxBuffered) { drop(res, 'too slow'); return }
    res.write(text)
  }
  const broadcast = (text: string): void => { for (const res of subs) write(res, text) }

  const onEvent = (name: MagicFolderEventName) => (e: Event): void => {
    const detail = (e as CustomEvent<{ folder: string }>).detail
    const id = nextId++
    const text = frame(name, detail, id)
    if (!LIVE_ONLY.has(name)) {
      kept.push({ id, frame: text })
      if (kept.length > keptMax) kept.shift()
    }
    if (subs.size === 0) return
    broadcast(text)
    if (STATUS_AFTER.has(name)) {
      init.node.magicFolders.status(detail.folder).then(s => { if (subs.size > 0) broadcast(frame('status', s)) }, () => {})
    }
  }
  const listeners = MAGIC_FOLDER_EVENT_NAMES.map(name => [name, onEvent(name)] as const)
  for (const [name, fn] of listeners) init.node.magicFolders.events.addEventListener(name, fn)

  return {
    get subscribers () { return subs.size },
    handle: async (req, res, url) => {
      if (closed) throw new GatewayError('ERR_SHUTTING_DOWN', 503, 'the gateway is shutting down')
      if (subs.size >= max) throw new TooManySubscribersError(max)
      const lastId = wholeNumber(req.headers['last-event-id'] as string | undefined) ?? wholeNumber(url.searchParams.get('lastEventId'))
      const replayNew = Math.min(wholeNumber(url.searchParams.get('replay')) ?? DEFAULT_REPLAY_NEW, keptMax)
      const folders = await init.node.magicFolders.list()
      // Checked again: another subscriber may have come in while the list was read.
      if (subs.size >= max) throw new TooManySubscribersError(max)
      res.writeHead(200, {
        'Content-Type': 'text/event-stream; charset=utf-8',
        'Cache-Control': 'no-store',
        Connection: 'keep-alive',
        'X-Content-Type-Options': 'nosniff',
        // Proxies that buffer (nginx) would hold the stream back.
        'X-Accel-Buffering': 'no'
      })
      if (req.method === 'HEAD') { res.end(); return }
      res.socket?.setNoDelay(true)
      // Everything up to the live events is written in one go, so no event falls between replay and live.
      let text = `retry: ${RETRY_MS}\n\n` + frame('snapshot', { folders, lastEventId: nextId - 1 })
      // An id from before the gateway started (larger than any given) replays nothing: the snapshot stands for it.
      const replay = lastId !== undefined
        ? (lastId < nextId ? kept.filter(k => k.id > lastId) : [])
        : (replayNew > 0 ? kept.slice(-replayNew) : [])
      for (const k of replay) text += k.frame
      res.write(text)
      subs.add(res)
      heartbeat ??= setInterval(() => { broadcast(': keep-alive\n\n') }, heartbeatMs)
      heartbeat.unref()
      // 'close' of the response: the client went away (or we ended the stream).
      res.on('close', () => { drop(res, 'disconnected') })
      res.on('error', () => { drop(res, 'write error') })
    },
    close: () => {
      closed = true
      for (const [name, fn] of listeners) init.node.magicFolders.events.removeEventListener(name, fn)
      const ending = subs
      subs = new Set()
      for (const res of ending) res.end()
      if (heartbeat !== undefined) clearInterval(heartbeat)
      heartbeat = undefined
    }
  }
}
