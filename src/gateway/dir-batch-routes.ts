/**
 * Tahoe's batch directory routes: `POST /uri?t=mkdir-with-children` (a new
 * unlinked directory made with all its children in one write) and
 * `POST /uri/<dircap>/<path>?t=set_children` (many links into an existing
 * directory in one write). The body is the `children` value of a
 * directory's `?t=json` (name → [type, {rw_uri, ro_uri, metadata}]; the type
 * is ignored, as Tahoe does). `lafs-club cp -r` builds trees with them, so a
 * directory of 1000 files costs one write, not 1000.
 */
import { BadRequestError } from './errors.js'
import { abortOnClose, sendText, serversParam } from './http.js'
import type { DirFormatName, DirLinkTarget, DirOptions, JsonObject, LafsNode } from '../node/index.js'
import type { IncomingMessage, ServerResponse } from 'node:http'

/** Room for a few thousand children with their caps and metadata. */
const MAX_CHILDREN_BODY = 16 * 1024 * 1024

async function readBody (req: IncomingMessage, limit: number): Promise<Buffer> {
  const parts: Buffer[] = []
  let total = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    total += chunk.length
    if (total > limit) throw new BadRequestError(`the children of t=mkdir-with-children take more than ${limit} bytes`)
    parts.push(chunk)
  }
  return Buffer.concat(parts)
}

/** The children JSON as `node.dirs.mkdir` takes them; a malformed entry is a 400 naming it. */
export function parseChildren (text: string): Record<string, DirLinkTarget> {
  let body: unknown
  try {
    body = text.trim() === '' ? {} : JSON.parse(text)
  } catch (err) {
    throw new BadRequestError(`the children are not valid JSON: ${(err as Error).message}`)
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new BadRequestError('the children must be a JSON object: name → [type, {rw_uri, ro_uri, metadata}]')
  const children: Record<string, DirLinkTarget> = {}
  for (const [name, value] of Object.entries(body as Record<string, unknown>)) {
    const info = Array.isArray(value) ? value[1] as unknown : undefined
    if (info === null || typeof info !== 'object' || Array.isArray(info)) throw new BadRequestError(`the child "${name.slice(0, 60)}" must be [type, {rw_uri, ro_uri, metadata}]`)
    const { rw_uri: rw, ro_uri: ro, metadata } = info as Record<string, unknown>
    const writeCap = typeof rw === 'string' && rw !== '' ? rw : undefined
    const readCap = typeof ro === 'string' && ro !== '' ? ro : undefined
    if (writeCap === undefined && readCap === undefined) throw new BadRequestError(`the child "${name.slice(0, 60)}" has neither rw_uri nor ro_uri`)
    const meta = metadata !== null && typeof metadata === 'object' && !Array.isArray(metadata) ? metadata as JsonObject : undefined
    children[name] = { writeCap, readCap, ...(meta !== undefined ? { metadata: meta } : {}) }
  }
  return children
}

function formatArg (url: URL): DirFormatName | undefined {
  const f = url.searchParams.get('format')?.toLowerCase()
  if (f === undefined || f === '') return undefined
  if (f === 'sdmf' || f === 'mdmf') return f
  throw new BadRequestError(`unknown format "${f.slice(0, 20)}" for a directory: use sdmf or mdmf`)
}

function where (url: URL, signal: AbortSignal): DirOptions {
  return { servers: serversParam(url), club: url.searchParams.get('club') ?? undefined, signal }
}

/** Tahoe's `overwrite=` of set_children: true (default) replaces existing names, false refuses them. */
function overwriteArg (url: URL): boolean {
  const v = url.searchParams.get('overwrite')?.toLowerCase()
  if (v === undefined || v === '' || ['true', 't', '1', 'on'].includes(v)) return true
  if (['false', 'f', '0', 'off'].includes(v)) return false
  throw new BadRequestError(`invalid overwrite= argument: "${v.slice(0, 40)}" (use true or false)`)
}

export function setChildrenRoute (node: LafsNode): (req: IncomingMessage, res: ServerResponse, url: URL, dircap: string, segments: string[]) => Promise<void> {
  return async (req, res, url, dircap, segments) => {
    const children = parseChildren((await readBody(req, MAX_CHILDREN_BODY)).toString('utf8'))
    const client = abortOnClose(res)
    try {
      await node.dirs.linkMany(dircap, segments.join('/'), children, { ...where(url, client.signal), replace: overwriteArg(url) })
      sendText(res, 200, 'children set', 'text/plain; charset=utf-8')
    } finally {
      client.done()
    }
  }
}

export function mkdirWithChildrenRoute (node: LafsNode): (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void> {
  return async (req, res, url) => {
    const children = parseChildren((await readBody(req, MAX_CHILDREN_BODY)).toString('utf8'))
    const client = abortOnClose(res)
    try {
      const made = await node.dirs.mkdir({ ...where(url, client.signal), format: formatArg(url), children })
      sendText(res, 200, made.cap, 'text/plain; charset=utf-8', made.hintedCap !== undefined ? { 'X-Lafs-Hinted-Cap': made.hintedCap } : {})
    } finally {
      client.done()
    }
  }
}
