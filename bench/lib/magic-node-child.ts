/** Entry of a magic bench node process (see magic-node.ts): argv data folder, client shares JSON. */
import '../../src/shim.js'
import { tuneProcess } from '../../src/node/index.js'
import { serveMagicNode } from './magic-node.js'

// As the lafs-club command does (node/process-tuning.ts): the figures are the product's.
tuneProcess()

await serveMagicNode(process.argv[2] ?? '', process.argv[3] ?? '{}')
