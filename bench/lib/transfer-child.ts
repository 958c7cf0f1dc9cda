/** Entry of the transfer bench's server process (see transfer-grid.ts). */
import '../../src/shim.js'
import { serveGrid } from './transfer-grid.js'

await serveGrid(Number(process.argv[2] ?? 10))
