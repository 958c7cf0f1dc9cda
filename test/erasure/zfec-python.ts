/**
 * Talks to python3-zfec through bench/zfec-oracle.py: one child process per
 * batch, every request written to its stdin, every answer read back in order.
 */
import { spawn, spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

/** Debian's interpreter, where python3-zfec installs; override with ZFEC_PYTHON. */
export const PYTHON = process.env.ZFEC_PYTHON ?? '/usr/bin/python3'
const ORACLE = fileURLToPath(new URL('../../bench/zfec-oracle.py', import.meta.url))

export function zfecAvailable (): boolean {
  const r = spawnSync(PYTHON, ['-c', 'import zfec'], { stdio: 'ignore' })
  return r.status === 0
}

export type OracleRequest =
  | { op: 'encode', k: number, m: number, blocks: Uint8Array[] }
  | { op: 'decode', k: number, m: number, blocks: Uint8Array[], sharenums: number[] }

const b64 = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64')
const unb64 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'base64'))

/** Runs all requests through one zfec process; answer i belongs to request i. */
export async function askZfec (requests: OracleRequest[], timeoutMs = 30_000): Promise<Uint8Array[][]> {
  const child = spawn(PYTHON, [ORACLE], { stdio: ['pipe', 'pipe', 'pipe'] })
  const out: Buffer[] = []
  const err: Buffer[] = []
  child.stdout.on('data', (d: Buffer) => out.push(d))
  child.stderr.on('data', (d: Buffer) => err.push(d))
  const done = new Promise<number | null>((resolve, reject) => {
    const timer = setTimeout(() => { child.kill(); reject(new Error(`zfec oracle did not finish within ${timeoutMs} ms`)) }, timeoutMs)
    child.on('error', (e) => { clearTimeout(timer); reject(e) })
    child.on('close', (code) => { clearTimeout(timer); resolve(code) })
  })
  for (const r of requests) {
    const line = JSON.stringify({ ...r, blocks: r.blocks.map(b64) })
    if (!child.stdin.write(line + '\n')) await new Promise(resolve => child.stdin.once('drain', resolve))
  }
  child.stdin.end()
  const code = await done
  if (code !== 0) throw new Error(`zfec oracle exited with ${String(code)}: ${Buffer.concat(err).toString()}`)
  const lines = Buffer.concat(out).toString().split('\n').filter(l => l !== '')
  if (lines.length !== requests.length) throw new Error(`zfec oracle answered ${lines.length} of ${requests.length} requests`)
  return lines.map((l, i) => {
    const a = JSON.parse(l) as { shares?: string[], blocks?: string[], error?: string }
    if (a.error != null) throw new Error(`zfec oracle failed request ${i}: ${a.error}`)
    return (a.shares ?? a.blocks ?? []).map(unb64)
  })
}
