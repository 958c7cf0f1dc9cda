/**
 * A magic folder file's history and restore on the control API (token
 * protected, under /api like the rest):
 *   GET  /api/magic-folders/<name>/history?path=<relative path>  → FileVersion[] (newest first)
 *   POST /api/magic-folders/<name>/restore {"path": "…", "version"?: n} → RestoreResult
 * The handler answers false for any other path, so it can sit in front of the
 * other /api routes.
 */
import { BadRequestError, GatewayError } from './errors.js'
import { readJson, sendJson, stringField } from './http.js'
import type { LafsNode } from '../node/index.js'
import type { IncomingMessage, ServerResponse } from 'node:http'

export interface MagicRestoreRoutesInit {
  node: Pick<LafsNode, 'magicFolders'>
  /** Largest JSON body accepted. */
  maxJsonBytes: number
}

/** The magic-folder errors these routes meet, as HTTP statuses (the shared table does not know them). */
const STATUS: Record<string, number> = {
  ERR_NO_SUCH_MAGIC_FOLDER: 404,
  ERR_NO_SUCH_FILE_VERSION: 404,
  ERR_INVALID_MAGIC_FOLDER_INPUT: 400,
  ERR_LOCAL_CHANGE_PENDING: 409,
  ERR_MAGIC_FOLDER_STOPPED: 503
}

function versionField (body: Record<string, unknown>): number | undefined {
  const v = body.version
  if (v === undefined || v === null) return undefined
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) throw new BadRequestError('"version" must be a whole number from 1 (see the file\'s history)')
  return v
}

/** `parts`: the /api path split at '/' and decoded, as the gateway hands it to its API routes. */
export function magicRestoreRoutes (init: MagicRestoreRoutesInit): (req: IncomingMessage, res: ServerResponse, url: URL, parts: string[]) => Promise<boolean> {
  const { node } = init
  return async (req, res, url, parts) => {
    if (parts.length !== 3 || parts[0] !== 'magic-folders' || (parts[2] !== 'history' && parts[2] !== 'restore')) return false
    const method = req.method ?? 'GET'
    const name = parts[1]
    try {
      if (parts[2] === 'history') {
        if (method !== 'GET') throw new GatewayError('ERR_METHOD_NOT_ALLOWED', 405, 'use GET /api/magic-folders/<name>/history?path=<file>')
        const path = url.searchParams.get('path')
        if (path === null || path === '') throw new BadRequestError('"path" (the file, relative to the folder) is required: ?path=<file>')
        sendJson(res, 200, await node.magicFolders.history(name, path))
        return true
      }
      if (method !== 'POST') throw new GatewayError('ERR_METHOD_NOT_ALLOWED', 405, 'use POST /api/magic-folders/<name>/restore with {"path": "<file>", "version": n}')
      // As for every control API write: JSON only, so a page of another site cannot post a form here.
      if (!(req.headers['content-type'] ?? '').startsWith('application/json')) throw new GatewayError('ERR_UNSUPPORTED_MEDIA_TYPE', 415, 'control API requests must be sent with Content-Type: application/json')
      const body = await readJson(req, init.maxJsonBytes)
      sendJson(res, 200, await node.magicFolders.restore(name, stringField(body, 'path', true), { version: versionField(body) }))
      return true
    } catch (err) {
      const code = (err as { code?: unknown }).code
      if (!(err instanceof GatewayError) && typeof code === 'string' && STATUS[code] !== undefined) throw new GatewayError(code, STATUS[code], (err as Error).message, { cause: err })
      throw err
    }
  }
}
