/**
 * Parsing of tor control-protocol replies (control-spec §2.3 and §2.4):
 * lines of `<status><sep><text>`, where `-` continues the reply, `+` starts
 * a data block ended by a lone `.`, and ` ` ends it. Status 6xx lines are
 * asynchronous events and never part of a command's reply.
 */

export interface ReplyLine {
  status: number
  text: string
  /** The data block of a `+` line (dot-stuffing removed, lines joined by \n). */
  data?: string
}

export interface Reply {
  status: number
  lines: ReplyLine[]
}

/** Splits the byte stream into complete replies; feed it text, it calls back per reply. */
export class ReplyParser {
  private buffer = ''
  private lines: ReplyLine[] = []
  private data: string[] | undefined

  constructor (private readonly onReply: (reply: Reply) => void) {}

  push (chunk: string): void {
    this.buffer += chunk
    let nl: number
    while ((nl = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, nl).replace(/\r$/, '')
      this.buffer = this.buffer.slice(nl + 1)
      this.line(line)
    }
  }

  private line (line: string): void {
    if (this.data !== undefined) {
      if (line === '.') {
        const last = this.lines[this.lines.length - 1]
        if (last !== undefined) last.data = this.data.join('\n')
        this.data = undefined
      } else {
        this.data.push(line.startsWith('..') ? line.slice(1) : line)
      }
      return
    }
    const m = /^(\d{3})([ +-])(.*)$/.exec(line)
    if (m === null) throw new Error(`malformed control reply line: ${JSON.stringify(line.slice(0, 120))}`)
    const status = Number(m[1])
    this.lines.push({ status, text: m[3] })
    if (m[2] === '+') this.data = []
    if (m[2] === ' ') {
      const reply = { status, lines: this.lines }
      this.lines = []
      this.onReply(reply)
    }
  }
}

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', "'": "'" }

/** Reads a C-style quoted string starting at `s[i] === '"'`; returns the value and the index after it. */
function quoted (s: string, i: number): [string, number] {
  let out = ''
  i++
  while (i < s.length && s[i] !== '"') {
    if (s[i] === '\\' && i + 1 < s.length) {
      const e = s[i + 1]
      if (/[0-7]/.test(e)) {
        const oct = /^[0-7]{1,3}/.exec(s.slice(i + 1))?.[0] ?? '0'
        out += String.fromCharCode(parseInt(oct, 8))
        i += 1 + oct.length
        continue
      }
      out += ESCAPES[e] ?? e
      i += 2
      continue
    }
    out += s[i]
    i++
  }
  return [out, i + 1]
}

/**
 * Parses `WORD KEY=VALUE KEY="quoted value"` into its keyword pairs; bare
 * words (without `=`) are returned under their own name with value ''.
 */
export function parseKeywords (text: string): Record<string, string> {
  const out: Record<string, string> = {}
  let i = 0
  while (i < text.length) {
    while (text[i] === ' ') i++
    if (i >= text.length) break
    const eq = /^[^ =]+/.exec(text.slice(i))?.[0] ?? ''
    i += eq.length
    if (text[i] !== '=') { out[eq] = ''; continue }
    i++
    let value: string
    if (text[i] === '"') {
      [value, i] = quoted(text, i)
    } else {
      value = /^[^ ]*/.exec(text.slice(i))?.[0] ?? ''
      i += value.length
    }
    out[eq] = value
  }
  return out
}

/** The values of a GETINFO reply, by key (`250-key=value` lines and `250+key=` data blocks). */
export function parseGetInfo (reply: Reply): Record<string, string> {
  const out: Record<string, string> = {}
  for (const line of reply.lines) {
    const eq = line.text.indexOf('=')
    if (eq < 0) continue
    out[line.text.slice(0, eq)] = line.data ?? line.text.slice(eq + 1)
  }
  return out
}

/** tor's bootstrap state, from `status/bootstrap-phase`. */
export interface BootstrapPhase {
  /** 0–100; 100 means circuits can be built. */
  progress: number
  /** tor's short tag, e.g. `starting`, `conn_pt`, `done`. */
  tag: string
  /** Human text, e.g. "Done" or "Loading relay descriptors". */
  summary: string
  /** tor's warning text when bootstrapping has a problem. */
  warning?: string
}

/** Parses `NOTICE BOOTSTRAP PROGRESS=… TAG=… SUMMARY="…"` (and the WARN form). */
export function parseBootstrapPhase (text: string): BootstrapPhase {
  const k = parseKeywords(text)
  const progress = Number(k.PROGRESS)
  return {
    progress: Number.isFinite(progress) ? progress : 0,
    tag: k.TAG ?? 'unknown',
    summary: k.SUMMARY ?? '',
    ...(k.WARNING !== undefined ? { warning: k.WARNING } : {})
  }
}
