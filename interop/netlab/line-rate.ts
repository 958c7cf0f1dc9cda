/**
 * The raw line rate between two lab hosts: one plain TCP connection, no
 * libp2p, so the lab's transfer figures can be given as fractions of it.
 *
 *   node line-rate.js serve PORT                 (answers until killed)
 *   node line-rate.js up HOST PORT BYTES         (this host sends BYTES)
 *   node line-rate.js down HOST PORT BYTES       (this host receives BYTES)
 *
 * The client prints `{"bytes":…,"ms":…,"mbit":…}`: for `up`, until the server
 * acknowledged the last byte; for `down`, until the last byte arrived.
 */
import { connect, createServer, type Socket } from 'node:net'

const CHUNK = Buffer.alloc(1 << 16, 0x5a)

function sendBytes (sock: Socket, total: number, done: () => void): void {
  let left = total
  const pump = (): void => {
    while (left > 0) {
      const n = Math.min(left, CHUNK.length)
      left -= n
      if (!sock.write(n === CHUNK.length ? CHUNK : CHUNK.subarray(0, n))) { sock.once('drain', pump); return }
    }
    done()
  }
  pump()
}

function serve (port: number): void {
  createServer(sock => {
    let header = Buffer.alloc(0)
    let mode: 'U' | 'D' | undefined
    let want = 0
    let got = 0
    sock.on('data', (d: Buffer) => {
      if (mode === undefined) {
        header = Buffer.concat([header, d])
        if (header.length < 9) return
        mode = header.subarray(0, 1).toString() as 'U' | 'D'
        want = Number(header.readBigUInt64BE(1))
        d = header.subarray(9)
        if (mode === 'D') { sendBytes(sock, want, () => sock.end()); return }
      }
      if (mode === 'U') {
        got += d.length
        if (got >= want) sock.end('k')
      }
    })
    sock.on('error', () => {})
  }).listen(port, '0.0.0.0', () => { console.log('listening') })
}

function client (mode: 'up' | 'down', host: string, port: number, bytes: number): void {
  const start = Date.now()
  const sock = connect(port, host)
  const header = Buffer.alloc(9)
  header.write(mode === 'up' ? 'U' : 'D', 0)
  header.writeBigUInt64BE(BigInt(bytes), 1)
  const report = (): void => {
    const ms = Date.now() - start
    console.log(JSON.stringify({ bytes, ms, mbit: Number((bytes * 8 / 1e6 / (ms / 1000)).toFixed(2)) }))
    sock.destroy()
  }
  let got = 0
  sock.on('connect', () => {
    sock.write(header)
    if (mode === 'up') sendBytes(sock, bytes, () => {})
  })
  sock.on('data', (d: Buffer) => {
    if (mode === 'up') { report(); return }
    got += d.length
    if (got >= bytes) report()
  })
  sock.on('error', err => { console.error(err.message); process.exit(1) })
}

const [cmd, a, b, c] = process.argv.slice(2)
if (cmd === 'serve') serve(Number(a))
else if (cmd === 'up' || cmd === 'down') client(cmd, a, Number(b), Number(c))
else { console.error('usage: line-rate.js serve PORT | up|down HOST PORT BYTES'); process.exit(2) }
