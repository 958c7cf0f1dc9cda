/**
 * Small typed checks for config values; each throws a ConfigError that names
 * the key, what was expected and what was found.
 */
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { normalizeClubId, parseCidr } from '../club/index.js'
import { ConfigError } from './errors.js'
import { parseSize } from './size.js'
import { SECURE_CHANNELS, type SecureChannel } from './config-types.js'
import type { PaymentMethodConfig } from './config.js'

export type Obj = Record<string, unknown>

function describe (v: unknown): string {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'an array'
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? v.slice(0, 57) + '...' : v)
  if (typeof v === 'object') return 'an object'
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return `${typeof v} ${v}`
  return `a ${typeof v}`
}

/** Small typed checks; each throws a ConfigError naming the key. */
export class Validator {
  constructor (private readonly source: string) {}

  fail (key: string, problem: string): never {
    throw new ConfigError(key, problem, this.source)
  }

  object (key: string, v: unknown): Obj {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) {
      this.fail(key, `must be an object, got ${describe(v)}`)
    }
    return v as Obj
  }

  onlyKeys (prefix: string, o: Obj, known: string[]): void {
    for (const k of Object.keys(o)) {
      if (!known.includes(k)) {
        const key = prefix === '' ? k : `${prefix}.${k}`
        this.fail(key, `is not a known key (known${prefix === '' ? '' : ` in "${prefix}"`}: ${known.join(', ')})`)
      }
    }
  }

  section (top: Obj, name: string, each: (s: Obj, key: string) => void, known: string[]): void {
    if (!(name in top)) return
    const s = this.object(name, top[name])
    this.onlyKeys(name, s, known)
    for (const k of Object.keys(s)) each(s, k)
  }

  boolean (key: string, v: unknown): boolean {
    if (typeof v !== 'boolean') this.fail(key, `must be true or false, got ${describe(v)}`)
    return v
  }

  string (key: string, v: unknown, o: { minLength?: number, maxLength?: number } = {}): string {
    if (typeof v !== 'string') this.fail(key, `must be a string, got ${describe(v)}`)
    if (o.minLength !== undefined && v.length < o.minLength) this.fail(key, 'must not be empty')
    if (o.maxLength !== undefined && v.length > o.maxLength) this.fail(key, `must be at most ${o.maxLength} characters long`)
    return v
  }

  number (key: string, v: unknown, o: { min: number, max: number }): number {
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(key, `must be a number, got ${describe(v)}`)
    if (v < o.min || v > o.max) this.fail(key, `must be between ${o.min} and ${o.max}, got ${v}`)
    return v
  }

  integer (key: string, v: unknown, o: { min: number, max: number }): number {
    if (typeof v !== 'number' || !Number.isInteger(v)) this.fail(key, `must be a whole number, got ${describe(v)}`)
    return this.number(key, v, o)
  }

  size (key: string, v: unknown, range?: { min: number, max: number }): number {
    let n: number | undefined
    if (typeof v === 'number') n = v
    else if (typeof v === 'string') {
      n = parseSize(v)
      if (n === undefined) this.fail(key, `must be a byte count such as 1073741824, "50GB" or "2TiB", got ${describe(v)}`)
    } else {
      this.fail(key, `must be a byte count (a number, or a string such as "50GB"), got ${describe(v)}`)
    }
    if (!Number.isSafeInteger(n) || n < 0) this.fail(key, `must be a whole, non-negative number of bytes, got ${describe(v)}`)
    if (range !== undefined && (n < range.min || n > range.max)) this.fail(key, `must be between ${range.min} and ${range.max} bytes, got ${describe(v)}`)
    return n
  }

  oneOf<T extends string | boolean> (key: string, v: unknown, choices: readonly T[]): T {
    if (!choices.includes(v as T)) {
      this.fail(key, `must be one of ${choices.map(c => JSON.stringify(c)).join(', ')}, got ${describe(v)}`)
    }
    return v as T
  }

  multiaddrs (key: string, v: unknown, o: { allowEmpty: boolean, needPeerId?: boolean }): string[] {
    if (!Array.isArray(v)) this.fail(key, `must be an array of multiaddr strings, got ${describe(v)}`)
    if (!o.allowEmpty && v.length === 0) this.fail(key, 'must not be empty')
    return v.map((a, i) => this.multiaddr(`${key}[${i}]`, a, o))
  }

  multiaddr (k: string, a: unknown, o: { needPeerId?: boolean } = {}): string {
    if (typeof a !== 'string') this.fail(k, `must be a multiaddr string, got ${describe(a)}`)
    let ma: Multiaddr
    try { ma = multiaddr(a) } catch (err: any) { this.fail(k, `is not a valid multiaddr (${describe(a)}: ${err?.message ?? err})`) }
    if (o.needPeerId === true) {
      const p2p = ma.getComponents().findLast(c => c.name === 'p2p')
      if (p2p === undefined) this.fail(k, `must end with /p2p/<peer id> so the peer can be authenticated, got ${describe(a)}`)
      // the peer ID must parse now, not at the first dial
      try { peerIdFromString(p2p.value ?? '') } catch (err: any) { this.fail(k, `ends with /p2p/${p2p.value ?? ''}, which is not a peer ID (${err?.message ?? err})`) }
    }
    return a
  }

  protocolId (key: string, v: unknown): string {
    const s = this.string(key, v)
    if (!/^\/\S+$/.test(s)) this.fail(key, `must be a protocol id such as "/ipfs/kad/1.0.0", got ${describe(v)}`)
    return s
  }

  clubId (key: string, v: unknown): string {
    const s = this.string(key, v, { minLength: 1 })
    try {
      return normalizeClubId(s)
    } catch {
      this.fail(key, `must be a club ID (k51…), got ${describe(v)}`)
    }
  }

  /** A list of libp2p peer IDs (12D3Koo…, Qm…), at most `max`. */
  peerIds (key: string, v: unknown, max = 10_000): string[] {
    if (!Array.isArray(v)) this.fail(key, `must be a list of peer IDs, got ${describe(v)}`)
    if (v.length > max) this.fail(key, `must list at most ${max} peer IDs, got ${v.length}`)
    return v.map((p, i) => {
      try {
        return peerIdFromString(this.string(`${key}[${i}]`, p, { minLength: 1 })).toString()
      } catch (err) {
        if ((err as { code?: string }).code === 'ERR_INVALID_CONFIG') throw err
        this.fail(`${key}[${i}]`, `must be a peer ID (12D3Koo…), got ${describe(p)}`)
      }
    })
  }

  /** A non-empty list of secure channel names, each at most once, in order of preference. */
  secureChannels (key: string, v: unknown): SecureChannel[] {
    if (!Array.isArray(v) || v.length === 0) this.fail(key, `must be a non-empty array of ${SECURE_CHANNELS.map(c => JSON.stringify(c)).join(', ')} in order of preference, got ${describe(v)}`)
    const out = v.map((c: unknown, i) => this.oneOf(`${key}[${i}]`, c, SECURE_CHANNELS))
    if (new Set(out).size !== out.length) this.fail(key, `must name each channel at most once, got ${describe(v)}`)
    return out
  }

  cidrs (key: string, v: unknown): string[] {
    if (!Array.isArray(v)) this.fail(key, `must be an array of CIDR blocks such as "11.0.0.0/8", got ${describe(v)}`)
    if (v.length > 64) this.fail(key, `must list at most 64 blocks, got ${v.length}`)
    return v.map((c: unknown, i) => {
      const s = this.string(`${key}[${i}]`, c, { minLength: 1, maxLength: 64 })
      try {
        parseCidr(s)
      } catch (err: any) {
        this.fail(`${key}[${i}]`, err.message)
      }
      return s
    })
  }

  relativePath (key: string, v: unknown): string {
    const s = this.string(key, v, { minLength: 1 })
    if (s.startsWith('/') || s.split(/[\\/]/).includes('..')) this.fail(key, `must be a path inside the data folder (relative, no ".."), got ${describe(v)}`)
    return s
  }

  paymentMethods (key: string, v: unknown): PaymentMethodConfig[] {
    if (!Array.isArray(v)) this.fail(key, `must be an array of {name, url, explanation} objects, got ${describe(v)}`)
    return v.map((m, i) => {
      const k = `${key}[${i}]`
      const o = this.object(k, m)
      this.onlyKeys(k, o, ['name', 'url', 'explanation'])
      const url = this.string(`${k}.url`, o.url, { minLength: 1, maxLength: 2000 })
      if (!URL.canParse(url)) this.fail(`${k}.url`, `must be an absolute URL (https:, mailto:, …), got ${describe(url)}`)
      return {
        name: this.string(`${k}.name`, o.name, { minLength: 1, maxLength: 100 }),
        url,
        explanation: this.string(`${k}.explanation`, o.explanation, { minLength: 1, maxLength: 1000 })
      }
    })
  }
}

