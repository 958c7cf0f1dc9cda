/**
 * What kind of work a sampled symbol is, for bench/serve-perf: the Linux
 * profiler's samples of one process, summed per kind, say where its CPU
 * goes including the kernel and V8's own threads, which a V8 CPU profile
 * does not see. The kinds are coarse on purpose: the question they answer
 * is which of our costs a raw stream does not pay (reading shares from the
 * page cache, the CHK work, the collector) and which it pays as well
 * (Noise, loopback TCP). A symbol goes to the first kind whose rule
 * matches; the USER rules see the symbol without perf's `[.] ` mark.
 */

export const PERF_KINDS = [
  'Noise cipher (ChaCha20-Poly1305)',
  'SHA-256',
  'AES',
  'kernel to user copies (file and socket reads)',
  'user to kernel copies (socket and file writes)',
  'kernel TCP and loopback',
  'page faults',
  'thread wake-ups and switches',
  'other kernel',
  'allocator (malloc, free, memset)',
  'memory copies (memmove)',
  'V8 garbage collection',
  'V8 compiler and deoptimizer',
  'JavaScript (JIT code)',
  'V8 builtins (JS runtime)',
  'Node and libuv bindings',
  'other'
] as const
export type PerfKind = typeof PERF_KINDS[number]

/** One row of `perf report --sort dso,sym`: the object the symbol lives in and its name. */
export interface PerfSymbol { dso: string, sym: string }

// _raw_spin_unlock_irqrestore is where a VM's samples land for work done
// with interrupts off; on these transfers perf's call graphs put it under
// tcp_write_xmit (loopback delivers to the receiver in the sender's softirq).
const KERNEL_RULES: Array<[RegExp, PerfKind]> = [
  [/_copy_to_iter|copy_page_to_iter|filemap_|copy_user_generic|skb_copy_datagram/, 'kernel to user copies (file and socket reads)'],
  [/_copy_from_iter|copy_folio_from_iter/, 'user to kernel copies (socket and file writes)'],
  [/finish_task_switch|schedule|futex|try_to_wake_up|ttwu|switch_to|pick_next|enqueue_|dequeue_|update_curr|select_task_rq/, 'thread wake-ups and switches'],
  [/tcp|(^|_)(ip|skb|sk|sock|inet|netif|napi|net_rx)_|__dev_queue_xmit|loopback|softirq|raw_spin_unlock_irqrestore|process_backlog/, 'kernel TCP and loopback'],
  [/page_fault|do_wp_page|handle_mm_fault|clear_page|do_anonymous_page|alloc_pages|(^|_)zap_|(^|_)unmap_|do_user_addr_fault/, 'page faults']
]

const USER_RULES: Array<[RegExp, PerfKind]> = [
  [/chacha20|poly1305/i, 'Noise cipher (ChaCha20-Poly1305)'],
  [/sha256|sha2_/i, 'SHA-256'],
  [/aes/i, 'AES'],
  [/memset|malloc|^cfree|^free|_int_free|unlink_chunk|malloc_consolidate|realloc|calloc|tcache|memalign/, 'allocator (malloc, free, memset)'],
  [/memmove|memcpy/, 'memory copies (memmove)'],
  [/Scaveng|Marking|MarkCompact|Sweep|Evacuat|Heap::|Visitor|SizeFromMap|ShouldVisit|IteratePointers|RecordWrite|GCTracer|MemoryChunk|RememberedSet|SlotSet|Worklist|FreeList|StringTableCleaner/, 'V8 garbage collection'],
  [/compiler::|Compil|Deoptimiz|TranslatedState|OptimizedFrame|RelocIterator|Maglev|Turbofan|Baseline(?!OutOfLine)/, 'V8 compiler and deoptimizer'],
  [/^Builtins_/, 'V8 builtins (JS runtime)'],
  [/^node::|^uv_|^uv__|^non-virtual thunk to node::/, 'Node and libuv bindings']
]

/** The kind of work one sampled symbol did. */
export function perfKind ({ dso, sym }: PerfSymbol): PerfKind {
  if (dso.includes('kernel')) {
    for (const [re, kind] of KERNEL_RULES) if (re.test(sym)) return kind
    return 'other kernel'
  }
  // before the native rules: a JS function may be named after what it wraps (chaCha20Poly1305Encrypt)
  if (dso.startsWith('[JIT]') || sym.startsWith('JS:') || sym.includes('wasm-function')) return 'JavaScript (JIT code)'
  for (const [re, kind] of USER_RULES) if (re.test(sym)) return kind
  return 'other'
}

/**
 * Parses `perf report --no-children --sort dso,sym -g none -n -q -t '\t'`
 * (overhead, samples, object, then the symbol after `[k] ` for the kernel
 * or `[.] ` for user space) into samples per symbol.
 */
export function parsePerfReport (text: string): Array<PerfSymbol & { samples: number }> {
  const out: Array<PerfSymbol & { samples: number }> = []
  for (const line of text.split('\n')) {
    const cols = line.split('\t')
    if (cols.length < 4) continue
    const samples = Number(cols[1].trim())
    if (!Number.isFinite(samples) || samples <= 0) continue
    const marked = /^\[(k|\.)\] (.*)$/.exec(cols[3].trim())
    const dso = cols[2].trim()
    if (marked == null) out.push({ samples, dso, sym: cols[3].trim() })
    else out.push({ samples, dso: marked[1] === 'k' && !dso.includes('kernel') ? `[kernel] ${dso}` : dso, sym: marked[2] })
  }
  return out
}

/** Samples summed per kind, every kind present (0 where none fell). */
export function samplesByKind (symbols: ReadonlyArray<PerfSymbol & { samples: number }>): Record<PerfKind, number> {
  const sums = Object.fromEntries(PERF_KINDS.map(k => [k, 0])) as Record<PerfKind, number>
  for (const s of symbols) sums[perfKind(s)] += s.samples
  return sums
}
