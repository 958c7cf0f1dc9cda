/**
 * Tahoe's directory routes: `/uri/<dircap>/<path>` read (a file's bytes, the
 * HTML listing, `?t=json`, `?t=uri`), `PUT` (a file, `t=uri`, `t=mkdir`),
 * `POST` (`t=mkdir`, `t=relink`, `t=rename`, `t=delete`/`t=unlink`, `t=set_children`),
 * `DELETE`; and `POST|PUT /uri?t=mkdir`. Everything goes through `node.dirs`
 * and `node.files`; the answers (texts, statuses) are those of Tahoe's web API.
 */
import { booleanArg, childrenArg, formatArg, nameArg, readBody, replaceArg } from './dir-args.js'
import { renderDirPage, DIR_PAGE_HEADERS } from './dir-page.js'
import { BadRequestError, GatewayError } from './errors.js'
import type { FileRoutes } from './file-routes.js'
import { abortOnClose, sendText, serversParam } from './http.js'
import type { TransferTracker } from './transfers.js'
import {
  fileJson, isMutableCapString, tahoeJsonText, type DirChild, type DirOptions, type LafsNode
} from '../node/index.js'
import type { IncomingMessage, ServerResponse } from 'node:http'

export interface DirRoutesInit {
  node: LafsNode
  files: FileRoutes
  transfers: TransferTracker
}

export interface DirRoutes {
  /** Any method on `/uri/<dircap>[/<path>]`; `segments` are the decoded names below the cap. */
  handle: (req: IncomingMessage, res: ServerResponse, url: URL, dircap: string, segments: string[]) => Promise<void>
  /** `POST /uri?t=mkdir` and `PUT /uri?t=mkdir`: a new unlinked directory; answers its write cap. */
  mkdir: (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>
  /** `GET /uri/<filecap>?t=json|uri|readonly-uri`: a file cap without a directory. */
  fileInfo: (req: IncomingMessage, res: ServerResponse, url: URL, capText: string) => Promise<void>
}

/** Tahoe sends `?t=json` and cap answers as text/plain. */
const TEXT = 'text/plain; charset=utf-8'
/** A cap linked with `t=uri` is short; anything longer is not a cap. */
const MAX_CAP_BODY = 8 * 1024
/** `t=set_children` takes the JSON of many links (about 500 bytes each). */
const MAX_CHILDREN_BODY = 4 * 1024 * 1024

/** A write that would create directories through a file answers 409, as Tahoe ("its parent is a file"); a read, 400. */
function asCreating (err: unknown): unknown {
  const e = err as { code?: unknown, message?: unknown }
  return e?.code === 'ERR_NOT_A_DIRECTORY' ? new GatewayError('ERR_NOT_A_DIRECTORY', 409, String(e.message), { cause: err }) : err
}

async function creating<T> (p: Promise<T>): Promise<T> {
  try {
    return await p
  } catch (err) {
    throw asCreating(err)
  }
}

const linkCap = (link: DirChild): string => link.writeCap ?? link.readCap ?? ''

/** Read-only and immutable dircaps (behind Tahoe's optional `ro.`/`imm.` markers). */
const READ_ONLY_DIRCAP = /^(?:ro\.|imm\.)?URI:DIR2(?:-MDMF)?-RO:/
const IMMUTABLE_DIRCAP = /^(?:ro\.|imm\.)?URI:DIR2-(?:CHK|LIT):/

/** Refuses a write under a read-only root before any body is read or uploaded (node.dirs would refuse it after). */
function refuseReadOnlyRoot (dircap: string, method: string): void {
  const what = `${method} under this directory`
  if (READ_ONLY_DIRCAP.test(dircap)) {
    throw new GatewayError('ERR_READ_ONLY_DIRECTORY', 400, `cannot ${what}: it was opened with a read-only cap (URI:DIR2-RO:/URI:DIR2-MDMF-RO:); use its write cap (URI:DIR2:/URI:DIR2-MDMF:) to change it`)
  }
  if (IMMUTABLE_DIRCAP.test(dircap)) {
    throw new GatewayError('ERR_READ_ONLY_DIRECTORY', 400, `cannot ${what}: it is an immutable directory (URI:DIR2-CHK:/URI:DIR2-LIT:); its contents never change — make a new directory instead`)
  }
}

export function dirRoutes (init: DirRoutesInit): DirRoutes {
  const { node, files, transfers } = init
  const where = (url: URL, signal?: AbortSignal): DirOptions => ({ servers: serversParam(url), club: url.searchParams.get('club') ?? undefined, signal })
  const answerCap = (res: ServerResponse, status: number, cap: string): void => { sendText(res, status, cap, TEXT) }

  /** Tahoe's `?t=json` text (node.dirs.json gives Tahoe's value: link metadata on files only). */
  async function jsonText (dircap: string, path: string, signal: AbortSignal, url: URL): Promise<string> {
    return tahoeJsonText(await node.dirs.json(dircap, path, where(url, signal)))
  }

  /** replace=false: refuses an existing name before anything is made (node.dirs would refuse it only at the link). */
  async function refuseExisting (dircap: string, names: string[], opts: DirOptions): Promise<void> {
    try {
      await node.dirs.stat(dircap, names.join('/'), opts)
    } catch (err) {
      if ((err as { code?: unknown })?.code === 'ERR_NO_SUCH_CHILD') return
      throw err
    }
    throw new GatewayError('ERR_EXISTING_CHILD', 409, `there is already a child named "${names.at(-1) ?? ''}", and replace=false asks not to replace it`)
  }

  async function get (req: IncomingMessage, res: ServerResponse, url: URL, dircap: string, segments: string[]): Promise<void> {
    const t = url.searchParams.get('t')?.trim() ?? ''
    const path = segments.join('/')
    const client = abortOnClose(res)
    try {
      if (t === 'json') {
        sendText(res, 200, await jsonText(dircap, path, client.signal, url), TEXT)
        return
      }
      if (t !== '' && t !== 'uri' && t !== 'readonly-uri') throw new BadRequestError(`GET with t=${t.slice(0, 20)} is not supported here; use t=json, t=uri or t=readonly-uri`)
      const info = await node.dirs.stat(dircap, path, where(url, client.signal))
      if (t === 'uri' || t === 'readonly-uri') {
        const [rw, ro] = info.type === 'dirnode' && info.link === undefined
          ? [info.listing.writeCap, info.listing.readCap]
          : [info.link?.writeCap, info.link?.readCap]
        const cap = t === 'uri' ? rw ?? ro : ro
        if (cap === undefined) throw new GatewayError('ERR_NO_READ_CAP', 400, 'this child has no read-only cap (an unknown kind of cap)')
        answerCap(res, 200, cap)
        return
      }
      if (info.type === 'dirnode') {
        if ((req.headers.accept ?? '').includes('application/json') && !(req.headers.accept ?? '').includes('text/html')) {
          sendText(res, 200, await jsonText(dircap, path, client.signal, url), TEXT)
          return
        }
        sendText(res, 200, renderDirPage({ urlCap: dircap, segments, listing: info.listing }), 'text/html; charset=utf-8', { ...DIR_PAGE_HEADERS })
        return
      }
      if (info.type !== 'filenode') throw new BadRequestError(`"${info.link.name}" is a kind of cap this node does not know; it cannot be read`)
      const cap = info.link.readCap ?? info.link.writeCap
      if (cap === undefined) throw new BadRequestError(`"${info.link.name}" has no cap to read it with`)
      client.done()
      await files.get(req, res, url, cap, { filename: info.link.name })
    } finally {
      client.done()
    }
  }

  /** `POST|PUT …/<path>?t=mkdir[&name=NAME]`: mkdir -p; with `name=`, a new directory linked there (replace= as Tahoe). */
  async function mkdirAt (res: ServerResponse, url: URL, dircap: string, segments: string[]): Promise<void> {
    const client = abortOnClose(res)
    try {
      const format = formatArg(url)
      const name = nameArg(url, 'name', false)
      if (name === undefined && segments.length === 0) {
        // Tahoe: the directory the cap names exists, so the job is done; answer its cap.
        const info = await node.dirs.stat(dircap, '', where(url, client.signal))
        if (info.type === 'dirnode') answerCap(res, 200, info.listing.writeCap ?? info.listing.readCap)
        return
      }
      if (name === undefined) {
        const made = await creating(node.dirs.mkdirAt(dircap, segments.join('/'), { ...where(url, client.signal), format }))
        answerCap(res, 200, made.cap)
        return
      }
      const replace = replaceArg(url)
      if (segments.length > 0) await creating(node.dirs.mkdirAt(dircap, segments.join('/'), { ...where(url, client.signal), format }))
      if (replace === false) await refuseExisting(dircap, [...segments, name], where(url, client.signal))
      const made = await node.dirs.mkdir({ ...where(url, client.signal), format })
      await node.dirs.link(dircap, [...segments, name].join('/'), made.cap, { ...where(url, client.signal), replace })
      answerCap(res, 200, made.cap)
    } finally {
      client.done()
    }
  }

  async function putFile (req: IncomingMessage, res: ServerResponse, url: URL, dircap: string, segments: string[]): Promise<void> {
    const replace = replaceArg(url)
    const format = formatArg(url)
    const mutable = format !== undefined || booleanArg(url.searchParams.get('mutable') ?? 'false', 'mutable')
    const path = segments.join('/')
    const client = abortOnClose(res)
    // Tahoe's early traps, before the body is read: a directory is never replaced by a PUT, replace=false refuses any existing name.
    try {
      const existing = await node.dirs.stat(dircap, path, where(url, client.signal))
      if (existing.type === 'dirnode') throw new GatewayError('ERR_IS_A_DIRECTORY', 400, `"${segments.at(-1) ?? ''}" is a directory; PUT a file to a name inside it, or use t=uri to replace the link`)
      if (replace === false) throw new GatewayError('ERR_EXISTING_CHILD', 409, `there is already a child named "${existing.link.name}", and replace=false asks not to replace it`)
    } catch (err) {
      const code = (err as { code?: unknown })?.code
      if (code !== 'ERR_NO_SUCH_CHILD') {
        client.done()
        throw asCreating(err)
      }
    }
    const length = req.headers['content-length'] !== undefined ? Number(req.headers['content-length']) : undefined
    const t = transfers.start('upload', { bytesTotal: Number.isSafeInteger(length) ? length : undefined })
    let ok = false
    try {
      const data = mutable ? await readBody(req, Number.MAX_SAFE_INTEGER) : transfers.count(t, req as AsyncIterable<Uint8Array>)
      const result = await creating(node.dirs.putFile(dircap, path, data, {
        ...where(url, client.signal), replace, mutable, format, onProgress: p => { transfers.phase(t, p) }
      }))
      transfers.setCap(t, result.cap)
      ok = true
      answerCap(res, result.replaced ? 200 : 201, result.cap)
    } finally {
      client.done()
      transfers.finish(t, ok)
    }
  }

  async function put (req: IncomingMessage, res: ServerResponse, url: URL, dircap: string, segments: string[]): Promise<void> {
    const t = url.searchParams.get('t')?.trim() ?? ''
    if (t === 'mkdir') { await mkdirAt(res, url, dircap, segments); return }
    if (segments.length === 0) throw new BadRequestError(t === 'uri' ? 'PUT t=uri needs a name after the directory cap' : 'PUT to a directory: give the new file a name (PUT /uri/<dircap>/<name>), or use t=mkdir / t=uri')
    if (t === 'uri') {
      const cap = (await readBody(req, MAX_CAP_BODY)).toString('utf8').trim()
      if (cap === '') throw new BadRequestError('PUT t=uri needs the cap to link as the request body')
      const client = abortOnClose(res)
      try {
        const link = await creating(node.dirs.link(dircap, segments.join('/'), cap, { ...where(url, client.signal), replace: replaceArg(url) }))
        answerCap(res, 200, linkCap(link) || cap)
      } finally {
        client.done()
      }
      return
    }
    if (t !== '') throw new BadRequestError(`PUT with t=${t.slice(0, 20)} is not supported; use no t (a file), t=uri or t=mkdir`)
    await putFile(req, res, url, dircap, segments)
  }

  async function post (req: IncomingMessage, res: ServerResponse, url: URL, dircap: string, segments: string[]): Promise<void> {
    const t = url.searchParams.get('t')?.trim() ?? ''
    // All but set_children take their arguments from the query.
    if (t !== 'set_children' && t !== 'set-children') req.resume()
    if (t === 'mkdir') { await mkdirAt(res, url, dircap, segments); return }
    const client = abortOnClose(res)
    try {
      if (t === 'relink' || t === 'rename') {
        if (t === 'rename' && url.searchParams.get('to_dir') !== null) throw new BadRequestError('to_dir= is not valid for rename; use t=relink')
        const fromName = nameArg(url, 'from_name', true) as string
        const toName = nameArg(url, 'to_name', t === 'rename') ?? fromName
        const toDirArg = url.searchParams.get('to_dir')?.trim()
        let toDir: string | undefined
        let toPath = [...segments, toName]
        if (toDirArg !== undefined && toDirArg !== '') {
          const parts = toDirArg.replace(/^\/?uri\//, '').split('/').filter(p => p !== '')
          toDir = parts[0]
          toPath = [...parts.slice(1), toName]
        }
        await node.dirs.move(dircap, [...segments, fromName].join('/'), toPath.join('/'), { ...where(url, client.signal), replace: replaceArg(url), toDir })
        sendText(res, 200, 'thing moved', TEXT)
        return
      }
      if (t === 'set_children' || t === 'set-children') {
        // Tahoe names this one's argument overwrite= (webapi.rst); replace= is taken too, as everywhere else here.
        const overwrite = url.searchParams.get('overwrite')
        const replace = overwrite !== null ? booleanArg(overwrite, 'overwrite') : replaceArg(url)
        if (replace === 'only-files') throw new BadRequestError('t=set_children takes overwrite=true or false')
        const children = childrenArg(await readBody(req, MAX_CHILDREN_BODY))
        if (segments.length > 0) await creating(node.dirs.mkdirAt(dircap, segments.join('/'), where(url, client.signal)))
        await node.dirs.linkMany(dircap, segments.join('/'), children, { ...where(url, client.signal), replace })
        sendText(res, 200, 'Okay so I did it.', TEXT)
        return
      }
      if (t === 'delete' || t === 'unlink') {
        const name = nameArg(url, 'name', true) as string
        await node.dirs.unlink(dircap, [...segments, name].join('/'), where(url, client.signal))
        sendText(res, 200, 'thing unlinked', TEXT)
        return
      }
      throw new BadRequestError(`POST with t=${t.slice(0, 20)} is not supported here; use t=mkdir, t=relink, t=rename, t=delete or t=set_children`)
    } finally {
      client.done()
    }
  }

  async function del (res: ServerResponse, url: URL, dircap: string, segments: string[]): Promise<void> {
    if (segments.length === 0) throw new BadRequestError('DELETE needs a name after the directory cap: a directory cannot unlink itself')
    const client = abortOnClose(res)
    try {
      const removed = await node.dirs.unlink(dircap, segments.join('/'), where(url, client.signal))
      answerCap(res, 200, linkCap(removed))
    } finally {
      client.done()
    }
  }

  return {
    handle: async (req, res, url, dircap, segments) => {
      const method = req.method ?? 'GET'
      if (method === 'PUT' || method === 'POST' || method === 'DELETE') refuseReadOnlyRoot(dircap, method)
      if (method === 'GET' || method === 'HEAD') await get(req, res, url, dircap, segments)
      else if (method === 'PUT') await put(req, res, url, dircap, segments)
      else if (method === 'POST') await post(req, res, url, dircap, segments)
      else if (method === 'DELETE') await del(res, url, dircap, segments)
      else throw new GatewayError('ERR_METHOD_NOT_ALLOWED', 405, `${method} is not allowed on a directory path; use GET, HEAD, PUT, POST or DELETE`)
    },

    mkdir: async (req, res, url) => {
      req.resume()
      const client = abortOnClose(res)
      try {
        const made = await node.dirs.mkdir({ ...where(url, client.signal), format: formatArg(url) })
        sendText(res, 200, made.cap, TEXT, made.hintedCap !== undefined ? { 'X-Lafs-Hinted-Cap': made.hintedCap } : {})
      } finally {
        client.done()
      }
    },

    fileInfo: async (req, res, url, capText) => {
      const t = url.searchParams.get('t')?.trim() ?? ''
      const cap = capText.trim().split('@')[0]
      if (t === 'uri') { answerCap(res, 200, cap); return }
      let size: number | undefined
      if (isMutableCapString(cap)) {
        // Tahoe reads a mutable file to tell its size.
        const client = abortOnClose(res)
        try {
          size = (await node.files.read(capText, { servers: serversParam(url), signal: client.signal })).data.length
        } finally {
          client.done()
        }
      }
      let json
      try {
        json = fileJson(cap, { size })
      } catch (err) {
        throw new GatewayError('ERR_INVALID_CAP', 400, `not a file cap: ${(err as Error).message}`, { cause: err })
      }
      if (t === 'readonly-uri') { const ro = json[1].ro_uri; answerCap(res, 200, typeof ro === 'string' ? ro : cap); return }
      if (t !== 'json') throw new BadRequestError(`GET with t=${t.slice(0, 20)} is not supported on a file; use t=json, t=uri or t=readonly-uri`)
      sendText(res, 200, tahoeJsonText(json), TEXT)
    }
  }
}
