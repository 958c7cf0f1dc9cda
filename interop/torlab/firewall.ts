/**
 * Confining processes to tor: system users for the Tor-only nodes, and an
 * nftables table that drops every packet those users send except to tor's
 * SOCKS and control ports on 127.0.0.1 (and the answers of their own local
 * gateway, which the CLI talks to). Tor runs as another user, so its own
 * traffic passes. The table is deleted by `remove()`, at exit and on signals.
 */
import { execFileSync } from 'node:child_process'
import { findExecutable, TorLabError, trackCleanup, userIds } from './procs.js'

export interface SystemUser { name: string, uid: number, gid: number }

/** The user, created as a system user (no home, no login shell) when missing. */
export function ensureUser (name: string): SystemUser {
  let ids = userIds(name)
  if (ids === undefined) {
    execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', name])
    ids = userIds(name)
  }
  if (ids === undefined) throw new TorLabError(`could not create the system user ${name}`)
  return { name, ...ids }
}

export interface TorOnlyRules {
  table: string
  /** packets dropped so far (the counter of the drop rule) */
  dropped: () => number
  remove: () => void
}

export interface TorOnlyOptions {
  uids: number[]
  /** tor's SOCKS and control ports on 127.0.0.1 */
  torPorts: number[]
  /** local listening ports of these users whose answers may leave (a node's gateway) */
  replyPorts?: number[]
}

function nft (args: string[], input?: string): string {
  const bin = findExecutable('nft')
  if (bin === undefined) throw new TorLabError('nft is not installed: apt-get install nftables')
  return execFileSync(bin, args, { encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'] })
}

export function installTorOnlyRules (opts: TorOnlyOptions): TorOnlyRules {
  const table = `lafs_torlab_${process.pid}`
  const uids = `{ ${opts.uids.join(', ')} }`
  const lines = [
    `table inet ${table} {`,
    '  chain out {',
    '    type filter hook output priority 0; policy accept;',
    `    meta skuid ${uids} ip daddr 127.0.0.1 tcp dport { ${opts.torPorts.join(', ')} } accept`
  ]
  if (opts.replyPorts !== undefined && opts.replyPorts.length > 0) {
    // answers on connections others opened to these users' local listeners, not connections of their own
    lines.push(`    meta skuid ${uids} ip saddr 127.0.0.1 tcp sport { ${opts.replyPorts.join(', ')} } ct direction reply accept`)
  }
  lines.push(`    meta skuid ${uids} counter drop`, '  }', '}')
  nft(['-f', '-'], lines.join('\n') + '\n')
  const untrack = trackCleanup(() => {
    try { nft(['delete', 'table', 'inet', table]) } catch { /* already gone */ }
  })
  return {
    table,
    dropped: () => {
      const out = nft(['list', 'chain', 'inet', table, 'out'])
      return Number(/counter packets (\d+)/.exec(out)?.[1] ?? 0)
    },
    remove: untrack
  }
}

/** True when an nftables table of that name exists. */
export function tableExists (table: string): boolean {
  try {
    nft(['list', 'table', 'inet', table])
    return true
  } catch {
    return false
  }
}
