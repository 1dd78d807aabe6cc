// Regenerates src/artifacts/*.ts from contracts/**/*.sol. Run: npm run compile (or npm run build).
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { artifactsDir, compile, renderArtifacts } from './compile.js'

const started = Date.now()
const result = compile()
for (const w of result.warnings) console.warn(w)
const files = renderArtifacts(result)
mkdirSync(artifactsDir, { recursive: true })
for (const old of readdirSync(artifactsDir)) if (!files.has(old)) rmSync(join(artifactsDir, old))
for (const [name, content] of files) writeFileSync(join(artifactsDir, name), content)
const size = (hex: string) => (hex.length - 2) / 2
const sizes = result.contracts
  .map((c) => `${c.name} ${size(c.deployedBytecode)}/${size(c.bytecode)}`)
  .join(', ')
console.log(
  `compiled ${result.contracts.length} contracts with solc ${result.version} in ${Date.now() - started} ms`,
)
console.log(`runtime/initcode bytes: ${sizes}`)
