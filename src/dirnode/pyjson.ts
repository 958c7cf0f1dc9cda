/**
 * JSON written byte for byte as Python's `json.dumps` writes it with its
 * defaults (ensure_ascii, `", "` and `": "` separators; with `indent`, `","`
 * and newlines), because Tahoe stores metadata and answers `?t=json` that
 * way. Numbers are the one place JavaScript loses information: it has no
 * int/float distinction, so integral numbers are written as Python ints,
 * except under keys Tahoe fills with `time.time()` floats (FLOAT_KEYS),
 * which are written as Python's float repr ("1700000000.0", "1e+16").
 */

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue }
export type JsonObject = { [key: string]: JsonValue }

/** Keys whose numbers Tahoe writes as floats (timestamps from time.time()). */
export const FLOAT_KEYS: ReadonlySet<string> = new Set(['linkcrtime', 'linkmotime', 'ctime', 'mtime'])

/** Python's repr() of a float. */
export function pythonFloatRepr (x: number): string {
  if (!Number.isFinite(x)) throw new RangeError(`cannot write ${x} as JSON`)
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0'
  const sign = x < 0 ? '-' : ''
  // toExponential() with no argument gives the shortest round-trip digits, as Python's repr does.
  const [mant, expText] = Math.abs(x).toExponential().split('e')
  const digits = mant.replace('.', '')
  const exp = Number(expText)
  if (exp >= -4 && exp < 16) {
    if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`
    const intPart = digits.length > exp + 1 ? digits.slice(0, exp + 1) : digits + '0'.repeat(exp + 1 - digits.length)
    const frac = digits.length > exp + 1 ? digits.slice(exp + 1) : '0'
    return `${sign}${intPart}.${frac}`
  }
  const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits
  const e = Math.abs(exp) < 10 ? `0${Math.abs(exp)}` : String(Math.abs(exp))
  return `${sign}${m}e${exp < 0 ? '-' : '+'}${e}`
}

function pythonInt (x: number): string {
  if (Number.isSafeInteger(x)) return String(x)
  return BigInt(x).toString()
}

const SHORT: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t' }

/** Python's ensure_ascii string encoding: anything outside ' '..'~' becomes \uXXXX (lower-case hex, UTF-16 units). */
export function pythonJsonString (s: string): string {
  let out = '"'
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]
    const c = s.charCodeAt(i)
    const short = SHORT[ch]
    if (short !== undefined) out += short
    else if (c >= 0x20 && c <= 0x7e) out += ch
    else out += '\\u' + c.toString(16).padStart(4, '0')
  }
  return out + '"'
}

function write (v: JsonValue, asFloat: boolean, indent: number | undefined, level: number): string {
  if (v === null) return 'null'
  if (v === true) return 'true'
  if (v === false) return 'false'
  if (typeof v === 'number') return asFloat || !Number.isInteger(v) ? pythonFloatRepr(v) : pythonInt(v)
  if (typeof v === 'string') return pythonJsonString(v)
  const nl = indent === undefined ? '' : '\n' + ' '.repeat(indent * (level + 1))
  const end = indent === undefined ? '' : '\n' + ' '.repeat(indent * level)
  const sep = indent === undefined ? ', ' : ','
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]'
    return '[' + v.map(x => nl + write(x, false, indent, level + 1)).join(sep) + end + ']'
  }
  if (typeof v === 'object') {
    const keys = Object.keys(v)
    if (keys.length === 0) return '{}'
    return '{' + keys.map(k => nl + pythonJsonString(k) + ': ' + write(v[k], FLOAT_KEYS.has(k), indent, level + 1)).join(sep) + end + '}'
  }
  throw new TypeError(`cannot write a ${typeof v} as JSON`)
}

/** `json.dumps(value)` (or `json.dumps(value, indent=n)`) as CPython writes it. */
export function pythonJsonDumps (value: JsonValue, indent?: number): string {
  return write(value, false, indent, 0)
}
