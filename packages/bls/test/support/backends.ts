// Runs a suite on each backend: noble (the reference) and the WebAssembly one, loaded once.
import { type BlsBackendName, useNobleBackend, useWasmBackend, type WasmBackend } from '../../src/backend.js'
import { loadWasmBackend } from '../../src/wasm/load.js'

export const BACKENDS: readonly BlsBackendName[] = ['noble', 'wasm']

let wasm: Promise<WasmBackend> | undefined

export function wasmBackend(): Promise<WasmBackend> {
  wasm ??= loadWasmBackend()
  return wasm
}

export async function selectBackend(name: BlsBackendName): Promise<void> {
  if (name === 'noble') useNobleBackend()
  else useWasmBackend(await wasmBackend())
}
