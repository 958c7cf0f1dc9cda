/**
 * The alias file and Tahoe's path rules (src/cli/aliases.ts), on real files:
 * what `alias:path`, a bare dircap with `/path` or `:./path`, and a plain
 * path mean, for cp (local unless an alias or a cap) and the other commands
 * (below the default alias `tahoe:`).
 */
import assert from 'node:assert/strict'
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { addAlias, parsePath, readAliases, readOnlyCapOf } from '../../src/cli/aliases.js'

// A real SDMF dircap (from Tahoe's docs/frontends/CLI.rst) and its read-only form.
const RW = 'URI:DIR2:ovjy4yhylqlfoqg2vcze36dhde:4d4f47qko2xm5g7osgo2yyidi5m4muyo2vjjy53q4vjju2u55mfa'

describe('cli: aliases and Tahoe paths', () => {
  let dir: string
  before(async () => { dir = await mkdtemp(join(tmpdir(), 'lafs-aliases-')) })
  after(async () => { await rm(dir, { recursive: true, force: true }) })

  it('add-alias writes "name: cap" lines into private/aliases (0600, no temp file left), refuses bad and existing names', async () => {
    await addAlias(dir, 'tahoe:', RW)
    const ro = readOnlyCapOf(RW)
    assert.match(ro, /^URI:DIR2-RO:/)
    await addAlias(dir, 'fun', ro)
    assert.equal(await readFile(join(dir, 'private', 'aliases'), 'utf8'), `tahoe: ${RW}\nfun: ${ro}\n`)
    assert.equal((await stat(join(dir, 'private', 'aliases'))).mode & 0o777, 0o600)
    assert.deepEqual(await readdir(join(dir, 'private')), ['aliases'])
    assert.deepEqual([...(await readAliases(dir)).keys()], ['tahoe', 'fun'])
    await assert.rejects(addAlias(dir, 'tahoe', ro), /exists already/)
    await assert.rejects(addAlias(dir, 'a:b', ro), /cannot contain ":"/)
    await assert.rejects(addAlias(dir, '', ro), /cannot be empty/)
    await assert.rejects(addAlias(dir, 'x', 'URI:DIR2:nope'), /not valid|cap/)
    await assert.rejects(addAlias(dir, 'x', 'URI:LIT:nbswy3dp'), /not a directory cap/)
  })

  it('paths: alias:path, bare caps (/path and :./path), the default alias, and cp\'s local paths', async () => {
    const aliases = await readAliases(dir)
    const ro = aliases.get('fun') as string
    const r = (arg: string): any => parsePath(arg, aliases, 'tahoe')
    const cp = (arg: string): any => parsePath(arg, aliases, undefined)
    assert.deepEqual(r('tahoe:'), { kind: 'remote', rootCap: RW, path: '', trailingSlash: false, root: 'tahoe:', unnamed: true })
    assert.deepEqual(r('fun:a//b/'), { kind: 'remote', rootCap: ro, path: 'a/b', trailingSlash: true, root: 'fun:', unnamed: false })
    assert.equal(r('docs/x.txt').rootCap, RW, 'no alias: the default one')
    assert.equal(r(`${RW}/sub/x`).path, 'sub/x')
    assert.equal(r(`${RW}:./sub/x`).path, 'sub/x')
    assert.equal(r(`${RW}`).path, '')
    assert.equal(r('tahoe:cafe\u0301').path, 'caf\u00e9', 'names are NFC')
    assert.throws(() => r('nosuch:x'), /there is no alias "nosuch:"/)
    assert.throws(() => r('URI:CHK:abc/x'), /not a directory cap/)
    // cp: no alias means local, so does a '/' before the first ':'
    assert.deepEqual(cp('notes.txt'), { kind: 'local', path: 'notes.txt' })
    assert.deepEqual(cp('./a:b'), { kind: 'local', path: './a:b' })
    assert.equal(cp('fun:x').kind, 'remote')
    assert.equal(cp('URI:LIT:nbswy3dp').rootCap, 'URI:LIT:nbswy3dp')
    assert.throws(() => cp('nosuch:x'), /there is no alias/)
    // no alias file: no aliases, and the default alias is missing with a hint
    assert.throws(() => parsePath('x', new Map(), 'tahoe'), /create-alias tahoe/)
  })
})
