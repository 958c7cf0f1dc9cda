/** Entry of the first-byte bench's server process (see first-byte-grid.ts). */
import '../../src/shim.js'
import { tuneProcess } from '../../src/node/index.js'
import { serveFirstByteGrid } from './first-byte-grid.js'

// As the lafs-club command does (node/process-tuning.ts): the figures are the product's.
tuneProcess()

await serveFirstByteGrid(Number(process.argv[2] ?? 20), Number(process.argv[3] ?? 20_000))
