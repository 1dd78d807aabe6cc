// Is this browser's operator registered? Register it on the local network (one click: the devnet's
// registration endpoint), or explain how on other networks (the registerAsOperator call the user
// sends from the operator's wallet, with the proof of possession the signer worker made).
import { getOperatorByAddress, getRegistryAddress } from '@wisp/chain'
import { operatorRegistryAbi } from '@wisp/contracts'
import type { Remote } from 'comlink'
import { type Address, createPublicClient, encodeFunctionData, http, type PublicClient } from 'viem'
import type { RegistrationRequest, RegistrationResponse, WispWebConfig } from '../config.js'
import { unwrap } from '../signer/client.js'
import type { KeyProfile, SignerService } from '../signer/protocol.js'

export interface OperatorState {
  registered: boolean
  operatorId?: number
  active: boolean
  votingPower: string
}

const clients = new WeakMap<WispWebConfig, PublicClient>()

function client(config: WispWebConfig): PublicClient {
  let c = clients.get(config)
  if (c === undefined) {
    c = createPublicClient({ transport: http(config.chain.rpcUrl, { retryCount: 1, timeout: 10_000 }) })
    clients.set(config, c)
  }
  return c
}

async function registryOf(config: WispWebConfig): Promise<Address> {
  return getRegistryAddress(client(config), { attestationCenter: config.chain.attestationCenter })
}

export async function readOperatorState(config: WispWebConfig, address: Address): Promise<OperatorState> {
  const record = await getOperatorByAddress(client(config), {
    attestationCenter: config.chain.attestationCenter,
    address,
  })
  if (record === undefined) return { registered: false, active: false, votingPower: '0' }
  return {
    registered: true,
    operatorId: record.id,
    active: record.active,
    votingPower: record.votingPower.toString(),
  }
}

function words(hex: `0x${string}`, count: number): `0x${string}`[] {
  const body = hex.slice(2)
  return Array.from({ length: count }, (_, i) => `0x${body.slice(i * 64, (i + 1) * 64)}` as `0x${string}`)
}

export async function registrationRequest(
  config: WispWebConfig,
  signer: Remote<SignerService>,
  profile: KeyProfile,
): Promise<RegistrationRequest & { registry: Address; chainId: number }> {
  const registry = await registryOf(config)
  const proofOfPossession = unwrap(
    await signer.proofOfPossession({ contract: registry, chainId: config.chain.chainId }),
  )
  return {
    address: profile.address,
    blsPublicKey: words(profile.blsPublicKey, 4) as RegistrationRequest['blsPublicKey'],
    proofOfPossession,
    registry,
    chainId: config.chain.chainId,
  }
}

/** POSTs to the local network's registration endpoint. */
export async function registerOnLocalNetwork(
  config: WispWebConfig,
  signer: Remote<SignerService>,
  profile: KeyProfile,
  baseUrl: string,
): Promise<RegistrationResponse> {
  if (config.registration === undefined) throw new Error('this network offers no registration endpoint')
  const { address, blsPublicKey, proofOfPossession } = await registrationRequest(config, signer, profile)
  const body: RegistrationRequest = { address, blsPublicKey, proofOfPossession }
  const response = await fetch(new URL(config.registration.url, baseUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  const answer = (await response.json().catch(() => ({}))) as Partial<RegistrationResponse> & {
    error?: { code?: string; message?: string }
  }
  if (!response.ok || typeof answer.operatorId !== 'number') {
    throw new Error(
      `registration failed (HTTP ${response.status}): ${answer.error?.message ?? answer.error?.code ?? 'no operator id in the answer'}`,
    )
  }
  return answer as RegistrationResponse
}

/** What to do on a network without a registration endpoint. */
export async function registrationInstructions(
  config: WispWebConfig,
  signer: Remote<SignerService>,
  profile: KeyProfile,
): Promise<{ registry: Address; chainId: number; calldata: `0x${string}`; request: RegistrationRequest }> {
  const r = await registrationRequest(config, signer, profile)
  const calldata = encodeFunctionData({
    abi: operatorRegistryAbi,
    functionName: 'registerAsOperator',
    args: [
      r.blsPublicKey.map((w) => BigInt(w)) as unknown as readonly [bigint, bigint, bigint, bigint],
      { signature: r.proofOfPossession.map((w) => BigInt(w)) as unknown as readonly [bigint, bigint] },
    ],
  })
  return {
    registry: r.registry,
    chainId: r.chainId,
    calldata,
    request: { address: r.address, blsPublicKey: r.blsPublicKey, proofOfPossession: r.proofOfPossession },
  }
}
