/** Entry of the transfer bench's server process (see transfer-grid.ts). */
import '../../src/shim.js'
import { tuneProcess } from '../../src/node/index.js'
import { serveGrid } from './transfer-grid.js'

// As the lafs-club command does (node/process-tuning.ts): the figures are the product's.
tuneProcess()

await serveGrid(Number(process.argv[2] ?? 10))
