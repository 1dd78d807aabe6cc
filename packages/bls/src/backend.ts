// Which implementation does the heavy work: noble (pure JavaScript, the reference, always there)
// or WebAssembly (mcl-wasm). The synchronous API works from the first import on noble; a runtime
// that wants speed awaits initBls() once at start. A WASM module that fails to load leaves noble
// in place with a warning — never a crash.
import type { BytesLike } from './bytes.js'
import type { G1 } from './curve.js'
import type { G2Evm } from './points.js'

export type BlsBackendName = 'noble' | 'wasm'

/**
 * What a fast backend takes over. Every value crossing it is one of this package's classes or
 * plain words, so callers never see the backend's own point types. `keys.ts` and `verify.ts`
 * are the only callers.
 */
export interface WasmBackend {
  readonly name: 'wasm'
  /** which library: for logs and benchmarks */
  readonly implementation: string
  hashToPoint(domain: BytesLike, message: BytesLike): G1
  /** [x.re, x.im, y.re, y.im] of scalar·G2 */
  publicKeyWords(scalar: bigint): G2Evm
  /** [x, y] of scalar·hashToPoint(domain, digest) */
  signWords(scalar: bigint, domain: BytesLike, digest: BytesLike): readonly [bigint, bigint]
  /** words already checked on the twist: is the point in the r-torsion subgroup? */
  g2InSubgroup(words: G2Evm): boolean
  verifyHashed(signature: SignatureLike, publicKey: PublicKeyLike, hashed: G1): boolean
  verifySameMessage(hashed: G1, items: readonly SignedLike[]): boolean[]
  verifyBatch(items: readonly HashedSignedLike[]): boolean[]
}

/** The parts of Signature / PublicKey a backend reads (structural, to keep imports one-way). */
export interface SignatureLike {
  toEvm(): readonly [bigint, bigint]
}
export interface PublicKeyLike {
  toEvm(): G2Evm
}
export interface SignedLike {
  signature: SignatureLike
  publicKey: PublicKeyLike
}
export interface HashedSignedLike extends SignedLike {
  /** the message point; items sharing a message share this object */
  hashed: G1
  /** equal for items over the same (domain, digest) */
  messageKey: string
}

export interface BlsInitLogger {
  warn(message: string, fields?: Record<string, unknown>): void
}

export interface InitBlsOptions {
  /**
   * 'auto' (default): WebAssembly in Node, browser pages and workers; noble in workerd, which
   * refuses WebAssembly compiled at run time (mcl-wasm carries its module as bytes).
   * 'wasm': try WebAssembly anywhere (falls back to noble with a warning). 'noble': JavaScript only.
   */
  backend?: 'auto' | BlsBackendName
  /** Loads the WebAssembly backend; injectable for tests. Default: mcl-wasm. */
  loadWasm?: () => Promise<WasmBackend>
  /** where the fallback warning goes (default: console) */
  logger?: BlsInitLogger
}

let wasm: WasmBackend | undefined

/** The WebAssembly backend when it is active; undefined means noble. */
export function activeWasm(): WasmBackend | undefined {
  return wasm
}

/** The backend the synchronous API uses right now. */
export function blsBackend(): BlsBackendName {
  return wasm === undefined ? 'noble' : 'wasm'
}

/** workerd identifies itself so; it forbids compiling WebAssembly from bytes at run time. */
export function isWorkerd(): boolean {
  return (globalThis as { navigator?: { userAgent?: string } }).navigator?.userAgent === 'Cloudflare-Workers'
}

async function defaultLoadWasm(): Promise<WasmBackend> {
  // '#wasm-loader' resolves to a module that throws under the 'workerd' condition, so a workerd
  // bundle never carries mcl-wasm's 600 kB (package.json "imports").
  const { loadWasmBackend } = await import('#wasm-loader')
  return loadWasmBackend()
}

/**
 * Selects the backend for this thread (each worker calls it for itself). Resolves to the backend in
 * use; never rejects. Calling it again re-selects.
 */
export async function initBls(options: InitBlsOptions = {}): Promise<BlsBackendName> {
  const requested = options.backend ?? 'auto'
  if (requested === 'noble' || (requested === 'auto' && isWorkerd())) {
    wasm = undefined
    return 'noble'
  }
  try {
    wasm = await (options.loadWasm ?? defaultLoadWasm)()
    return 'wasm'
  } catch (cause) {
    wasm = undefined
    const message = cause instanceof Error ? cause.message : String(cause)
    const warn = options.logger?.warn.bind(options.logger) ?? ((m: string, f?: unknown) => console.warn(m, f))
    warn('BLS WebAssembly backend failed to load; using noble (JavaScript)', { error: message })
    return 'noble'
  }
}

/** Back to noble, e.g. between differential runs. */
export function useNobleBackend(): void {
  wasm = undefined
}

/** Makes an already loaded backend active (differential tests and benches switch back and forth). */
export function useWasmBackend(backend: WasmBackend): void {
  wasm = backend
}
