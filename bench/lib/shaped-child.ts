/**
 * Entry of the shaped-link bench's processes, started inside a host's
 * namespace (`ip netns exec NS node shaped-child.js KIND IP ARG`):
 *   node IP ROLE-JSON        a lafs-club node (shaped-node.ts)
 *   helia-reader IP          a stock Helia node that reads with unixfs cat (shaped-helia.ts)
 */
import '../../src/shim.js'
import { tuneProcess } from '../../src/node/index.js'
import { serveHeliaReader } from './shaped-helia.js'
import { serveShapedNode } from './shaped-node.js'

const [kind, ip, arg] = process.argv.slice(2)
// Our nodes run as the lafs-club command runs them (node/process-tuning.ts); Helia keeps its defaults.
if (kind === 'node') { tuneProcess(); await serveShapedNode(ip, JSON.parse(arg ?? '{}')) }
else if (kind === 'helia-reader') await serveHeliaReader(ip)
else { console.error(`shaped-child: unknown kind ${kind}`); process.exit(2) }
