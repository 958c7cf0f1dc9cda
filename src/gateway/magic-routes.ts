/**
 * The magic-folder part of the control API, `/api/magic-folders[/<name>[/…]]`,
 * a thin mapping of `node.magicFolders`. The server checks the API token
 * before handing a request here. Routes are listed in docs/cli.md.
 *
 * Answers hold folder statuses and, for `invite`, the code — which carries a
 * participant's write cap. Nothing here logs a code or a cap: log lines name
 * the folder and the participant only.
 */
import { isAbsolute } from 'node:path'
import { logger } from '@libp2p/logger'
import { BadRequestError, GatewayError } from './errors.js'
import { readJson, sendJson, stringField } from './http.js'
import { parseDuration, type FolderOptions, type LafsNode } from '../node/index.js'
import type { IncomingMessage, ServerResponse } from 'node:http'

const log = logger('lafs-club:gateway:magic')

export const MAGIC_API_PREFIX = '/api/magic-folders'

export interface MagicRoutesInit {
  node: LafsNode
  /** Largest JSON body accepted. */
  maxJsonBytes: number
}

type Body = Record<string, unknown>

/** `/api/magic-folders` and everything below it (not `/api/magic-foldersX`). */
export function isMagicPath (path: string): boolean {
  return path === MAGIC_API_PREFIX || path.startsWith(MAGIC_API_PREFIX + '/')
}

/** The magic-folder layer's codes, which the shared table in errors.ts does not know, as HTTP statuses. */
const MAGIC_STATUS: Record<string, number> = {
  ERR_NO_SUCH_MAGIC_FOLDER: 404,
  ERR_MAGIC_FOLDER_EXISTS: 409,
  ERR_INVALID_MAGIC_FOLDER_INPUT: 400,
  ERR_INVALID_MAGIC_FOLDER_INVITE: 400,
  // The node lacks the collective's write cap: no request to this node can change that.
  ERR_NOT_MAGIC_FOLDER_ADMIN: 403
}

/** A magic-folder error as a GatewayError with its status; anything else unchanged (errors.ts maps it). */
export function magicHttpError (err: unknown): unknown {
  if (err instanceof GatewayError) return err
  const code = (err as { code?: unknown })?.code
  if (typeof code === 'string' && MAGIC_STATUS[code] !== undefined) {
    return new GatewayError(code, MAGIC_STATUS[code], (err as Error).message, { cause: err })
  }
  return err
}

/** A folder name from the URL: percent-decoded, NFC (as the node keeps it), never empty or holding '/'. */
export function folderNameArg (segment: string): string {
  let name: string
  try {
    name = decodeURIComponent(segment)
  } catch {
    throw new BadRequestError('the folder name in the URL is not valid percent-encoding')
  }
  if (name.trim() === '') throw new BadRequestError('a magic folder name cannot be empty')
  if (name.includes('/')) throw new BadRequestError(`a magic folder name cannot hold '/' (got ${JSON.stringify(name.slice(0, 100))})`)
  return name.normalize('NFC')
}

/** Seconds: a number, or text such as "90", "90s", "5m", "1h". */
function secondsField (body: Body, key: string): number | undefined {
  const v = body[key]
  if (v === undefined || v === null) return undefined
  if (typeof v === 'number' && Number.isFinite(v)) return v
  if (typeof v === 'string') {
    const ms = parseDuration(v)
    if (ms !== undefined) return ms / 1000
  }
  throw new BadRequestError(`"${key}" must be a number of seconds or a duration such as "90s", "5m", "1h"`)
}

function settleField (body: Body): number | undefined {
  const v = body.settleMs
  if (v === undefined || v === null) return undefined
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new BadRequestError('"settleMs" must be a number of ms, 0 or more')
  return v
}

function localPathField (body: Body): string {
  const p = stringField(body, 'localPath', true)
  // The daemon's working folder means nothing to the client; the CLI resolves paths before sending.
  if (!isAbsolute(p)) throw new BadRequestError(`"localPath" must be an absolute path (got ${JSON.stringify(p.slice(0, 200))})`)
  return p
}

function stringList (body: Body, key: string): string[] | undefined {
  const v = body[key]
  if (v === undefined || v === null) return undefined
  if (!Array.isArray(v) || !v.every(s => typeof s === 'string' && s !== '')) throw new BadRequestError(`"${key}" must be a list of strings`)
  return v.length > 0 ? v : undefined
}

function folderOptions (body: Body): FolderOptions {
  const opts: FolderOptions = {
    pollSeconds: secondsField(body, 'pollSeconds'),
    scanSeconds: secondsField(body, 'scanSeconds'),
    settleMs: settleField(body)
  }
  return Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined))
}

export function magicRoutes (init: MagicRoutesInit): (req: IncomingMessage, res: ServerResponse, url: URL, path: string) => Promise<void> {
  const mf = init.node.magicFolders

  const route = async (method: string, parts: string[], body: () => Promise<Body>): Promise<unknown> => {
    if (parts.length === 0) {
      if (method === 'GET') return await mf.list()
      if (method === 'POST') {
        const b = await body()
        const name = stringField(b, 'name', true)
        const status = await mf.create(name, localPathField(b), {
          ...folderOptions(b),
          servers: stringList(b, 'servers'),
          club: stringField(b, 'club'),
          participant: stringField(b, 'participant')
        })
        log('created magic folder %s', status.name)
        return status
      }
    }
    if (parts.length === 1 && parts[0] === 'join' && method === 'POST') {
      const b = await body()
      const status = await mf.join(stringField(b, 'code', true), stringField(b, 'name', true), localPathField(b), folderOptions(b))
      log('joined magic folder %s as %s', status.name, status.participant)
      return status
    }
    const name = parts.length > 0 ? folderNameArg(parts[0]) : ''
    if (parts.length === 1) {
      if (method === 'GET') return await mf.status(name)
      if (method === 'DELETE') {
        await mf.remove(name)
        log('removed magic folder %s', name)
        return { name, removed: true }
      }
    }
    if (parts.length === 2 && parts[1] === 'intervals' && (method === 'PATCH' || method === 'POST')) {
      const b = await body()
      const iv = { pollSeconds: secondsField(b, 'pollSeconds'), scanSeconds: secondsField(b, 'scanSeconds') }
      if (iv.pollSeconds === undefined && iv.scanSeconds === undefined) throw new BadRequestError('give "pollSeconds", "scanSeconds" or both')
      return await mf.setIntervals(name, Object.fromEntries(Object.entries(iv).filter(([, v]) => v !== undefined)))
    }
    if (parts.length === 2 && parts[1] === 'invite' && method === 'POST') {
      const participant = stringField(await body(), 'participant', true)
      const invited = await mf.invite(name, participant)
      log('invited participant %s to magic folder %s', invited.participant, name)
      return invited
    }
    throw new GatewayError('ERR_NO_SUCH_ROUTE', 404, `no API route ${method} ${MAGIC_API_PREFIX}/${parts.join('/')} (see docs/cli.md)`)
  }

  return async (req, res, _url, path) => {
    const method = req.method ?? 'GET'
    if (method !== 'GET' && method !== 'HEAD') {
      // As in api-routes: a page of another origin may only send simple content types, so JSON keeps it out.
      const type = req.headers['content-type'] ?? ''
      if (!type.startsWith('application/json')) throw new GatewayError('ERR_UNSUPPORTED_MEDIA_TYPE', 415, 'control API requests must be sent with Content-Type: application/json')
    }
    // Split the raw path: a name holding an encoded '/' stays one segment (and is refused), not two.
    const rest = path.slice(MAGIC_API_PREFIX.length).replace(/^\//, '').replace(/\/$/, '')
    const parts = rest === '' ? [] : rest.split('/')
    try {
      sendJson(res, 200, await route(method, parts, async () => await readJson(req, init.maxJsonBytes)))
    } catch (err) {
      throw magicHttpError(err)
    }
  }
}
