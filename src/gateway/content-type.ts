/** Content-Type for a download from the `?filename=` the client gave (Tahoe does the same). */
const TYPES: Record<string, string> = {
  txt: 'text/plain; charset=utf-8',
  md: 'text/markdown; charset=utf-8',
  html: 'text/html; charset=utf-8',
  htm: 'text/html; charset=utf-8',
  xhtml: 'application/xhtml+xml',
  css: 'text/css; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  mjs: 'text/javascript; charset=utf-8',
  json: 'application/json',
  csv: 'text/csv; charset=utf-8',
  xml: 'application/xml',
  pdf: 'application/pdf',
  zip: 'application/zip',
  gz: 'application/gzip',
  tar: 'application/x-tar',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  svg: 'image/svg+xml',
  ico: 'image/x-icon',
  mp3: 'audio/mpeg',
  ogg: 'audio/ogg',
  wav: 'audio/wav',
  mp4: 'video/mp4',
  webm: 'video/webm',
  wasm: 'application/wasm'
}

export const DEFAULT_CONTENT_TYPE = 'application/octet-stream'

/**
 * Types a browser runs or renders with script (HTML, SVG, XML, JavaScript).
 * Anyone can make a cap (a `URI:LIT:` holds 55 bytes of their choosing), so
 * these are sent as downloads unless config `gateway.inlineActiveContent` asks otherwise.
 */
const ACTIVE = new Set(['html', 'htm', 'xhtml', 'svg', 'xml', 'js', 'mjs'])

function extensionOf (filename: string | null | undefined): string | undefined {
  if (filename == null) return undefined
  const dot = filename.lastIndexOf('.')
  return dot < 0 ? undefined : filename.slice(dot + 1).toLowerCase()
}

export function contentTypeFor (filename: string | null | undefined): string {
  const ext = extensionOf(filename)
  if (ext === undefined) return DEFAULT_CONTENT_TYPE
  return TYPES[ext] ?? DEFAULT_CONTENT_TYPE
}

export function isActiveContent (filename: string | null | undefined): boolean {
  const ext = extensionOf(filename)
  return ext !== undefined && ACTIVE.has(ext)
}

/**
 * `Content-Disposition` of a file response (RFC 6266): `attachment` for active
 * types unless `inlineActive`, else `inline`; with the filename as
 * `filename*=UTF-8''<percent-encoded>` plus an ASCII fallback, so no quote,
 * semicolon or line break in it can break out of the header. None without a filename.
 */
export function contentDispositionFor (filename: string | null | undefined, inlineActive: boolean): string | undefined {
  const kind = isActiveContent(filename) && !inlineActive ? 'attachment' : 'inline'
  if (filename == null || filename === '') return undefined
  const fallback = filename.replace(/[^\x20-\x7e]|["\\%;]/g, '_')
  const encoded = encodeURIComponent(filename).replace(/['()*]/g, c => '%' + c.charCodeAt(0).toString(16).toUpperCase())
  return `${kind}; filename="${fallback}"; filename*=UTF-8''${encoded}`
}

/** Headers every file response from /uri carries: the bytes are someone else's, never a page of this origin. */
export const FILE_RESPONSE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'Content-Security-Policy': "sandbox; default-src 'none'",
  'X-Content-Type-Options': 'nosniff'
})
