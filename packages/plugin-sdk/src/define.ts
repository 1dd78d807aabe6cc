import { PluginError } from './errors.js'
import { type ConfigSchema, validateConfig } from './schema.js'
import {
  PLUGIN_API_VERSION,
  type PluginHooks,
  type PluginManifest,
  RUNTIMES,
  type WispPlugin,
} from './types.js'

const ID_RE = /^(@[a-z0-9][a-z0-9._-]*\/)?[a-z0-9][a-z0-9._-]{0,63}$/
// semver 2.0.0 (https://semver.org), without build metadata ambiguity
const SEMVER_RE =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/
const HOST_RE = /^[a-z0-9.-]+(:\d{1,5})?$/i

function invalid(message: string, details: Record<string, unknown> = {}): PluginError {
  return new PluginError('PLUGIN_INVALID_MANIFEST', message, { details })
}

/** Checks a manifest from any source (a definition, a loaded module, a URL plugin). */
export function checkManifest(manifest: unknown): PluginManifest {
  const m = manifest as Partial<PluginManifest> | null
  if (typeof m !== 'object' || m === null) throw invalid('manifest must be an object')
  if (typeof m.id !== 'string' || !ID_RE.test(m.id))
    throw invalid('id must be an npm-style package name', { id: m.id })
  if (typeof m.version !== 'string' || !SEMVER_RE.test(m.version)) {
    throw invalid('version must be semver', { version: m.version })
  }
  if (!Number.isInteger(m.apiVersion) || (m.apiVersion as number) < 1)
    throw invalid('apiVersion must be a positive integer')
  if (m.apiVersion !== PLUGIN_API_VERSION) {
    throw new PluginError(
      'PLUGIN_API_MISMATCH',
      `plugin speaks API ${m.apiVersion}, this engine ${PLUGIN_API_VERSION}`,
      {
        details: { id: m.id, apiVersion: m.apiVersion, supported: PLUGIN_API_VERSION },
      },
    )
  }
  if (
    !Array.isArray(m.taskDefinitionIds) ||
    m.taskDefinitionIds.length === 0 ||
    !m.taskDefinitionIds.every((id) => Number.isInteger(id) && id >= 0 && id <= 0xffff) ||
    new Set(m.taskDefinitionIds).size !== m.taskDefinitionIds.length
  ) {
    throw invalid('taskDefinitionIds must be distinct uint16 values, at least one')
  }
  if (
    !Array.isArray(m.runtimes) ||
    m.runtimes.length === 0 ||
    !m.runtimes.every((r) => RUNTIMES.includes(r))
  ) {
    throw invalid(`runtimes must be a non-empty subset of ${RUNTIMES.join(', ')}`)
  }
  const caps = m.capabilities
  if (typeof caps !== 'object' || caps === null) throw invalid('capabilities must be an object')
  if (
    caps.fetch !== undefined &&
    (!Array.isArray(caps.fetch) || !caps.fetch.every((h) => typeof h === 'string' && HOST_RE.test(h)))
  ) {
    throw invalid('capabilities.fetch must be a list of host[:port]')
  }
  if (caps.storage !== undefined && typeof caps.storage !== 'boolean')
    throw invalid('capabilities.storage must be a boolean')
  if (typeof m.configSchema !== 'object' || m.configSchema === null)
    throw invalid('configSchema must be a schema object')
  try {
    structuredClone(m)
  } catch (cause) {
    throw invalid('manifest must be plain data (structured-clone safe)', { cause })
  }
  return m as PluginManifest
}

/**
 * Declares a plugin. The manifest is checked now, so a broken plugin fails when it is built or
 * loaded, not when the first task arrives.
 */
export function definePlugin<Config>(
  definition: { manifest: PluginManifest } & PluginHooks<Config>,
): WispPlugin<Config> {
  const manifest = checkManifest(definition.manifest)
  if (typeof definition.execute !== 'function' || typeof definition.validate !== 'function') {
    throw invalid('a plugin needs execute and validate functions', { id: manifest.id })
  }
  if (definition.electLeader !== undefined && typeof definition.electLeader !== 'function') {
    throw invalid('electLeader must be a function', { id: manifest.id })
  }
  return Object.freeze({
    ...definition,
    kind: 'wisp-plugin' as const,
    manifest: Object.freeze({ ...manifest }),
  })
}

/** Validates config against the plugin's schema, with defaults filled in; PLUGIN_INVALID_CONFIG otherwise. */
export function parsePluginConfig<Config>(
  manifest: Pick<PluginManifest, 'id' | 'configSchema'>,
  config: unknown,
): Config {
  const result = validateConfig(manifest.configSchema as ConfigSchema, config)
  if (!result.ok) {
    throw new PluginError(
      'PLUGIN_INVALID_CONFIG',
      `invalid config for ${manifest.id}: ${result.issues.map((i) => `${i.path} ${i.message}`).join('; ')}`,
      {
        details: { id: manifest.id, issues: result.issues },
      },
    )
  }
  return result.value as Config
}

export function isWispPlugin(value: unknown): value is WispPlugin {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'wisp-plugin'
}
