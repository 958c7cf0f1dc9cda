/**
 * The arguments of Tahoe's directory routes: the names in a `/uri/<dircap>/…`
 * path, and the query and body arguments (`replace=`, `format=`, `name=`,
 * `t=set_children`'s JSON) with Tahoe's rules and our errors.
 */
import { BadRequestError, GatewayError } from './errors.js'
import type { DirFormatName, DirLinkTarget, JsonObject, ReplaceMode } from '../node/index.js'
import type { IncomingMessage } from 'node:http'

/**
 * `/uri/<cap>/<a>/<b>/` → the cap and the names, each percent-decoded UTF-8.
 * A trailing slash is fine; an empty name in the middle (`a//b`) is refused
 * as Tahoe does; so is a name holding `/` (sent as `%2F`).
 */
export function splitUriPath (pathname: string): { cap: string, segments: string[] } {
  const raw = pathname.slice('/uri/'.length).split('/')
  if (raw.length > 1 && raw[raw.length - 1] === '') raw.pop()
  const decode = (s: string, what: string): string => {
    try {
      return decodeURIComponent(s)
    } catch {
      throw new BadRequestError(`the ${what} in the URL is not valid percent-encoded UTF-8`)
    }
  }
  const cap = decode(raw[0], 'cap')
  const segments = raw.slice(1).map(s => {
    if (s === '') throw new GatewayError('ERR_INVALID_CHILD_NAME', 400, 'the path has an empty name (a double slash); the web API does not allow empty path components')
    const name = decode(s, 'path')
    if (name.includes('/')) throw new GatewayError('ERR_INVALID_CHILD_NAME', 400, `a name may not contain '/' (it was sent as %2F in "${s.slice(0, 60)}")`)
    return name
  })
  return { cap, segments }
}

/** Tahoe's boolean arguments: true/t/1/on, false/f/0/off. */
export function booleanArg (value: string, name: string): boolean {
  const v = value.toLowerCase()
  if (['true', 't', '1', 'on'].includes(v)) return true
  if (['false', 'f', '0', 'off'].includes(v)) return false
  throw new BadRequestError(`invalid ${name}= argument: "${value.slice(0, 40)}" (use true or false)`)
}

export function replaceArg (url: URL): ReplaceMode {
  const v = url.searchParams.get('replace')
  if (v === null) return true
  return v.toLowerCase() === 'only-files' ? 'only-files' : booleanArg(v, 'replace')
}

export function formatArg (url: URL): DirFormatName | undefined {
  const f = url.searchParams.get('format')
  if (f === null || f === '') return undefined
  const v = f.toLowerCase()
  if (v === 'sdmf' || v === 'mdmf') return v
  throw new BadRequestError(`unknown format "${f.slice(0, 20)}" for a directory or mutable file: use sdmf or mdmf`)
}

/** A name given in a query parameter (`name=`, `from_name=`, `to_name=`). */
export function nameArg (url: URL, key: string, required: boolean): string | undefined {
  const v = url.searchParams.get(key)?.trim()
  if (v === undefined || v === '') {
    if (required) throw new BadRequestError(`${key}= is required`)
    return undefined
  }
  if (v.includes('/')) throw new GatewayError('ERR_INVALID_CHILD_NAME', 400, `${key}= may not contain a slash`)
  return v
}

/** Tahoe's `t=set_children` body: `{name: ["filenode"|"dirnode"|…, {rw_uri?, ro_uri?, metadata?}]}`. */
export function childrenArg (body: Buffer): Record<string, DirLinkTarget> {
  let value: unknown
  try {
    value = JSON.parse(body.toString('utf8'))
  } catch (err) {
    throw new BadRequestError(`t=set_children needs a JSON body: ${(err as Error).message}`)
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new BadRequestError('t=set_children needs a JSON object of name → [type, {rw_uri, ro_uri, metadata}]')
  const out: Record<string, DirLinkTarget> = {}
  for (const [name, entry] of Object.entries(value)) {
    const props: unknown = Array.isArray(entry) ? entry[1] : undefined
    if (props === null || typeof props !== 'object' || Array.isArray(props)) throw new BadRequestError(`t=set_children: the entry for "${name.slice(0, 60)}" is not [type, {…}]`)
    const { rw_uri: rw, ro_uri: ro, metadata } = props as Record<string, unknown>
    if ((rw !== undefined && typeof rw !== 'string') || (ro !== undefined && typeof ro !== 'string')) throw new BadRequestError(`t=set_children: the caps of "${name.slice(0, 60)}" must be strings`)
    if (metadata !== undefined && (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata))) throw new BadRequestError(`t=set_children: the metadata of "${name.slice(0, 60)}" must be an object`)
    out[name] = { writeCap: rw, readCap: ro, metadata: metadata as JsonObject | undefined }
  }
  return out
}

export async function readBody (req: IncomingMessage, limit: number): Promise<Buffer> {
  const parts: Buffer[] = []
  let total = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    total += chunk.length
    if (total > limit) throw new BadRequestError(`the request body is larger than ${limit} bytes; t=uri takes a cap`)
    parts.push(chunk)
  }
  return Buffer.concat(parts)
}
