// Loading plugin modules: by module specifier (an installed npm package) or from a URL pinned by
// a SHA-256 content hash. How a module is imported is the runtime's business (Node's import(),
// a Blob URL inside a browser Worker), so it comes in as a function; the checks are the same.

import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex } from '@noble/hashes/utils.js'
import { isWispPlugin, type WispPlugin } from '@wisp/plugin-sdk'
import { CoreError } from '../errors.js'

/** Imports an ES module; `import(specifier)` in Node. */
export type ModuleImporter = (specifier: string) => Promise<unknown>

function pluginOf(mod: unknown, from: string): WispPlugin {
  const candidate = (mod as { default?: unknown } | null)?.default
  if (!isWispPlugin(candidate)) {
    throw new CoreError(
      'ENGINE_PLUGIN_LOAD_FAILED',
      `${from} does not default-export a plugin made with definePlugin()`,
      {
        details: { from },
      },
    )
  }
  return candidate
}

/** Loads an installed plugin package (or any importable specifier). */
export async function loadPluginModule(specifier: string, importer: ModuleImporter): Promise<WispPlugin> {
  let mod: unknown
  try {
    mod = await importer(specifier)
  } catch (cause) {
    throw new CoreError(
      'ENGINE_PLUGIN_LOAD_FAILED',
      `cannot import ${specifier}: ${(cause as Error)?.message ?? cause}`,
      {
        cause,
        details: { specifier },
      },
    )
  }
  return pluginOf(mod, specifier)
}

export interface PinnedPluginSource {
  url: string
  /** hex SHA-256 of the module's bytes, with or without 0x */
  sha256: string
}

/**
 * Fetches a single-file ES module, refuses it unless its SHA-256 is the pinned one, then hands the
 * verified source to `importSource` (which must import exactly these bytes, e.g. via a Blob URL).
 */
export async function loadPinnedPlugin(
  source: PinnedPluginSource,
  components: {
    fetchBytes: (url: string) => Promise<Uint8Array>
    importSource: (code: string) => Promise<unknown>
  },
): Promise<WispPlugin> {
  const expected = source.sha256.toLowerCase().replace(/^0x/, '')
  if (!/^[0-9a-f]{64}$/.test(expected)) {
    throw new CoreError('ENGINE_PLUGIN_LOAD_FAILED', 'a pinned plugin needs a 64-hex-digit SHA-256')
  }
  let bytes: Uint8Array
  try {
    bytes = await components.fetchBytes(source.url)
  } catch (cause) {
    throw new CoreError('ENGINE_PLUGIN_LOAD_FAILED', `cannot fetch ${source.url}`, {
      cause,
      details: { url: source.url },
    })
  }
  const actual = bytesToHex(sha256(bytes))
  if (actual !== expected) {
    throw new CoreError('ENGINE_PLUGIN_LOAD_FAILED', `content hash mismatch for ${source.url}`, {
      details: { url: source.url, expected, actual },
    })
  }
  let mod: unknown
  try {
    mod = await components.importSource(new TextDecoder().decode(bytes))
  } catch (cause) {
    throw new CoreError('ENGINE_PLUGIN_LOAD_FAILED', `cannot evaluate ${source.url}`, {
      cause,
      details: { url: source.url },
    })
  }
  return pluginOf(mod, source.url)
}
