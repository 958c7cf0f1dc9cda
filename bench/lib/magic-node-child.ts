/** Entry of a magic bench node process (see magic-node.ts): argv data folder, client shares JSON. */
import '../../src/shim.js'
import { serveMagicNode } from './magic-node.js'

await serveMagicNode(process.argv[2] ?? '', process.argv[3] ?? '{}')
