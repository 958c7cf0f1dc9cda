/**
 * The HTTP gateway of a node: Tahoe-style `PUT /uri` and `GET /uri/<cap>`, Tahoe's
 * directory routes under `/uri/<dircap>/<path>` (with an HTML listing),
 * the status page and its JSON, Prometheus metrics, and the JSON control API
 * the CLI talks to. It reaches the node only through the `LafsNode` door.
 * Every route is listed in docs/cli.md.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { isIP } from 'node:net'
import { logger } from '@libp2p/logger'
import { apiRoutes } from './api-routes.js'
import { MAGIC_EVENTS_PATH, magicEvents } from './magic-events.js'
import { BadRequestError, errorBody, GatewayError, statusOf } from './errors.js'
import { mkdirWithChildrenRoute } from './dir-batch-routes.js'
import { splitUriPath } from './dir-args.js'
import { dirRoutes } from './dir-routes.js'
import { fileRoutes } from './file-routes.js'
import { createGuard } from './guard.js'
import { isMagicPath, magicRoutes } from './magic-routes.js'
import { magicRestoreRoutes } from './magic-restore-routes.js'
import { isLoopback, sendJson, sendText, wantsJson } from './http.js'
import { METRICS_CONTENT_TYPE, renderMetrics } from './metrics.js'
import { withoutCaps } from './redact.js'
import { STATUS_PAGE_HTML } from './status-page.js'
import { TransferTracker } from './transfers.js'
import { isDirCapString, newApiToken, type LafsNode, type StatusJson } from '../node/index.js'

const log = logger('lafs-club:gateway')

/** An /api path as decoded names (NFC); undecodable ones are left to the routes that report them. */
function apiParts (path: string): string[] {
  try {
    return path.slice('/api/'.length).split('/').filter(p => p !== '').map(p => decodeURIComponent(p).normalize('NFC'))
  } catch {
    return []
  }
}

export interface GatewayOptions {
  node: LafsNode
  /** Default 127.0.0.1. Anything else exposes uploads and downloads to the network. */
  host?: string
  /** Default 3456; 0 picks a free port. */
  port?: number
  /** A download that has not produced its first byte within this long answers 404. Default 60 s. */
  locateTimeoutMs?: number
  /** Largest JSON body the control API accepts. Default 64 KiB. */
  maxJsonBytes?: number
  /**
   * The token `/api/*` requires (the data folder's private/api_auth_token,
   * see loadOrCreateApiToken). Default: a random one, known only through `Gateway.apiToken`.
   */
  apiToken?: string
  /** Where the token is kept, named in the 401 answer. */
  apiTokenFile?: string
  /** Serve HTML, SVG, XML and JavaScript from /uri inline (config gateway.inlineActiveContent). Default false. */
  inlineActiveContent?: boolean
}

export interface Gateway {
  /** `http://host:port` as a client on this machine would use it. */
  readonly url: string
  readonly host: string
  readonly port: number
  readonly transfers: TransferTracker
  /** The token the control API requires. */
  readonly apiToken: string
  /** The full status, caps included (what a caller with the token gets). */
  status: () => Promise<StatusJson>
  /** Stops accepting requests and ends the ones in progress. */
  close: () => Promise<void>
}

export const DEFAULT_GATEWAY_PORT = 3456
export const DEFAULT_LOCATE_TIMEOUT_MS = 60_000

const STATUS_PAGE_HEADERS = {
  'Content-Security-Policy': "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'",
  'X-Frame-Options': 'DENY'
}

/** The cap in `/uri/<cap>[/…]`. */
function capInPath (path: string): string {
  try {
    return decodeURIComponent(path.slice('/uri/'.length).split('/')[0])
  } catch {
    throw new BadRequestError('the cap in the URL is not valid percent-encoding')
  }
}

export async function startGateway (opts: GatewayOptions): Promise<Gateway> {
  const { node } = opts
  const host = opts.host ?? '127.0.0.1'
  const transfers = new TransferTracker()
  const startedAt = Date.now()
  const loopbackOnly = isLoopback(host)
  let gatewayUrl = ''

  const status = async (): Promise<StatusJson> => ({
    ...await node.admin.status(),
    gateway: { url: gatewayUrl, startedAt, uptimeMs: Date.now() - startedAt },
    transfers: transfers.list(),
    totals: { ...transfers.totals }
  })
  const apiToken = opts.apiToken ?? newApiToken()
  const guard = createGuard({ token: apiToken, tokenFile: opts.apiTokenFile })
  let port = 0
  const files = fileRoutes({
    node, transfers, locateTimeoutMs: opts.locateTimeoutMs ?? DEFAULT_LOCATE_TIMEOUT_MS, inlineActiveContent: opts.inlineActiveContent ?? false
  })
  const dirs = dirRoutes({ node, files, transfers })
  const mkdirWithChildren = mkdirWithChildrenRoute(node)
  const api = apiRoutes({ node, status, maxJsonBytes: opts.maxJsonBytes ?? 64 * 1024 })
  const magic = magicRoutes({ node, maxJsonBytes: opts.maxJsonBytes ?? 64 * 1024 })
  const magicStream = magicEvents({ node })
  const magicRestore = magicRestoreRoutes({ node, maxJsonBytes: opts.maxJsonBytes ?? 64 * 1024 })

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://gateway.invalid')
    const method = req.method ?? 'GET'
    const readOnly = method === 'GET' || method === 'HEAD'
    if (loopbackOnly) {
      // DNS rebinding: a site that resolves its name to 127.0.0.1 must not reach the gateway.
      const hostHeader = (req.headers.host ?? '').replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1')
      if (hostHeader !== '' && !isLoopback(hostHeader) && isIP(hostHeader) === 0) {
        throw new GatewayError('ERR_FORBIDDEN_HOST', 403, `this gateway only answers requests for localhost, not "${hostHeader}"`)
      }
    }
    const path = url.pathname
    const isApi = path.startsWith('/api/')
    // A page of another origin must not change state (a form posting to /uri,
    // a fetch to /api), nor use the control API at all.
    if (!readOnly || isApi) guard.checkOrigin(req, port, gatewayUrl)
    if (path === '/uri' || path === '/uri/') {
      if ((method === 'PUT' || method === 'POST') && url.searchParams.get('t') === 'mkdir') { await dirs.mkdir(req, res, url); return }
      if (method === 'POST' && url.searchParams.get('t') === 'mkdir-with-children') { await mkdirWithChildren(req, res, url); return }
      if (method === 'PUT' || method === 'POST') { await files.put(req, res, url); return }
      const cap = url.searchParams.get('uri')
      if (readOnly && cap !== null && isDirCapString(cap.trim())) { await dirs.handle(req, res, url, cap.trim(), []); return }
      if (readOnly && cap !== null) { await files.get(req, res, url, cap); return }
      throw new GatewayError('ERR_METHOD_NOT_ALLOWED', 405, 'use PUT /uri to upload, or GET /uri/<cap> to download')
    }
    if (path.startsWith('/uri/')) {
      const cap = capInPath(path).trim()
      // Tahoe's /uri/<dircap>/<path>: listings, files by name, and the directory writes.
      if (isDirCapString(cap)) {
        const { segments } = splitUriPath(path)
        await dirs.handle(req, res, url, cap, segments)
        return
      }
      const t = url.searchParams.get('t')
      if (readOnly && (t === 'json' || t === 'uri' || t === 'readonly-uri')) { await dirs.fileInfo(req, res, url, cap); return }
      // Tahoe's PUT /uri/<mutable write cap>: replace the mutable file's contents.
      if (method === 'PUT' && files.isMutableWriteCap(capInPath(path))) { await files.overwrite(req, res, url, capInPath(path)); return }
      if (!readOnly) throw new GatewayError('ERR_METHOD_NOT_ALLOWED', 405, `${method} is not allowed on a file; use GET or HEAD (or PUT on a mutable file's write cap)`)
      await files.get(req, res, url, capInPath(path))
      return
    }
    if (isApi && readOnly && path === MAGIC_EVENTS_PATH) {
      // Before the folder routes: a folder named "events" is not reachable by GET (docs/cli.md).
      guard.requireToken(req)
      await magicStream.handle(req, res, url)
      return
    }
    if (isApi && isMagicPath(path)) {
      guard.requireToken(req)
      if (await magicRestore(req, res, url, apiParts(path))) return
      await magic(req, res, url, path)
      return
    }
    if (isApi) {
      guard.requireToken(req)
      await api(req, res, url, path.slice('/api/'.length).split('/').filter(p => p !== '').map(decodeURIComponent))
      return
    }
    if (readOnly && path === '/') {
      res.writeHead(302, { Location: '/status' })
      res.end()
      return
    }
    if (readOnly && path === '/status') {
      if (wantsJson(req, url)) sendJson(res, 200, guard.authorized(req) ? await status() : withoutCaps(await status()))
      // The page's own polls of /status?t=json carry the cookie, so it shows caps; no other site's request does (SameSite=Strict).
      else sendText(res, 200, STATUS_PAGE_HTML, 'text/html; charset=utf-8', { ...STATUS_PAGE_HEADERS, 'Set-Cookie': guard.cookie })
      return
    }
    // /metrics stays open (Prometheus scrapers send no token): it holds counts, no caps.
    if (readOnly && path === '/metrics') {
      const active = transfers.list()
      sendText(res, 200, renderMetrics(await node.admin.status(), transfers.totals, {
        uploads: active.filter(t => t.direction === 'upload').length,
        downloads: active.filter(t => t.direction === 'download').length
      }), METRICS_CONTENT_TYPE)
      return
    }
    throw new GatewayError('ERR_NO_SUCH_ROUTE', 404, `nothing at ${path}; try /status, /uri/<cap>, /metrics (routes: docs/cli.md)`)
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (res.headersSent) { res.destroy(); return }
      const status = statusOf(err)
      if (status >= 500) log.error('%s %s: %s', req.method, req.url?.split('?')[0].slice(0, 40), (err as Error)?.message ?? err)
      else log('%s %s answered %d: %s', req.method, req.url?.split('?')[0].slice(0, 40), status, (err as Error)?.message ?? err)
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
  port = typeof address === 'object' && address !== null ? address.port : (opts.port ?? DEFAULT_GATEWAY_PORT)
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : (isIP(host) === 6 ? `[${host}]` : host)
  gatewayUrl = `http://${urlHost}:${port}`
  log('listening on %s', gatewayUrl)

  let closing: Promise<void> | undefined
  return {
    url: gatewayUrl,
    host,
    port,
    transfers,
    apiToken,
    status,
    close: async () => {
      magicStream.close()
      closing ??= new Promise<void>(resolve => {
        server.close(() => { resolve() })
        server.closeAllConnections()
      })
      await closing
    }
  }
}
