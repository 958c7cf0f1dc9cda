import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { magicRestoreRoutes } from '../../src/gateway/magic-restore-routes.js'
import { errorBody, statusOf } from '../../src/gateway/errors.js'
import { sendJson } from '../../src/gateway/http.js'
import { MagicGridFixture, waitFor } from './helpers.js'
import type { LafsNode } from '../../src/node/index.js'

const FAST = { pollSeconds: 1, scanSeconds: 1, settleMs: 100 }

describe('magic folders: the history and restore routes', function () {
  this.timeout(90_000)
  const grid = new MagicGridFixture()
  let a: LafsNode
  let server: Server
  let base: string

  before(async () => {
    await grid.start(4)
    a = (await grid.client()).node
    // The handler as the gateway runs it: /api/ stripped, parts decoded, errors answered as JSON.
    const handler = magicRestoreRoutes({ node: a, maxJsonBytes: 64 * 1024 })
    server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x')
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
})
