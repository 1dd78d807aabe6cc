/// <reference types="node" />
// The tests' local network, as its own process (run from sources: node --conditions=@wisp/source
// --import tsx). Prints `WISP_READY {json}` once everything is up; stops everything on SIGTERM.
// argv[2]: the built app to serve.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ANVIL_DEV_KEYS, deployLocalNetwork, startAnvil, WAD } from '@wisp/contracts/dev'
import { parseOperatorConfig } from '@wisp/operator'
import { createRelay } from '@wisp/p2p/node'
// @wisp/node has no package entry yet (its exports point at a missing src/index.ts): import its modules
import { startWispNode } from '../../../../packages/node/src/run.ts'
import { keysFromEcdsa } from '../../../../packages/node/src/signers.ts'
import { createLocalFaucet, startWebServer } from '../../src/server/index.ts'
import type { LocalNetworkInfo } from './types.ts'

export const NAMESPACE = 'wisp-web-test'
export const ITERATIONS = 2000

const outDir = process.argv[2]
if (!outDir) throw new Error('usage: local-network.ts <built app dir>')

const quiet = {
  debug() {},
  info() {},
  warn() {},
  error: (message: string, fields?: Record<string, unknown>) =>
    process.stderr.write(
      `[local network] ${message} ${JSON.stringify(fields ?? {}, (_k, v) => (typeof v === 'bigint' ? String(v) : v))}\n`,
    ),
  child: () => quiet,
}

const dataDir = mkdtempSync(join(tmpdir(), 'wisp-web-net-'))
const stops: Array<() => Promise<unknown>> = []

async function stopAll(): Promise<void> {
  for (const stop of stops.splice(0)) await stop().catch(() => undefined)
  rmSync(dataDir, { recursive: true, force: true })
}

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => void stopAll().then(() => process.exit(0)))
}

try {
  const anvil = await startAnvil({})
  stops.unshift(() => anvil.stop())
  const net = await deployLocalNetwork({
    rpcUrl: anvil.rpcUrl,
    openAggregator: true,
    operators: [{ votingPower: 20n * WAD }],
    taskDefinitions: [
      {
        name: 'hash-chain',
        baseRewardFeeForAttesters: WAD / 100n,
        baseRewardFeeForPerformer: WAD / 50n,
        baseRewardFeeForAggregator: WAD / 100n,
      },
    ],
  })
  const definitionId = net.taskDefinitions[0]!.id
  const relay = await createRelay({ listen: ['/ip4/127.0.0.1/tcp/0/ws'], topicNamespace: NAMESPACE })
  stops.unshift(() => relay.stop())
  const relayAddress = relay.getMultiaddrs()[0]!
  const operator = net.operators[0]!
  // one network config for the Node operator and the browsers (each runtime picks its roles)
  const config = parseOperatorConfig({
    version: 1,
    network: { name: 'Wisp test network', kind: 'local' },
    chain: {
      rpcUrl: anvil.rpcUrl,
      chainId: net.chainId,
      attestationCenter: net.contracts.attestationCenter,
      pollingIntervalMs: 500,
    },
    p2p: { bootstrap: [relayAddress], topicNamespace: NAMESPACE },
    election: { windowBlocks: 0 },
    attester: { validateTimeoutMs: 3000 },
    aggregator: { delayMs: 1500 },
    plugins: [
      {
        package: '@wisp/plugin-hash-chain',
        taskDefinitionIds: [definitionId],
        config: { iterations: ITERATIONS },
      },
    ],
  })
  const node = await startWispNode(
    {
      name: 'operator',
      keys: keysFromEcdsa(operator.ecdsaKey, operator.blsSecretKey),
      operator: {
        ...config,
        roles: ['attester', 'aggregator'],
        jsonRpc: { port: 0, host: '127.0.0.1' },
        dataDir: join(dataDir, 'operator'),
      },
    },
    { logger: quiet },
  )
  stops.unshift(() => node.stop())

  const web = await startWebServer({
    config,
    dir: outDir,
    build: 'never',
    // ETH and 1 stake token (voting power 1) per browser operator, by plain transfers; it
    // registers from its wallet. Small next to the Node operator's 20: the browsers the test files
    // leave registered and offline must not keep the network below its threshold
    faucet: {
      handler: createLocalFaucet({
        rpcUrl: anvil.rpcUrl,
        stakeToken: net.contracts.stakeToken,
        funderKey: ANVIL_DEV_KEYS[0],
        stake: 10n ** 18n,
      }),
    },
    onError: (err) => process.stderr.write(`[faucet] ${err.message}\n`),
  })
  stops.unshift(() => web.close())

  const info: Omit<LocalNetworkInfo, 'fixtures' | 'setupMs'> = {
    webUrl: web.url,
    rpcUrl: anvil.rpcUrl,
    chainId: net.chainId,
    attestationCenter: net.contracts.attestationCenter,
    registry: net.contracts.registry,
    jsonRpcUrl: node.jsonRpc!.url,
    performerKey: operator.ecdsaKey,
    performerAddress: operator.address,
    definitionId,
    iterations: ITERATIONS,
    relay: relayAddress,
  }
  process.stdout.write(`WISP_READY ${JSON.stringify(info)}\n`)
} catch (err) {
  process.stderr.write(`local network failed: ${(err as Error).stack}\n`)
  await stopAll()
  process.exit(1)
}
