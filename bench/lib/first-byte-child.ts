/** Entry of the first-byte bench's server process (see first-byte-grid.ts). */
import '../../src/shim.js'
import { serveFirstByteGrid } from './first-byte-grid.js'

await serveFirstByteGrid(Number(process.argv[2] ?? 20), Number(process.argv[3] ?? 20_000))
