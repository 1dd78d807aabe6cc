// Runs the first ```ts block of a package's README.md, so the documented example cannot rot.
// Usage: node scripts/readme-example.mjs packages/bls   (exit code and output of the example)
import { spawnSync } from 'node:child_process'
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'

const dir = resolve(process.argv[2] ?? '.')
const readme = readFileSync(join(dir, 'README.md'), 'utf8')
const match = readme.match(/```ts\n([\s\S]*?)```/)
if (!match) {
  console.error(`no \`\`\`ts block in ${dir}/README.md`)
  process.exit(2)
}
const file = join(dir, `.readme-example-${process.pid}.ts`)
writeFileSync(file, match[1])
let status = 1
try {
  const run = spawnSync(process.execPath, ['--conditions=@wisp/source', '--import', 'tsx', file], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 120_000,
  })
  process.stdout.write(run.stdout ?? '')
  process.stderr.write(run.stderr ?? '')
  status = run.status ?? 1
} finally {
  // before exiting: process.exit inside try would skip this cleanup
  rmSync(file, { force: true })
}
process.exit(status)
