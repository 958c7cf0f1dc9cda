/**
 * Shared by the Tor specs: is Debian's `tor` installed, a private temp
 * folder per test, and torrc lines that keep a test tor on this machine.
 */
import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export const TOR = process.env.TOR_EXECUTABLE ?? 'tor'

export function torAvailable (): boolean {
  // as the provider looks for it: PATH, then Debian's /usr/sbin
  return [TOR, '/usr/sbin/tor'].some(t => spawnSync(t, ['--version'], { stdio: 'ignore' }).status === 0)
}

/** Skips the calling suite loudly when tor is missing (the only allowed reason). */
export function requireTor (ctx: Mocha.Context): void {
  if (!torAvailable()) {
    console.log('      SKIPPED: tor not installed (apt-get install tor; .ci/run installs it)')
    ctx.skip()
  }
}

/** A fresh folder (mode 0700 as tor wants), removed by the returned function. */
export async function tempDir (): Promise<{ dir: string, remove: () => Promise<void> }> {
  // short paths: a unix control socket must fit in 108 bytes
  const dir = await mkdtemp(join(tmpdir(), 'lct-'))
  return { dir, remove: async () => { await rm(dir, { recursive: true, force: true }) } }
}

/** No network at all: tor still serves its control port (but no SOCKS port). */
export const OFFLINE = ['DisableNetwork 1']

/**
 * Network on, but the only directory authority is a made-up one on
 * 127.0.0.1 (nothing listens there): tor opens its SOCKS port and never
 * contacts the real Tor network.
 */
export function loopbackOnlyNetwork (): string[] {
  const hex = (): string => randomBytes(20).toString('hex').toUpperCase()
  return [
    'TestingTorNetwork 1',
    `DirAuthority nowhere orport=9 no-v2 v3ident=${hex()} 127.0.0.1:9 ${hex()}`,
    'ClientUseIPv6 0'
  ]
}
