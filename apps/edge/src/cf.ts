// The few workerd / Cloudflare Workers platform types this app touches, written out structurally
// so the package does not pull @cloudflare/workers-types (whose globals clash with the DOM and
// Node typings the rest of the monorepo uses).

/** Durable Object storage, key-value API (works on SQLite-backed and KV-backed objects). */
export interface DurableObjectStorage {
  get<T = unknown>(key: string): Promise<T | undefined>
  get<T = unknown>(keys: string[]): Promise<Map<string, T>>
  put<T>(key: string, value: T): Promise<void>
  put<T>(entries: Record<string, T>): Promise<void>
  delete(key: string): Promise<boolean>
  delete(keys: string[]): Promise<number>
  list<T = unknown>(options?: {
    start?: string
    startAfter?: string
    end?: string
    prefix?: string
    reverse?: boolean
    limit?: number
  }): Promise<Map<string, T>>
  transaction<T>(closure: (txn: DurableObjectTransaction) => Promise<T>): Promise<T>
  getAlarm(): Promise<number | null>
  setAlarm(scheduledTime: number | Date): Promise<void>
  deleteAlarm(): Promise<void>
}

export interface DurableObjectTransaction {
  get<T = unknown>(key: string): Promise<T | undefined>
  put<T>(key: string, value: T): Promise<void>
  delete(key: string): Promise<boolean>
  rollback(): void
}

export interface DurableObjectId {
  toString(): string
}

export interface DurableObjectState {
  readonly id: DurableObjectId
  readonly storage: DurableObjectStorage
  blockConcurrencyWhile<T>(callback: () => Promise<T>): Promise<T>
  waitUntil(promise: Promise<unknown>): void
}

export interface DurableObjectStub {
  fetch(input: Request | string, init?: RequestInit): Promise<Response>
}

export interface DurableObjectNamespace {
  idFromName(name: string): DurableObjectId
  get(id: DurableObjectId): DurableObjectStub
}

export interface ExecutionContext {
  waitUntil(promise: Promise<unknown>): void
  passThroughOnException(): void
}

export interface ScheduledController {
  readonly scheduledTime: number
  readonly cron: string
}
