/**
 * Not a spec: local-errors.spec.ts runs this as an unprivileged user (root reads every file, so a file
 * that cannot be read needs a participant that is not root). A client node that joins the magic folder
 * whose invite code is the first line on stdin, syncing it into argv[3] with its data in argv[2], and
 * prints the folder's status as one JSON line every 200 ms until stdin says `stop` (or closes).
 */
import '../../src/shim.js'
import { createInterface } from 'node:readline'
import { createNode } from '../../src/node/index.js'
import { CLIENT } from './helpers.js'

const [dataDir, localPath] = process.argv.slice(2)
const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]()
const code = (await lines.next()).value as string
const node = await createNode({ dataDir, listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap: [], storage: { enabled: false }, gateway: false, config: { client: CLIENT } })
await node.magicFolders.join(code, 'f', localPath, { pollSeconds: 1, scanSeconds: 1, settleMs: 200 })
const timer = setInterval(() => {
  node.magicFolders.status('f').then(s => { process.stdout.write(JSON.stringify(s) + '\n') }, () => {})
}, 200)
for (let line = await lines.next(); line.done !== true && line.value !== 'stop'; line = await lines.next());
clearInterval(timer)
await node.stop()
process.exit(0)
