import assert from 'node:assert/strict'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { formatSeconds, magicListLines, magicStatusLines, magicStatusListLines } from '../../src/cli/magic-render.js'
import type { MagicFolderStatus } from '../../src/node/index.js'

// Any absolute folder does: the status only shows it.
const PHOTOS = join(tmpdir(), 'Photos')

describe('cli: magic-folder status for people', () => {
  const now = new Date(2026, 11, 4, 14, 2, 31).getTime()
  const status: MagicFolderStatus = {
    name: 'photos',
    localPath: PHOTOS,
    participant: 'bob',
    admin: false,
    running: true,
    pollSeconds: 60,
    scanSeconds: 5400,
    settleMs: 2000,
    lastPoll: now - 12_000,
    nextPoll: now + 48_000,
    lastScan: now,
    nextScan: undefined,
    queuedUploads: 2,
    queuedDownloads: 0,
    uploads: 1,
    deletionsSent: 0,
    downloads: 3,
    deletionsApplied: 1,
    participants: [
      { name: 'alice', me: false, lastChange: now - 260_000 },
      { name: 'bob', me: true },
      { name: 'carol', me: false }
    ],
    conflicts: [{ relpath: 'notes.txt', participant: 'alice', file: 'notes.txt.conflict-alice-20261204T140000Z', at: now - 31_000 }],
    errors: [
      { relpath: 'big.iso', code: 'ERR_FILE_BUSY', message: 'the file changed while it was read', at: now - 3000 },
      { code: 'ERR_UPLOAD_UNHAPPY', message: 'too few servers', at: new Date(2026, 11, 3, 9, 0, 0).getTime() }
    ]
  }

  it('intervals as people say them', () => {
    assert.deepEqual([0.5, 1, 45, 60, 90, 300, 3600, 5400, 86_400, 90_061].map(formatSeconds),
      ['0.5 s', '1 s', '45 s', '1 m', '1 m 30 s', '5 m', '1 h', '1 h 30 m', '1 d', '1 d 1 h'])
  })

  it('one folder: polls, scans, queue, participants, conflicts, errors with their files', () => {
    assert.deepEqual(magicStatusLines(status, now), [
      'photos',
      `  local folder   ${PHOTOS}`,
      '  you are        bob',
      '  remote poll    every 1 m; last 14:02:19 (12 s ago), next 14:03:19 (in 48 s)',
      '  local scan     every 1 h 30 m; last 14:02:31 (now), next never',
      '  queued         2 to upload, 0 to download',
      '  done so far    1 upload (0 deletions), 3 downloads (1 deletion)',
      '  participants   3',
      '    alice: last change 13:58:11 (4 m 20 s ago)',
      '    bob (you)',
      '    carol: no change seen yet',
      '  conflicts      1',
      "    notes.txt: alice's version kept as notes.txt.conflict-alice-20261204T140000Z, 14:02:00 (31 s ago)",
      '  errors         2',
      '    big.iso: the file changed while it was read [ERR_FILE_BUSY], 14:02:28 (3 s ago)',
      '    (the folder): too few servers [ERR_UPLOAD_UNHAPPY], 2026-12-03 09:00:00 (1 d 5 h ago)'
    ])
  })

  it('the list, and no folders at all', () => {
    assert.deepEqual(magicListLines([status, { ...status, name: 'docs', admin: true, running: false, errors: [], conflicts: [], participants: [] }]), [
      `photos  ${PHOTOS}  as bob, 3 participants, poll every 1 m, scan every 1 h 30 m  [2 errors, 1 conflict]`,
      `docs  ${PHOTOS}  as bob (admin), 0 participants, poll every 1 m, scan every 1 h 30 m  [stopped]`
    ])
    assert.match(String(magicListLines([])), /^no magic folders; add one with "lafs-club magic-folder add NAME LOCAL_PATH"/)
    assert.equal(magicStatusListLines([status, status], now).length, 2 * 16 + 1, 'every folder, a blank line between')
  })
})
