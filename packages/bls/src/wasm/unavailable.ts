// '#wasm-loader' under the 'workerd' condition: workerd refuses WebAssembly compiled from bytes at
// run time, which is how mcl-wasm ships, so the edge bundle carries no WASM and stays on noble.
import type { WasmBackend } from '../backend.js'

export async function loadWasmBackend(): Promise<WasmBackend> {
  throw new Error('no WebAssembly BLS backend in this build (workerd: WASM must be a static module)')
}
