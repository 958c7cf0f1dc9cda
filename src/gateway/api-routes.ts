/**
 * The JSON control API under `/api/`, a thin mapping of the node's door
 * (`node.files`, `node.clubs`, `node.accounts`, `node.admin`); the CLI talks
 * to a running node through it. Routes are listed in docs/cli.md.
 */
import { BadRequestError, GatewayError } from './errors.js'
import { abortOnClose, flag, readJson, sendJson, serversParam, stringField } from './http.js'
import type { LafsNode, NodeInfo, StatusJson } from '../node/index.js'
import type { IncomingMessage, ServerResponse } from 'node:http'

export interface ApiRoutesInit {
  node: LafsNode
  status: () => Promise<StatusJson>
  /** Largest JSON body accepted. */
  maxJsonBytes: number
}

type Body = Record<string, unknown>
type Handler = (ctx: { url: URL, body: Body, id: string, res: ServerResponse }) => Promise<unknown>

function policyField (body: Body): 'open' | 'invitation' | undefined {
  const policy = stringField(body, 'policy')
  if (policy !== undefined && policy !== 'open' && policy !== 'invitation') throw new BadRequestError('"policy" must be "open" or "invitation"')
  return policy
}

function stringList (body: Body, key: string): string[] | undefined {
  const v = body[key]
  if (v === undefined || v === null) return undefined
  if (!Array.isArray(v) || !v.every(s => typeof s === 'string')) throw new BadRequestError(`"${key}" must be a list of strings`)
  return v
}

function intParam (url: URL, name: string): number | undefined {
  const v = url.searchParams.get(name)
  if (v === null) return undefined
  const n = Number(v)
  if (!Number.isSafeInteger(n) || n < 0) throw new BadRequestError(`"${name}" must be a whole number`)
  return n
}

function boolField (body: Body, key: string): boolean | undefined {
  const v = body[key]
  if (v === undefined || v === null) return undefined
  if (typeof v !== 'boolean') throw new BadRequestError(`"${key}" must be true or false`)
  return v
}

/** A roster validity: ms, or text such as "30d" (the node checks it). */
function validField (body: Body): number | string | undefined {
  const v = body.valid
  if (v === undefined || v === null) return undefined
  if (typeof v !== 'number' && typeof v !== 'string') throw new BadRequestError('"valid" must be a number of ms or text such as "30d"')
  return v
}

function quotaField (body: Body): number {
  const quota = body.quota
  if (typeof quota !== 'number' || !Number.isSafeInteger(quota) || quota < 0) throw new BadRequestError('"quota" must be a whole number of bytes')
  return quota
}

export function apiRoutes (init: ApiRoutesInit): (req: IncomingMessage, res: ServerResponse, url: URL, parts: string[]) => Promise<void> {
  const { node } = init
  const routes: Record<string, Handler> = {
    'POST check': async ({ url, body }) => await node.files.check(url.searchParams.get('cap') ?? stringField(body, 'cap', true), {
      verify: flag(url, 'verify') || body.verify === true,
      repair: flag(url, 'repair') || body.repair === true,
      servers: serversParam(url)
    }),
    'GET locate': async ({ url, res }) => {
      const client = abortOnClose(res)
      try {
        return await node.files.locate(url.searchParams.get('cap') ?? '', { signal: client.signal })
      } finally {
        client.done()
      }
    },
    'GET clubs': async () => await node.clubs.list(),
    'POST clubs': async ({ body }) => await node.clubs.create({
      name: stringField(body, 'name', true),
      description: stringField(body, 'description'),
      policy: policyField(body),
      servers: stringList(body, 'servers'),
      local: boolField(body, 'local'),
      valid: validField(body)
    }),
    // no client signal: each step (DHT lookup, the owner's answer) has its own deadline
    'POST clubs/join': async ({ body }) => await node.clubs.join(stringField(body, 'club', true), { serve: boolField(body, 'serve'), note: stringField(body, 'note') }),
    'GET clubs/requests': async () => node.clubs.requests(),
    'GET clubs/:id/requests': async ({ id }) => node.clubs.requests(id),
    'POST clubs/:id/approve': async ({ body, id }) => await node.clubs.approve(id, stringField(body, 'peer', true)),
    'POST clubs/:id/deny': async ({ body, id }) => {
      node.clubs.deny(id, stringField(body, 'peer', true), stringField(body, 'reason'))
      return { denied: true }
    },
    'POST clubs/:id/leave': async ({ id }) => await node.clubs.leave(id),
    'GET clubs/:id': async ({ url, id }) => await node.clubs.show(id, { refresh: flag(url, 'refresh') }),
    'POST clubs/:id/servers': async ({ body, id }) => await node.clubs.add(id, stringField(body, 'server', true)),
    'DELETE clubs/:id/servers': async ({ body, id }) => await node.clubs.remove(id, stringField(body, 'server', true)),
    'POST clubs/:id/helpers': async ({ body, id }) => await node.clubs.setHelpers(id, stringList(body, 'helpers') ?? []),
    'POST clubs/:id/publish': async ({ body, id }) => await node.clubs.publish(id, { valid: validField(body) }),
    'POST clubs/:id/invite': async ({ id }) => await node.clubs.invite(id),
    'POST invites': async ({ body }) => await node.accounts.createInvitation({ quota: quotaField(body), note: stringField(body, 'note') }),
    'POST invites/redeem': async ({ body }) => await node.accounts.redeem(stringField(body, 'code', true), stringField(body, 'server')),
    'GET account/usage': async ({ url }) => await node.accounts.usage(url.searchParams.get('server') ?? undefined),
    'GET account/terms': async ({ url }) => await node.accounts.terms(url.searchParams.get('server') ?? undefined),
    'GET accounts': async ({ url }) => await node.accounts.list({ limit: intParam(url, 'limit'), offset: intParam(url, 'offset') }),
    'POST accounts': async ({ body }) => await node.accounts.grant(stringField(body, 'account', true), { quota: quotaField(body), note: stringField(body, 'note') }),
    'DELETE accounts/:id': async ({ id }) => await node.accounts.revoke(id),
    // Caps to keep: { "cap": "…" } or { "caps": ["…", …] }; answers their entries (by storage index, never the caps).
    'POST keep': async ({ body }) => {
      const caps = stringList(body, 'caps') ?? []
      const one = stringField(body, 'cap')
      if (one !== undefined) caps.push(one)
      if (caps.length === 0) throw new BadRequestError('give "cap" or "caps" (a list of caps) to keep')
      return await node.repair.keep(caps)
    },
    'GET keep': async ({ url }) => await node.repair.kept({ all: flag(url, 'all') }),
    'DELETE keep': async ({ body }) => await node.repair.unkeep(stringField(body, 'cap', true)),
    'POST keep/run': async () => await node.repair.runNow(),
    'GET repair': async () => node.repair.stats(),
    'POST gc': async () => await node.admin.gc(),
    'GET node': async (): Promise<NodeInfo> => {
      const s = await init.status()
      return { peerId: s.peerId, multiaddrs: s.multiaddrs, gateway: s.gateway }
    }
  }

  return async (req, res, url, parts) => {
    const method = req.method ?? 'GET'
    if (method !== 'GET' && method !== 'HEAD') {
      // A web page in the user's browser may only send cross-origin POSTs with
      // simple content types; insisting on JSON keeps it from driving the node.
      const type = req.headers['content-type'] ?? ''
      if (!type.startsWith('application/json')) throw new GatewayError('ERR_UNSUPPORTED_MEDIA_TYPE', 415, 'control API requests must be sent with Content-Type: application/json')
    }
    const named = (i: number, p: string): boolean => i === 1 && ((parts[0] === 'clubs' && p !== 'join' && p !== 'requests') || parts[0] === 'accounts')
    const route = `${method} ${parts.map((p, i) => named(i, p) ? ':id' : p).join('/')}`
    const handler = routes[route]
    if (handler === undefined) throw new GatewayError('ERR_NO_SUCH_ROUTE', 404, `no API route ${method} /api/${parts.join('/')} (see docs/cli.md)`)
    const body = method === 'POST' || method === 'DELETE' ? await readJson(req, init.maxJsonBytes) : {}
    sendJson(res, 200, await handler({ url, body, id: parts[1], res }))
  }
}
