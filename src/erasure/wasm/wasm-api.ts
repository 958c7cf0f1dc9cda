/**
 * The slice of the WebAssembly JS API the kernel uses. The project compiles
 * without DOM typings and @types/node 20 does not declare WebAssembly, so the
 * few members we need are typed here and read off globalThis.
 */
export interface WasmMemory {
  readonly buffer: ArrayBuffer
  grow: (pages: number) => number
}

export interface WasmApi {
  validate: (bytes: Uint8Array) => boolean
  Module: new (bytes: Uint8Array) => object
  Instance: new (module: object, imports?: object) => { readonly exports: Record<string, unknown> }
}

/** The engine's WebAssembly object, or null where there is none. */
export function wasmApi (): WasmApi | null {
  const api = (globalThis as { WebAssembly?: unknown }).WebAssembly
  return typeof api === 'object' && api != null && typeof (api as WasmApi).validate === 'function' ? api as WasmApi : null
}
