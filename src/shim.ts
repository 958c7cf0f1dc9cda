/**
 * Runtime shim: the one place that papers over Node.js 20.
 *
 * libp2p 3 and its modules call `Promise.withResolvers`, which arrived in
 * Node.js 22. Node 20.19+ is still a supported runtime for lafs-club, so every
 * entry point (the CLI, the test setup, benchmarks, interop scripts) imports
 * this module before anything else. Nothing else in the project may assume
 * Node 22; when Node 20 support is dropped this file goes away.
 */
import { createRequire } from 'node:module'

if (typeof (Promise as any).withResolvers !== 'function') {
  Object.defineProperty(Promise, 'withResolvers', {
    configurable: true,
    writable: true,
    value: function withResolvers<T> (this: PromiseConstructor) {
      let resolve!: (value: T | PromiseLike<T>) => void
      let reject!: (reason?: unknown) => void
      const promise = new this<T>((res, rej) => { resolve = res; reject = rej })
      return { promise, resolve, reject }
    }
  })
}

// Node 20 has no global WebSocket (Node 22 does), and @libp2p/websockets dials
// with the global one: without this, dialling a /ws address fails with
// "WebSocket is not defined". `ws` (already a dependency of @libp2p/websockets)
// provides a compatible class.
if (typeof (globalThis as any).WebSocket !== 'function') {
  const { WebSocket } = createRequire(import.meta.url)('ws')
  Object.defineProperty(globalThis, 'WebSocket', { configurable: true, writable: true, value: WebSocket })
}
