// `wisp peer-id`: the libp2p peer id a node has (or will have), without starting it — what other
// peers put after /p2p/ in their bootstrap address. From OTHENTIC_BOOTSTRAP_SEED when set (the
// aggregator's id in Othentic's layout), else from the identity a node keeps in its data dir.
import { readFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { NodeError } from '../errors.js'
import type { ToolIo } from '../tool-io.js'

export const PEER_ID_USAGE = `Usage: wisp peer-id [--p2p.datadir <dir>]

Prints the peer id of a node without starting it: the seed in OTHENTIC_BOOTSTRAP_SEED when it is set
(the bootstrap aggregator's id), else the identity kept in the data directory (identity.seed,
written by a node's first start).

  --p2p.datadir <dir>   the node's data directory   [.wisp/aggregator]
  -h, --help            this text
`

function bad(message: string): never {
  throw new NodeError('NODE_BAD_FLAGS', message)
}

export async function run(argv: string[], io: ToolIo): Promise<void> {
  let values: { 'p2p.datadir'?: string; help?: boolean }
  try {
    values = parseArgs({
      args: argv,
      options: { 'p2p.datadir': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: false,
    }).values
  } catch (err) {
    bad(`${(err as Error).message.split('\n')[0]} (see wisp peer-id --help)`)
  }
  if (values.help) {
    io.stdout.write(PEER_ID_USAGE)
    return
  }
  const { peerIdFromSeed, SEED_FILE, seedFromHex } = await import('@wisp/p2p/node')
  const fromEnv = io.env.OTHENTIC_BOOTSTRAP_SEED?.trim()
  let seed: string
  if (fromEnv) {
    try {
      seed = seedFromHex(fromEnv, 'OTHENTIC_BOOTSTRAP_SEED')
    } catch (cause) {
      throw new NodeError('NODE_BAD_FLAGS', (cause as Error).message, { cause })
    }
  } else {
    const dir = resolve(io.cwd, values['p2p.datadir'] ?? '.wisp/aggregator')
    const path = join(dir, SEED_FILE)
    let text: string
    try {
      text = await readFile(path, 'utf8')
    } catch (err) {
      const code = (err as { code?: string }).code
      bad(
        code === 'ENOENT'
          ? `no identity in ${dir} yet (a node writes ${SEED_FILE} on its first start), and OTHENTIC_BOOTSTRAP_SEED is not set`
          : `cannot read ${path} (${code})`,
      )
    }
    try {
      seed = seedFromHex(text.trim(), path)
    } catch (cause) {
      throw new NodeError('NODE_BAD_FLAGS', (cause as Error).message, { cause })
    }
  }
  io.stdout.write(`${await peerIdFromSeed(seed)}\n`)
}
