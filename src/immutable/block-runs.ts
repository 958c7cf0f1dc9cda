/**
 * Runs of blocks for a spreading download (issue 17, part 3). Each block
 * read is one storage request, and a request costs the server far more than
 * its bytes suggest (a frame each way, a file read, a wake-up, and more
 * yamux window updates per byte for short answers): with 1 MiB segments and
 * k = 3 a block is 341 KiB, three times the requests of reading 1 MiB at a
 * time. So the spread schedule chooses shares for a run of consecutive
 * segments at once, and each chosen share's blocks of the run, which lie
 * back to back in the share, are read in one request.
 *
 * A run is a commitment of the schedule only: a share that is dropped
 * mid-run makes the remaining segments choose again, singly or as a shorter
 * run; a block late from its run is still hedged per segment (hedge.ts).
 */
import { blockLength, type ChkParams } from './params.js'
import type { ShareReader } from './share-reader.js'

/**
 * Bytes a run reads from one share, about: as much as a read-ahead chunk
 * of a download from k shares (remote-share.ts), which costs the server
 * about as little per byte as a raw stream.
 */
export const RUN_BYTES = 2 ** 20
/** At most this many segments per run: a short block would otherwise make one server's run long. */
export const MAX_RUN_SEGMENTS = 4

/** Bytes of blocks first..first+count-1 of a share. */
export function runLength (p: ChkParams, first: number, count: number): number {
  let n = 0
  for (let j = first; j < first + count; j++) n += blockLength(p, j)
  return n
}

/** Segments per run for blocks of `blockSize` bytes: RUN_BYTES rounded to whole blocks (1 MiB segments, k = 3: three), at least one. */
export function runSegments (blockSize: number): number {
  return Math.max(1, Math.min(MAX_RUN_SEGMENTS, Math.round(RUN_BYTES / Math.max(1, blockSize))))
}

/** The shares chosen for segments first..first+count-1, and the reads of their runs. */
export class RunChoice {
  readonly first: number
  readonly count: number
  readonly readers: ShareReader[]
  private readonly reads = new Map<ShareReader, Promise<Uint8Array[][]>>()

  constructor (first: number, count: number, readers: ShareReader[]) {
    this.first = first
    this.count = count
    this.readers = readers
  }

  /** Block `i` of `r` (one of the chosen readers), reading r's whole run with `readRun` on first use. */
  async block (r: ShareReader, i: number, readRun: () => Promise<Uint8Array[][]>): Promise<Uint8Array[]> {
    let run = this.reads.get(r)
    if (run === undefined) {
      run = readRun()
      this.reads.set(r, run)
      // each segment awaits it; a failure reaches them all (each falls back to the careful path)
      run.catch(() => {})
    }
    const blocks = await run
    const block = blocks[i - this.first]
    if (block === undefined) throw new Error(`internal: segment ${i} is not in the run ${this.first}..${this.first + this.count - 1}`)
    return block
  }
}

/** Per segment, the run choice it is to be read with, until its blocks are asked for. */
export class BlockRuns {
  readonly size: number
  private readonly numSegments: number
  private readonly bySegment = new Map<number, RunChoice>()

  constructor (size: number, numSegments: number) {
    this.size = size
    this.numSegments = numSegments
  }

  /** The choice made for segment i, if all its readers are still `active`. */
  choiceFor (i: number, active: readonly ShareReader[]): RunChoice | undefined {
    const c = this.bySegment.get(i)
    if (c === undefined) return undefined
    if (c.readers.every(r => active.includes(r))) return c
    this.bySegment.delete(i)
    return undefined
  }

  /** Segments i..the end of its run (runs are aligned to multiples of `size`). */
  rest (i: number): { first: number, count: number } {
    const end = Math.min(this.numSegments, (Math.floor(i / this.size) + 1) * this.size)
    return { first: i, count: end - i }
  }

  /** Records `readers` for segments first..first+count-1 (replacing an older choice). */
  choose (first: number, count: number, readers: ShareReader[]): RunChoice {
    const c = new RunChoice(first, count, readers)
    for (let j = first; j < first + count; j++) this.bySegment.set(j, c)
    return c
  }

  /** The choice segment i is read with; forgotten here (the segment holds it while it reads). */
  take (i: number): RunChoice | undefined {
    const c = this.bySegment.get(i)
    this.bySegment.delete(i)
    return c
  }
}
