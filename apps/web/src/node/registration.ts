// Is this browser's operator registered? And, for someone without a browser wallet, the
// registerAsOperator call to send from any wallet (with the proof of possession the signer worker
// made). Registration from an injected wallet is in ./wallet.ts.
import { createChainTransport, getOperatorStanding, getRegistryAddress } from '@wisp/chain'
import { operatorRegistryAbi } from '@wisp/contracts'
import type { Remote } from 'comlink'
import { type Address, createPublicClient, encodeFunctionData, type PublicClient } from 'viem'
import type { WispWebConfig } from '../config.js'
import { unwrap } from '../signer/client.js'
import type { KeyProfile, SignerService } from '../signer/protocol.js'

/** The operator's BLS key and its proof of possession, as the registry takes them (0x-hex words). */
export interface RegistrationRequest {
  address: Address
  /** G2 key as uint256[4] = [x.re, x.im, y.re, y.im] */
  blsPublicKey: [Address, Address, Address, Address]
  /** G1 signature [x, y] bound to (address, registry, chain id) */
  proofOfPossession: [Address, Address]
}

export interface OperatorState {
  registered: boolean
  operatorId?: number
  active: boolean
  votingPower: string
}

const clients = new WeakMap<WispWebConfig, PublicClient>()

/** The page's reads of the chain: the config's RPC list (the later URLs take over on a failure or a 429). */
export function chainClient(config: WispWebConfig): PublicClient {
  let c = clients.get(config)
  if (c === undefined) {
    c = createPublicClient({
      transport: createChainTransport(config.chain.rpcUrls ?? [config.chain.rpcUrl], {
        retryCount: 1,
        timeoutMs: 10_000,
      }),
    })
    clients.set(config, c)
  }
  return c
}

async function registryOf(config: WispWebConfig): Promise<Address> {
  return getRegistryAddress(chainClient(config), { attestationCenter: config.chain.attestationCenter })
}

/** Through the config's chain backend: Wisp's contracts or an Othentic deployment. */
export async function readOperatorState(config: WispWebConfig, address: Address): Promise<OperatorState> {
  const standing = await getOperatorStanding(chainClient(config), {
    attestationCenter: config.chain.attestationCenter,
    account: address,
    backend: config.chain.backend,
  })
  if (standing.operatorId === undefined) return { registered: false, active: false, votingPower: '0' }
  return {
    registered: true,
    operatorId: standing.operatorId,
    active: standing.active,
    votingPower: standing.votingPower.toString(),
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

/** The calldata to send from the operator's address with any wallet (or `wisp operator register`). */
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
