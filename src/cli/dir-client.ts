/**
 * Directory requests to the daemon's gateway, in Tahoe's web API words
 * (docs/frontends/webapi.rst): `/uri/<dircap>/<path>` with `t=json`,
 * `t=uri`, `t=mkdir`, `t=relink`, `t=mkdir-with-children`, `t=set_children`,
 * PUT and DELETE.
 */
import type { IncomingMessage } from 'node:http'
import type { DaemonClient } from './daemon-client.js'
import { RemoteError } from './errors.js'
import { query } from './context.js'

/** One child in Tahoe's `?t=json` of a directory (and in `mkdir-with-children` bodies). */
export type ChildJson = ['dirnode' | 'filenode' | 'unknown', ChildInfo]

export interface ChildInfo {
  rw_uri?: string
  ro_uri?: string
  verify_uri?: string
  size?: number | null
  mutable?: boolean
  format?: string
  metadata?: Record<string, unknown>
}

export interface DirInfo extends ChildInfo { children: Record<string, ChildJson> }

export type NodeJson = ['dirnode', DirInfo] | ['filenode' | 'unknown', ChildInfo]

export function uriPath (cap: string, path = ''): string {
  const names = path.split('/').filter(s => s !== '')
  return `/uri/${encodeURIComponent(cap)}${names.map(n => '/' + encodeURIComponent(n)).join('')}`
}

async function text (res: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const c of res as AsyncIterable<Buffer>) chunks.push(c)
  return Buffer.concat(chunks).toString('utf8')
}

/** A cap answered as text (Tahoe) or as `{"cap": …}` (a gateway that honours Accept: application/json). */
function capOf (body: string): string {
  const t = body.trim()
  if (t.startsWith('{')) {
    const v = JSON.parse(t) as { cap?: unknown, uri?: unknown }
    if (typeof v.cap === 'string') return v.cap
    if (typeof v.uri === 'string') return v.uri
  }
  return t
}

const ACCEPT = { Accept: 'application/json, text/plain' }

export type Replace = 'true' | 'false' | 'only-files'

export interface DirClient {
  /** `GET …?t=json`; undefined when nothing is at that path (404). */
  json: (cap: string, path?: string) => Promise<{ node: NodeJson, text: string } | undefined>
  mkdir: (format?: string) => Promise<string>
  mkdirAt: (cap: string, path: string, format?: string) => Promise<string>
  mkdirWithChildren: (children: Record<string, ChildJson>, format?: string) => Promise<string>
  /** Tahoe's `t=set_children`: many links into the existing directory at `path`, one write. */
  setChildren: (cap: string, path: string, children: Record<string, ChildJson>) => Promise<void>
  putFile: (cap: string, path: string, body: AsyncIterable<Uint8Array> | Uint8Array, size: number | undefined, opts: { format?: string, mutable?: boolean, replace?: Replace }) => Promise<string>
  /** An unlinked upload (`PUT /uri`); answers the cap. */
  upload: (body: AsyncIterable<Uint8Array> | Uint8Array, size: number, opts: { format?: string, mutable?: boolean }) => Promise<string>
  link: (cap: string, path: string, childCap: string, replace?: Replace) => Promise<string>
  unlink: (cap: string, path: string) => Promise<void>
  relink: (cap: string, dirPath: string, fromName: string, toName: string, opts: { toDir?: string, replace?: Replace }) => Promise<void>
  /** The bytes of a file by path or cap. */
  read: (cap: string, path?: string) => Promise<IncomingMessage>
}

export function dirClient (d: DaemonClient): DirClient {
  const send = async (method: string, p: string, body?: Uint8Array | AsyncIterable<Uint8Array>, headers: Record<string, string | number> = {}): Promise<string> =>
    await text(await d.stream(method, p, { body, headers: { ...ACCEPT, ...headers } }))
  return {
    json: async (cap, path = '') => {
      try {
        const t = await send('GET', uriPath(cap, path) + '?t=json')
        return { node: JSON.parse(t) as NodeJson, text: t }
      } catch (err) {
        if (err instanceof RemoteError && err.status === 404) return undefined
        throw err
      }
    },
    mkdir: async format => capOf(await send('POST', `/uri${query({ t: 'mkdir', format })}`)),
    mkdirAt: async (cap, path, format) => capOf(await send('POST', uriPath(cap, path) + query({ t: 'mkdir', format }))),
    mkdirWithChildren: async (children, format) => {
      const body = Buffer.from(JSON.stringify(children))
      return capOf(await send('POST', `/uri${query({ t: 'mkdir-with-children', format })}`, body, { 'Content-Type': 'application/json', 'Content-Length': body.length }))
    },
    setChildren: async (cap, path, children) => {
      const body = Buffer.from(JSON.stringify(children))
      await send('POST', uriPath(cap, path) + '?t=set_children', body, { 'Content-Type': 'application/json', 'Content-Length': body.length })
    },
    putFile: async (cap, path, body, size, o) => {
      const headers: Record<string, string | number> = { 'Content-Type': 'application/octet-stream' }
      if (size !== undefined) headers['Content-Length'] = size
      return capOf(await send('PUT', uriPath(cap, path) + query({ format: o.format, mutable: o.mutable, replace: o.replace }), body, headers))
    },
    upload: async (body, size, o) => {
      const t = await send('PUT', `/uri${query({ t: 'json', format: o.format, mutable: o.mutable })}`, body, { 'Content-Type': 'application/octet-stream', 'Content-Length': size })
      return capOf(t)
    },
    link: async (cap, path, childCap, replace) => {
      const body = Buffer.from(childCap)
      return capOf(await send('PUT', uriPath(cap, path) + query({ t: 'uri', replace }), body, { 'Content-Type': 'text/plain', 'Content-Length': body.length }))
    },
    unlink: async (cap, path) => { await send('DELETE', uriPath(cap, path)) },
    relink: async (cap, dirPath, fromName, toName, o) => {
      await send('POST', uriPath(cap, dirPath) + query({ t: 'relink', from_name: fromName, to_name: toName, to_dir: o.toDir, replace: o.replace }))
    },
    read: async (cap, path = '') => await d.stream('GET', uriPath(cap, path))
  }
}
