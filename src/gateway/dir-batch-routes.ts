/**
 * Tahoe's `POST /uri?t=mkdir-with-children`: a new unlinked directory made
 * with all its children in one write. The body is the `children` value of a
 * directory's `?t=json`, as for `t=set_children` (name → [type, {rw_uri,
 * ro_uri, metadata}]; the type is ignored, as Tahoe does). `lafs-club cp -r`
 * builds trees with it, bottom-up, so a directory of 1000 files costs one
 * write, not 1000.
 */
import { childrenArg, formatArg, readBody } from './dir-args.js'
import { BadRequestError } from './errors.js'
import { abortOnClose, sendText, serversParam } from './http.js'
import type { LafsNode } from '../node/index.js'
import type { IncomingMessage, ServerResponse } from 'node:http'

/** Room for a few thousand children with their caps and metadata. */
const MAX_CHILDREN_BODY = 16 * 1024 * 1024

export function mkdirWithChildrenRoute (node: LafsNode): (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void> {
  return async (req, res, url) => {
    const body = await readBody(req, MAX_CHILDREN_BODY)
    const children = body.toString('utf8').trim() === '' ? {} : childrenArg(body)
    for (const [name, child] of Object.entries(children)) {
      if (typeof child !== 'string' && (child.writeCap ?? '') === '' && (child.readCap ?? '') === '') {
        throw new BadRequestError(`t=mkdir-with-children: the child "${name.slice(0, 60)}" has neither rw_uri nor ro_uri`)
      }
    }
    const client = abortOnClose(res)
    try {
      const made = await node.dirs.mkdir({
        servers: serversParam(url), club: url.searchParams.get('club') ?? undefined, signal: client.signal, format: formatArg(url), children
      })
      sendText(res, 200, made.cap, 'text/plain; charset=utf-8', made.hintedCap !== undefined ? { 'X-Lafs-Hinted-Cap': made.hintedCap } : {})
    } finally {
      client.done()
    }
  }
}
