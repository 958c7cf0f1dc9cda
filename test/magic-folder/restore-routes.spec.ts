import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { magicRestoreRoutes } from '../../src/gateway/magic-restore-routes.js'
import { errorBody, statusOf } from '../../src/gateway/errors.js'
import { sendJson } from '../../src/gateway/http.js'
import { Command } from 'commander'
import { addRestoreCommands } from '../../src/cli/magic-restore.js'
import { loadOrCreateApiToken } from '../../src/node/index.js'
import { MagicGridFixture, waitFor } from './helpers.js'
import type { LafsNode } from '../../src/node/index.js'

const FAST = { pollSeconds: 1, scanSeconds: 1, settleMs: 100 }

describe('magic folders: the history and restore routes', function () {
  this.timeout(90_000)
  const grid = new MagicGridFixture()
  let a: LafsNode
  let server: Server
  let base: string
  let aData: string
  let token: string

  before(async () => {
    await grid.start(4)
    const ca = await grid.client()
    a = ca.node
    aData = ca.dataDir
    token = await loadOrCreateApiToken(aData)
    // The handler as the gateway runs it: token checked, /api/ stripped, parts decoded, errors answered as JSON.
    const handler = magicRestoreRoutes({ node: a, maxJsonBytes: 64 * 1024 })
    server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x')
      if (req.headers.authorization !== `Bearer ${token}`) { sendJson(res, 401, { error: { code: 'ERR_UNAUTHORIZED', message: '' } }); return }
      // What the CLI asks first to know it reached this node's daemon.
      if (url.pathname === '/api/node') { sendJson(res, 200, { peerId: a.libp2p.peerId.toString(), multiaddrs: [] }); return }
      const parts = url.pathname.slice('/api/'.length).split('/').filter(p => p !== '').map(decodeURIComponent)
      handler(req, res, url, parts).then(done => { if (!done) sendJson(res, 404, { error: { code: 'ERR_NO_SUCH_ROUTE', message: '' } }) })
        .catch((err: unknown) => { sendJson(res, statusOf(err), errorBody(err)) })
    })
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
    const addr = server.address()
    base = `http://127.0.0.1:${typeof addr === 'object' && addr !== null ? addr.port : 0}/api/magic-folders`
  })
  after(async () => {
    await new Promise(resolve => server.close(resolve))
    await grid.stop()
  })

  it('answers the versions and restores one; errors have their codes and statuses', async () => {
    const pa = await grid.dir('lafs-mf-a-')
    await a.magicFolders.create('my docs', pa, { ...FAST, participant: 'alice', servers: grid.servers })
    const file = join(pa, 'ünïcode name.txt')
    await writeFile(file, 'one')
    await waitFor('the first upload', 20_000, async () => (await a.magicFolders.status('my docs')).uploads === 1 ? true : undefined)
    await writeFile(file, 'two, changed')
    await waitFor('the second upload', 20_000, async () => (await a.magicFolders.status('my docs')).uploads === 2 ? true : undefined)

    const folder = `${base}/${encodeURIComponent('my docs')}`
    const fetch = async (u: string, init: RequestInit = {}): Promise<Response> => await globalThis.fetch(u, { ...init, headers: { ...init.headers as Record<string, string>, authorization: `Bearer ${token}` } })
    const h = await fetch(`${folder}/history?path=${encodeURIComponent('ünïcode name.txt')}`)
    assert.equal(h.status, 200)
    const versions = await h.json() as Array<{ version: number, size: number, current: boolean, author: string }>
    assert.deepEqual(versions.map(v => [v.version, v.size, v.current, v.author]), [[2, 12, true, 'alice'], [1, 3, false, 'alice']])

    const post = async (body: unknown, type = 'application/json'): Promise<Response> =>
      await fetch(`${folder}/restore`, { method: 'POST', headers: { 'content-type': type }, body: JSON.stringify(body) })
    const r = await post({ path: 'ünïcode name.txt', version: 1 })
    assert.equal(r.status, 200)
    assert.deepEqual(await r.json(), { relpath: 'ünïcode name.txt', version: 1, size: 3, written: true })
    assert.equal(await readFile(file, 'utf8'), 'one')
    await waitFor('the restore uploaded as version 3', 20_000, async () => (await a.magicFolders.status('my docs')).uploads === 3 ? true : undefined)

    const code = async (res: Response): Promise<[number, string]> => [res.status, ((await res.json()) as { error: { code: string } }).error.code]
    assert.deepEqual(await code(await post({ path: 'ünïcode name.txt', version: 9 })), [404, 'ERR_NO_SUCH_FILE_VERSION'])
    assert.deepEqual(await code(await post({ path: 'ünïcode name.txt', version: 'one' })), [400, 'ERR_BAD_REQUEST'])
    assert.deepEqual(await code(await post({})), [400, 'ERR_BAD_REQUEST'])
    assert.deepEqual(await code(await post({ path: 'x' }, 'text/plain')), [415, 'ERR_UNSUPPORTED_MEDIA_TYPE'])
    assert.deepEqual(await code(await fetch(`${base}/nope/history?path=a`)), [404, 'ERR_NO_SUCH_MAGIC_FOLDER'])
    assert.deepEqual(await code(await fetch(`${folder}/history`)), [400, 'ERR_BAD_REQUEST'])
    assert.deepEqual(await code(await fetch(`${folder}/history?path=..%2Fx`)), [400, 'ERR_INVALID_MAGIC_FOLDER_INPUT'])
    assert.deepEqual(await code(await fetch(`${folder}/restore`)), [405, 'ERR_METHOD_NOT_ALLOWED'])
    assert.deepEqual(await code(await fetch(`${base}/x/other`)), [404, 'ERR_NO_SUCH_ROUTE'], 'other paths are left to the rest of the API')
  })

  it('the CLI commands reach the routes through the data folder\'s daemon', async () => {
    await writeFile(join(aData, 'gateway.url'), base.replace('/api/magic-folders', '') + '\n')
    const run = async (...args: string[]): Promise<string> => {
      const program = new Command().option('--data <dir>').option('--json').exitOverride()
      addRestoreCommands(program.command('magic-folder'))
      const out: string[] = []
      const write = process.stdout.write.bind(process.stdout)
      process.stdout.write = (chunk: string | Uint8Array): boolean => { out.push(String(chunk)); return true }
      try {
        await program.parseAsync(['node', 'lafs-club', '--data', aData, ...args])
      } finally {
        process.stdout.write = write
      }
      return out.join('')
    }
    const json = JSON.parse(await run('--json', 'magic-folder', 'history', 'my docs', 'ünïcode name.txt')) as Array<{ version: number }>
    assert.deepEqual(json.map(v => v.version), [3, 2, 1])
    const text = await run('magic-folder', 'history', 'my docs', 'ünïcode name.txt')
    assert.match(text, /^versions of ünïcode name\.txt, newest first:\n +3 +\d{4}-\d\d-\d\dT[\d:.]+Z +3 B +by alice +\(current\)\n/)
    assert.match(await run('magic-folder', 'restore', 'my docs', 'ünïcode name.txt', '--version', '2'), /^restored version 2 of ünïcode name\.txt \(12 B\)/)
    await assert.rejects(run('magic-folder', 'restore', 'my docs', 'ünïcode name.txt', '--version', 'x'), { code: 'ERR_USAGE' })
    await assert.rejects(run('magic-folder', 'history', 'my docs', 'nope.txt'), { code: 'ERR_NO_SUCH_FILE_VERSION' })
  })
})
