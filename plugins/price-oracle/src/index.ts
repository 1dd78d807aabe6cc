// Price oracle: the performer fetches a price from every configured source, publishes the median
// (proofOfTask = the price as a fixed-point decimal string; data = JSON with the details), and
// each attester fetches the same sources itself and approves when the published price is within
// the tolerance of its own median. Too few sources answering means "abstain", never "reject":
// a flaky API must not slash an honest performer.
import {
  abstain,
  approve,
  definePlugin,
  type PluginContext,
  type PluginManifest,
  reject,
  type WispPlugin,
} from '@wisp/plugin-sdk'

export interface PriceSource {
  name: string
  /** http(s) URL answering JSON */
  url: string
  /** dot path of the number in the answer, e.g. "price" or "data.amount" */
  path: string
}

export interface PriceOracleConfig {
  pair: string
  sources: PriceSource[]
  /** fewer answering sources than this → no price (performer fails, attester abstains) */
  minSources: number
  /** allowed relative deviation between the published price and the attester's own, in percent */
  tolerancePercent: number
  /** a published observation older than this (or this far in the future) is rejected */
  maxAgeMs: number
  /** fixed-point digits of the published price */
  decimals: number
}

/** What the performer puts in `data`. */
export interface PriceReport {
  pair: string
  price: string
  at: number
  sources: Array<{ name: string; price: number }>
}

const MAX_DATA_BYTES = 4096

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b)
  const mid = s.length >> 1
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
}

function pick(json: unknown, path: string): unknown {
  let cur: unknown = json
  for (const key of path.split('.')) {
    if (typeof cur !== 'object' || cur === null) return undefined
    cur = (cur as Record<string, unknown>)[key]
  }
  return cur
}

/** Fetches every source concurrently; a failing or malformed source is left out, and logged. */
export async function observePrices(
  ctx: PluginContext<PriceOracleConfig>,
): Promise<Array<{ name: string; price: number }>> {
  const answers = await Promise.all(
    ctx.config.sources.map(async (source) => {
      try {
        const response = await ctx.fetch(source.url)
        if (!response.ok) throw new Error(`HTTP ${response.status}`)
        const value = Number(pick(await response.json(), source.path))
        if (!Number.isFinite(value) || value <= 0) throw new Error(`no positive number at "${source.path}"`)
        return { name: source.name, price: value }
      } catch (err) {
        ctx.signal.throwIfAborted()
        ctx.logger.warn('price source failed', {
          source: source.name,
          error: err instanceof Error ? err.message : String(err),
        })
        return undefined
      }
    }),
  )
  return answers.filter((a): a is { name: string; price: number } => a !== undefined)
}

function parseReport(data: Uint8Array): PriceReport | string {
  if (data.length === 0 || data.length > MAX_DATA_BYTES) return `data must be 1..${MAX_DATA_BYTES} bytes`
  let report: Partial<PriceReport>
  try {
    report = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(data)) as Partial<PriceReport>
  } catch {
    return 'data is not UTF-8 JSON'
  }
  if (typeof report !== 'object' || report === null) return 'data is not a price report'
  if (typeof report.pair !== 'string' || typeof report.price !== 'string' || typeof report.at !== 'number') {
    return 'price report needs pair, price and at'
  }
  return report as PriceReport
}

export function createPriceOraclePlugin(options: {
  /** hosts (host[:port]) the sources live on: the plugin may fetch nothing else */
  hosts: readonly string[]
  taskDefinitionIds?: readonly number[]
}): WispPlugin<PriceOracleConfig> {
  const manifest: PluginManifest = {
    id: '@wisp/plugin-price-oracle',
    version: '0.1.0',
    apiVersion: 1,
    taskDefinitionIds: options.taskDefinitionIds ?? [0],
    runtimes: ['node', 'browser', 'worker', 'edge'],
    capabilities: { fetch: options.hosts },
    configSchema: {
      type: 'object',
      required: ['pair', 'sources'],
      properties: {
        pair: { type: 'string', pattern: '^[A-Z0-9]{2,10}/[A-Z0-9]{2,10}$' },
        sources: {
          type: 'array',
          minItems: 1,
          maxItems: 16,
          items: {
            type: 'object',
            required: ['name', 'url', 'path'],
            properties: {
              name: { type: 'string', minLength: 1, maxLength: 64 },
              url: { type: 'string', pattern: '^https?://' },
              path: { type: 'string', minLength: 1, maxLength: 128 },
            },
            additionalProperties: false,
          },
        },
        minSources: { type: 'integer', minimum: 1, maximum: 16, default: 1 },
        tolerancePercent: { type: 'number', minimum: 0, maximum: 50, default: 1 },
        maxAgeMs: { type: 'integer', minimum: 1000, default: 120_000 },
        decimals: { type: 'integer', minimum: 0, maximum: 18, default: 2 },
      },
      additionalProperties: false,
    },
    description: 'median price of configured sources; attesters re-observe and approve within a tolerance',
  }

  return definePlugin<PriceOracleConfig>({
    manifest,
    async execute(ctx) {
      const observed = await observePrices(ctx)
      if (observed.length < ctx.config.minSources) {
        throw new Error(`only ${observed.length} of ${ctx.config.sources.length} price sources answered`)
      }
      const price = median(observed.map((o) => o.price)).toFixed(ctx.config.decimals)
      const report: PriceReport = { pair: ctx.config.pair, price, at: ctx.now(), sources: observed }
      return { proofOfTask: price, data: new TextEncoder().encode(JSON.stringify(report)) }
    },
    async validate(task, ctx) {
      const report = parseReport(task.data)
      if (typeof report === 'string') return reject(report)
      if (report.pair !== ctx.config.pair) return reject(`pair ${report.pair} is not ${ctx.config.pair}`)
      if (report.price !== task.proofOfTask) return reject('proofOfTask differs from the reported price')
      const claimed = Number(task.proofOfTask)
      if (!Number.isFinite(claimed) || claimed <= 0) return reject('price is not a positive number')
      const age = ctx.now() - report.at
      if (Math.abs(age) > ctx.config.maxAgeMs) return reject(`observation is ${age} ms old`)
      const observed = await observePrices(ctx)
      if (observed.length < ctx.config.minSources) {
        return abstain(`only ${observed.length} of ${ctx.config.sources.length} price sources answered`)
      }
      const own = median(observed.map((o) => o.price))
      const deviation = (Math.abs(claimed - own) / own) * 100
      return deviation <= ctx.config.tolerancePercent
        ? approve()
        : reject(
            `price ${claimed} deviates ${deviation.toFixed(3)}% from ${own} (tolerance ${ctx.config.tolerancePercent}%)`,
          )
    },
  })
}

/**
 * The hosts of a config's source URLs (host[:port]): what a plugin built for that config needs to
 * fetch, e.g. `createPriceOraclePlugin({ hosts: sourceHosts(config) })`.
 */
export function sourceHosts(config: unknown): string[] {
  const sources = (config as Partial<PriceOracleConfig> | null)?.sources
  if (!Array.isArray(sources)) return []
  const hosts = new Set<string>()
  for (const s of sources) {
    try {
      hosts.add(new URL(String(s.url)).host)
    } catch {
      // the config check names the bad URL
    }
  }
  return [...hosts]
}

/**
 * What the default export may fetch. A manifest is fixed before any config is known, so a plugin
 * loaded by name gets this documented list: well-known public price APIs and the local price
 * source of `npm start` (127.0.0.1:8081). For sources elsewhere, build the plugin with the hosts of
 * your config: `createPriceOraclePlugin({ hosts: sourceHosts(config) })` (the bundled-plugin
 * catalogue of @wisp/operator does this for the Node CLI, the web attester and edge workers).
 */
export const DEFAULT_PRICE_HOSTS: readonly string[] = Object.freeze([
  'api.coinbase.com',
  'api.kraken.com',
  'api.binance.com',
  'api.coingecko.com',
  '127.0.0.1:8081',
  'localhost:8081',
])

/** The plugin for module loaders (`loadPluginModule('@wisp/plugin-price-oracle', …)`): task definition 0, DEFAULT_PRICE_HOSTS. */
export default createPriceOraclePlugin({ hosts: DEFAULT_PRICE_HOSTS })
