#!/usr/bin/env node
// Every imported package is declared, and every declared dependency is used.
//
// For each workspace package (root package.json `workspaces`), reads the import specifiers of its
// TypeScript/JavaScript files: static `import … from`, `export … from`, side-effect `import '…'`,
// dynamic `import('…')`, `require('…')` and `require.resolve`/`import.meta.resolve('…')`. Comments and
// template literals are skipped (tests write fixture plugins' sources as template strings), and
// so are `node:` and bare Node built-ins, URLs and Vite query suffixes (`?worker`). A subpath maps
// to its package: `@wisp/chain/anvil` → `@wisp/chain`, `viem/actions` → `viem`. A relative path
// into another workspace package (`../../packages/node/src/run.ts`) counts as importing that package.
//
// Runtime files — src/ and bin/ (the published CLI) — must find each package in `dependencies`,
// `peerDependencies` or `optionalDependencies`, except the few DEV_ONLY_SOURCES below. Dev files —
// test/, bench/, scripts/ and the package's own top-level config files (vitest.config.ts …) — may
// also use `devDependencies` and the root package.json's devDependencies (the shared tooling:
// vitest, vite, typescript, …). A package may import itself by name.
//
// A declared dependency counts as used when a file imports it, when a package.json script runs
// one of its binaries (read from its own package.json `bin`; `--import tsx` counts), when it is
// `@types/x` for an imported `x`, or when it is in ALLOWED_UNIMPORTED below with a reason.
//
// Also (the lint gate of issue 10): every package's `lint` script runs biome with
// `--error-on-warnings`, so a warning fails `npm test`.
//
// Prints one line per finding (`deps: <package> …`, `lint: <package> …`) and exits 1 when there
// is any that is not PENDING. Run by `npm run lint:root` (part of `npm test`) and `npm run check:deps`.
// Usage: node scripts/check-deps.mjs [--verbose]
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { builtinModules } from 'node:module'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(fileURLToPath(import.meta.url), '..', '..')
const verbose = process.argv.includes('--verbose')

/**
 * Declared but never imported, on purpose: `<package>` → dependency → where it is used instead.
 * Keep it small and read each case.
 */
export const ALLOWED_UNIMPORTED = {
  '@wisp/node': {
    // `wisp attester --plugin @wisp/plugin-hash-chain` (README) imports plugins by name at run time
    '@wisp/plugin-hash-chain': 'built-in plugin, loaded by name with the CLI flag --plugin',
    '@wisp/plugin-price-oracle': 'built-in plugin, loaded by name with the CLI flag --plugin',
  },
}

/**
 * Findings in packages other engineers are reworking right now (issue 10), reported to the lead
 * and tolerated until that work lands: printed as `deps: pending: …`, not failures. Exact lines;
 * an entry that no longer matches is reported so it gets dropped.
 */
export const PENDING = []

/**
 * Files under src/ that only ever run from sources (development), never from a published build:
 * their imports are held to the dev rules. `<package>` → file → why.
 */
export const DEV_ONLY_SOURCES = {
  '@wisp/bls': {
    'src/pool/dev-bootstrap.mjs':
      'registers tsx in a worker thread when running from sources; dist never loads it',
  },
  '@wisp/edge': {
    'src/local.ts': '`@wisp/edge/local`: runs the worker in miniflare for tests, e2e and benches only',
  },
}

const RUNTIME_DIRS = ['src', 'bin']
const DEV_DIRS = ['test', 'bench', 'scripts']
const SOURCE_FILE = /\.(?:[cm]?[jt]s|[jt]sx)$/
const SKIP_DIRS = new Set(['node_modules', 'dist', 'test-results', 'coverage'])
const builtins = new Set(builtinModules.filter((m) => !m.startsWith('_')))

// ---------------------------------------------------------------------------------------------
// Workspaces

function readJson(file) {
  return JSON.parse(readFileSync(file, 'utf8'))
}

function workspaceDirs(rootPkg) {
  const dirs = []
  for (const pattern of rootPkg.workspaces ?? []) {
    if (pattern.endsWith('/*')) {
      const parent = join(root, pattern.slice(0, -2))
      if (!existsSync(parent)) continue
      for (const name of readdirSync(parent).sort()) {
        if (existsSync(join(parent, name, 'package.json'))) dirs.push(join(parent, name))
      }
    } else if (existsSync(join(root, pattern, 'package.json'))) {
      dirs.push(join(root, pattern))
    }
  }
  return dirs
}

function* walk(dir) {
  if (!existsSync(dir)) return
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.') || SKIP_DIRS.has(entry.name)) continue
    const path = join(dir, entry.name)
    if (entry.isDirectory()) yield* walk(path)
    else if (entry.isFile() && SOURCE_FILE.test(entry.name)) yield path
  }
}

// ---------------------------------------------------------------------------------------------
// Import specifiers

// After these, a `/` starts a regular expression rather than a division.
const REGEX_AFTER_WORDS = new Set([
  'return',
  'typeof',
  'instanceof',
  'in',
  'of',
  'new',
  'delete',
  'void',
  'throw',
  'case',
  'do',
  'else',
  'yield',
  'await',
])

/**
 * The code with comments removed, template literals' text removed (their `${…}` code is kept) and
 * every quoted string replaced by a `__STRn__` token; `strings[n]` is that string's text.
 */
export function skeleton(text) {
  const strings = []
  let out = ''
  let i = 0
  let last = '' // last significant character of code emitted (for the regex heuristic)
  let lastWord = ''
  const braces = [] // per `{`: true when it opened a template literal's `${`
  const n = text.length
  const emit = (s) => {
    out += s
    const t = s.trimEnd()
    if (t) last = t[t.length - 1]
  }
  const readTemplate = () => {
    // at the character after ` or after a template's closing }
    while (i < n) {
      const c = text[i]
      if (c === '\\') {
        i += 2
      } else if (c === '`') {
        i++
        emit('``')
        return
      } else if (c === '$' && text[i + 1] === '{') {
        i += 2
        braces.push(true)
        emit('`${')
        return
      } else {
        i++
      }
    }
  }
  while (i < n) {
    const c = text[i]
    const next = text[i + 1]
    if (c === '/' && next === '/') {
      while (i < n && text[i] !== '\n') i++
    } else if (c === '/' && next === '*') {
      const end = text.indexOf('*/', i + 2)
      i = end < 0 ? n : end + 2
      out += ' '
    } else if (c === "'" || c === '"') {
      let j = i + 1
      let value = ''
      while (j < n && text[j] !== c && text[j] !== '\n') {
        if (text[j] === '\\') {
          value += text[j + 1] ?? ''
          j += 2
        } else {
          value += text[j++]
        }
      }
      i = j + 1
      strings.push(value)
      emit(` __STR${strings.length - 1}__ `)
      lastWord = ''
    } else if (c === '`') {
      i++
      readTemplate()
      lastWord = ''
    } else if (c === '{') {
      braces.push(false)
      i++
      emit('{')
      lastWord = ''
    } else if (c === '}') {
      i++
      if (braces.pop()) {
        readTemplate()
      } else {
        emit('}')
      }
      lastWord = ''
    } else if (c === '/') {
      const regexStart =
        last === '' || '([{,;:=!&|?+-*%<>~^'.includes(last) || REGEX_AFTER_WORDS.has(lastWord)
      if (regexStart) {
        let j = i + 1
        let inClass = false
        while (j < n && text[j] !== '\n') {
          const d = text[j]
          if (d === '\\') j++
          else if (d === '[') inClass = true
          else if (d === ']') inClass = false
          else if (d === '/' && !inClass) break
          j++
        }
        j++
        while (j < n && /[a-z]/i.test(text[j])) j++
        i = j
        emit(' /re/ ')
      } else {
        i++
        emit('/')
      }
      lastWord = ''
    } else if (/[\w$]/.test(c)) {
      let j = i
      while (j < n && /[\w$]/.test(text[j])) j++
      lastWord = text.slice(i, j)
      emit(lastWord)
      i = j
    } else {
      if (!/\s/.test(c)) lastWord = ''
      emit(c)
      i++
    }
  }
  return { code: out, strings }
}

const SPECIFIER_PATTERNS = [
  /\bfrom\s*__STR(\d+)__/g, // import … from '…', export … from '…'
  /\bimport\s*__STR(\d+)__/g, // import '…'
  /\bimport\s*\(\s*__STR(\d+)__/g, // import('…')
  /\brequire\s*\(\s*__STR(\d+)__/g, // require('…'), import x = require('…')
  /\b(?:require|import\s*\.\s*meta)\s*\.\s*resolve\s*\(\s*__STR(\d+)__/g,
]

export function importSpecifiers(text) {
  const { code, strings } = skeleton(text)
  const found = new Set()
  for (const re of SPECIFIER_PATTERNS) {
    for (const m of code.matchAll(re)) found.add(strings[Number(m[1])])
  }
  return [...found]
}

/** The package a bare specifier names, or undefined for relative paths, built-ins, URLs, … */
export function packageOf(specifier) {
  const spec = specifier.split('?')[0]
  if (!spec || /^[./#]/.test(spec) || /^[a-z][a-z0-9+.-]*:/i.test(spec)) return undefined
  const parts = spec.split('/')
  const name = spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]
  if (builtins.has(name)) return undefined
  return name
}

// ---------------------------------------------------------------------------------------------
// Checks

function binNames(dep, pkgDir) {
  for (const base of [join(pkgDir, 'node_modules'), join(root, 'node_modules')]) {
    const file = join(base, dep, 'package.json')
    if (!existsSync(file)) continue
    const { bin } = readJson(file)
    if (!bin) return []
    if (typeof bin === 'string') return [dep.split('/').pop()]
    return Object.keys(bin)
  }
  return []
}

const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** The workspace package a relative specifier reaches into from another package, if any. */
function workspaceOf(file, dir, spec, workspaces) {
  if (!spec.startsWith('.')) return undefined
  const target = resolve(dirname(file), spec.split('?')[0])
  if (target === dir || target.startsWith(dir + sep)) return undefined
  return workspaces.find((w) => target === w.dir || target.startsWith(w.dir + sep))?.name
}

function checkPackage(dir, rootDevDeps, workspaces) {
  const pkg = readJson(join(dir, 'package.json'))
  const name = pkg.name
  const runtime = new Set([
    ...Object.keys(pkg.dependencies ?? {}),
    ...Object.keys(pkg.peerDependencies ?? {}),
    ...Object.keys(pkg.optionalDependencies ?? {}),
  ])
  const dev = new Set(Object.keys(pkg.devDependencies ?? {}))
  const errors = []

  const files = []
  const devOnly = DEV_ONLY_SOURCES[name] ?? {}
  for (const d of RUNTIME_DIRS) {
    for (const f of walk(join(dir, d))) files.push({ file: f, runtime: !devOnly[relative(dir, f)] })
  }
  for (const d of DEV_DIRS) for (const f of walk(join(dir, d))) files.push({ file: f, runtime: false })
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry)
    if (SOURCE_FILE.test(entry) && statSync(path).isFile()) files.push({ file: path, runtime: false })
  }

  /** package → first file importing it (runtime files first) */
  const imported = new Map()
  const undeclared = new Map()
  for (const { file, runtime: isRuntime } of files) {
    const rel = relative(dir, file)
    for (const spec of importSpecifiers(readFileSync(file, 'utf8'))) {
      // `../../packages/x/src/y.ts` uses @wisp/x as much as `@wisp/x` does
      const dep = packageOf(spec) ?? workspaceOf(file, dir, spec, workspaces)
      if (!dep) continue
      if (!imported.has(dep)) imported.set(dep, rel)
      if (dep === name) continue
      const key = `${dep}\0${isRuntime}`
      if (undeclared.has(key)) continue
      if (isRuntime) {
        if (runtime.has(dep)) continue
        undeclared.set(key, true)
        if (dev.has(dep)) {
          errors.push(`deps: ${name} imports ${dep} in ${rel} but declares it only in devDependencies`)
        } else {
          errors.push(`deps: ${name} imports ${dep} but does not declare it (${rel})`)
        }
      } else if (!runtime.has(dep) && !dev.has(dep) && !rootDevDeps.has(dep)) {
        undeclared.set(key, true)
        errors.push(`deps: ${name} imports ${dep} but does not declare it (${rel})`)
      }
    }
  }

  const lint = pkg.scripts?.lint
  if (!lint || !/\bbiome\b.*--error-on-warnings/.test(lint)) {
    errors.push(
      `lint: ${name}'s lint script must run \`biome check --error-on-warnings .\` (it is ${JSON.stringify(lint ?? null)})`,
    )
  }

  const scripts = Object.values(pkg.scripts ?? {}).join('\n')
  const allowed = ALLOWED_UNIMPORTED[name] ?? {}
  for (const dep of [...runtime, ...dev]) {
    if (imported.has(dep) || allowed[dep]) continue
    if (dep.startsWith('@types/')) {
      const typed = dep.slice('@types/'.length)
      const target = typed.includes('__') ? `@${typed.replace('__', '/')}` : typed
      if (imported.has(target)) continue
    }
    const bins = binNames(dep, dir)
    if (bins.some((b) => new RegExp(`(^|[\\s;&|(])${escapeRe(b)}(?=$|[\\s;&|)/])`, 'm').test(scripts)))
      continue
    const field = runtime.has(dep) ? 'dependencies' : 'devDependencies'
    errors.push(`deps: ${name} declares ${dep} (${field}) but never imports it`)
  }
  for (const [file, why] of Object.entries(devOnly)) {
    if (!existsSync(join(dir, file))) {
      errors.push(`deps: ${name} lists ${file} as dev-only (${why}) but it does not exist; drop the entry`)
    }
  }
  for (const [dep, why] of Object.entries(allowed)) {
    if (!runtime.has(dep) && !dev.has(dep)) {
      errors.push(
        `deps: ${name} allowlists ${dep} (${why}) but does not declare it; drop the allowlist entry`,
      )
    }
  }
  if (verbose) {
    console.log(`${name}: ${files.length} files, imports ${[...imported.keys()].sort().join(', ')}`)
  }
  return errors
}

const isMain = process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]
if (isMain) {
  const rootPkg = readJson(join(root, 'package.json'))
  const rootDevDeps = new Set(Object.keys(rootPkg.devDependencies ?? {}))
  const dirs = workspaceDirs(rootPkg)
  const workspaces = dirs.map((dir) => ({ dir, name: readJson(join(dir, 'package.json')).name }))
  const findings = dirs.flatMap((dir) => checkPackage(dir, rootDevDeps, workspaces))
  const errors = findings.filter((f) => !PENDING.includes(f))
  for (const f of findings) if (PENDING.includes(f)) console.log(f.replace(/^deps: /, 'deps: pending: '))
  for (const p of PENDING) {
    if (!findings.includes(p)) console.log(`deps: note: the pending entry "${p}" no longer matches; drop it`)
  }
  for (const e of errors) console.log(e)
  if (errors.length > 0) {
    console.log(`deps: ${errors.length} problem(s) in ${dirs.length} packages`)
    process.exit(1)
  }
  console.log(`deps: ok (${dirs.length} packages${findings.length ? `, ${findings.length} pending` : ''})`)
}
