/**
 * `init`, `start`, `put`, `get` and `check`. `put` and `get` use the running
 * daemon when there is one and a short-lived node in this process when not;
 * either way the bytes flow as a pipeline of async iterables.
 */
import { createReadStream, createWriteStream } from 'node:fs'
import { readFile, rename, rm, stat } from 'node:fs/promises'
import { resolve } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { pipe } from 'it-pipe'
import { defaultConfig, initDataDir, loadOrCreateApiToken, mergeConfig, isMutableCapString, parseHintedCap, type CheckReport, type DownloadExplain, type PutAnswer } from '../node/index.js'
import { addInitOptions, collect, configFromInitFlags, contextOf, query, type InitFlags } from './context.js'
import { findDaemon, type DaemonClient } from './daemon-client.js'
import { runDaemon } from './daemon.js'
import { getFromPath, isGridPathArg, putToPath, readStdin } from './dir-commands.js'
import { CliError, UsageError } from './errors.js'
import { withLocalNode } from './local.js'
import { formatBytes } from './output.js'
import { checkLines, explainLines, putExplainLines } from './render.js'
import type { Command } from 'commander'

/** Counts bytes through an async iterable, for a progress bar. */
function counted (onBytes: (n: number) => void): (source: AsyncIterable<Uint8Array>) => AsyncGenerator<Uint8Array> {
  return async function * (source) {
    for await (const chunk of source) {
      onBytes(chunk.length)
      yield chunk
    }
  }
}

async function toStdout (source: AsyncIterable<Uint8Array>): Promise<void> {
  for await (const chunk of source) {
    if (!process.stdout.write(chunk)) await new Promise(resolve => process.stdout.once('drain', resolve))
  }
}

async function readJsonBody<T> (source: AsyncIterable<Uint8Array>): Promise<T> {
  const chunks: Uint8Array[] = []
  for await (const c of source) chunks.push(c)
  return JSON.parse(Buffer.concat(chunks).toString()) as T
}

async function fileSize (file: string): Promise<number> {
  try {
    const st = await stat(file)
    if (!st.isFile()) throw new UsageError(`${file} is not a regular file`)
    return st.size
  } catch (err) {
    if (err instanceof CliError) throw err
    const e = err as NodeJS.ErrnoException
    throw new UsageError(`cannot read ${file}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`)
  }
}

/** A download through the daemon's gateway; the explain comes back in a header when asked for. */
async function daemonCat (d: DaemonClient, cap: string, servers: string[] | undefined, explain: boolean): Promise<{ body: AsyncIterable<Uint8Array>, length?: number, explain?: DownloadExplain }> {
  const res = await d.stream('GET', `/uri/${encodeURIComponent(cap)}${query({ server: servers, explain })}`)
  const length = Number(res.headers['content-length'])
  const header = res.headers['x-lafs-explain']
  return { body: res, length: Number.isFinite(length) ? length : undefined, explain: typeof header === 'string' ? JSON.parse(header) as DownloadExplain : undefined }
}

export function addFileCommands (program: Command): void {
  addInitOptions(program.command('init'))
    .description('create a data folder with a new identity, secrets and config.json')
    .action(async (o: InitFlags, cmd: Command) => {
      const { dataDir, out, dataGiven } = contextOf(cmd)
      const config = configFromInitFlags(o)
      mergeConfig(defaultConfig(), config, 'init options')
      const r = await initDataDir(dataDir, { config })
      await loadOrCreateApiToken(dataDir)
      out.result({ dataDir: r.dataDir, peerId: r.peerId, config: resolve(dataDir, 'config.json') }, v => [
        `Created ${v.dataDir}`,
        `node ID  ${v.peerId}`,
        `config   ${v.config}`,
        'Back up the private/ folder. Start the node with: lafs-club start' + (dataGiven ? ` --data ${dataDir}` : '')
      ])
    })

  addInitOptions(program.command('start'))
    .description('run the node (storage server, DHT, gateway and status page) until Ctrl-C; creates the data folder on first run')
    .action(async (o: InitFlags, cmd: Command) => {
      const { dataDir, out } = contextOf(cmd)
      await runDaemon(dataDir, { json: out.json, initConfig: configFromInitFlags(o) }, info => {
        out.result(info, v => [
          ...(v.created ? [`Created a new data folder at ${v.dataDir} (back up its private/ folder)`] : []),
          `lafs-club node ${v.peerId} is running (data: ${v.dataDir})`,
          ...v.multiaddrs.map(a => `  listening on ${a}`),
          v.gateway !== undefined ? `gateway and status page: ${v.gateway}/status` : 'gateway: off (gateway.enabled is false)',
          'Press Ctrl-C to stop.'
        ])
      })
    })

  program.command('put')
    .description('upload a file; prints its read-cap (and the hinted cap when uploaded through a club)')
    .argument('<file>', 'the file to upload, or - for stdin')
    .argument('[to]', 'link it at this grid path (alias:path, a dircap/path, or a path below tahoe:) instead of printing only its cap')
    .option('--club <id>', 'upload to this club\'s servers (default: the default club, else the connected storage servers); the club ID becomes the cap\'s hint')
    .option('--server <multiaddr>', 'upload to this server (repeatable; instead of a club)', collect)
    .option('--helper <multiaddr>', 'upload through this upload helper (multiaddr with /p2p/, or "club" for one the club\'s roster lists): the file crosses your uplink once; default: config client.helper')
    .option('--mutable', 'make a mutable file (Tahoe SDMF unless --format mdmf); prints its write cap')
    .option('--format <format>', 'mutable file format: sdmf or mdmf (implies --mutable)')
    .option('--explain', 'print the servers the upload skipped because of their reputation, and why')
    .action(async (file: string, to: string | undefined, o: { club?: string, server?: string[], helper?: string, mutable?: boolean, format?: string, explain?: boolean }, cmd: Command) => {
      if (to !== undefined) {
        if (o.club !== undefined || o.server !== undefined || o.helper !== undefined) throw new UsageError('--club, --server and --helper are for unlinked uploads; a linked one goes where the daemon\'s directories go')
        await putToPath(cmd, file, to, o)
        return
      }
      const { dataDir, out } = contextOf(cmd)
      // stdin is read whole: an upload needs its size before the first byte
      const stdin = file === '-' ? await readStdin() : undefined
      const size = stdin?.length ?? await fileSize(file)
      if (o.format !== undefined && o.format !== 'sdmf' && o.format !== 'mdmf') throw new UsageError(`--format must be sdmf or mdmf, not "${o.format}"`)
      const format = o.format
      if (o.mutable === true || format !== undefined) {
        if (o.helper !== undefined) throw new UsageError('--helper uploads immutable files; a mutable file is written to the servers directly')
        const data = stdin ?? await readFile(file)
        const d = await findDaemon(dataDir)
        let answer: PutAnswer
        if (d !== undefined) {
          const res = await d.stream('PUT', `/uri${query({ t: 'json', format: format ?? 'sdmf', club: o.club, server: o.server })}`, { body: data, headers: { 'Content-Length': size, 'Content-Type': 'application/octet-stream', Accept: 'application/json' } })
          answer = await readJsonBody<PutAnswer>(res)
        } else {
          out.note('no daemon running: publishing from an in-process node')
          const r = await withLocalNode(dataDir, async node => await node.files.createMutable(data, { format, club: o.club, servers: o.server }))
          answer = { cap: r.cap, hintedCap: r.hintedCap ?? null }
        }
        out.result({ cap: answer.cap, hintedCap: answer.hintedCap, size }, v => v.hintedCap !== null ? [v.cap, v.hintedCap] : [v.cap])
        return
      }
      const bar = out.progress('sending', size)
      let sent = 0
      const d = await findDaemon(dataDir)
      if (d === undefined) out.note('no daemon running: uploading from an in-process node')
      let result: PutAnswer
      try {
        result = await pipe(
          stdin !== undefined ? (async function * () { yield stdin })() : createReadStream(file) as AsyncIterable<Uint8Array>,
          counted(n => { sent += n; bar.update(sent, size, sent >= size ? 'uploading' : 'sending') }),
          async body => {
            if (d !== undefined) {
              const res = await d.stream('PUT', `/uri${query({ t: 'json', club: o.club, server: o.server, helper: o.helper })}`, { body, headers: { 'Content-Length': size, 'Content-Type': 'application/octet-stream', Accept: 'application/json' } })
              return await readJsonBody<PutAnswer>(res)
            }
            const r = await withLocalNode(dataDir, async node => await node.files.put(body, {
              club: o.club, servers: o.server, helper: o.helper, onProgress: p => { if (p.phase !== 'hashing') bar.update(p.bytesDone, p.bytesTotal, p.phase) }
            }))
            return { cap: r.cap, hintedCap: r.hintedCap ?? null, skipped: r.skipped, ...(r.helper !== undefined ? { helper: r.helper } : {}) }
          }
        )
      } finally {
        bar.done()
      }
      if (o.explain === true && !out.json) for (const line of putExplainLines(result.skipped)) process.stderr.write(line + '\n')
      if (result.helper !== undefined && !out.json) {
        process.stderr.write(result.helper.alreadyStored ? 'the file was in the grid already: nothing sent to the helper\n' : `sent ${formatBytes(result.helper.sentBytes)} to the helper\n`)
      }
      out.result({ cap: result.cap, hintedCap: result.hintedCap, size, ...(o.explain === true ? { skipped: result.skipped ?? [] } : {}), ...(result.helper !== undefined ? { helper: result.helper } : {}) }, v => v.hintedCap !== null ? [v.cap, v.hintedCap] : [v.cap])
    })

  program.command('get')
    .description('download a file by its cap, to a file (-o) or to stdout')
    .argument('<cap>', 'read-cap (URI:CHK:… or URI:LIT:…), optionally with @<club id>; or a grid path (alias:path, a dircap/path, a path below tahoe:)')
    .argument('[local]', 'the file to write (as -o)')
    .option('-o, --output <file>', 'write to this file (created only once the whole file arrived)')
    .option('--server <multiaddr>', 'ask this server first (repeatable)', collect)
    .option('--explain', 'print how the shares were located and what it cost')
    .action(async (cap: string, local: string | undefined, o: { output?: string, server?: string[], explain?: boolean }, cmd: Command) => {
      if (local !== undefined && o.output !== undefined) throw new UsageError('give the local file once: as the second argument or with -o')
      if (local !== undefined) o.output = local
      if (isGridPathArg(cap)) {
        await getFromPath(cmd, cap, o.output)
        return
      }
      const { dataDir, out } = contextOf(cmd)
      // Mutable caps (URI:SSK…, URI:MDMF…) go to the node like CHK caps; only a literal cap is read here.
      const parsed = isMutableCapString(cap) ? undefined : parseHintedCap(cap).cap
      if (out.json && o.output === undefined) throw new UsageError('with --json the file cannot go to stdout: give -o FILE')
      const target = o.output !== undefined ? resolve(o.output) : undefined
      const part = target !== undefined ? `${target}.part-${process.pid}` : undefined
      const bar = out.progress('downloading', undefined)
      let received = 0
      let explain: DownloadExplain | undefined
      const sink = async (source: AsyncIterable<Uint8Array>): Promise<void> => {
        await pipe(source, counted(n => { received += n; bar.update(received) }), async s => {
          if (part !== undefined) await pipeline(s, createWriteStream(part, { mode: 0o644 }))
          else await toStdout(s)
        })
      }
      try {
        if (parsed?.kind === 'lit') {
          // The bytes are inside the cap: no daemon, no node, no network.
          explain = { way: 'literal' }
          bar.update(0, parsed.data.length)
          await sink((async function * () { if (parsed.data.length > 0) yield parsed.data })())
        } else {
          const d = await findDaemon(dataDir)
          if (d !== undefined) {
            const res = await daemonCat(d, cap, o.server, o.explain === true)
            explain = res.explain
            bar.update(0, res.length)
            await sink(res.body)
          } else {
            out.note('no daemon running: downloading with an in-process node')
            await withLocalNode(dataDir, async node => {
              await sink(node.files.cat(cap, { servers: o.server, onExplain: e => { explain = e }, onProgress: p => { bar.update(received, p.bytesTotal, p.phase) } }))
            })
          }
        }
        if (part !== undefined && target !== undefined) await rename(part, target)
      } catch (err) {
        if (part !== undefined) await rm(part, { force: true })
        throw err
      } finally {
        bar.done()
      }
      if (o.explain === true && !out.json) for (const line of explainLines(explain)) process.stderr.write(line + '\n')
      if (target !== undefined || out.json) {
        out.result({ cap, bytes: received, file: target ?? null, ...(o.explain === true ? { explain: explain ?? null } : {}) }, v => `${formatBytes(v.bytes)} written to ${v.file ?? 'stdout'}`)
      }
    })

  program.command('check')
    .description('count a file\'s shares on the grid; --verify downloads and checks every share; --repair rebuilds missing ones')
    .argument('<cap>', 'read-cap or verify-cap')
    .option('--verify', 'read every block of every share and check the hashes')
    .option('--repair', 'upload new shares when the file is not healthy')
    .option('--server <multiaddr>', 'check on these servers (repeatable)', collect)
    .action(async (cap: string, o: { verify?: boolean, repair?: boolean, server?: string[] }, cmd: Command) => {
      const { out, daemon } = contextOf(cmd)
      if (!isMutableCapString(cap)) parseHintedCap(cap)
      const r = await (await daemon()).json<CheckReport>('POST', `/api/check${query({ cap, verify: o.verify === true, repair: o.repair === true, server: o.server })}`)
      out.result(r, checkLines)
      if (!r.recoverable) process.exitCode = 1
    })
}
