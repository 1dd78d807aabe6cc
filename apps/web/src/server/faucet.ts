/// <reference types="node" />
// The local network's faucet: tops up a new operator's address with ETH (for gas) and stake tokens,
// by plain transfers from a funded account — the same kind of transactions a faucet on a public
// testnet sends, and no anvil_* call. Registration is then the operator's own business, from its
// wallet (the page) or the CLI, exactly as on a public network. When the funder holds too few stake
// tokens and is the test token's minter, it mints the shortfall to itself first.
import { isChainError, writeAndWait } from '@wisp/chain'
import { testERC20Abi } from '@wisp/contracts'
import {
  type Address,
  createWalletClient,
  getAddress,
  type Hex,
  http,
  isAddressEqual,
  publicActions,
} from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import type { FaucetRequest, FaucetResponse } from '../config.js'
import type { FaucetHandler } from './serve.js'

export interface LocalFaucetOptions {
  rpcUrl: string
  /** the token staked to register (a staking contract of the registry) */
  stakeToken: Address
  /** the account that pays: it holds ETH and stake tokens (or mints the test token) */
  funderKey: Hex
  /** ETH the address is topped up to (wei); default 1 ETH */
  eth?: bigint
  /** stake tokens the address is topped up to (smallest unit); default 10 × 1e18 */
  stake?: bigint
}

/** A faucet failure with its code and HTTP status (the server answers `{ error: { code, message } }`). */
export class FaucetFailure extends Error {
  readonly code: string
  readonly status: number
  constructor(code: string, message: string, status = 500) {
    super(message)
    this.name = 'FaucetFailure'
    this.code = code
    this.status = status
  }
}

export function createLocalFaucet(options: LocalFaucetOptions): FaucetHandler {
  const funder = createWalletClient({
    account: privateKeyToAccount(options.funderKey),
    transport: http(options.rpcUrl, { retryCount: 1 }),
  }).extend(publicActions)
  const eth = options.eth ?? 10n ** 18n
  const stake = options.stake ?? 10n * 10n ** 18n
  const token = getAddress(options.stakeToken)
  const balanceOf = (who: Address) =>
    funder.readContract({ address: token, abi: testERC20Abi, functionName: 'balanceOf', args: [who] })

  async function step<T>(name: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run()
    } catch (err) {
      if (err instanceof FaucetFailure) throw err
      const code = isChainError(err) ? err.code : 'FAUCET_FAILED'
      const message = (err as Error).message.split('\n')[0]
      throw new FaucetFailure(code, `faucet step "${name}" failed: ${message}`)
    }
  }

  return async (request: FaucetRequest): Promise<FaucetResponse> => {
    const address = getAddress(request.address)
    const txHashes: Hex[] = []
    const ethBalance = await step('read ETH balance', () => funder.getBalance({ address }))
    if (ethBalance < eth) {
      await step('send ETH', async () => {
        const hash = await funder.sendTransaction({ to: address, value: eth - ethBalance, chain: null })
        const receipt = await funder.waitForTransactionReceipt({ hash, pollingInterval: 100 })
        if (receipt.status !== 'success') throw new Error(`ETH transfer ${hash} reverted`)
        txHashes.push(hash)
      })
    }
    const tokenBalance = await step('read stake-token balance', () => balanceOf(address))
    if (tokenBalance < stake) {
      const need = stake - tokenBalance
      const held = await step('read the funder’s stake tokens', () => balanceOf(funder.account.address))
      if (held < need) {
        const minter = await funder
          .readContract({ address: token, abi: testERC20Abi, functionName: 'minter' })
          .catch(() => undefined)
        if (minter === undefined || !isAddressEqual(minter, funder.account.address))
          throw new FaucetFailure(
            'FAUCET_EMPTY',
            `the faucet holds ${held} of the ${need} stake tokens it needs and cannot mint them`,
            503,
          )
        const minted = await step('mint stake tokens to the faucet', () =>
          writeAndWait(funder, {
            address: token,
            abi: testERC20Abi,
            functionName: 'mint',
            args: [funder.account.address, need - held],
          }),
        )
        txHashes.push(minted.txHash)
      }
      const sent = await step('send stake tokens', () =>
        writeAndWait(funder, {
          address: token,
          abi: testERC20Abi,
          functionName: 'transfer',
          args: [address, need],
        }),
      )
      txHashes.push(sent.txHash)
    }
    const [ethAfter, tokenAfter] = await step('read balances', () =>
      Promise.all([funder.getBalance({ address }), balanceOf(address)]),
    )
    return {
      address,
      stakeToken: token,
      ethBalance: ethAfter.toString(),
      stakeTokenBalance: tokenAfter.toString(),
      txHashes,
    }
  }
}
