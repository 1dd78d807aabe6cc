// Operator lifecycle: stake, register with a BLS key and its proof of possession, update the key,
// unregister, re-sync voting power.
import { type SecretKey, signProofOfPossession } from '@wisp/bls'
import { attestationCenterAbi, operatorRegistryAbi, testERC20Abi } from '@wisp/contracts'
import { type Account, type Address, decodeEventLog, getAddress, isAddressEqual } from 'viem'
import { getChainId } from 'viem/actions'
import { ChainError, toChainError } from '../errors.js'
import { type AnyClient, type WriteOptions, type WriteResult, writeAndWait } from '../transact.js'
import { type G1Like, type G2Like, g1Words, g2Words, operatorIdWords } from './encoding.js'
import { getRegistryAddress } from './read.js'

/**
 * A BLS key to register: the secret key (the proof of possession is signed here), or a public key
 * with a proof of possession made elsewhere (e.g. inside a worker that keeps the key).
 */
export type BlsKeyInput = { blsSecretKey: SecretKey } | { blsPublicKey: G2Like; proofOfPossession: G1Like }

function senderOf(client: AnyClient, options: WriteOptions): Address {
  const account = options.account ?? client.account
  if (account === undefined) throw new ChainError('CHAIN_NO_ACCOUNT', 'this action needs an account')
  return typeof account === 'string' ? account : (account as Account).address
}

async function chainIdOf(client: AnyClient): Promise<number> {
  if (client.chain) return client.chain.id
  try {
    return await getChainId(client)
  } catch (err) {
    throw toChainError(err, { functionName: 'eth_chainId' })
  }
}

async function keyAndProof(
  client: AnyClient,
  input: BlsKeyInput,
  context: { operator: Address; contract: Address },
): Promise<{ key: readonly [bigint, bigint, bigint, bigint]; proof: readonly [bigint, bigint] }> {
  if ('blsSecretKey' in input) {
    const chainId = await chainIdOf(client)
    const proof = signProofOfPossession(input.blsSecretKey, { ...context, chainId })
    return { key: input.blsSecretKey.publicKey.toEvm(), proof: proof.toEvm() }
  }
  return {
    key: g2Words(input.blsPublicKey, 'BLS public key'),
    proof: g1Words(input.proofOfPossession, 'proof of possession'),
  }
}

/** ERC-20 `approve` (e.g. the stake token for the registry before `depositStake`). */
export function approveToken(
  client: AnyClient,
  params: { token: Address; spender: Address; amount: bigint } & WriteOptions,
): Promise<WriteResult> {
  return writeAndWait(
    client,
    {
      address: params.token,
      abi: testERC20Abi,
      functionName: 'approve',
      args: [params.spender, params.amount],
    },
    params,
  )
}

/**
 * Stakes `amount` of `stakingContract` tokens in the registry (pulled from the sender, who must
 * have approved the registry), for the sender or, with `operator`, on its behalf.
 */
export async function depositStake(
  client: AnyClient,
  params: {
    attestationCenter: Address
    registry?: Address
    stakingContract: Address
    amount: bigint
    operator?: Address
  } & WriteOptions,
): Promise<WriteResult> {
  const registry = await getRegistryAddress(client, params)
  return writeAndWait(
    client,
    params.operator === undefined
      ? {
          address: registry,
          abi: operatorRegistryAbi,
          functionName: 'depositStake',
          args: [params.stakingContract, params.amount],
        }
      : {
          address: registry,
          abi: operatorRegistryAbi,
          functionName: 'depositStakeFor',
          args: [params.operator, params.stakingContract, params.amount],
        },
    params,
  )
}

export interface RegisterOperatorResult extends WriteResult {
  operatorId: number
}

/**
 * Registers the sender as an operator with a BLS key and its proof of possession (bound to the
 * registry and the chain id). Voting power comes from the stake already deposited.
 */
export async function registerOperator(
  client: AnyClient,
  params: { attestationCenter: Address; registry?: Address } & BlsKeyInput & WriteOptions,
): Promise<RegisterOperatorResult> {
  const registry = await getRegistryAddress(client, params)
  const operator = senderOf(client, params)
  const { key, proof } = await keyAndProof(client, params, { operator, contract: registry })
  const result = await writeAndWait(
    client,
    {
      address: registry,
      abi: operatorRegistryAbi,
      functionName: 'registerAsOperator',
      args: [key, { signature: proof }],
    },
    params,
  )
  for (const log of result.receipt.logs) {
    if (!isAddressEqual(log.address, registry)) continue
    try {
      const event = decodeEventLog({ abi: operatorRegistryAbi, data: log.data, topics: log.topics })
      if (event.eventName === 'OperatorRegistered') {
        return { ...result, operatorId: Number(event.args.operatorId) }
      }
    } catch {
      // another event
    }
  }
  throw new ChainError(
    'CHAIN_UNEXPECTED',
    'registerAsOperator succeeded without an OperatorRegistered event',
    {
      details: { txHash: result.txHash },
    },
  )
}

/** Deactivates the sender (it keeps its id and may register again; its stake unlocks after the delay). */
export async function unregisterOperator(
  client: AnyClient,
  params: { attestationCenter: Address; registry?: Address } & WriteOptions,
): Promise<WriteResult> {
  const registry = await getRegistryAddress(client, params)
  return writeAndWait(
    client,
    { address: registry, abi: operatorRegistryAbi, functionName: 'unregisterAsOperator' },
    params,
  )
}

/** Replaces the sender's BLS key; the proof of possession is bound to the AttestationCenter. */
export async function updateBlsKey(
  client: AnyClient,
  params: { attestationCenter: Address } & BlsKeyInput & WriteOptions,
): Promise<WriteResult> {
  const operator = senderOf(client, params)
  const { key, proof } = await keyAndProof(client, params, {
    operator,
    contract: getAddress(params.attestationCenter),
  })
  return writeAndWait(
    client,
    {
      address: params.attestationCenter,
      abi: attestationCenterAbi,
      functionName: 'updateBlsKey',
      args: [key, { signature: proof }],
    },
    params,
  )
}

/** Recomputes the stored voting power of these operators from their stake (permissionless). */
export async function syncVotingPower(
  client: AnyClient,
  params: { attestationCenter: Address; registry?: Address; operatorIds: readonly number[] } & WriteOptions,
): Promise<WriteResult> {
  const registry = await getRegistryAddress(client, params)
  return writeAndWait(
    client,
    {
      address: registry,
      abi: operatorRegistryAbi,
      functionName: 'syncVotingPower',
      args: [operatorIdWords(params.operatorIds, 'operator ids')],
    },
    params,
  )
}

/** Recomputes a definition's voting-power snapshot (permissionless). */
export function refreshTaskDefinitionVotingPower(
  client: AnyClient,
  params: { attestationCenter: Address; id: number } & WriteOptions,
): Promise<WriteResult> {
  return writeAndWait(
    client,
    {
      address: params.attestationCenter,
      abi: attestationCenterAbi,
      functionName: 'refreshTaskDefinitionVotingPower',
      args: [params.id],
    },
    params,
  )
}
