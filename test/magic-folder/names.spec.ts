import assert from 'node:assert/strict'
import { checkRelpath, conflictName, decodeInvite, encodeInvite, isConflictName, mangle, unmangle } from '../../src/magic-folder/index.js'

describe('magic folders: names and invite codes', () => {
  it('mangles paths as Tahoe magic-folder does (@ → @@, / → @_) and back, in NFC', () => {
    assert.equal(mangle('trips/2026/notes.md'), 'trips@_2026@_notes.md')
    assert.equal(mangle('@metadata'), '@@metadata')
    assert.equal(mangle('a@_b/c'), 'a@@_b@_c')
    assert.equal(mangle('cafe\u0301'), 'caf\u00e9')
    for (const p of ['x', 'a/b', '@', '@@', '@_', 'a@/b@@/@_c', '日本/語']) assert.equal(unmangle(mangle(p)), p)
    assert.throws(() => unmangle('bad@x'), (err: any) => err.code === 'ERR_INVALID_MANGLED_NAME')
    assert.throws(() => unmangle('trailing@'), (err: any) => err.code === 'ERR_INVALID_MANGLED_NAME')
  })

  it('refuses relative paths that escape or name the staging folder', () => {
    assert.equal(checkRelpath('a/cafe\u0301'), 'a/caf\u00e9')
    for (const bad of ['', '/abs', 'a//b', 'a/../b', './a', '.lafs-tmp/x']) {
      assert.throws(() => checkRelpath(bad), (err: any) => err.code === 'ERR_INVALID_MAGIC_FOLDER_INPUT', bad)
    }
  })

  it('conflict copies are named with the participant and a sortable time, and recognised', () => {
    const name = conflictName('dir/plan.txt', 'bob-laptop', new Date(Date.UTC(2026, 11, 4, 15, 4, 5, 678)))
    assert.equal(name, 'dir/plan.txt.conflict-bob-laptop-20261204T150405Z')
    assert.ok(isConflictName(name))
    assert.ok(!isConflictName('dir/plan.txt'))
    assert.ok(!isConflictName('notes.conflict-bob.txt'))
  })

  it('invite codes round-trip and damaged ones are refused with a clear code', () => {
    const contents = {
      folder: 'photos',
      collectiveReadCap: 'URI:DIR2-RO:aaaa:bbbb',
      personalWriteCap: 'URI:DIR2:cccc:dddd',
      participant: 'bob',
      servers: ['/ip4/127.0.0.1/tcp/1/p2p/12D3KooWx'],
      addrs: []
    }
    const code = encodeInvite(contents)
    assert.match(code, /^lafs-mf1:[A-Za-z0-9_-]+$/)
    assert.deepEqual(decodeInvite(`  ${code}\n`), { ...contents, club: undefined, clubInvite: undefined })
    const refused = (c: string): void => { assert.throws(() => decodeInvite(c), (err: any) => err.code === 'ERR_INVALID_MAGIC_FOLDER_INVITE', c) }
    refused('hello')
    refused('lafs-mf1:!!!')
    refused(code.slice(0, code.length - 6))
    refused(encodeInvite({ ...contents, collectiveReadCap: 'URI:DIR2:writecap:x' }))
    refused(encodeInvite({ ...contents, personalWriteCap: 'URI:DIR2-RO:x:y' }))
    assert.throws(() => decodeInvite(encodeInvite({ ...contents, participant: '@meta' })), (err: any) => err.code === 'ERR_INVALID_MAGIC_FOLDER_INPUT')
  })
})
