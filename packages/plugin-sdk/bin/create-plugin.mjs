#!/usr/bin/env node
// Scaffolds a new Wisp task-definition plugin package that passes the compliance suite.
//   npx wisp-plugin-create ./my-plugin --id my-plugin --task-definition 1
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { basename, dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const ID_RE = /^(@[a-z0-9][a-z0-9._-]*\/)?[a-z0-9][a-z0-9._-]{0,63}$/

function usage(message) {
  if (message) console.error(`error: ${message}`)
  console.error(
    'usage: wisp-plugin-create <directory> [--id <npm-name>] [--task-definition <uint16>] [--sdk-version <range>]',
  )
  process.exit(2)
}

const args = process.argv.slice(2)
const positional = []
const flags = {}
for (let i = 0; i < args.length; i++) {
  const a = args[i]
  if (a === '--help' || a === '-h') usage()
  if (a.startsWith('--')) {
    const value = args[i + 1]
    if (value === undefined || value.startsWith('--')) usage(`${a} needs a value`)
    flags[a.slice(2)] = value
    i++
  } else positional.push(a)
}
if (positional.length !== 1) usage('give exactly one target directory')
const target = resolve(positional[0])
const id = flags.id ?? basename(target)
if (!ID_RE.test(id)) usage(`"${id}" is not a valid npm package name for a plugin id`)
const taskDefinitionId = Number(flags['task-definition'] ?? 1)
if (!Number.isInteger(taskDefinitionId) || taskDefinitionId < 0 || taskDefinitionId > 0xffff)
  usage('--task-definition must be a uint16')
if (existsSync(target) && readdirSync(target).length > 0) usage(`${target} exists and is not empty`)

const sdkPackage = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
const vars = {
  __PLUGIN_ID__: id,
  __TASK_DEFINITION_ID__: String(taskDefinitionId),
  __SDK_VERSION__: flags['sdk-version'] ?? `^${sdkPackage.version}`,
}

const templates = fileURLToPath(new URL('../templates/', import.meta.url))
const written = []
function copy(dir) {
  for (const name of readdirSync(dir)) {
    const from = join(dir, name)
    if (statSync(from).isDirectory()) {
      copy(from)
      continue
    }
    const rel = relative(templates, from).replace(/\.tmpl$/, '')
    let text = readFileSync(from, 'utf8')
    for (const [k, v] of Object.entries(vars)) text = text.replaceAll(k, v)
    const to = join(target, rel)
    mkdirSync(dirname(to), { recursive: true })
    writeFileSync(to, text)
    written.push(rel)
  }
}
copy(templates)
console.log(`created plugin ${id} in ${target}:`)
for (const f of written.sort()) console.log(`  ${f}`)
console.log('next: npm install && npm test')
