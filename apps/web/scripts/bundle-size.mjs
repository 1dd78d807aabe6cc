// Bundle sizes of the built app, per part: what the page loads before anything else (index.html's
// entry script, its static imports and CSS), what it loads once a key is unlocked (the engine:
// page mode or worker mode), and each worker. gzip level 9 and brotli. The bundle-budget test
// measures its own build with measureWebBuild; from a shell it prints dist/web's sizes as JSON.
// Usage: npm run size -w @wisp/web   (after npm run build)
import { readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { brotliCompressSync, gzipSync } from 'node:zlib'

/** The parts of a build of the app in `dir`, each with its files and sizes. */
export function measureWebBuild(dir) {
  const read = (file) => readFileSync(join(dir, file))
  const size = (files) => {
    const out = { files: [...files].sort(), rawBytes: 0, gzipBytes: 0, brotliBytes: 0 }
    for (const f of out.files) {
      const bytes = read(f)
      out.rawBytes += bytes.length
      out.gzipBytes += gzipSync(bytes, { level: 9 }).length
      out.brotliBytes += brotliCompressSync(bytes).length
    }
    return out
  }
  /** A JS file and every chunk it imports statically (not `import()`, not `new Worker`). */
  const closure = (entry, seen = new Set()) => {
    if (seen.has(entry)) return seen
    seen.add(entry)
    const code = read(entry).toString()
    for (const m of code.matchAll(
      /(?:^|[;\n}])\s*import\s*(?:[\w*{}\s,$]+from\s*)?["'`]\.\/([\w.-]+\.js)["'`]/g,
    )) {
      closure(`assets/${m[1]}`, seen)
    }
    return seen
  }
  /** Chunks a file loads on demand (`import("./x.js")`), with everything those load in turn. */
  const dynamicClosure = (entry, seen = new Set()) => {
    for (const m of read(entry)
      .toString()
      .matchAll(/import\(\s*["'`]\.\/([\w.-]+\.js)["'`]\s*\)/g)) {
      const f = `assets/${m[1]}`
      if (seen.has(f)) continue
      const loaded = closure(f)
      for (const g of loaded) seen.add(g)
      for (const g of loaded) dynamicClosure(g, seen)
    }
    return seen
  }
  const html = read('index.html').toString()
  const entry = /<script[^>]+src="\.?\/?(assets\/[^"]+\.js)"/.exec(html)?.[1]
  if (!entry) throw new Error('no entry script in index.html')
  const css = [...html.matchAll(/href="\.?\/?(assets\/[^"]+\.css)"/g)].map((m) => m[1])
  const preloads = [...html.matchAll(/rel="modulepreload"[^>]*href="\.?\/?(assets\/[^"]+\.js)"/g)].map(
    (m) => m[1],
  )
  const initial = new Set([entry, ...preloads])
  for (const f of [...initial]) closure(f, initial)
  const assets = readdirSync(join(dir, 'assets'))
    .filter((f) => f.endsWith('.js'))
    .map((f) => `assets/${f}`)
  const named = (prefix) => assets.filter((f) => f.startsWith(`assets/${prefix}-`))
  /** what loading a lazy chunk adds to the initial load */
  const lazy = (prefix) => {
    const files = new Set()
    for (const f of named(prefix)) closure(f, files)
    for (const f of initial) files.delete(f)
    return files
  }
  return {
    initialJs: size(initial),
    initialCss: size(css),
    pageModeEngine: size(lazy('page')),
    workerModePage: size(lazy('worker-client')),
    engineWorker: size(named('engine-worker')),
    /** started at boot: holds the key */
    signerWorker: size(named('signer-worker')),
    pluginWorker: size(named('plugin-worker')),
    /** BLS verification pool (@wisp/bls/worker-browser) */
    blsWorker: size(named('worker-browser')),
    /** the WebAssembly BLS backend (mcl-wasm, its module inline): loaded on demand by the BLS worker only */
    blsWasm: size(
      (() => {
        const files = new Set()
        for (const w of named('worker-browser')) dynamicClosure(w, files)
        for (const w of named('worker-browser')) for (const f of closure(w)) files.delete(f)
        return files
      })(),
    ),
    allJs: size(assets),
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const parts = measureWebBuild(fileURLToPath(new URL('../dist/web/', import.meta.url)))
  const report = Object.fromEntries(
    Object.entries(parts).map(([part, s]) => [part, { ...s, files: s.files.length }]),
  )
  console.log(JSON.stringify(report, null, 2))
}
