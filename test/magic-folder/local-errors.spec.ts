/**
 * Local problems that must be reported against their file and never stop a folder: a full disk on the
 * receiving side (a real 2 MiB tmpfs), a destination that cannot be written (`chattr +i`, which holds
 * for root too), and a file that cannot be read (a participant running as an unprivileged user, in a
 * child process, since root reads any file). Mounting, chattr and switching user need root: without
 * it these tests fail and say so; a missing mount or chattr skips them, naming the package.
 */
import assert from 'node:assert/strict'
import { execFile as execFileCb, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { chmod, chown, mkdir, mkdtemp, readFile, rm, rmdir, statfs, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { randomBytes } from 'node:crypto'
import { contentsIs, MagicGridFixture, waitFor } from './helpers.js'
import type { LafsNode, MagicFolderStatus } from '../../src/node/index.js'

const execFile = promisify(execFileCb)
const FAST = { pollSeconds: 1, scanSeconds: 1, settleMs: 200 }
const CROSS_MS = 20_000
const isRoot = process.getuid?.() === 0
/** The unprivileged user the reading participant runs as (nobody/nogroup on Debian). */
const NOBODY = 65534
const HERE = dirname(fileURLToPath(import.meta.url))

/** Root is a precondition here, as for `npm run netlab`: without it the run fails and says so, it does not skip. */
function needRoot (what: string): void {
  if (!isRoot) throw new Error(`${what} needs root: run npm test as root, as .ci/run does`)
}

/** Runs a system command; a missing one skips the test naming its Debian package, any other failure fails it. */
async function systemCommand (ctx: Mocha.Context, pkg: string, cmd: string, args: string[]): Promise<void> {
  try {
    await execFile(cmd, args)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
    console.log(`      SKIPPED: ${cmd} is missing (apt-get install ${pkg})`)
    ctx.skip()
  }
}

const errorOf = (s: MagicFolderStatus, relpath: string): { code: string, message: string } | undefined => s.errors.find(e => e.relpath === relpath)

/** Partial downloads left in a folder's staging area. */
const partials = (folder: string): string[] => {
  try { return readdirSync(join(folder, '.lafs-tmp')).filter(n => n.endsWith('.part')) } catch { return [] }
}

describe('magic folders: local problems are reported per file, never fatal', function () {
  this.timeout(120_000)
  const grid = new MagicGridFixture()
  let a: LafsNode
  let b: LafsNode

  before(async () => {
    await grid.start(4)
    a = (await grid.client()).node
    b = (await grid.client()).node
  })
  after(async () => { await grid.stop() })

  const share = async (name: string, pb: string): Promise<string> => {
    const pa = await grid.dir('lafs-mf-a-')
    await a.magicFolders.create(name, pa, { ...FAST, participant: 'alice', servers: grid.servers })
    const { code } = await a.magicFolders.invite(name, 'bob')
    await b.magicFolders.join(code, name, pb, FAST)
    return pa
  }

  describe('a full disk on the receiving side', function () {
    let mnt: string | undefined
    let mounted = false

    before(async function () {
      needRoot('mounting a small tmpfs for the full-disk test')
      mnt = await mkdtemp(join(tmpdir(), 'lafs-mf-disk-'))
      await systemCommand(this, 'mount', 'mount', ['-t', 'tmpfs', '-o', 'size=2m,mode=0700', 'tmpfs', mnt])
      mounted = true
    })
    after(async () => {
      if (mnt === undefined) return
      // The folder must stop using the disk before it can be unmounted.
      // (Not there when the test failed before joining.)
      await b.magicFolders.remove('disk').catch(() => {})
      if (mounted) {
        await execFile('umount', [mnt]).catch(async () => await execFile('umount', ['-l', mnt as string]))
      }
      await rmdir(mnt)
    })

    it('a download that fills the disk is reported as ERR_DISK_FULL, its partial file removed; the folder goes on, and the next poll after space is freed finishes it', async () => {
      const root = mnt as string
      const pb = join(root, 'folder')
      await mkdir(pb)
      const pa = await share('disk', pb)
      await writeFile(join(pa, 'keep.txt'), 'already here')
      await writeFile(join(pb, 'mine.txt'), 'bob v1')
      await waitFor('keep.txt on bob', CROSS_MS, async () => await contentsIs(join(pb, 'keep.txt'), 'already here'))
      await waitFor('mine.txt on alice', CROSS_MS, async () => await contentsIs(join(pa, 'mine.txt'), 'bob v1'))

      // Leave 256 KiB free, outside the folder (so the filler is not synced), then send 1 MiB.
      const fs = await statfs(root)
      await writeFile(join(root, 'filler'), Buffer.alloc(fs.bavail * fs.bsize - 256 * 1024))
      const failures: Array<{ code: string, message: string, partials: string[] }> = []
      const onError = (e: CustomEvent<{ folder: string, relpath?: string, code: string, message: string }>): void => {
        // Dispatched as the failure is reported: the partial file must be gone already.
        if (e.detail.folder === 'disk' && e.detail.relpath === 'big.bin') failures.push({ code: e.detail.code, message: e.detail.message, partials: partials(pb) })
      }
      b.magicFolders.events.addEventListener('error', onError)
      try {
        const big = randomBytes(1024 * 1024)
        await writeFile(join(pa, 'big.bin'), big)
        const st = await waitFor('ERR_DISK_FULL in bob\'s status', CROSS_MS, async () => {
          const s = await b.magicFolders.status('disk')
          return errorOf(s, 'big.bin')?.code === 'ERR_DISK_FULL' ? s : undefined
        })
        assert.match(errorOf(st, 'big.bin')?.message ?? '', /disk holding magic folder .* is full.*Free some space/)
        const full = failures.filter(f => f.code === 'ERR_DISK_FULL')
        assert.ok(full.length >= 1, JSON.stringify(failures))
        assert.deepEqual(full.map(f => f.partials).flat(), [], 'the partial download is removed before the failure is reported')
        assert.equal(st.running, true)
        assert.equal(await contentsIs(join(pb, 'keep.txt'), 'already here'), true, 'the files already there are untouched')
        await assert.rejects(readFile(join(pb, 'big.bin')), { code: 'ENOENT' })

        // The loop goes on: a local change is still uploaded, and later polls try big.bin again (and fail again).
        const tried = full.length
        await writeFile(join(pb, 'mine.txt'), 'bob v2, written while the disk is full')
        await waitFor('bob\'s change on alice', CROSS_MS, async () => await contentsIs(join(pa, 'mine.txt'), 'bob v2, written while the disk is full'))
        await waitFor('another attempt at big.bin', CROSS_MS, () => failures.filter(f => f.code === 'ERR_DISK_FULL').length > tried ? true : undefined)
        assert.deepEqual(failures.filter(f => f.code === 'ERR_DISK_FULL').map(f => f.partials).flat(), [])

        await rm(join(root, 'filler'))
        await waitFor('big.bin on bob once there is room', CROSS_MS, async () => {
          try { return (await readFile(join(pb, 'big.bin'))).equals(big) ? true : undefined } catch { return undefined }
        })
        const after = await waitFor('the error cleared', CROSS_MS, async () => {
          const s = await b.magicFolders.status('disk')
          return errorOf(s, 'big.bin') === undefined ? s : undefined
        })
        assert.deepEqual(after.errors, [])
        assert.deepEqual(partials(pb), [])
        assert.equal(await contentsIs(join(pb, 'mine.txt'), 'bob v2, written while the disk is full'), true)
      } finally {
        b.magicFolders.events.removeEventListener('error', onError)
      }
    })
  })

  describe('a file that cannot be read', function () {
    let child: ChildProcessWithoutNullStreams | undefined
    let exited: Promise<number | null> | undefined
    after(async () => {
      if (child === undefined || child.exitCode !== null) return
      child.stdin.end('stop\n')
      const t = setTimeout(() => child?.kill('SIGKILL'), 15_000)
      await exited
      clearTimeout(t)
    })

    it('is reported as ERR_PERMISSION_DENIED by the participant that cannot read it (an unprivileged user), the other files go up, and it goes up once readable', async function () {
      needRoot(`starting a participant as uid ${NOBODY} (root reads every file)`)
      const pa = await grid.dir('lafs-mf-a-')
      await a.magicFolders.create('unreadable', pa, { ...FAST, participant: 'alice', servers: grid.servers })
      const { code } = await a.magicFolders.invite('unreadable', 'bob')
      const data = await grid.dir('lafs-mf-nobody-data-')
      const pb = await grid.dir('lafs-mf-nobody-')
      await writeFile(join(pb, 'open.txt'), 'anyone may read this')
      await writeFile(join(pb, 'secret.txt'), 'nobody may read this yet')
      await chmod(join(pb, 'secret.txt'), 0o000)
      for (const p of [data, pb, join(pb, 'open.txt'), join(pb, 'secret.txt')]) await chown(p, NOBODY, NOBODY)

      let latest: MagicFolderStatus | undefined
      let stderr = ''
      const proc = spawn(process.execPath, ['--import', 'tsx', join(HERE, 'unprivileged-participant.ts'), data, pb], {
        cwd: join(HERE, '..', '..'), uid: NOBODY, gid: NOBODY, env: { ...process.env, HOME: data }, stdio: ['pipe', 'pipe', 'pipe']
      })
      child = proc
      exited = new Promise(resolve => proc.on('close', resolve))
      let buffered = ''
      proc.stdout.on('data', (d: Buffer) => {
        buffered += d.toString()
        const lines = buffered.split('\n')
        buffered = lines.pop() ?? ''
        if (lines.length > 0) latest = JSON.parse(lines[lines.length - 1]) as MagicFolderStatus
      })
      proc.stderr.on('data', (d: Buffer) => { stderr += d.toString() })
      proc.stdin.write(code + '\n')
      const status = async (what: string, ok: (s: MagicFolderStatus) => boolean): Promise<MagicFolderStatus> => await waitFor(what, 45_000, () => {
        if (proc.exitCode !== null) throw new Error(`the unprivileged participant exited with ${proc.exitCode}: ${stderr}`)
        return latest !== undefined && ok(latest) ? latest : undefined
      })

      const st = await status('ERR_PERMISSION_DENIED in the participant\'s status', s => errorOf(s, 'secret.txt') !== undefined)
      assert.equal(errorOf(st, 'secret.txt')?.code, 'ERR_PERMISSION_DENIED', JSON.stringify(st.errors))
      assert.match(errorOf(st, 'secret.txt')?.message ?? '', new RegExp(`cannot be read \\(EACCES on ${join(pb, 'secret.txt')}\\).*make it readable`))
      assert.equal(st.running, true)
      await waitFor('open.txt on alice', CROSS_MS, async () => await contentsIs(join(pa, 'open.txt'), 'anyone may read this'))
      await assert.rejects(readFile(join(pa, 'secret.txt')), { code: 'ENOENT' })

      await chmod(join(pb, 'secret.txt'), 0o644)
      await waitFor('secret.txt on alice once readable', CROSS_MS, async () => await contentsIs(join(pa, 'secret.txt'), 'nobody may read this yet'))
      const after = await status('the error cleared', s => errorOf(s, 'secret.txt') === undefined)
      assert.deepEqual(after.errors, [])
      proc.stdin.end('stop\n')
      assert.equal(await exited, 0, stderr)
    })
  })

  describe('a destination that cannot be written', function () {
    const immutable: string[] = []

    before(async function () {
      needRoot('chattr +i (an unwritable file that holds for root too)')
      const d = await grid.dir('lafs-mf-attr-')
      await writeFile(join(d, 'probe'), '')
      await systemCommand(this, 'e2fsprogs', 'chattr', ['+i', join(d, 'probe')])
      await execFile('chattr', ['-i', join(d, 'probe')])
    })
    after(async () => {
      for (const p of immutable) await execFile('chattr', ['-i', p]).catch(() => {})
    })

    const setImmutable = async (p: string, on: boolean): Promise<void> => {
      await execFile('chattr', [on ? '+i' : '-i', p])
      if (on) immutable.push(p)
    }

    it('a change to an immutable file and a new file in an immutable folder are reported as ERR_PERMISSION_DENIED; other files still arrive; both arrive once writable', async () => {
      const pb = await grid.dir('lafs-mf-b-')
      const pa = await share('locked', pb)
      await writeFile(join(pa, 'fixed.txt'), 'v1')
      await waitFor('fixed.txt on bob', CROSS_MS, async () => await contentsIs(join(pb, 'fixed.txt'), 'v1'))
      await setImmutable(join(pb, 'fixed.txt'), true)
      await mkdir(join(pb, 'sealed'))
      await setImmutable(join(pb, 'sealed'), true)

      await writeFile(join(pa, 'fixed.txt'), 'v2')
      await mkdir(join(pa, 'sealed'))
      await writeFile(join(pa, 'sealed', 'new.txt'), 'in the sealed folder')
      await writeFile(join(pa, 'free.txt'), 'nothing in the way')
      const st = await waitFor('both failures in bob\'s status', CROSS_MS, async () => {
        const s = await b.magicFolders.status('locked')
        return errorOf(s, 'fixed.txt')?.code === 'ERR_PERMISSION_DENIED' && errorOf(s, 'sealed/new.txt')?.code === 'ERR_PERMISSION_DENIED' ? s : undefined
      })
      for (const relpath of ['fixed.txt', 'sealed/new.txt']) {
        assert.match(errorOf(st, relpath)?.message ?? '', new RegExp(`cannot be written into the folder \\(EPERM on ${join(pb, relpath)}\\).*writable`))
      }
      assert.equal(st.running, true)
      await waitFor('free.txt on bob', CROSS_MS, async () => await contentsIs(join(pb, 'free.txt'), 'nothing in the way'))
      assert.equal(await readFile(join(pb, 'fixed.txt'), 'utf8'), 'v1')
      // No poll from now on: whatever a failed attempt staged must be gone, and stay gone.
      await b.magicFolders.setIntervals('locked', { pollSeconds: 3600 })
      await waitFor('no partial download left', CROSS_MS, () => partials(pb).length === 0 ? true : undefined)
      assert.deepEqual(readdirSync(join(pb, 'sealed')), [])

      await setImmutable(join(pb, 'fixed.txt'), false)
      await setImmutable(join(pb, 'sealed'), false)
      await b.magicFolders.setIntervals('locked', { pollSeconds: 1 })
      await waitFor('both on bob once writable', CROSS_MS, async () => (await contentsIs(join(pb, 'fixed.txt'), 'v2')) && (await contentsIs(join(pb, 'sealed', 'new.txt'), 'in the sealed folder')))
      await waitFor('the errors cleared', CROSS_MS, async () => (await b.magicFolders.status('locked')).errors.length === 0 ? true : undefined)
      assert.equal((await b.magicFolders.status('locked')).conflicts.length, 0, 'an update that could not be written is no conflict')
    })
  })
})
