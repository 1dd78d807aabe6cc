// The compliance suite plugin authors run against their plugin (from any test runner):
//   const report = await checkCompliance(plugin, { config })
//   expect(report.failures).toEqual([])
import { type BaseFetch, createPluginContext, type PluginContextComponents } from './context.js'
import { withDeadline } from './deadline.js'
import { checkManifest, parsePluginConfig } from './define.js'
import type { ExecuteResult, TaskInput, Verdict, WispPlugin } from './types.js'

export interface ComplianceOptions<Config> {
  /** a config the plugin must accept */
  config: Config
  /** configs the plugin must refuse (a wrong top-level type is always tried too) */
  badConfigs?: unknown[]
  /** turns an honest result into a wrong one the plugin must reject; default: alter proofOfTask */
  tamper?: (result: ExecuteResult) => ExecuteResult
  /** the performer address put on tasks; any address */
  performer?: `0x${string}`
  /** what the plugin needs to run offline: a fetch serving local sources, a store, a clock */
  components?: PluginContextComponents
  /** per-hook deadline; default 10 s */
  timeoutMs?: number
  /** how fast a hook must settle once aborted; default 2 s */
  abortGraceMs?: number
}

export interface ComplianceCheck {
  name: string
  passed: boolean
  message?: string
}

export interface ComplianceReport {
  pluginId: string
  passed: boolean
  checks: ComplianceCheck[]
  /** names and messages of the failed checks: `[]` when compliant */
  failures: string[]
}

const DEFAULT_PERFORMER = '0x00000000000000000000000000000000000000aa'

export async function checkCompliance<Config>(
  plugin: WispPlugin<Config>,
  options: ComplianceOptions<Config>,
): Promise<ComplianceReport> {
  const checks: ComplianceCheck[] = []
  const timeoutMs = options.timeoutMs ?? 10_000
  const check = async (name: string, fn: () => Promise<string | undefined> | string | undefined) => {
    try {
      const problem = await fn()
      checks.push(problem === undefined ? { name, passed: true } : { name, passed: false, message: problem })
    } catch (err) {
      checks.push({ name, passed: false, message: err instanceof Error ? err.message : String(err) })
    }
  }
  const manifest = plugin.manifest
  const taskDefinitionId = manifest.taskDefinitionIds[0] ?? 0
  let config: Config = options.config
  const run = <T>(
    what: string,
    hook: (ctx: ReturnType<typeof createPluginContext<Config>>) => Promise<T>,
    parent?: AbortSignal,
  ) =>
    withDeadline(
      (signal) =>
        hook(createPluginContext({ manifest, config, taskDefinitionId, signal }, options.components)),
      { timeoutMs, what, pluginId: manifest.id, ...(parent ? { parent } : {}) },
    )

  await check('manifest is valid', () => {
    checkManifest(manifest)
    return undefined
  })
  await check('accepts the given config', () => {
    config = parsePluginConfig<Config>(manifest, options.config)
    return undefined
  })
  await check('refuses bad configs', () => {
    const schemaType = (manifest.configSchema as { type: string }).type
    const bad = [schemaType === 'object' ? 42 : { unexpected: true }, ...(options.badConfigs ?? [])]
    for (const candidate of bad) {
      try {
        parsePluginConfig(manifest, candidate)
        return `accepted a bad config: ${safeJson(candidate)}`
      } catch (err) {
        if ((err as { code?: string }).code !== 'PLUGIN_INVALID_CONFIG')
          return `wrong error for a bad config: ${String(err)}`
      }
    }
    return undefined
  })

  let honest: ExecuteResult | undefined
  const task = (r: ExecuteResult): TaskInput => ({
    proofOfTask: r.proofOfTask,
    data: r.data,
    taskDefinitionId,
    performer: options.performer ?? DEFAULT_PERFORMER,
  })
  await check('execute → validate round trip approves', async () => {
    honest = await run('execute', (ctx) => plugin.execute(ctx))
    if (typeof honest?.proofOfTask !== 'string' || !(honest.data instanceof Uint8Array)) {
      return 'execute must return { proofOfTask: string, data: Uint8Array }'
    }
    const verdict = await run('validate', (ctx) => plugin.validate(task(honest!), ctx))
    return verdict.kind === 'approve' ? undefined : `expected approve, got ${safeJson(verdict)}`
  })
  await check('a tampered result is rejected', async () => {
    if (honest === undefined) return 'no honest result to tamper with'
    const tampered = (options.tamper ?? defaultTamper)(honest)
    const verdict = await run('validate', (ctx) => plugin.validate(task(tampered), ctx))
    return verdict.kind === 'reject' ? undefined : `expected reject, got ${safeJson(verdict)}`
  })
  await check('results survive structuredClone', async () => {
    if (honest === undefined) return 'no result'
    const verdict = await run('validate', (ctx) => plugin.validate(task(honest!), ctx))
    if (!deepEqual(structuredClone(honest), honest)) return 'execute result changes under structuredClone'
    if (!deepEqual(structuredClone(verdict), verdict)) return 'verdict changes under structuredClone'
    return isVerdict(verdict) ? undefined : `not a verdict: ${safeJson(verdict)}`
  })
  await check('abort is honoured', async () => {
    // The hook itself is called here, not through withDeadline (which would settle on abort by
    // itself): the question is whether the plugin's own promise stops when its signal aborts.
    const grace = options.abortGraceMs ?? 2_000
    for (const what of ['execute', 'validate'] as const) {
      const controller = new AbortController()
      const ctx = createPluginContext(
        { manifest, config, taskDefinitionId, signal: controller.signal },
        options.components,
      )
      const own = (async () =>
        what === 'execute'
          ? plugin.execute(ctx)
          : plugin.validate(task(honest ?? { proofOfTask: '', data: new Uint8Array() }), ctx))().then(
        () => 'settled',
        () => 'settled',
      )
      controller.abort(new Error('compliance: abort'))
      let timer: ReturnType<typeof setTimeout> | undefined
      const outcome = await Promise.race([
        own,
        new Promise((r) => (timer = setTimeout(() => r('hung'), grace))),
      ])
      clearTimeout(timer)
      if (outcome !== 'settled') return `${what} did not settle within ${grace} ms of its signal aborting`
    }
    return undefined
  })

  const failures = checks.filter((c) => !c.passed).map((c) => `${c.name}: ${c.message ?? ''}`)
  return { pluginId: manifest.id, passed: failures.length === 0, checks, failures }
}

function defaultTamper(result: ExecuteResult): ExecuteResult {
  const proof = result.proofOfTask
  const last = proof.at(-1)
  return { ...result, proofOfTask: `${proof.slice(0, -1)}${last === '0' ? '1' : '0'}` }
}

function isVerdict(v: unknown): v is Verdict {
  const k = (v as { kind?: unknown })?.kind
  return (
    k === 'approve' ||
    ((k === 'reject' || k === 'abstain') && typeof (v as { reason?: unknown }).reason === 'string')
  )
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (a instanceof Uint8Array && b instanceof Uint8Array)
    return a.length === b.length && a.every((x, i) => x === b[i])
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false
  const ka = Object.keys(a)
  const kb = Object.keys(b)
  return (
    ka.length === kb.length &&
    ka.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
  )
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v, (_, x) =>
      typeof x === 'bigint' ? x.toString() : x instanceof Uint8Array ? `<${x.length} bytes>` : x,
    )
  } catch {
    return String(v)
  }
}

export type { BaseFetch }
