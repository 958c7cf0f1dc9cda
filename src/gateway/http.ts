/** Small HTTP helpers of the gateway: answers, query parameters, JSON bodies. */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { BadRequestError } from './errors.js'

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost'])

export function isLoopback (host: string): boolean {
  return LOOPBACK_HOSTS.has(host) || host.startsWith('127.')
}

export function sendJson (res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body, null, 2) + '\n'
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' })
  res.end(text)
}

export function sendText (res: ServerResponse, status: number, text: string, type = 'text/plain; charset=utf-8', extra: Record<string, string> = {}): void {
  // nosniff: error texts echo parts of the request; a browser must never take them for HTML.
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff', ...extra })
  res.end(text)
}

export function wantsJson (req: IncomingMessage, url: URL): boolean {
  const t = url.searchParams.get('t')
  if (t !== null) return t === 'json'
  return (req.headers.accept ?? '').includes('application/json')
}

/** A boolean query parameter: present and not `false`/`0`. */
export function flag (url: URL, name: string): boolean {
  const v = url.searchParams.get(name)
  return v !== null && v !== 'false' && v !== '0'
}

/** `?server=a&server=b` or `?server=a,b`. */
export function serversParam (url: URL): string[] | undefined {
  const all = url.searchParams.getAll('server').flatMap(s => s.split(',')).map(s => s.trim()).filter(s => s !== '')
  return all.length > 0 ? all : undefined
}

/** A request body that must be one JSON object of at most `limit` bytes. */
export async function readJson (req: IncomingMessage, limit: number): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = []
  let total = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    total += chunk.length
    if (total > limit) throw new BadRequestError(`the request body is larger than ${limit} bytes`)
    chunks.push(chunk)
  }
  if (total === 0) return {}
  let body: unknown
  try {
    body = JSON.parse(Buffer.concat(chunks).toString('utf8'))
  } catch (err) {
    throw new BadRequestError(`the request body is not valid JSON: ${(err as Error).message}`)
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new BadRequestError('the request body must be a JSON object')
  return body as Record<string, unknown>
}

export function stringField (body: Record<string, unknown>, key: string, required: true): string
export function stringField (body: Record<string, unknown>, key: string, required?: false): string | undefined
export function stringField (body: Record<string, unknown>, key: string, required = false): string | undefined {
  const v = body[key]
  if (v === undefined || v === null) {
    if (required) throw new BadRequestError(`the request needs "${key}"`)
    return undefined
  }
  if (typeof v !== 'string' || v === '') throw new BadRequestError(`"${key}" must be a non-empty string`)
  return v
}

/** Aborts when the client goes away before the answer is complete. */
export function abortOnClose (res: ServerResponse): { signal: AbortSignal, abort: () => void, done: () => void } {
  const controller = new AbortController()
  const onClose = (): void => { if (!res.writableEnded) controller.abort() }
  res.on('close', onClose)
  return { signal: controller.signal, abort: () => { controller.abort() }, done: () => { res.off('close', onClose) } }
}
