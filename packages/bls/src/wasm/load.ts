// The default WebAssembly loader ('#wasm-loader' everywhere but workerd): mcl-wasm, imported
// lazily so bundlers put its module (≈600 kB of JavaScript with the WASM inline) in its own chunk.
import type { WasmBackend } from '../backend.js'

/** mcl-wasm is one module instance per thread: load it once, retry after a failure. */
let loading: Promise<WasmBackend> | undefined

export function loadWasmBackend(): Promise<WasmBackend> {
  loading ??= load().catch((err: unknown) => {
    loading = undefined
    throw err
  })
  return loading
}

async function load(): Promise<WasmBackend> {
  const [ns, { createMclBackend }] = await Promise.all([import('mcl-wasm'), import('./mcl.js')])
  // a CommonJS module: its live exports object is the default export in Node and in bundlers
  const mcl = (ns as { default?: typeof ns }).default ?? ns
  return createMclBackend(mcl)
}
