import assert from 'node:assert/strict'
import { join } from 'node:path'
import { disable, enable } from '@libp2p/logger'
import { http, startHarness, type Answer, type GatewayHarness } from './helpers.js'

describe('gateway: /api/magic-folders', function () {
  this.timeout(90_000)
  let h: GatewayHarness
  let token: string
  before(async () => {
    h = await startHarness()
    token = h.gateway.apiToken
  })
  after(async () => { await h?.stop() })

  const api = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer & { json: any }> => {
    const payload = body === undefined ? (method === 'GET' ? undefined : '{}') : JSON.stringify(body)
    const res = await http(h.gateway.url, method, path, payload, {
      Authorization: `Bearer ${token}`,
      // Node's client sends no length for a DELETE body unless told.
      ...(payload !== undefined ? { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(payload)) } : {}),
      ...headers
    })
    let json: any
    try { json = JSON.parse(res.body.toString()) } catch { json = undefined }
    return { ...res, json }
  }
  /** The gateway's log lines (written to stderr when enabled) while `fn` runs. */
  const logged = async <T>(fn: () => Promise<T>): Promise<{ value: T, lines: string }> => {
    let lines = ''
    const write = process.stderr.write.bind(process.stderr)
    enable('lafs-club:gateway*')
    process.stderr.write = (chunk: string | Uint8Array): boolean => { lines += chunk.toString(); return true }
    try {
      return { value: await fn(), lines }
    } finally {
      process.stderr.write = write
      disable()
    }
  }
  const local = (name: string): string => join(h.dir, 'folders', name)
  const enc = encodeURIComponent

  it('needs the API token, JSON bodies and the gateway\'s own origin', async () => {
    const none = await http(h.gateway.url, 'GET', '/api/magic-folders')
    assert.equal(none.status, 401)
    const wrong = await http(h.gateway.url, 'GET', '/api/magic-folders', undefined, { Authorization: 'Bearer nope' })
    assert.equal(wrong.status, 401)
    const unauthorizedCreate = await http(h.gateway.url, 'POST', '/api/magic-folders', JSON.stringify({ name: 'x', localPath: local('x') }), { 'Content-Type': 'application/json' })
    assert.equal(unauthorizedCreate.status, 401)
    const form = await api('POST', '/api/magic-folders', { name: 'x', localPath: local('x') }, { 'Content-Type': 'text/plain' })
    assert.equal(form.status, 415)
    const untyped = await http(h.gateway.url, 'DELETE', '/api/magic-folders/x', undefined, { Authorization: `Bearer ${token}` })
    assert.equal(untyped.status, 415, 'every request but GET is JSON, as on the rest of /api')
    const foreign = await api('POST', '/api/magic-folders', { name: 'x', localPath: local('x') }, { Origin: 'https://evil.example' })
    assert.equal(foreign.status, 403)
    assert.deepEqual((await api('GET', '/api/magic-folders')).json, [], 'none of the refused requests made a folder')
  })

  it('create, list, status (by a Unicode name), intervals, invite, join, remove', async () => {
    const name = 'Fotos Zürich'
    const made = await api('POST', '/api/magic-folders', { name, localPath: local('a'), pollSeconds: '5m', scanSeconds: 30, participant: 'alice' })
    assert.equal(made.status, 200, made.body.toString())
    assert.equal(made.json.name, name)
    assert.equal(made.json.localPath, local('a'))
    assert.equal(made.json.pollSeconds, 300, 'a duration text is taken as seconds')
    assert.equal(made.json.scanSeconds, 30)
    assert.equal(made.json.participant, 'alice')
    assert.equal(made.json.admin, true)
    assert.doesNotMatch(made.body.toString(), /URI:/, 'a status holds no cap')

    const list = await api('GET', '/api/magic-folders')
    assert.deepEqual(list.json.map((f: any) => f.name), [name])
    const status = await api('GET', `/api/magic-folders/${enc(name)}`)
    assert.equal(status.status, 200)
    assert.equal(status.json.name, name)
    const nfd = await api('GET', `/api/magic-folders/${enc(name.normalize('NFD'))}`)
    assert.equal(nfd.status, 200, 'the same name in NFD finds the folder')

    const patched = await api('PATCH', `/api/magic-folders/${enc(name)}/intervals`, { pollSeconds: 2 })
    assert.equal(patched.status, 200, patched.body.toString())
    assert.equal(patched.json.pollSeconds, 2)
    assert.equal(patched.json.scanSeconds, 30, 'the interval not given stays')
    const posted = await api('POST', `/api/magic-folders/${enc(name)}/intervals`, { scanSeconds: '1m' })
    assert.equal(posted.json.scanSeconds, 60)
    assert.equal((await api('GET', `/api/magic-folders/${enc(name)}`)).json.pollSeconds, 2)

    const { value: invited, lines } = await logged(async () => await api('POST', `/api/magic-folders/${enc(name)}/invite`, { participant: 'bob' }))
    assert.match(lines, /invited participant bob/, 'the log shows the invite happened')
    assert.doesNotMatch(lines, /URI:|lafs-mf1:/, 'but never the code or a cap')
    assert.equal(invited.status, 200, invited.body.toString())
    assert.equal(invited.json.participant, 'bob')
    assert.match(invited.json.code, /^lafs-mf1:/)
    const again = await api('POST', `/api/magic-folders/${enc(name)}/invite`, { participant: 'bob' })
    assert.equal(again.status, 400, 'a participant name is used once')

    // The same node joins under another name: enough to drive the route (syncing between nodes is the CLI test's).
    const { value: joined, lines: joinLines } = await logged(async () => await api('POST', '/api/magic-folders/join', { code: invited.json.code, name: 'copy', localPath: local('b'), pollSeconds: 1 }))
    assert.match(joinLines, /joined magic folder copy as bob/)
    assert.doesNotMatch(joinLines, /URI:|lafs-mf1:/)
    assert.equal(joined.status, 200, joined.body.toString())
    assert.equal(joined.json.name, 'copy')
    assert.equal(joined.json.participant, 'bob')
    assert.equal(joined.json.admin, false)
    assert.equal(joined.json.pollSeconds, 1)
    const notAdmin = await api('POST', '/api/magic-folders/copy/invite', { participant: 'carol' })
    assert.equal(notAdmin.status, 403)
    assert.equal(notAdmin.json.error.code, 'ERR_NOT_MAGIC_FOLDER_ADMIN')

    const removed = await api('DELETE', '/api/magic-folders/copy')
    assert.equal(removed.status, 200, removed.body.toString())
    assert.deepEqual(removed.json, { name: 'copy', removed: true })
    assert.equal((await api('GET', '/api/magic-folders/copy')).status, 404)
    assert.deepEqual((await api('GET', '/api/magic-folders')).json.map((f: any) => f.name), [name])
    assert.equal((await api('DELETE', `/api/magic-folders/${enc(name)}`)).status, 200)
    assert.deepEqual((await api('GET', '/api/magic-folders')).json, [])
  })

  it('errors by code: unknown 404, existing 409, bad input 400', async () => {
    const made = await api('POST', '/api/magic-folders', { name: 'docs', localPath: local('docs') })
    assert.equal(made.status, 200, made.body.toString())
    const cases: Array<[string, string, unknown, number, string]> = [
      ['GET', '/api/magic-folders/nothing', undefined, 404, 'ERR_NO_SUCH_MAGIC_FOLDER'],
      ['DELETE', '/api/magic-folders/nothing', {}, 404, 'ERR_NO_SUCH_MAGIC_FOLDER'],
      ['PATCH', '/api/magic-folders/nothing/intervals', { pollSeconds: 5 }, 404, 'ERR_NO_SUCH_MAGIC_FOLDER'],
      ['POST', '/api/magic-folders/nothing/invite', { participant: 'bob' }, 404, 'ERR_NO_SUCH_MAGIC_FOLDER'],
      ['POST', '/api/magic-folders', { name: 'docs', localPath: local('docs2') }, 409, 'ERR_MAGIC_FOLDER_EXISTS'],
      ['POST', '/api/magic-folders', { name: 'other', localPath: local('docs') }, 400, 'ERR_INVALID_MAGIC_FOLDER_INPUT'],
      ['POST', '/api/magic-folders', { name: 'rel', localPath: 'relative/path' }, 400, 'ERR_BAD_REQUEST'],
      ['POST', '/api/magic-folders', { localPath: local('x') }, 400, 'ERR_BAD_REQUEST'],
      ['POST', '/api/magic-folders', { name: 'a/b', localPath: local('x') }, 400, 'ERR_INVALID_MAGIC_FOLDER_INPUT'],
      ['POST', '/api/magic-folders', { name: 'x', localPath: local('x'), pollSeconds: 'soon' }, 400, 'ERR_BAD_REQUEST'],
      ['POST', '/api/magic-folders', { name: 'x', localPath: local('x'), pollSeconds: 0.01 }, 400, 'ERR_INVALID_MAGIC_FOLDER_INPUT'],
      ['POST', '/api/magic-folders', { name: 'x', localPath: local('x'), servers: 'not a list' }, 400, 'ERR_BAD_REQUEST'],
      ['GET', '/api/magic-folders/a%2Fb', undefined, 400, 'ERR_BAD_REQUEST'],
      ['GET', '/api/magic-folders/%E0%A4%A', undefined, 400, 'ERR_BAD_REQUEST'],
      ['DELETE', '/api/magic-folders/%20', {}, 400, 'ERR_BAD_REQUEST'],
      ['PATCH', '/api/magic-folders//intervals', { pollSeconds: 5 }, 400, 'ERR_BAD_REQUEST'],
      ['PATCH', '/api/magic-folders/docs/intervals', {}, 400, 'ERR_BAD_REQUEST'],
      ['PATCH', '/api/magic-folders/docs/intervals', { scanSeconds: -1 }, 400, 'ERR_INVALID_MAGIC_FOLDER_INPUT'],
      ['POST', '/api/magic-folders/docs/invite', {}, 400, 'ERR_BAD_REQUEST'],
      ['POST', '/api/magic-folders/docs/invite', { participant: 'a/b' }, 400, 'ERR_INVALID_MAGIC_FOLDER_INPUT'],
      ['POST', '/api/magic-folders/join', { code: 'lafs-mf1:garbage', name: 'j', localPath: local('j') }, 400, 'ERR_INVALID_MAGIC_FOLDER_INVITE'],
      ['POST', '/api/magic-folders/join', { name: 'j', localPath: local('j') }, 400, 'ERR_BAD_REQUEST'],
      ['POST', '/api/magic-folders/docs/bogus', {}, 404, 'ERR_NO_SUCH_ROUTE'],
      ['PUT', '/api/magic-folders/docs', {}, 404, 'ERR_NO_SUCH_ROUTE']
    ]
    for (const [method, path, body, status, code] of cases) {
      const res = await api(method, path, body)
      assert.equal(res.status, status, `${method} ${path} ${JSON.stringify(body)}: ${res.body.toString()}`)
      assert.equal(res.json?.error?.code, code, `${method} ${path} ${JSON.stringify(body)}`)
    }
    assert.deepEqual((await api('GET', '/api/magic-folders')).json.map((f: any) => f.name), ['docs'], 'no refused request made a folder')
    assert.equal((await api('DELETE', '/api/magic-folders/docs')).status, 200)
  })
})
