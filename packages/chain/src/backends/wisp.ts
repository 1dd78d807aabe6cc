// The wisp backend: Wisp's own AttestationCenter and OperatorRegistry (the reads of actions/read.ts).
import { type Address, getAddress } from 'viem'
import {
  getNetworkTotal,
  getOperatorId,
  getOperators,
  getRegistryAddress,
  getTaskDefinition,
  getTaskDefinitions,
} from '../actions/read.js'
import type { AnyClient } from '../transact.js'
import type { ChainBackend } from './types.js'

export async function createWispBackend(
  client: AnyClient,
  params: { attestationCenter: Address; registry?: Address },
): Promise<ChainBackend> {
  const attestationCenter = getAddress(params.attestationCenter)
  const registry = await getRegistryAddress(client, {
    attestationCenter,
    ...(params.registry ? { registry: params.registry } : {}),
  })
  const center = { attestationCenter, registry }
  return {
    kind: 'wisp',
    attestationCenter,
    registry,
    watched: [attestationCenter, registry],
    getOperators: () => getOperators(client, center),
    getOperatorId: (address) => getOperatorId(client, { ...center, address }),
    getNetworkTotal: () => getNetworkTotal(client, center),
    getTaskDefinitions: () => getTaskDefinitions(client, center),
    getTaskDefinition: (id) => getTaskDefinition(client, { ...center, id }),
  }
}
