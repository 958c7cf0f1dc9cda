/** Length-prefixed frames over libp2p v3 streams, with backpressure both ways. */
export { FrameReader, type FrameReaderOptions, type ReadBudget } from './frame-reader.js'
export { encodeFrame, sendFrame, writeFrame } from './frame-writer.js'
export { waitDrain } from './wait-drain.js'
export { encodeVarint, decodeVarint } from './varint.js'
export { ask, answer, type AskOptions, type AnswerOptions } from './one-shot.js'
