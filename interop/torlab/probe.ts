/**
 * A TCP connection attempt made as another user (a child node process with
 * that uid): how the lab shows that the Tor-only rule drops a confined user's
 * direct connections and lets its connections to tor through.
 */
import { spawn } from 'node:child_process'
import type { SystemUser } from './firewall.js'

const SCRIPT = `
const s = require('node:net').connect({ host: '127.0.0.1', port: Number(process.argv[1]) })
const t = setTimeout(() => { console.log('timeout'); process.exit(0) }, 3000)
s.on('connect', () => { console.log('connected'); s.destroy(); clearTimeout(t) })
s.on('error', e => { console.log(e.code || e.message); clearTimeout(t) })
`

/** 'connected', or the error code (EPERM when nftables drops the SYN), or 'timeout'. */
export async function probeTcp (user: SystemUser | undefined, port: number): Promise<string> {
  return await new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', SCRIPT, String(port)],
      { stdio: ['ignore', 'pipe', 'pipe'], cwd: '/', ...(user === undefined ? {} : { uid: user.uid, gid: user.gid }) })
    let out = ''
    let err = ''
    child.stdout.on('data', (d: Buffer) => { out += d.toString() })
    child.stderr.on('data', (d: Buffer) => { err += d.toString() })
    child.on('error', reject)
    child.on('close', () => {
      if (out.trim() === '') reject(new Error(`probe printed nothing: ${err}`))
      else resolve(out.trim())
    })
  })
}
