import assert from 'node:assert/strict'
import { format } from 'node:util'
import type { ComponentLogger, Logger } from '@libp2p/logger'
import { base32Encode } from '../../src/immutable/index.js'
import { encodeStorageIndex } from '../../src/storage/index.js'
import { bytes, Clock, DAY, Harness, leaseSecrets, storageIndex, store, waitFor } from './helpers.js'

const ALICE = '12D3KooWAlice'
const BOB = '12D3KooWBob'

interface Line { component: string, text: string }

/** A ComponentLogger (the `logger` option's interface) that keeps every line, formatted, whatever DEBUG says. */
function recordingLogger (lines: Line[]): ComponentLogger {
  const make = (component: string): Logger => {
    const write = (fmt: string, ...args: unknown[]): void => {
      // %e is libp2p's error formatter; %s shows the message, enough here.
      lines.push({ component, text: format(String(fmt).replace(/%e/g, '%s'), ...args) })
    }
    return Object.assign(write, {
      error: write,
      trace: write,
      enabled: true,
      newScope: (scope: string) => make(`${component}:${scope}`)
    })
  }
  return { forComponent: make }
}

function linesOf (lines: Line[], part: string): string[] {
  return lines.filter(l => l.component === `lafs-club:storage:${part}`).map(l => l.text)
}

describe('storage: logging', () => {
  const h = new Harness()
  afterEach(async () => { await h.cleanup() })

  it('traces refusals, uploads, leases, advisories, GC and recovery under lafs-club:storage:<part>, and never a secret', async () => {
    const lines: Line[] = []
    const clock = new Clock()
    const dir = await h.tempDir()
    const opts = { dir, now: clock.now, leaseDurationMs: DAY, freeQuota: 500, capacity: 20_000, maxShareSize: 5000, uploadTimeoutMs: 100, reservationTimeoutMs: 100, logger: recordingLogger(lines) }
    const server = await h.server(opts)
    assert.match(linesOf(lines, 'recovery').join('\n'), /recovered .*0 row\(s\) without a file dropped, 0 file\(s\) adopted/)

    // Refusals, each with its reason.
    await assert.rejects(server.allocate(ALICE, storageIndex(), [0], 600, leaseSecrets()), { code: 'ERR_QUOTA_EXCEEDED' })
    const invitation = server.createInvitation({ quota: 100_000 })
    server.redeemInvitation(ALICE, invitation)
    await assert.rejects(server.allocate(ALICE, storageIndex(), [0, 1, 2, 3, 4], 600, leaseSecrets()), { code: 'ERR_CAPACITY_EXCEEDED' })
    await assert.rejects(server.allocate(ALICE, storageIndex(), [0], 6000, leaseSecrets()), { code: 'ERR_SHARE_TOO_LARGE' })
    const refusals = linesOf(lines, 'uploads').filter(l => l.startsWith(`refused an allocation for ${ALICE}`))
    assert.equal(refusals.length, 3, refusals.join('\n'))
    assert.match(refusals[0], /quota of 500 bytes/)
    assert.match(refusals[1], /capacity of 20000 bytes/)
    assert.match(refusals[2], /exceeds this server's maximum of 5000 bytes/)
    assert.match(linesOf(lines, 'accounts').join('\n'), new RegExp(`${ALICE} redeemed an invitation; quota now 100000 bytes`))

    // Uploads opened, closed, aborted, expired; the lease they start.
    const si = storageIndex()
    const name = encodeStorageIndex(si)
    const lease = leaseSecrets()
    await store(server, ALICE, si, 2, bytes(100), lease)
    await server.allocate(ALICE, si, [3, 4], 50, lease)
    await server.abort(ALICE, si, 3)
    await waitFor(() => linesOf(lines, 'uploads').some(l => l.includes(`share 4 of ${name} by ${ALICE} idle`)), 5000, 'the expiry to be logged')
    const uploads = linesOf(lines, 'uploads').join('\n')
    assert.match(uploads, new RegExp(`${ALICE} allocated share\\(s\\) \\[2\\] of ${name}, 100 bytes each`))
    assert.match(uploads, new RegExp(`${ALICE} closed share 2 of ${name} \\(100 bytes\\): stored`))
    assert.match(uploads, new RegExp(`${ALICE} aborted share 3 of ${name}`))
    await server.addLease(BOB, si, leaseSecrets())
    const leases = linesOf(lines, 'leases')
    assert.ok(leases.some(l => l.startsWith(`lease on ${name} for ${ALICE} runs to at least`)), leases.join('\n'))
    assert.ok(leases.some(l => l.startsWith(`lease on ${name} for ${BOB} runs to at least`)), leases.join('\n'))

    await server.adviseCorrupt(BOB, si, 2, 'block 0 hash mismatch')
    assert.deepEqual(linesOf(lines, 'corruption'), [`${BOB} reports share 2 of ${name} corrupt: "block 0 hash mismatch"`])

    clock.advance(2 * DAY)
    assert.deepEqual(await server.gc(), { deletedShares: 1, freedBytes: 100 })
    const gc = linesOf(lines, 'expirer').join('\n')
    assert.match(gc, new RegExp(`deleted share\\(s\\) 2 of ${name} \\(100 bytes\\): no live lease`))
    // Both leases went with the storage index's last share, so none is left to expire.
    assert.match(gc, /GC pass done: deleted 1 share\(s\), freed 100 bytes, removed 0 expired lease\(s\)/)

    await server.stop()
    assert.match(linesOf(lines, 'server').join('\n'), /stopped /)

    // Nothing secret in any line: lease secrets in any usual text form, the invitation code.
    const all = lines.map(l => l.text).join('\n')
    for (const secret of [lease.renewSecret, lease.cancelSecret]) {
      for (const form of [Buffer.from(secret).toString('hex'), Buffer.from(secret).toString('base64'), base32Encode(secret)]) {
        assert.equal(all.includes(form), false, 'a lease secret reached the log')
      }
    }
    assert.equal(all.includes(invitation), false, 'the invitation code reached the log')
    assert.equal(all.includes(invitation.replace(/-/g, '')), false, 'the invitation code reached the log')
  })
})
