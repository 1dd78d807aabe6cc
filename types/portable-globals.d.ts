// The globals every runtime Wisp targets has (Node ≥ 20, browsers, Web Workers, workerd): the
// WinterCG "minimum common web API" subset we use. Portable packages are typechecked with these
// and nothing else, so a stray DOM or Node global fails the build instead of a runtime.
declare class TextEncoder {
  encode(input?: string): Uint8Array
}
declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean })
  decode(input?: Uint8Array): string
}
declare function setTimeout(handler: () => void, timeout?: number): unknown
declare function clearTimeout(handle: unknown): void
declare function queueMicrotask(callback: () => void): void
declare const crypto: { getRandomValues<T extends Uint8Array>(array: T): T }
declare const console: {
  log(...data: unknown[]): void
  warn(...data: unknown[]): void
  error(...data: unknown[]): void
}
interface AbortSignal {
  readonly aborted: boolean
  readonly reason: unknown
  throwIfAborted(): void
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void
  removeEventListener(type: 'abort', listener: () => void): void
}
declare class AbortController {
  readonly signal: AbortSignal
  abort(reason?: unknown): void
}
declare function structuredClone<T>(value: T): T
declare class URL {
  constructor(url: string, base?: string)
  readonly href: string
  readonly protocol: string
  readonly host: string
  readonly hostname: string
  readonly port: string
  readonly pathname: string
  readonly search: string
}
declare function setInterval(handler: () => void, timeout?: number): unknown
declare function clearInterval(handle: unknown): void
