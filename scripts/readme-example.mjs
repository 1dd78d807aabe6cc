// Runs the first ```ts block of a package's README.md, so the documented example cannot rot.
// From a shell: node scripts/readme-example.mjs packages/bls   (exit code and output of the example)
// From a package's test: runReadmeExample(import.meta.url) runs its README's example and returns
// what it printed, throwing (with the example's stderr) when it fails or prints an Error.
import { spawnSync } from 'node:child_process'
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

/** Runs the example of the package in `dir`; the child's exit status and output. */
export function runExample(dir) {
  const readme = readFileSync(join(dir, 'README.md'), 'utf8')
  const match = readme.match(/```ts\n([\s\S]*?)```/)
  if (!match) return { status: 2, stdout: '', stderr: `no \`\`\`ts block in ${dir}/README.md\n` }
  const file = join(dir, `.readme-example-${process.pid}.ts`)
  writeFileSync(file, match[1])
  try {
    const run = spawnSync(process.execPath, ['--conditions=@wisp/source', '--import', 'tsx', file], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 120_000,
    })
    return { status: run.status ?? 1, stdout: run.stdout ?? '', stderr: run.stderr ?? '' }
  } finally {
    rmSync(file, { force: true })
  }
}

/** For a package's test file (pass its import.meta.url): the example's stdout, or a thrown error. */
export function runReadmeExample(testFileUrl) {
  const dir = resolve(dirname(fileURLToPath(testFileUrl)), '..')
  const run = runExample(dir)
  if (run.status !== 0 || /Error/.test(run.stderr)) {
    throw new Error(`the README example of ${dir} failed (exit ${run.status}):\n${run.stderr}${run.stdout}`)
  }
  return run.stdout
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const run = runExample(resolve(process.argv[2] ?? '.'))
  process.stdout.write(run.stdout)
  process.stderr.write(run.stderr)
  process.exit(run.status)
}
