/** Entry of the Helia provider process (see helia-provider.ts). */
import '../../src/shim.js'
import { serveHeliaFile } from './helia-provider.js'

await serveHeliaFile(process.argv[2] ?? '', Number(process.argv[3]), process.argv[4])
