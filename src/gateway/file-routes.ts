/**
 * Tahoe's file routes: `PUT /uri` uploads the body and answers the cap,
 * `GET /uri/<cap>` (and HEAD, with Range) streams the plaintext back.
 */
import { pipe } from 'it-pipe'
import { contentDispositionFor, contentTypeFor, FILE_RESPONSE_HEADERS } from './content-type.js'
import { BadRequestError, FileNotFoundError, GatewayError } from './errors.js'
import { abortOnClose, sendJson, sendText, serversParam, wantsJson } from './http.js'
import { parseRange, type ByteRange } from './range.js'
import type { TransferTracker } from './transfers.js'
import { isMutableCapString, parseHintedCap, type Cap, type DownloadExplain, type LafsNode, type PutAnswer } from '../node/index.js'
import type { IncomingMessage, ServerResponse } from 'node:http'

export interface FileRoutesInit {
  node: LafsNode
  transfers: TransferTracker
  /** A download that has not produced its first byte within this long answers 404. */
  locateTimeoutMs: number
  /** Serve HTML, SVG, XML and JavaScript inline instead of as attachments (config gateway.inlineActiveContent). */
  inlineActiveContent: boolean
}

/** The response header that carries a download's explain when `?explain=true` asks for it. */
export const EXPLAIN_HEADER = 'X-Lafs-Explain'

function sizeOf (cap: Cap): number {
  if (cap.kind === 'lit') return cap.data.length
  if (cap.kind === 'chk') return cap.size
  throw new BadRequestError('a verify-cap (URI:CHK-Verifier:) can check a file but not read it; use the read-cap (URI:CHK:)')
}

/** JSON that is plain ASCII (a header value may not carry other characters): `\u` escapes for the rest. */
export function asciiJson (value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, c => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
}

/**
 * Waits for the first chunk of a download, so that "not found" can still be
 * answered with a status code; gives up (404) after the locate deadline.
 */
async function firstChunk (it: AsyncIterator<Uint8Array>, abort: () => void, timeoutMs: number): Promise<IteratorResult<Uint8Array>> {
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      abort()
      reject(new FileNotFoundError(`no shares of this file were found within ${Math.round(timeoutMs / 1000)} s; nobody reachable holds it`))
    }, timeoutMs)
  })
  try {
    return await Promise.race([it.next(), deadline])
  } finally {
    clearTimeout(timer)
  }
}

export interface FileRoutes {
  put: (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>
  /** Tahoe's `PUT /uri/<mutable write cap>`: new contents; answers the write cap. */
  overwrite: (req: IncomingMessage, res: ServerResponse, url: URL, capText: string) => Promise<void>
  isMutableWriteCap: (capText: string) => boolean
  /** `as` names the file (content type, Content-Disposition) when it was reached through a directory; default `?filename=`. */
  get: (req: IncomingMessage, res: ServerResponse, url: URL, capText: string, as?: FileNaming) => Promise<void>
}

export interface FileNaming {
  filename?: string
  /** Tahoe's `save=true`: always a download. */
  attachment?: boolean
}

/** The file's name and Content-Disposition for a response. */
function naming (url: URL, as: FileNaming | undefined, inlineActive: boolean): { filename: string | null, disposition: string | undefined } {
  const filename = as?.filename ?? url.searchParams.get('filename')
  let disposition = contentDispositionFor(filename, inlineActive)
  if (disposition !== undefined && (as?.attachment === true || url.searchParams.get('save') === 'true')) disposition = disposition.replace(/^inline;/, 'attachment;')
  return { filename, disposition }
}

export function fileRoutes (init: FileRoutesInit): FileRoutes {
  const { node, transfers } = init

  /** Tahoe's `PUT /uri?mutable=true` / `?format=sdmf|mdmf`: a new mutable file; answers its write cap. */
  async function putMutable (req: IncomingMessage, res: ServerResponse, url: URL, format: 'sdmf' | 'mdmf'): Promise<void> {
    const client = abortOnClose(res)
    try {
      const parts: Uint8Array[] = []
      for await (const chunk of req as AsyncIterable<Uint8Array>) parts.push(chunk)
      const result = await node.files.createMutable(Buffer.concat(parts), {
        format, club: url.searchParams.get('club') ?? undefined, servers: serversParam(url), signal: client.signal
      })
      const answer: PutAnswer = { cap: result.cap, hintedCap: result.hintedCap ?? null }
      if (wantsJson(req, url)) sendJson(res, 200, { ...answer, readCap: result.readCap })
      else sendText(res, 200, result.cap, 'text/plain; charset=utf-8', result.hintedCap !== undefined ? { 'X-Lafs-Hinted-Cap': result.hintedCap } : {})
    } finally {
      client.done()
    }
  }

  async function put (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const format = url.searchParams.get('format')?.toLowerCase()
    if (format === 'sdmf' || format === 'mdmf' || url.searchParams.get('mutable') === 'true') {
      await putMutable(req, res, url, format === 'mdmf' ? 'mdmf' : 'sdmf')
      return
    }
    const length = req.headers['content-length'] !== undefined ? Number(req.headers['content-length']) : undefined
    const t = transfers.start('upload', { bytesTotal: Number.isSafeInteger(length) ? length : undefined })
    const client = abortOnClose(res)
    let ok = false
    try {
      const result = await pipe(
        req as AsyncIterable<Uint8Array>,
        source => transfers.count(t, source),
        async source => await node.files.put(source, {
          club: url.searchParams.get('club') ?? undefined,
          servers: serversParam(url),
          helper: url.searchParams.get('helper') ?? undefined,
          signal: client.signal,
          onProgress: p => { transfers.phase(t, p) }
        })
      )
      transfers.setCap(t, result.cap)
      ok = true
      const answer: PutAnswer = {
        cap: result.cap,
        hintedCap: result.hintedCap ?? null,
        ...(result.skipped !== undefined ? { skipped: result.skipped } : {}),
        ...(result.helper !== undefined ? { helper: result.helper } : {})
      }
      if (wantsJson(req, url)) sendJson(res, 200, answer)
      else sendText(res, 200, result.cap, 'text/plain; charset=utf-8', result.hintedCap !== undefined ? { 'X-Lafs-Hinted-Cap': result.hintedCap } : {})
    } finally {
      client.done()
      transfers.finish(t, ok)
    }
  }

  /**
   * A mutable file: its newest contents, read whole (its size is known only
   * then), never cached as immutable.
   */
  async function getMutable (req: IncomingMessage, res: ServerResponse, url: URL, capText: string, as?: FileNaming): Promise<void> {
    const client = abortOnClose(res)
    try {
      const { data } = await node.files.read(capText, { servers: serversParam(url), signal: client.signal })
      let range: ByteRange | undefined
      try {
        range = parseRange(req.headers.range, data.length)
      } catch (err) {
        if (err instanceof GatewayError && err.status === 416) {
          sendText(res, 416, err.message + '\n', 'text/plain; charset=utf-8', { 'Content-Range': `bytes */${data.length}` })
          return
        }
        throw err
      }
      const { filename, disposition } = naming(url, as, init.inlineActiveContent)
      const body = range === undefined ? data : data.subarray(range.start, range.end + 1)
      const headers: Record<string, string | number> = {
        ...FILE_RESPONSE_HEADERS,
        ...(disposition !== undefined ? { 'Content-Disposition': disposition } : {}),
        'Content-Type': contentTypeFor(filename),
        'Accept-Ranges': 'bytes',
        // The same cap names newer contents after every write.
        'Cache-Control': 'no-cache',
        'Content-Length': body.length,
        ...(range !== undefined ? { 'Content-Range': `bytes ${range.start}-${range.end}/${data.length}` } : {})
      }
      res.writeHead(range === undefined ? 200 : 206, headers)
      res.end(req.method === 'HEAD' ? undefined : body)
    } finally {
      client.done()
    }
  }

  async function get (req: IncomingMessage, res: ServerResponse, url: URL, capText: string, as?: FileNaming): Promise<void> {
    if (isMutableCapString(capText)) { await getMutable(req, res, url, capText, as); return }
    const { cap } = parseHintedCap(capText)
    const size = sizeOf(cap)
    let range: ByteRange | undefined
    try {
      range = parseRange(req.headers.range, size)
    } catch (err) {
      if (err instanceof GatewayError && err.status === 416) {
        sendText(res, 416, err.message + '\n', 'text/plain; charset=utf-8', { 'Content-Range': `bytes */${size}` })
        return
      }
      throw err
    }
    const { filename, disposition } = naming(url, as, init.inlineActiveContent)
    const headers: Record<string, string | number> = {
      // Anyone can make a cap with any bytes: never let them act as a page of this origin.
      ...FILE_RESPONSE_HEADERS,
      ...(disposition !== undefined ? { 'Content-Disposition': disposition } : {}),
      'Content-Type': contentTypeFor(filename),
      'Accept-Ranges': 'bytes',
      // Immutable content: the cap names exactly these bytes forever.
      'Cache-Control': 'public, max-age=31536000, immutable',
      ETag: `"${capText.split('@')[0].replace(/"/g, '')}"`
    }
    const start = range?.start ?? 0
    const length = range === undefined ? size : range.end - range.start + 1
    headers['Content-Length'] = length
    if (range !== undefined) headers['Content-Range'] = `bytes ${range.start}-${range.end}/${size}`
    const statusCode = range === undefined ? 200 : 206
    if (req.method === 'HEAD' || length === 0) {
      res.writeHead(statusCode, headers)
      res.end()
      return
    }
    const t = transfers.start('download', { cap: capText, bytesTotal: length })
    const client = abortOnClose(res)
    let explain: DownloadExplain | undefined
    let ok = false
    try {
      const it = node.files.cat(capText, {
        offset: start,
        length,
        servers: serversParam(url),
        signal: client.signal,
        onProgress: p => { transfers.phase(t, p) },
        onExplain: e => { explain = e }
      })[Symbol.asyncIterator]()
      const first = await firstChunk(it, client.abort, init.locateTimeoutMs)
      // The shares were found before the first byte, so the explain fits in a header.
      if (explain !== undefined && url.searchParams.get('explain') === 'true') headers[EXPLAIN_HEADER] = asciiJson(explain)
      res.writeHead(statusCode, headers)
      let sent = 0
      const write = async (chunk: Uint8Array): Promise<void> => {
        transfers.progress(t, chunk.length)
        sent += chunk.length
        if (!res.write(chunk)) await new Promise<void>(resolve => { res.once('drain', resolve); res.once('close', resolve) })
      }
      if (first.done !== true) await write(first.value)
      while (!client.signal.aborted) {
        const next = await it.next()
        if (next.done === true) break
        await write(next.value)
      }
      if (sent !== length && !client.signal.aborted) throw new Error(`download produced ${sent} bytes, expected ${length}`)
      ok = !client.signal.aborted
      res.end()
    } catch (err) {
      if (res.headersSent) {
        // Too late for a status code: cut the connection so the client sees a short body.
        res.destroy(err as Error)
        return
      }
      if (client.signal.aborted && !(err instanceof GatewayError)) throw new FileNotFoundError('the download was aborted before any data arrived', { cause: err })
      throw err
    } finally {
      client.done()
      transfers.finish(t, ok)
    }
  }

  async function overwrite (req: IncomingMessage, res: ServerResponse, url: URL, capText: string): Promise<void> {
    const client = abortOnClose(res)
    try {
      const parts: Uint8Array[] = []
      for await (const chunk of req as AsyncIterable<Uint8Array>) parts.push(chunk)
      const written = await node.files.overwrite(capText, Buffer.concat(parts), { servers: serversParam(url), signal: client.signal })
      if (wantsJson(req, url)) sendJson(res, 200, { cap: capText, seqnum: written.seqnum })
      else sendText(res, 200, capText, 'text/plain; charset=utf-8')
    } finally {
      client.done()
    }
  }

  const isMutableWriteCap = (capText: string): boolean => /^URI:(SSK|MDMF):/.test(capText.trim())

  return { put, get, overwrite, isMutableWriteCap }
}
