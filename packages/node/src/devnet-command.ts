// `wisp devnet …`: the local network lives in apps/devnet, which depends on this package (and on
// the web app), so this package cannot depend on it. It is found by name in the workspace at run
// time and parses its own flags: the argv is handed over untouched.
//
// The devnet exists only as TypeScript sources (a private workspace package, never built). In a
// checkout `wisp` always runs from sources (bin/wisp.mjs), with tsx and the @wisp/source
// condition loaded, so the devnet runs in this same process.
import { NodeError } from './errors.js'

const DEVNET_PACKAGE = '@wisp/devnet'

export async function devnet(argv: string[]): Promise<void> {
  let module: { runDevnetCli: (args: string[]) => Promise<void> }
  try {
    if (!import.meta.url.endsWith('.ts')) throw new Error('this wisp is a build (dist/), not the sources')
    module = (await import(DEVNET_PACKAGE)) as typeof module
  } catch (cause) {
    throw new NodeError(
      'NODE_BAD_FLAGS',
      `wisp devnet runs from a Wisp checkout: there, npx wisp devnet (or npm start) [${(cause as Error).message.split('\n')[0]}]`,
      { cause },
    )
  }
  await module.runDevnetCli(argv)
}
