/**
 * bench/lib/perf-kinds.ts: lines as `perf report --no-children --sort
 * dso,sym -g none -n -q -t '\t'` printed them for bench:serve-perf (taken
 * from a run on 12-06) are parsed and each symbol lands in the kind of work
 * it is.
 */
import assert from 'node:assert/strict'
import { PERF_KINDS, parsePerfReport, perfKind, samplesByKind } from '../../bench/lib/perf-kinds.js'

const REPORT = [
  ' 9.92%  \t 1248       \tnode               \t[.] ChaCha20_16x',
  ' 8.28%  \t 1042       \t[kernel.kallsyms]  \t[k] _copy_to_iter',
  ' 2.79%  \t 351        \t[kernel.kallsyms]  \t[k] finish_task_switch.isra.0',
  ' 1.58%  \t 199        \tnode               \t[.] Builtins_LoadIC',
  ' 1.51%  \t 190        \tlibc.so.6          \t[.] __memmove_avx512_unaligned_erms',
  ' 1.46%  \t 184        \tlibc.so.6          \t[.] _int_malloc',
  ' 0.93%  \t 117        \t[kernel.kallsyms]  \t[k] tcp_sendmsg_locked',
  ' 0.47%  \t 59         \tnode               \t[.] v8::internal::ConcurrentMarking::RunMajor',
  ' 0.45%  \t 57         \tnode               \t[.] node::BaseObject::BaseObject',
  ' 0.30%  \t 38         \tnode               \t[.] v8::internal::TranslatedState::TranslatedState',
  ' 0.09%  \t 11         \t[JIT] tid 19854    \t[.] JS:*handleRead file:///work/main/dist/src/protocols/storage/handlers/read.js:9:33',
  ' 0.09%  \t 11         \tlibc.so.6          \t[.] epoll_pwait',
  ' 22.94% \t 8714       \tnode               \t[.] sha256_block_data_order_shaext',
  ' 2.43%  \t 922        \tnode               \t[.] aesni_ctr32_encrypt_blocks',
  ' 0.80%  \t 303        \t[kernel.kallsyms]  \t[k] exc_page_fault',
  ' 0.79%  \t 300        \t[JIT] tid 20136    \t[.] JS:wasm-function[2]-2-turbofan',
  '',
  '# a comment line, and a line with no sample count',
  ' 0.01%  \t -          \tnode               \t[.] nothing'
].join('\n')

describe('bench: perf kinds', () => {
  it('parses the samples, the object and the symbol without its mark, ignoring what is not a row', () => {
    const rows = parsePerfReport(REPORT)
    assert.equal(rows.length, 16)
    assert.deepEqual(rows[1], { samples: 1042, dso: '[kernel.kallsyms]', sym: '_copy_to_iter' })
    assert.deepEqual(rows[10], { samples: 11, dso: '[JIT] tid 19854', sym: 'JS:*handleRead file:///work/main/dist/src/protocols/storage/handlers/read.js:9:33' })
  })

  it('puts each symbol in the kind of work it is', () => {
    const kinds = parsePerfReport(REPORT).map(perfKind)
    assert.deepEqual(kinds, [
      'Noise cipher (ChaCha20-Poly1305)',
      'kernel to user copies (file and socket reads)',
      'thread wake-ups and switches',
      'V8 builtins (JS runtime)',
      'memory copies (memmove)',
      'allocator (malloc, free, memset)',
      'kernel TCP and loopback',
      'V8 garbage collection',
      'Node and libuv bindings',
      'V8 compiler and deoptimizer',
      'JavaScript (JIT code)',
      'other',
      'SHA-256',
      'AES',
      'page faults',
      'JavaScript (JIT code)'
    ])
  })

  it('counts a kernel symbol as kernel work whatever object perf names', () => {
    const [row] = parsePerfReport(' 1.00%\t 10\t[unknown]\t[k] tcp_write_xmit')
    assert.equal(perfKind(row), 'kernel TCP and loopback')
    // the same name in user space is not kernel work
    assert.equal(perfKind({ dso: 'libfoo.so', sym: 'tcp_write_xmit' }), 'other')
  })

  it('sums samples per kind, every kind present', () => {
    const sums = samplesByKind(parsePerfReport(REPORT))
    assert.deepEqual(Object.keys(sums), [...PERF_KINDS])
    assert.equal(sums['JavaScript (JIT code)'], 311)
    assert.equal(sums['SHA-256'], 8714)
    assert.equal(sums['other kernel'], 0)
    assert.equal(Object.values(sums).reduce((a, b) => a + b, 0), 1248 + 1042 + 351 + 199 + 190 + 184 + 117 + 59 + 57 + 38 + 11 + 11 + 8714 + 922 + 303 + 300)
  })
})
