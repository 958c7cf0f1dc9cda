/**
 * The lab's exits accept every address (torrc.ts says why), so the lab itself
 * keeps tor on loopback: an nftables table drops every packet the tor user
 * sends anywhere but 127.0.0.0/8 and ::1. Installed when the tors run as
 * their own user (we are root), removed with the network, at exit and on
 * signals. Nothing in the private network can reach the real Tor network or
 * the internet.
 */
import { execFileSync } from 'node:child_process'
import { TorLabError, findExecutable, trackCleanup } from './procs.js'

export function keepOnLoopback (uid: number): { table: string, remove: () => void } {
  const nft = findExecutable('nft')
  if (nft === undefined) throw new TorLabError('nft is not installed: apt-get install nftables')
  const table = `lafs_torlab_net_${process.pid}`
  const rules = [
    `table inet ${table} {`,
    '  chain out {',
    '    type filter hook output priority 0; policy accept;',
    `    meta skuid ${uid} ip daddr != 127.0.0.0/8 drop`,
    `    meta skuid ${uid} meta nfproto ipv6 ip6 daddr != ::1 drop`,
    '  }',
    '}'
  ].join('\n') + '\n'
  execFileSync(nft, ['-f', '-'], { input: rules, stdio: ['pipe', 'pipe', 'pipe'] })
  const remove = trackCleanup(() => {
    try { execFileSync(nft, ['delete', 'table', 'inet', table], { stdio: 'ignore' }) } catch { /* already gone */ }
  })
  return { table, remove }
}
