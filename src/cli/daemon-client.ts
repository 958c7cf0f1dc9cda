/**
 * Talking to a running daemon over its HTTP API, as Tahoe's CLI talks to its
 * web API. The daemon writes its gateway URL to `<dataDir>/gateway.url` when
 * it starts and removes it when it stops; without that file the address in
 * config.json is tried.
 */
import { readFile } from 'node:fs/promises'
import { request, type IncomingMessage } from 'node:http'
import { join } from 'node:path'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { apiTokenPath, dataDirPaths, loadConfigFile, readApiToken, readIdentity, type NodeConfig, type NodeInfo } from '../node/index.js'
import { DaemonNotRunningError, RemoteError } from './errors.js'

export const GATEWAY_URL_FILE = 'gateway.url'

export function gatewayUrlPath (dataDir: string): string {
  return join(dataDir, GATEWAY_URL_FILE)
}

export interface DaemonClient {
  readonly url: string
  json: <T>(method: string, path: string, body?: unknown) => Promise<T>
  /** A request whose answer is streamed; rejects with RemoteError on a status >= 400. */
  stream: (method: string, path: string, opts?: { body?: AsyncIterable<Uint8Array> | Uint8Array, headers?: Record<string, string | number> }) => Promise<IncomingMessage>
}

async function readAll (res: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const c of res as AsyncIterable<Buffer>) chunks.push(c)
  return Buffer.concat(chunks).toString('utf8')
}

async function remoteError (res: IncomingMessage): Promise<RemoteError> {
  const text = await readAll(res)
  try {
    const body = JSON.parse(text) as { error?: { code?: unknown, message?: unknown } } | null
    const { code, message } = body?.error ?? {}
    if (typeof message === 'string') return new RemoteError(res.statusCode ?? 500, typeof code === 'string' ? code : 'ERR_REMOTE', message)
  } catch {
    // not JSON: a proxy or another program answered; the text below says what it said
  }
  const code = res.headers['x-lafs-error-code']
  return new RemoteError(res.statusCode ?? 500, typeof code === 'string' ? code : 'ERR_REMOTE', text.trim() === '' ? `the daemon answered HTTP ${res.statusCode ?? '?'}` : text.trim())
}

/** `token`: the data folder's private/api_auth_token, sent with every request (the control API needs it; /status shows caps with it). */
function client (url: string, dataDir: string, token: string | undefined): DaemonClient {
  const auth: Record<string, string> = token !== undefined ? { Authorization: `Bearer ${token}` } : {}
  const send = async (method: string, path: string, body: AsyncIterable<Uint8Array> | Uint8Array | undefined, headers: Record<string, string | number>): Promise<IncomingMessage> =>
    await new Promise((resolve, reject) => {
      const req = request(new URL(path, url), { method, headers: { ...headers, ...auth } }, resolve)
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (err.code === 'ECONNREFUSED' || err.code === 'ECONNRESET') reject(new DaemonNotRunningError(dataDir, `nothing answers at ${url}`))
        else reject(err)
      })
      if (body === undefined || body instanceof Uint8Array) {
        req.end(body)
        return
      }
      void (async () => {
        try {
          for await (const chunk of body) {
            if (!req.write(chunk)) await new Promise(resolve => req.once('drain', resolve))
          }
          req.end()
        } catch (err) {
          req.destroy(err as Error)
        }
      })()
    })
  return {
    url,
    json: async <T>(method: string, path: string, body?: unknown): Promise<T> => {
      const payload = method === 'GET' ? undefined : Buffer.from(JSON.stringify(body ?? {}))
      const headers: Record<string, string | number> = { Accept: 'application/json' }
      if (payload !== undefined) {
        headers['Content-Type'] = 'application/json'
        headers['Content-Length'] = payload.length
      }
      const res = await send(method, path, payload, headers)
      if ((res.statusCode ?? 500) >= 400) throw await remoteError(res)
      return JSON.parse(await readAll(res)) as T
    },
    stream: async (method, path, opts = {}) => {
      const res = await send(method, path, opts.body, opts.headers ?? {})
      if ((res.statusCode ?? 500) >= 400) throw await remoteError(res)
      return res
    }
  }
}

/** The gateway URL the config names (for when gateway.url is missing). */
function configuredUrl (config: NodeConfig): string | undefined {
  if (!config.gateway.enabled || config.gateway.port === 0) return undefined
  const host = config.gateway.host === '0.0.0.0' || config.gateway.host === '::' ? '127.0.0.1' : config.gateway.host
  return `http://${host.includes(':') ? `[${host}]` : host}:${config.gateway.port}`
}

/** True when the gateway at `url` answers and is the node of this data folder (not another one on the same port). */
async function ping (url: string, dataDir: string, token: string | undefined, peerId: string | undefined): Promise<boolean> {
  try {
    const node = await client(url, dataDir, token).json<NodeInfo>('GET', '/api/node')
    return peerId === undefined || node.peerId === peerId
  } catch (err) {
    if (err instanceof RemoteError && err.status === 401) {
      throw new RemoteError(401, 'ERR_UNAUTHORIZED', `the gateway at ${url} refused the API token in ${apiTokenPath(dataDir)}: it is another node's gateway, or the token changed after the daemon started (restart it)`)
    }
    return false
  }
}

/**
 * The running daemon of `dataDir`, or undefined when none answers. Throws
 * MissingDataDirError / ConfigError when the folder is not usable at all.
 */
export async function findDaemon (dataDir: string): Promise<DaemonClient | undefined> {
  const config = await loadConfigFile(dataDirPaths(dataDir).config, dataDir)
  let url: string | undefined
  try {
    url = (await readFile(gatewayUrlPath(dataDir), 'utf8')).trim()
  } catch {
    url = configuredUrl(config)
  }
  if (url === undefined || url === '') return undefined
  const key = await readIdentity(dataDirPaths(dataDir).identityKey).catch(() => undefined)
  const peerId = key === undefined ? undefined : peerIdFromPrivateKey(key).toString()
  // The daemon writes the token on its first start; a folder that has none has never run one.
  const token = await readApiToken(dataDir)
  return await ping(url, dataDir, token, peerId) ? client(url, dataDir, token) : undefined
}

export async function requireDaemon (dataDir: string): Promise<DaemonClient> {
  const daemon = await findDaemon(dataDir)
  if (daemon === undefined) throw new DaemonNotRunningError(dataDir)
  return daemon
}
