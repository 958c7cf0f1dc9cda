/**
 * Early writeback of incoming shares (src/storage/writeback.ts): a share
 * being uploaded is flushed every WRITEBACK_BYTES while it is written, one
 * flush at a time in the process, and a flush that failed fails the close.
 */
import assert from 'node:assert/strict'
import { open, type FileHandle } from 'node:fs/promises'
import { join } from 'node:path'
import { Writeback, WRITEBACK_BYTES, writebackIdle, writebacksStarted } from '../../src/storage/writeback.js'
import { bytes, Harness, leaseSecrets, storageIndex } from './helpers.js'

describe('storage: early writeback of incoming shares', () => {
  const h = new Harness()
  // a flush another spec's upload started may still hold the process's turn
  beforeEach(async () => { await writebackIdle() })
  afterEach(async () => { await h.cleanup() })

  it('flushes a file every WRITEBACK_BYTES written, never two flushes at once in the process', async () => {
    const dir = await h.tempDir()
    const a = await open(join(dir, 'a'), 'w+')
    const b = await open(join(dir, 'b'), 'w+')
    try {
      const flushes: string[] = []
      let release!: () => void
      const held = new Promise<void>(resolve => { release = resolve })
      const flushOf = (name: string, handle: FileHandle, wait?: Promise<void>) => async (fn: (handle: FileHandle) => Promise<void>): Promise<void> => {
        flushes.push(name)
        await wait
        await fn(handle)
      }
      const wa = new Writeback('a')
      const wb = new Writeback('b')
      wa.wrote(WRITEBACK_BYTES - 1, flushOf('a', a, held))
      assert.deepEqual(flushes, [], 'not before WRITEBACK_BYTES')
      wa.wrote(1, flushOf('a', a, held))
      assert.deepEqual(flushes, ['a'])
      // a's flush is still running: b has enough written, but waits its turn
      wb.wrote(WRITEBACK_BYTES, flushOf('b', b))
      wa.wrote(WRITEBACK_BYTES, flushOf('a', a))
      assert.deepEqual(flushes, ['a'])
      release()
      await wa.settle()
      wb.wrote(1, flushOf('b', b))
      assert.deepEqual(flushes, ['a', 'b'], 'b flushes once a is done')
      await wb.settle()
    } finally {
      await a.close()
      await b.close()
    }
  })

  it('a flush that failed fails settle(), which the close of the share awaits', async () => {
    const dir = await h.tempDir()
    const handle = await open(join(dir, 'share'), 'w+')
    await handle.close()
    const w = new Writeback('share')
    // a closed descriptor: fdatasync fails as it would on a disk error
    w.wrote(WRITEBACK_BYTES, async fn => { await fn(handle) })
    await assert.rejects(w.settle(), (err: NodeJS.ErrnoException) => err.code === 'EBADF')
    await assert.rejects(w.settle(), 'the error stays: the file cannot be trusted any more')
  })

  it('a share uploaded in 1 MiB writes is flushed while it is written and reads back whole', async () => {
    const server = await h.server()
    const si = storageIndex()
    const data = bytes(3 * WRITEBACK_BYTES + 12345)
    const before = writebacksStarted()
    await server.allocate('alice', si, [0], data.length, leaseSecrets())
    for (let at = 0; at < data.length; at += 2 ** 20) await server.write('alice', si, 0, at, data.subarray(at, at + 2 ** 20))
    const during = writebacksStarted() - before
    await server.closeShare('alice', si, 0)
    assert.ok(during >= 1, `${during} early flushes while ${data.length} bytes were written`)
    assert.deepEqual(await server.read(si, 0, 0, data.length), data)
  })
})
