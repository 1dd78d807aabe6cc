/// <reference types="node" />
// The local network's one-click registration, on anvil: fund the browser's operator address
// (anvil_setBalance), stake for it from a funded account (mint → approve → depositStakeFor), then
// send registerAsOperator *as* that address (anvil_impersonateAccount) with the BLS key and proof
// of possession the browser's signer worker made. The browser never needs to sign a transaction.
import {
  approveToken,
  depositStake,
  getOperatorByAddress,
  getRegistryAddress,
  registerOperator,
  writeAndWait,
} from '@wisp/chain'
import { testERC20Abi } from '@wisp/contracts'
import { type Address, createWalletClient, getAddress, type Hex, http, publicActions } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import type { RegistrationRequest, RegistrationResponse } from '../config.js'
import type { RegistrationHandler } from './serve.js'

export interface AnvilRegistrarOptions {
  rpcUrl: string
  attestationCenter: Address
  /** the stake token registered as a staking contract (LocalNetwork.contracts.stakeToken) */
  stakeToken: Address
  /** an account that may mint the (test) stake token and pays for staking: the deployer */
  funderKey: Hex
  /** stake deposited for each browser operator (voting power = stake × multiplier); default 1e18 */
  stake?: bigint
  /** ETH balance given to the operator address (wei); default 1 ETH */
  balance?: bigint
}

export class RegistrationFailure extends Error {
  readonly code: string
  readonly status: number
  constructor(code: string, message: string, status = 500) {
    super(message)
    this.name = 'RegistrationFailure'
    this.code = code
    this.status = status
  }
}

export function createAnvilRegistrar(options: AnvilRegistrarOptions): RegistrationHandler {
  const transport = http(options.rpcUrl, { retryCount: 1 })
  const funder = createWalletClient({ account: privateKeyToAccount(options.funderKey), transport }).extend(
    publicActions,
  )
  const stake = options.stake ?? 10n ** 18n
  const balance = options.balance ?? 10n ** 18n
  const center = { attestationCenter: getAddress(options.attestationCenter) }

  return async (request: RegistrationRequest): Promise<RegistrationResponse> => {
    const address = getAddress(request.address)
    const existing = await getOperatorByAddress(funder, { ...center, address })
    if (existing?.active) return { operatorId: existing.id, votingPower: existing.votingPower.toString() }
    if (existing?.ejected) throw new RegistrationFailure('OPERATOR_EJECTED', `${address} was ejected`, 409)
    const registry = await getRegistryAddress(funder, center)

    await funder.request({
      method: 'anvil_setBalance' as never,
      params: [address, `0x${balance.toString(16)}`] as never,
    })
    await writeAndWait(funder, {
      address: options.stakeToken,
      abi: testERC20Abi,
      functionName: 'mint',
      args: [funder.account.address, stake],
    })
    await approveToken(funder, { token: options.stakeToken, spender: registry, amount: stake })
    await depositStake(funder, {
      ...center,
      registry,
      stakingContract: options.stakeToken,
      amount: stake,
      operator: address,
    })

    const key = request.blsPublicKey.map((w) => BigInt(w)) as unknown as readonly [
      bigint,
      bigint,
      bigint,
      bigint,
    ]
    const proof = request.proofOfPossession.map((w) => BigInt(w)) as unknown as readonly [bigint, bigint]
    await funder.request({ method: 'anvil_impersonateAccount' as never, params: [address] as never })
    try {
      const operator = createWalletClient({ account: address, transport }).extend(publicActions)
      const result = await registerOperator(operator, {
        ...center,
        registry,
        blsPublicKey: key,
        proofOfPossession: proof,
      }).catch((err: Error & { code?: string }) => {
        // a wrong key or proof is the caller's fault
        const code = err.code ?? 'REGISTRATION_FAILED'
        throw new RegistrationFailure(code, err.message, /BLS|Auth|Signature/i.test(code) ? 400 : 500)
      })
      const record = await getOperatorByAddress(funder, { ...center, registry, address })
      return {
        operatorId: result.operatorId,
        txHash: result.txHash,
        votingPower: (record?.votingPower ?? 0n).toString(),
      }
    } finally {
      await funder
        .request({ method: 'anvil_stopImpersonatingAccount' as never, params: [address] as never })
        .catch(() => undefined)
    }
  }
}
