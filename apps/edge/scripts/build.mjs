#!/usr/bin/env node
// Bundles src/worker.ts into one ESM file for workerd (dist/worker.js) with esbuild and reports
// its size. `--json` prints the report as JSON (the benchmark / `npm run size`); `--dev` skips
// minification (readable stack traces). Fails (exit 1) over the gzip budget or when the bundle
// contains a construct workerd refuses at run time (eval, new Function, runtime WASM compile).
import { mkdir, writeFile } from 'node:fs/promises'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { brotliCompressSync, constants, gzipSync } from 'node:zlib'
import * as esbuild from 'esbuild'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
/** Cloudflare's limit for a Worker on the free plan is 3 MiB gzip; we hold ourselves to far less. */
export const GZIP_BUDGET_BYTES = 600 * 1024
export const RAW_BUDGET_BYTES = 2 * 1024 * 1024

/**
 * What workerd cannot run: code generation from strings is disallowed, and so is compiling
 * WebAssembly from bytes at run time (WASM must be uploaded as a module). The patterns are the
 * call sites, so a mention inside a string or comment does not count.
 */
export const FORBIDDEN = [
  { name: 'eval', re: /(?<![\w$.])eval\s*\(/g },
  { name: 'new Function', re: /new\s+Function\s*\(/g },
  { name: 'Function(…) call', re: /(?<![\w$.])Function\s*\(\s*["'`]/g },
  { name: 'WebAssembly.compile/instantiate', re: /WebAssembly\s*\.\s*(compile|instantiate|Module)\b/g },
  // @wisp/bls's WebAssembly backend (mcl-wasm, its module as bytes) compiles at run time: workerd
  // stays on noble, and '#wasm-loader' resolves to a stub under the 'workerd' condition.
  { name: 'mcl-wasm (BLS WebAssembly backend)', re: /_mclBn_\w+/g },
]

export async function build({ minify = true, outfile = join(root, 'dist', 'worker.js') } = {}) {
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: [join(root, 'src', 'worker.ts')],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    // workspace packages from source; then what workerd is (a worker without Node's APIs)
    conditions: ['@wisp/source', 'workerd', 'worker', 'browser'],
    mainFields: ['browser', 'module', 'main'],
    minify,
    sourcemap: minify ? false : 'linked',
    metafile: true,
    legalComments: 'none',
    logLevel: 'warning',
    define: { 'process.env.NODE_ENV': '"production"' },
  })
  const output = result.outputFiles?.[0]?.contents ?? (await import('node:fs')).readFileSync(outfile)
  const code = Buffer.from(output)
  await mkdir(dirname(outfile), { recursive: true })
  await writeFile(join(dirname(outfile), 'meta.json'), JSON.stringify(result.metafile))
  return { outfile, code, metafile: result.metafile }
}

export function report({ outfile, code, metafile }, { minify = true } = {}) {
  const text = code.toString('utf8')
  const forbidden = FORBIDDEN.map(({ name, re }) => ({ name, count: [...text.matchAll(re)].length })).filter(
    (f) => f.count > 0,
  )
  const byPackage = new Map()
  const out = Object.values(metafile.outputs)[0]
  for (const [path, info] of Object.entries(out.inputs)) {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)
    const name = m
      ? m[1]
      : path.startsWith('../../packages/') || path.startsWith('../../plugins/')
        ? `@wisp/${path.split('/')[3]}`
        : path.split('/').slice(0, 2).join('/')
    byPackage.set(name, (byPackage.get(name) ?? 0) + info.bytesInOutput)
  }
  const gzipBytes = gzipSync(code).length
  return {
    bundle: relative(root, outfile),
    minified: minify,
    rawBytes: code.length,
    gzipBytes,
    gzip9Bytes: gzipSync(code, { level: 9 }).length,
    brotliBytes: brotliCompressSync(code, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
    budget: { rawBytes: RAW_BUDGET_BYTES, gzipBytes: GZIP_BUDGET_BYTES },
    withinBudget: gzipBytes <= GZIP_BUDGET_BYTES && code.length <= RAW_BUDGET_BYTES,
    forbidden,
    modules: Object.keys(out.inputs).length,
    largestPackages: [...byPackage]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 12)
      .map(([name, bytes]) => ({ name, bytes })),
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const minify = !process.argv.includes('--dev')
  const started = Date.now()
  const built = await build({ minify })
  const r = { ...report(built, { minify }), buildMs: Date.now() - started }
  if (process.argv.includes('--json')) console.log(JSON.stringify(r, null, 2))
  else {
    const kib = (n) => `${(n / 1024).toFixed(1)} KiB`
    console.log(
      `${r.bundle}: ${kib(r.rawBytes)} raw, ${kib(r.gzipBytes)} gzip, ${kib(r.brotliBytes)} brotli (${r.modules} modules, ${r.buildMs} ms)`,
    )
    for (const f of r.forbidden) console.error(`forbidden in workerd: ${f.name} ×${f.count}`)
  }
  if (!r.withinBudget || r.forbidden.length > 0) process.exitCode = 1
}
