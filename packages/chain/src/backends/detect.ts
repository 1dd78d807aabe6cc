// Which contract set is behind an AttestationCenter: one deployless multicall (one eth_call) asks
// the views both share and the two only Wisp's has, then the registry / OBLS is checked.
import { attestationCenterAbi, operatorRegistryAbi } from '@wisp/contracts'
import { type Address, type ContractFunctionParameters, getAddress, isAddress } from 'viem'
import { multicall } from 'viem/actions'
import { ChainError, toChainError } from '../errors.js'
import type { AnyClient } from '../transact.js'
import { createOthenticBackend } from './othentic.js'
import { othenticAttestationCenterAbi, othenticOblsAbi } from './othentic-abi.js'
import type { ChainBackend, ChainBackendKind, ChainBackendOption } from './types.js'
import { createWispBackend } from './wisp.js'

type ProbeResult = { status: 'success' | 'failure'; error?: unknown }

/** A multicall with allowFailure reports a dead RPC as a failure of every call: that is not an answer. */
function throwIfRpcFailed(results: readonly ProbeResult[], center: Address, what: string): void {
  for (const r of results) {
    if (r.status !== 'failure') continue
    const error = toChainError(r.error, { address: center, functionName: what })
    if (error.code === 'CHAIN_RPC_FAILED') throw error
  }
}

/** Views every AttestationCenter of either kind answers. */
const COMMON_PROBES = [
  'obls()',
  'taskNumber()',
  'numOfTaskDefinitions()',
  'getTaskDefinitionMinimumVotingPower(0)',
]
/** Views only Wisp's AttestationCenter has (an Othentic deployment reads these from the OBLS or logs). */
const WISP_PROBES = ['totalVotingPower()', 'taskDefinitionVotingPower(0)']

function notACenter(center: Address, why: string, cause?: unknown): ChainError {
  return new ChainError(
    'CHAIN_NOT_AN_ATTESTATION_CENTER',
    `the contract at ${center} answers as neither Wisp's nor Othentic's AttestationCenter: ${why}`,
    { details: { address: center, probed: [...COMMON_PROBES, ...WISP_PROBES] }, ...(cause ? { cause } : {}) },
  )
}

/**
 * 'wisp' or 'othentic', from what the AttestationCenter answers (one eth_call). A contract that
 * is neither (or no contract) is CHAIN_NOT_AN_ATTESTATION_CENTER naming the views that failed; an
 * unreachable RPC is CHAIN_RPC_FAILED.
 */
export async function detectChainBackend(
  client: AnyClient,
  params: { attestationCenter: Address },
): Promise<ChainBackendKind> {
  if (!isAddress(params.attestationCenter, { strict: false })) {
    throw new ChainError(
      'CHAIN_INVALID_INPUT',
      `attestationCenter ${params.attestationCenter} is not an address`,
    )
  }
  const center = getAddress(params.attestationCenter)
  const o = { address: center, abi: othenticAttestationCenterAbi } as const
  const w = { address: center, abi: attestationCenterAbi } as const
  let results: readonly ProbeResult[]
  try {
    results = await multicall(client, {
      contracts: [
        { ...o, functionName: 'obls' },
        { ...o, functionName: 'taskNumber' },
        { ...o, functionName: 'numOfTaskDefinitions' },
        { ...o, functionName: 'getTaskDefinitionMinimumVotingPower', args: [0] },
        { ...w, functionName: 'totalVotingPower' },
        { ...w, functionName: 'taskDefinitionVotingPower', args: [0] },
      ],
      allowFailure: true,
      deployless: true,
    })
  } catch (err) {
    throw toChainError(err, { address: center, functionName: 'backend probe (multicall)' })
  }
  throwIfRpcFailed(results, center, 'backend probe (multicall)')
  const failed = (names: string[], offset: number) =>
    names.filter((_, i) => results[offset + i]?.status !== 'success')
  const commonFailed = failed(COMMON_PROBES, 0)
  if (commonFailed.length > 0) throw notACenter(center, `${commonFailed.join(', ')} failed`)
  return failed(WISP_PROBES, COMMON_PROBES.length).length === 0 ? 'wisp' : 'othentic'
}

export interface CreateChainBackendParams {
  attestationCenter: Address
  /** default 'auto': {@link detectChainBackend} */
  backend?: ChainBackendOption
  /** check the registry / OBLS answers as that backend's (default true) */
  verify?: boolean
  /** othentic: first block to scan for TaskDefinitionCreated logs */
  fromBlock?: bigint
}

/**
 * The backend for an AttestationCenter, detected when `backend` is 'auto' (or absent). With
 * `verify`, the registry (Wisp) or OBLS (Othentic) behind `obls()` must answer as one:
 * CHAIN_NOT_AN_ATTESTATION_CENTER otherwise — also when the backend named does not fit the contract.
 */
export async function createChainBackend(
  client: AnyClient,
  params: CreateChainBackendParams,
): Promise<ChainBackend> {
  const option = params.backend ?? 'auto'
  if (option !== 'auto' && option !== 'wisp' && option !== 'othentic') {
    throw new ChainError(
      'CHAIN_INVALID_INPUT',
      `backend must be 'wisp', 'othentic' or 'auto', not ${JSON.stringify(option)}`,
    )
  }
  if (!isAddress(params.attestationCenter, { strict: false })) {
    throw new ChainError(
      'CHAIN_INVALID_INPUT',
      `attestationCenter ${params.attestationCenter} is not an address`,
    )
  }
  const center = getAddress(params.attestationCenter)
  const kind = option === 'auto' ? await detectChainBackend(client, { attestationCenter: center }) : option
  let backend: ChainBackend
  try {
    backend =
      kind === 'wisp'
        ? await createWispBackend(client, { attestationCenter: center })
        : await createOthenticBackend(client, {
            attestationCenter: center,
            ...(params.fromBlock === undefined ? {} : { fromBlock: params.fromBlock }),
          })
  } catch (err) {
    const error = toChainError(err, { address: center, functionName: 'obls' })
    if (error.code === 'CHAIN_RPC_FAILED') throw error
    throw notACenter(center, `obls() failed (${error.message}) for the ${kind} backend`, error)
  }
  if (params.verify !== false) await verifyBackend(client, backend)
  return backend
}

/** The registry / OBLS answers the views this backend reads (one eth_call). */
async function verifyBackend(client: AnyClient, backend: ChainBackend): Promise<void> {
  const { registry, attestationCenter: center } = backend
  const probes: readonly ContractFunctionParameters[] =
    backend.kind === 'wisp'
      ? ([
          { address: registry, abi: operatorRegistryAbi, functionName: 'numOfTotalOperators' },
          { address: center, abi: attestationCenterAbi, functionName: 'totalVotingPower' },
        ] as const)
      : ([
          { address: registry, abi: othenticOblsAbi, functionName: 'totalVotingPower' },
          { address: registry, abi: othenticOblsAbi, functionName: 'isActive', args: [0n] },
          { address: center, abi: othenticAttestationCenterAbi, functionName: 'numOfActiveOperators' },
        ] as const)
  const names =
    backend.kind === 'wisp'
      ? ['registry.numOfTotalOperators()', 'totalVotingPower()']
      : ['obls.totalVotingPower()', 'obls.isActive(0)', 'numOfActiveOperators()']
  let results: readonly ProbeResult[]
  try {
    results = await multicall(client, { contracts: probes, allowFailure: true, deployless: true })
  } catch (err) {
    throw toChainError(err, { address: center, functionName: 'backend check (multicall)' })
  }
  throwIfRpcFailed(results, center, 'backend check (multicall)')
  const failed = names.filter((_, i) => results[i]?.status !== 'success')
  if (failed.length > 0) {
    throw new ChainError(
      'CHAIN_NOT_AN_ATTESTATION_CENTER',
      `the contract at ${center} does not answer as a ${backend.kind} AttestationCenter: ${failed.join(', ')} failed (registry ${registry})`,
      { details: { address: center, registry, backend: backend.kind, failed } },
    )
  }
}
