/**
 * Who may drive the node through the gateway. The control API needs the API
 * token (Tahoe's `api_auth_token`): the CLI sends it as `Authorization: Bearer`,
 * the status page the gateway serves gets it as an HttpOnly, SameSite=Strict
 * cookie. Requests that change state are refused when a browser says they come
 * from a page of another origin (a web page must not upload or create invitations
 * through the user's node); clients that send no `Origin` (curl, the CLI) pass.
 */
import { createHash, timingSafeEqual } from 'node:crypto'
import { isIP } from 'node:net'
import { ForbiddenOriginError, UnauthorizedError } from './errors.js'
import type { IncomingMessage } from 'node:http'

/** The cookie that carries the token to the gateway's own pages. */
export const API_COOKIE = 'lafs_api'

export interface GuardInit {
  token: string
  /** Where the token is kept, for the 401 message (e.g. `<dataDir>/private/api_auth_token`). */
  tokenFile?: string
}

export interface Guard {
  /** The request carries the token, in the Authorization header or the cookie. */
  authorized: (req: IncomingMessage) => boolean
  /** Throws UnauthorizedError unless `authorized`. */
  requireToken: (req: IncomingMessage) => void
  /** Throws ForbiddenOriginError when the request has an Origin that is not this gateway's. */
  checkOrigin: (req: IncomingMessage, port: number, url: string) => void
  /** The `Set-Cookie` value that hands the token to a page the gateway serves. */
  readonly cookie: string
}

const digest = (s: string): Buffer => createHash('sha256').update(s).digest()

function cookieValue (header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined
  for (const part of header.split(';')) {
    const eq = part.indexOf('=')
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim()
  }
  return undefined
}

function bearer (header: string | undefined): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')
  return m?.[1]
}

/** The origins a page of this gateway has: the loopback names at its port, its URL, and an IP-literal Host (which DNS rebinding cannot fake). */
function ownOrigins (req: IncomingMessage, port: number, url: string): Set<string> {
  const suffix = port === 80 ? '' : `:${port}` // a browser leaves the default port out
  const own = new Set([`http://127.0.0.1${suffix}`, `http://localhost${suffix}`, `http://[::1]${suffix}`, url.toLowerCase()])
  const host = req.headers.host
  if (host !== undefined) {
    const name = host.replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1')
    if (isIP(name) !== 0) own.add(`http://${host.toLowerCase()}`)
  }
  return own
}

export function createGuard (init: GuardInit): Guard {
  // Comparing digests takes the same time whatever the guess and its length.
  const expected = digest(init.token)
  const matches = (given: string | undefined): boolean => given !== undefined && timingSafeEqual(digest(given), expected)
  const where = init.tokenFile ?? "the data folder's private/api_auth_token"
  const authorized = (req: IncomingMessage): boolean =>
    matches(bearer(req.headers.authorization)) || matches(cookieValue(req.headers.cookie, API_COOKIE))
  return {
    authorized,
    requireToken: (req) => {
      if (!authorized(req)) throw new UnauthorizedError(`the control API needs the node's API token: send "Authorization: Bearer <token>" with the token from ${where} (the lafs-club CLI does this itself)`)
    },
    checkOrigin: (req, port, url) => {
      const origin = req.headers.origin
      if (origin === undefined) return
      if (!ownOrigins(req, port, url).has(origin.toLowerCase())) throw new ForbiddenOriginError(origin)
    },
    cookie: `${API_COOKIE}=${init.token}; HttpOnly; SameSite=Strict; Path=/`
  }
}
