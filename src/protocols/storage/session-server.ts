/**
 * The server side of one storage session: a loop over request frames on one
 * stream, handled strictly in order. Storage errors are answered and the
 * session goes on; protocol violations (malformed, oversized, out of order,
 * timed out) are answered with a fatal error and the stream is closed. Nothing
 * thrown here escapes: one bad stream never affects the others.
 */
import { FrameReader, waitDrain, sendFrame } from '../framing/index.js'
import { MalformedMessageError, OutOfOrderError, ProtocolError, RequestTimeoutError, errorCode, errorMessage, wireError } from '../errors.js'
import { CLOSE_GRACE_MS, MAX_REQUEST_FRAME, SERVER_HIGH_WATER_MARK } from './constants.js'
import { handleAbort } from './handlers/abort.js'
import { handleAddLease } from './handlers/add-lease.js'
import { handleAdviseCorrupt } from './handlers/advise-corrupt.js'
import { handleAllocate } from './handlers/allocate.js'
import { handleClose } from './handlers/close.js'
import { handleListShares } from './handlers/list-shares.js'
import { handleRead } from './handlers/read.js'
import { handleListSlotShares, handleSlotRead, handleSlotReadTestWrite } from './handlers/slots.js'
import { handleVersion } from './handlers/version.js'
import { handleWrite, type IncomingWrite } from './handlers/write.js'
import { Request, Response } from './message/storage.js'
import { encodeReadChunkFrame } from './read-chunk-frame.js'
import { decodeWriteFast } from './write-frame.js'
import type { WriteBudget } from './write-budget.js'
import type { RequestContext, ResponseBody } from './context.js'
import type { StorageServer } from '../../storage/index.js'
import type { Connection, Logger, Stream } from '@libp2p/interface'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface StorageSessionOptions {
  requestTimeoutMs: number
  idleTimeoutMs: number
  /** Memory for received requests, shared by all sessions of the server. */
  budget: WriteBudget
  /** Close a session that holds budget and finishes no request for this long. */
  budgetStallMs: number
  log?: Logger
}

/**
 * Storage codes after which the rest of a pipelined session makes no sense:
 * writing or closing a share with no upload in progress means the client
 * skipped (or lost) the allocation, i.e. the requests are out of order.
 */
const FATAL_STORAGE_CODES: Record<string, ReadonlySet<string>> = {
  write: new Set(['ERR_NO_SUCH_UPLOAD']),
  close: new Set(['ERR_NO_SUCH_UPLOAD'])
}

const ALWAYS_FATAL = new Set(['ERR_SERVER_CLOSED'])

type Kind = Exclude<keyof Request, 'id'>

function requestKind (req: Request): Kind | undefined {
  for (const key of Object.keys(req) as Array<keyof Request>) {
    if (key !== 'id' && req[key] != null) return key
  }
  return undefined
}

async function dispatch (ctx: RequestContext, req: Request, kind: Kind): Promise<void> {
  switch (kind) {
    case 'version': return await handleVersion(ctx, req.version!)
    case 'allocate': return await handleAllocate(ctx, req.allocate!)
    case 'write': return await handleWrite(ctx, req.write!)
    case 'close': return await handleClose(ctx, req.close!)
    case 'abort': return await handleAbort(ctx, req.abort!)
    case 'listShares': return await handleListShares(ctx, req.listShares!)
    case 'read': return await handleRead(ctx, req.read!)
    case 'addLease': return await handleAddLease(ctx, req.addLease!)
    case 'adviseCorrupt': return await handleAdviseCorrupt(ctx, req.adviseCorrupt!)
    case 'slotReadTestWrite': return await handleSlotReadTestWrite(ctx, req.slotReadTestWrite!)
    case 'slotRead': return await handleSlotRead(ctx, req.slotRead!)
    case 'listSlotShares': return await handleListSlotShares(ctx, req.listSlotShares!)
  }
}

function isFatal (err: unknown, kind: Kind | undefined): boolean {
  if (err instanceof ProtocolError) return true
  const code = errorCode(err)
  if (code == null) return false
  return ALWAYS_FATAL.has(code) || (kind != null && (FATAL_STORAGE_CODES[kind]?.has(code) ?? false))
}

export async function serveStorageSession (stream: Stream, connection: Connection, server: StorageServer, options: StorageSessionOptions): Promise<void> {
  const account = connection.remotePeer.toString()
  const share = options.budget.share()
  const reader = new FrameReader(stream, {
    maxFrameLength: MAX_REQUEST_FRAME,
    highWaterMark: SERVER_HIGH_WATER_MARK,
    frameTimeoutMs: options.requestTimeoutMs,
    budget: share
  })
  // A session pinning memory without finishing requests or sending answers
  // (typically stuck answering a client that reads nothing) is reset: its client is not
  // reading, so an error frame would never arrive anyway.
  const watchdog = setInterval(() => {
    if (share.stalledFor() > options.budgetStallMs) {
      options.log?.('storage session with %s reset: it held %d buffered bytes for %d ms without progress', account, share.held, options.budgetStallMs)
      clearInterval(watchdog)
      stream.abort(new RequestTimeoutError(`the session held ${share.held} buffered bytes for ${options.budgetStallMs} ms without progress`))
    }
  }, Math.min(1000, Math.max(10, options.budgetStallMs / 4)))
  watchdog.unref()
  let currentId = 0
  let lastId = 0

  const send = async (body: ResponseBody): Promise<void> => {
    const ok = body.read != null
      ? stream.send(encodeReadChunkFrame(currentId, body.read.data, body.read.last))
      : sendFrame(stream, Response.encode({ ...body, id: currentId }))
    if (!ok) {
      // a client that stops reading must not pin this session forever
      share.answerBlocked(true)
      try {
        await waitDrain(stream, AbortSignal.timeout(options.requestTimeoutMs))
      } catch (err) {
        if (err instanceof ProtocolError) throw err
        throw new RequestTimeoutError(`the client read no answers for ${options.requestTimeoutMs} ms`)
      } finally {
        share.answerBlocked(false)
      }
    }
    // a long read answered to a slow but reading client is progress too
    share.progress()
  }
  const ctx: RequestContext = { server, account, reply: send }

  try {
    let first = true
    while (true) {
      const frame = await readWithDeadline(reader, first ? options.requestTimeoutMs : options.idleTimeoutMs, first)
      first = false
      if (frame == null) break
      try {
        await handleFrame(frame)
        share.progress()
      } finally {
        reader.release(frame)
      }
    }
    reader.dispose()
    await stream.close({ signal: AbortSignal.timeout(CLOSE_GRACE_MS) })
  } catch (err) {
    reader.dispose()
    if (err instanceof IdleSession) {
      options.log?.trace('storage session with %s closed after %d ms without requests', account, options.idleTimeoutMs)
      await stream.close({ signal: AbortSignal.timeout(CLOSE_GRACE_MS) }).catch(() => { stream.abort(err) })
      return
    }
    options.log?.('storage session with %s closed: %s %s', account, errorCode(err), errorMessage(err))
    await closeWithError(stream, currentId, err)
  } finally {
    clearInterval(watchdog)
    share.dispose()
  }

  async function handleFrame (frame: Uint8ArrayList): Promise<void> {
    const { req, write } = decodeRequest(frame)
    const kind = requestKind(req)
    currentId = req.id
    if (req.id <= lastId) throw new OutOfOrderError(`request id ${req.id} does not follow ${lastId}`)
    lastId = req.id
    if (kind == null) throw new MalformedMessageError('request has no known body')
    try {
      if (write != null) await handleWrite(ctx, write)
      else await dispatch(ctx, req, kind)
    } catch (err) {
      if (isFatal(err, kind)) throw err
      if (wireError(err).code === 'ERR_INTERNAL') options.log?.error('storage request %s from %s failed - %e', kind, account, err)
      await send({ error: { ...wireError(err), fatal: false } })
    }
  }
}

class IdleSession extends Error {}

/**
 * A write keeps its data in the network buffers it arrived in (see
 * write-frame.ts); `req` then stands in for it with only the id and kind.
 */
function decodeRequest (frame: Uint8ArrayList): { req: Request, write?: IncomingWrite } {
  const fast = decodeWriteFast(frame)
  if (fast != null) {
    const { id, ...write } = fast
    return { req: { id, write: { storageIndex: new Uint8Array(0), shareNumber: 0, offset: 0, data: new Uint8Array(0) } }, write }
  }
  try {
    return { req: Request.decode(frame) }
  } catch (err) {
    throw new MalformedMessageError(`undecodable request: ${errorMessage(err)}`)
  }
}

async function readWithDeadline (reader: FrameReader, ms: number, first: boolean): ReturnType<FrameReader['read']> {
  const timer = setTimeout(() => {
    // a started frame has its own deadline inside the reader
    if (!reader.hasPartialFrame) {
      reader.cancel(first ? new RequestTimeoutError(`no request within ${ms} ms of opening the stream`) : new IdleSession())
    }
  }, ms)
  // a deadline alone must not keep a process alive; the stream it guards does while it is open
  timer.unref()
  try {
    return await reader.read()
  } finally {
    clearTimeout(timer)
  }
}

/** Best effort: answer with a fatal error, close our side, stop reading, reset if the peer lingers. */
async function closeWithError (stream: Stream, id: number, err: unknown): Promise<void> {
  try {
    if (stream.status === 'open' && stream.writeStatus === 'writable') {
      sendFrame(stream, Response.encode({ id, error: { ...wireError(err), fatal: true } }))
      await stream.close({ signal: AbortSignal.timeout(CLOSE_GRACE_MS) })
    }
    await stream.closeRead()
  } catch {
    stream.abort(err instanceof Error ? err : new Error(String(err)))
    return
  }
  if (stream.status !== 'closed') {
    setTimeout(() => {
      if (stream.status !== 'closed') stream.abort(new Error('peer did not close after a fatal error'))
    }, CLOSE_GRACE_MS).unref()
  }
}
