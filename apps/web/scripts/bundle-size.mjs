// Bundle sizes of the built app (dist/web), as JSON: what the page loads before anything else
// (index.html's entry script, its static imports and CSS), what it loads once a key is unlocked
// (the engine: page mode or worker mode), and each worker. gzip level 9 and brotli.
// Usage: npm run size -w @wisp/web   (after npm run build)
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { brotliCompressSync, gzipSync } from 'node:zlib'

const dir = new URL('../dist/web/', import.meta.url).pathname
const read = (file) => readFileSync(join(dir, file))
const sizes = (files) => {
  const out = { files: files.length, rawBytes: 0, gzipBytes: 0, brotliBytes: 0 }
  for (const f of files) {
    const b = read(f)
    out.rawBytes += b.length
    out.gzipBytes += gzipSync(b, { level: 9 }).length
    out.brotliBytes += brotliCompressSync(b).length
  }
  return out
}
/** A JS file and every chunk it imports statically (not `import()` and not `new Worker`). */
function closure(entry, seen = new Set()) {
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
const html = read('index.html').toString()
const entry = /<script[^>]+src="\.?\/?(assets\/[^"]+\.js)"/.exec(html)?.[1]
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
const lazy = (prefix) => {
  const files = new Set()
  for (const f of named(prefix)) closure(f, files)
  for (const f of initial) files.delete(f)
  return [...files]
}
const report = {
  initial: { js: sizes([...initial]), css: sizes(css) },
  pageModeEngine: sizes(lazy('page')),
  workerMode: { onPage: sizes(lazy('worker-client')), engineWorker: sizes(named('engine-worker')) },
  workers: {
    /** started at boot: holds the key */
    signer: sizes(named('signer-worker')),
    plugins: sizes(named('plugin-worker')),
    /** BLS verification pool (@wisp/bls/worker-browser) */
    blsVerifier: sizes(named('worker-browser')),
  },
  allJs: sizes(assets),
}
console.log(JSON.stringify(report, null, 2))
