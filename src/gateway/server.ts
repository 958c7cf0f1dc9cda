/**
 * The HTTP gateway: Tahoe-style `PUT /uri` and `GET /uri/<cap>`, the status
 * page and its JSON, Prometheus metrics, and the small JSON control API the
 * CLI talks to. Every route is listed in docs/cli.md.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { isIP } from 'node:net'
import { parseHintedCap, type Cap } from '../immutable/index.js'
import { contentTypeFor } from './content-type.js'
import { BadRequestError, errorBody, FileNotFoundError, GatewayError, statusOf } from './errors.js'
import { METRICS_CONTENT_TYPE, renderMetrics } from './metrics.js'
import { parseRange, type ByteRange } from './range.js'
import { STATUS_PAGE_HTML } from './status-page.js'
import { TransferTracker, type Transfer, type TransferTotals } from './transfers.js'
import type { GatewayBackend, NodeSnapshot } from './backend.js'

export interface GatewayOptions {
  backend: GatewayBackend
  /** Default 127.0.0.1. Anything else exposes uploads and downloads to the network. */
  host?: string
  /** Default 3456; 0 picks a free port. */
  port?: number
  /** A download that has not produced its first byte within this long answers 404. Default 60 s. */
  locateTimeoutMs?: number
  /** Largest JSON body the control API accepts. Default 64 KiB. */
  maxJsonBytes?: number
}

export interface StatusJson extends NodeSnapshot {
  gateway: { url: string, startedAt: number, uptimeMs: number }
  transfers: Transfer[]
  totals: TransferTotals
}

export interface Gateway {
  /** `http://host:port` as a client on this machine would use it. */
  readonly url: string
  readonly host: string
  readonly port: number
  readonly transfers: TransferTracker
  status: () => Promise<StatusJson>
  /** Stops accepting requests and ends the ones in progress. */
  close: () => Promise<void>
}

export const DEFAULT_GATEWAY_PORT = 3456
export const DEFAULT_LOCATE_TIMEOUT_MS = 60_000

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost'])

function isLoopback (host: string): boolean {
  return LOOPBACK_HOSTS.has(host) || host.startsWith('127.')
}

function sendJson (res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body, null, 2) + '\n'
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store' })
  res.end(text)
}

function sendText (res: ServerResponse, status: number, text: string, type = 'text/plain; charset=utf-8', extra: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store', ...extra })
  res.end(text)
}

function wantsJson (req: IncomingMessage, url: URL): boolean {
  const t = url.searchParams.get('t')
  if (t !== null) return t === 'json'
  return (req.headers.accept ?? '').includes('application/json')
}

function flag (url: URL, name: string): boolean {
  const v = url.searchParams.get(name)
  return v !== null && v !== 'false' && v !== '0'
}

function serversParam (url: URL): string[] | undefined {
  const all = url.searchParams.getAll('server').flatMap(s => s.split(',')).map(s => s.trim()).filter(s => s !== '')
  return all.length > 0 ? all : undefined
}

function sizeOf (cap: Cap): number {
  if (cap.kind === 'lit') return cap.data.length
  return cap.size
}

async function readJson (req: IncomingMessage, limit: number): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = []
  let total = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    total += chunk.length
    if (total > limit) throw new BadRequestError(`the request body is larger than ${limit} bytes`)
    chunks.push(chunk)
  }
  if (total === 0) return {}
  let body: unknown
  try {
    body = JSON.parse(Buffer.concat(chunks).toString('utf8'))
  } catch (err: any) {
    throw new BadRequestError(`the request body is not valid JSON: ${err?.message ?? err}`)
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new BadRequestError('the request body must be a JSON object')
  return body as Record<string, unknown>
}

function stringField (body: Record<string, unknown>, key: string, required: true): string
function stringField (body: Record<string, unknown>, key: string, required?: false): string | undefined
function stringField (body: Record<string, unknown>, key: string, required = false): string | undefined {
  const v = body[key]
  if (v === undefined || v === null) {
    if (required) throw new BadRequestError(`the request needs "${key}"`)
    return undefined
  }
  if (typeof v !== 'string' || v === '') throw new BadRequestError(`"${key}" must be a non-empty string`)
  return v
}

/**
 * Waits for the first chunk of a download, so that "not found" can still be
 * answered with a status code; gives up (404) after the locate deadline.
 */
async function firstChunk (it: AsyncIterator<Uint8Array>, abort: AbortController, timeoutMs: number, what: string): Promise<IteratorResult<Uint8Array>> {
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      abort.abort()
      reject(new FileNotFoundError(`no shares of ${what} were found within ${Math.round(timeoutMs / 1000)} s; nobody reachable holds this file`))
    }, timeoutMs)
  })
  try {
    return await Promise.race([it.next(), deadline])
  } finally {
    clearTimeout(timer)
  }
}

export async function startGateway (opts: GatewayOptions): Promise<Gateway> {
  const backend = opts.backend
  const host = opts.host ?? '127.0.0.1'
  const locateTimeoutMs = opts.locateTimeoutMs ?? DEFAULT_LOCATE_TIMEOUT_MS
  const maxJsonBytes = opts.maxJsonBytes ?? 64 * 1024
  const transfers = new TransferTracker()
  const startedAt = Date.now()
  const loopbackOnly = isLoopback(host)
  let url = ''

  const status = async (): Promise<StatusJson> => ({
    ...await backend.snapshot(),
    gateway: { url, startedAt, uptimeMs: Date.now() - startedAt },
    transfers: transfers.list(),
    totals: { ...transfers.totals }
  })

  const handlePut = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    const length = req.headers['content-length'] !== undefined ? Number(req.headers['content-length']) : undefined
    const t = transfers.start('upload', { bytesTotal: Number.isSafeInteger(length) ? length : undefined })
    const abort = new AbortController()
    const onClose = (): void => { if (!res.writableEnded) abort.abort() }
    res.on('close', onClose)
    let ok = false
    try {
      const club = url.searchParams.get('club') ?? undefined
      const result = await backend.put(transfers.count(t, req as AsyncIterable<Uint8Array>), { club, servers: serversParam(url), signal: abort.signal, onProgress: p => { transfers.phase(t, p) } })
      t.cap = result.cap
      ok = true
      if (wantsJson(req, url)) sendJson(res, 200, { cap: result.cap, hintedCap: result.hintedCap ?? null })
      else sendText(res, 200, result.cap, 'text/plain; charset=utf-8', result.hintedCap !== undefined ? { 'X-Lafs-Hinted-Cap': result.hintedCap } : {})
    } finally {
      res.off('close', onClose)
      transfers.finish(t, ok)
    }
  }

  const handleGet = async (req: IncomingMessage, res: ServerResponse, url: URL, capText: string): Promise<void> => {
    const { cap } = parseHintedCap(capText)
    if (cap.kind === 'chk-verifier') throw new BadRequestError('a verify-cap (URI:CHK-Verifier:) can check a file but not read it; use the read-cap (URI:CHK:)')
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
    const headers: Record<string, string | number> = {
      'Content-Type': contentTypeFor(url.searchParams.get('filename')),
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
    if (req.method === 'HEAD') {
      res.writeHead(statusCode, headers)
      res.end()
      return
    }
    if (length === 0) {
      res.writeHead(statusCode, headers)
      res.end()
      return
    }
    const t = transfers.start('download', { cap: capText, bytesTotal: length })
    const abort = new AbortController()
    const onClose = (): void => { if (!res.writableEnded) abort.abort() }
    res.on('close', onClose)
    let ok = false
    try {
      const it = backend.cat(capText, { offset: start, length, servers: serversParam(url), signal: abort.signal, onProgress: p => { transfers.phase(t, p) } })[Symbol.asyncIterator]()
      const first = await firstChunk(it, abort, locateTimeoutMs, 'this file')
      res.writeHead(statusCode, headers)
      let sent = 0
      const write = async (chunk: Uint8Array): Promise<void> => {
        transfers.progress(t, chunk.length)
        sent += chunk.length
        if (!res.write(chunk)) await new Promise<void>(resolve => { res.once('drain', resolve); res.once('close', resolve) })
      }
      if (first.done !== true) await write(first.value)
      while (!abort.signal.aborted) {
        const next = await it.next()
        if (next.done === true) break
        await write(next.value)
      }
      if (sent !== length && !abort.signal.aborted) throw new Error(`download produced ${sent} bytes, expected ${length}`)
      ok = !abort.signal.aborted
      res.end()
    } catch (err) {
      if (res.headersSent) {
        // Too late for a status code: cut the connection so the client sees a short body.
        res.destroy(err as Error)
        return
      }
      if (abort.signal.aborted && !(err instanceof GatewayError)) throw new FileNotFoundError('the download was aborted before any data arrived', { cause: err })
      throw err
    } finally {
      res.off('close', onClose)
      transfers.finish(t, ok)
    }
  }

  const api = async (req: IncomingMessage, res: ServerResponse, url: URL, parts: string[]): Promise<void> => {
    const method = req.method ?? 'GET'
    if (method !== 'GET' && method !== 'HEAD') {
      // A web page in the user's browser may only send cross-origin POSTs with
      // simple content types; insisting on JSON keeps it from driving the node.
      const type = req.headers['content-type'] ?? ''
      if (!type.startsWith('application/json')) throw new GatewayError('ERR_UNSUPPORTED_MEDIA_TYPE', 415, 'control API requests must be sent with Content-Type: application/json')
    }
    const body = method === 'POST' || method === 'DELETE' ? await readJson(req, maxJsonBytes) : {}
    const route = `${method} ${parts.map((p, i) => (i === 1 && parts[0] === 'clubs' && !['join'].includes(p)) ? ':id' : p).join('/')}`
    const id = parts[1]
    const clubs = backend.clubs
    switch (route) {
      case 'POST check': {
        const cap = url.searchParams.get('cap') ?? stringField(body, 'cap', true)
        const report = await backend.check(cap, { verify: flag(url, 'verify') || body.verify === true, repair: flag(url, 'repair') || body.repair === true, servers: serversParam(url) })
        sendJson(res, 200, report); return
      }
      case 'GET locate': {
        const abort = new AbortController()
        res.on('close', () => { if (!res.writableEnded) abort.abort() })
        sendJson(res, 200, await backend.locate(url.searchParams.get('cap') ?? '', { signal: abort.signal })); return
      }
      case 'GET clubs': sendJson(res, 200, await clubs.list()); return
      case 'POST clubs': {
        const policy = stringField(body, 'policy')
        if (policy !== undefined && policy !== 'open' && policy !== 'invitation') throw new BadRequestError('"policy" must be "open" or "invitation"')
        const servers = body.servers
        if (servers !== undefined && (!Array.isArray(servers) || !servers.every(s => typeof s === 'string'))) throw new BadRequestError('"servers" must be a list of multiaddrs')
        sendJson(res, 200, await clubs.create({ name: stringField(body, 'name', true), description: stringField(body, 'description'), policy, servers: servers as string[] | undefined }))
        return
      }
      case 'POST clubs/join': sendJson(res, 200, await clubs.join(stringField(body, 'club', true))); return
      case 'GET clubs/:id': sendJson(res, 200, await clubs.show(id, { refresh: flag(url, 'refresh') })); return
      case 'POST clubs/:id/servers': sendJson(res, 200, await clubs.add(id, stringField(body, 'server', true))); return
      case 'DELETE clubs/:id/servers': sendJson(res, 200, await clubs.remove(id, stringField(body, 'server', true))); return
      case 'POST clubs/:id/publish': sendJson(res, 200, await clubs.publish(id)); return
      case 'POST clubs/:id/invite': sendJson(res, 200, await clubs.invite(id)); return
      case 'POST invites': {
        const quota = body.quota
        if (typeof quota !== 'number' || !Number.isSafeInteger(quota) || quota < 0) throw new BadRequestError('"quota" must be a whole number of bytes')
        sendJson(res, 200, await backend.createInvitation({ quota, note: stringField(body, 'note') }))
        return
      }
      case 'POST invites/redeem': sendJson(res, 200, await backend.redeemInvitation(stringField(body, 'code', true), stringField(body, 'server'))); return
      case 'GET account/usage': sendJson(res, 200, await backend.accountUsage(url.searchParams.get('server') ?? undefined)); return
      case 'GET account/terms': sendJson(res, 200, await backend.accountTerms(url.searchParams.get('server') ?? undefined)); return
      case 'POST gc': sendJson(res, 200, await backend.gc()); return
      case 'GET node': {
        const s = await status()
        sendJson(res, 200, { peerId: s.peerId, multiaddrs: s.multiaddrs, gateway: s.gateway }); return
      }
    }
    throw new GatewayError('ERR_NO_SUCH_ROUTE', 404, `no API route ${method} /api/${parts.join('/')} (see docs/cli.md)`)
  }

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://gateway.invalid')
    const method = req.method ?? 'GET'
    if (loopbackOnly) {
      // DNS rebinding: a site that resolves its name to 127.0.0.1 must not reach the gateway.
      const hostHeader = (req.headers.host ?? '').replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1')
      if (hostHeader !== '' && !isLoopback(hostHeader) && isIP(hostHeader) === 0) {
        throw new GatewayError('ERR_FORBIDDEN_HOST', 403, `this gateway only answers requests for localhost, not "${hostHeader}"`)
      }
    }
    const path = url.pathname
    if (path === '/uri' || path === '/uri/') {
      if (method === 'PUT' || method === 'POST') { await handlePut(req, res, url); return }
      const cap = url.searchParams.get('uri')
      if ((method === 'GET' || method === 'HEAD') && cap !== null) { await handleGet(req, res, url, cap); return }
      throw new GatewayError('ERR_METHOD_NOT_ALLOWED', 405, 'use PUT /uri to upload, or GET /uri/<cap> to download')
    }
    if (path.startsWith('/uri/')) {
      if (method !== 'GET' && method !== 'HEAD') throw new GatewayError('ERR_METHOD_NOT_ALLOWED', 405, `${method} is not allowed on a file; use GET or HEAD`)
      let cap: string
      try {
        cap = decodeURIComponent(path.slice('/uri/'.length).split('/')[0])
      } catch {
        throw new BadRequestError('the cap in the URL is not valid percent-encoding')
      }
      await handleGet(req, res, url, cap)
      return
    }
    if (path === '/' && (method === 'GET' || method === 'HEAD')) {
      res.writeHead(302, { Location: '/status' })
      res.end()
      return
    }
    if (path === '/status' && (method === 'GET' || method === 'HEAD')) {
      if (wantsJson(req, url)) sendJson(res, 200, await status())
      else sendText(res, 200, STATUS_PAGE_HTML, 'text/html; charset=utf-8', { 'Content-Security-Policy': "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'", 'X-Frame-Options': 'DENY' })
      return
    }
    if (path === '/metrics' && (method === 'GET' || method === 'HEAD')) {
      const active = transfers.list()
      sendText(res, 200, renderMetrics(await backend.snapshot(), transfers.totals, {
        uploads: active.filter(t => t.direction === 'upload').length,
        downloads: active.filter(t => t.direction === 'download').length
      }), METRICS_CONTENT_TYPE)
      return
    }
    if (path.startsWith('/api/')) {
      await api(req, res, url, path.slice('/api/'.length).split('/').filter(p => p !== '').map(decodeURIComponent))
      return
    }
    throw new GatewayError('ERR_NO_SUCH_ROUTE', 404, `nothing at ${path}; try /status, /uri/<cap>, /metrics (routes: docs/cli.md)`)
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(err => {
      if (res.headersSent) { res.destroy(); return }
      const status = statusOf(err)
      // Drain what the client is still sending, so it reads our answer instead of a reset.
      req.resume()
      const body = errorBody(err)
      if (req.url?.startsWith('/api/') === true || wantsJson(req, new URL(req.url ?? '/', 'http://x'))) sendJson(res, status, body)
      else sendText(res, status, body.error.message + '\n', 'text/plain; charset=utf-8', { 'X-Lafs-Error-Code': body.error.code })
    })
  })
  server.requestTimeout = 0 // uploads of big files take as long as they take
  server.headersTimeout = 60_000

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port ?? DEFAULT_GATEWAY_PORT, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const address = server.address()
  const port = typeof address === 'object' && address !== null ? address.port : (opts.port ?? DEFAULT_GATEWAY_PORT)
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : (isIP(host) === 6 ? `[${host}]` : host)
  url = `http://${urlHost}:${port}`

  let closing: Promise<void> | undefined
  return {
    url,
    host,
    port,
    transfers,
    status,
    close: async () => {
      closing ??= new Promise<void>(resolve => {
        server.close(() => { resolve() })
        server.closeAllConnections()
      })
      await closing
    }
  }
}
