// Builds a small AVS of engines on a MemoryGossipBus and a ModelChain, with real keys (ECDSA via
// viem, BLS via @wisp/bls), real plugins and real stores.
import { createInlineVerifier, SecretKey } from '@wisp/bls'
import type { WispPlugin } from '@wisp/plugin-sdk'
import { type KeyValueStore, MemoryStore } from '@wisp/storage'
import { type Hex, hexToBytes, toHex } from 'viem'
import { privateKeyToAccount, sign } from 'viem/accounts'
import {
  createEngine,
  type Engine,
  type EngineComponents,
  type EngineOptions,
  type OperatorRecord,
} from '../../src/index.js'
import { MemoryGossipBus } from './memory-network.js'
import { ModelChain } from './model-chain.js'

export interface TestOperator {
  id: number
  ecdsaKey: Hex
  address: `0x${string}`
  bls: SecretKey
}

export function makeOperators(
  count: number,
  votingPower = 100n,
): { operators: TestOperator[]; records: OperatorRecord[] } {
  const operators = Array.from({ length: count }, (_, i) => {
    const ecdsaKey = toHex(BigInt(i + 1) * 0x1111111111111111n, { size: 32 })
    return {
      id: i + 1,
      ecdsaKey,
      address: privateKeyToAccount(ecdsaKey).address,
      bls: SecretKey.fromEcdsaPrivateKey(ecdsaKey),
    }
  })
  const records = operators.map((o) => ({
    id: o.id,
    address: o.address,
    blsPublicKey: o.bls.publicKey.toBytes(),
    votingPower,
    active: true,
  }))
  return { operators, records }
}

export interface NodeSpec {
  operator: TestOperator
  options: Omit<EngineOptions, 'runtime' | 'operatorAddress'>
  plugins: Array<{ plugin: WispPlugin<never> | WispPlugin<unknown>; config: unknown }>
  store?: KeyValueStore
  /** extra or replaced components (metrics, clock, fetch) */
  components?: Partial<Pick<EngineComponents, 'metrics' | 'now' | 'fetch' | 'logger'>>
}

export function startNode(bus: MemoryGossipBus, chain: ModelChain, spec: NodeSpec): Engine {
  const { operator } = spec
  return createEngine(
    { runtime: 'node', operatorAddress: operator.address, ...spec.options },
    {
      gossip: bus.join(`peer-${operator.id}-${Math.random().toString(36).slice(2, 6)}`, operator.id),
      chain,
      store: spec.store ?? new MemoryStore(),
      verifier: createInlineVerifier(),
      blsSigner: {
        publicKey: operator.bls.publicKey.toBytes(),
        sign: async (domain, digest) => operator.bls.sign(domain, digest).toBytes(),
      },
      ecdsaSigner: {
        address: operator.address,
        signHash: async (hash) => sign({ hash, privateKey: operator.ecdsaKey, to: 'hex' }),
      },
      plugins: spec.plugins,
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
      ...spec.components,
    },
  )
}

export { hexToBytes, MemoryGossipBus, ModelChain }
