// Registration from a browser wallet, in real headless Chromium against the local network (anvil).
// There is no wallet extension here: the double of one (test/support/wallet.ts) is a provider
// object injected on the page as `window.ethereum` that forwards JSON-RPC to anvil and signs
// eth_sendTransaction in Node with the account's private key. Everything else is real: the page's
// viem wallet client, @wisp/chain's approve/deposit/register, the signer worker's proof of
// possession, the faucet's transfers, the contracts, the relay and the aggregator that includes the
// page's vote on chain.
import { mkdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { getOperatorByAddress, getTaskEvents } from '@wisp/chain'
import { launchChromium } from '@wisp/test-utils'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { bytesToHex, createPublicClient, type Hex, http } from 'viem'
import { generatePrivateKey } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { openApp, PASSPHRASE, pageWallet, waitForWisp, wisp } from './support/browser.ts'
import { sendTask } from './support/tasks.ts'
import { addWalletKey, installWallet, registerWithWalletDouble, type WalletDouble } from './support/wallet.ts'

const net = inject('wisp')
const shots = fileURLToPath(new URL('../test-results/screenshots/', import.meta.url))
const chain = createPublicClient({ transport: http(net.rpcUrl) })
let browser: Browser
let context: BrowserContext
let page: Page
let wallet: WalletDouble
let operator: Hex

beforeAll(async () => {
  mkdirSync(shots, { recursive: true })
  browser = await launchChromium()
  context = await browser.newContext({ viewport: { width: 1280, height: 1000 } })
})

afterAll(async () => {
  await browser?.close()
})

/** The operator's wallet key, imported into the page too (its BLS key is derived from it there). */
async function importKey(p: Page, key: Hex): Promise<void> {
  await p.getByTestId('onboard-import-ecdsa').click()
  await p.getByTestId('secret-text').fill(key)
  await p.getByTestId('passphrase').fill(PASSPHRASE)
  await p.getByTestId('passphrase-confirm').fill(PASSPHRASE)
  await p.getByTestId('onboard-submit').click()
}

async function registerError(p: Page, code: string) {
  const w = await waitForWisp(p, `w.registerError?.code === '${code}'`)
  await expect.poll(() => p.getByTestId('register-error').textContent()).toContain(code)
  return w.registerError!
}

describe('registration from a browser wallet', () => {
  it('says so when there is no wallet', async () => {
    const other = await browser.newContext()
    const p = await openApp(other, net.webUrl, 'no wallet')
    await importKey(p, generatePrivateKey())
    await waitForWisp(p, "w.view === 'register'")
    await p.getByTestId('wallet-connect').click()
    expect((await registerError(p, 'WALLET_NOT_FOUND')).message).toContain('window.ethereum')
    await other.close()
  })

  it('says so when the wallet holds another account than the operator', async () => {
    const other = await browser.newContext()
    const p = await openApp(other, net.webUrl, 'other account')
    const stranger = addWalletKey(generatePrivateKey())
    await installWallet(p, { rpcUrl: net.rpcUrl, chainId: net.chainId, accounts: () => [stranger] })
    await importKey(p, generatePrivateKey())
    await waitForWisp(p, "w.view === 'register'")
    await p.getByTestId('wallet-connect').click()
    await waitForWisp(p, `w.wallet?.account === '${stranger}'`)
    await expect.poll(() => p.getByTestId('wallet-account').textContent()).toContain('not this operator')
    await p.getByTestId('register-submit').click()
    expect((await registerError(p, 'WALLET_WRONG_ACCOUNT')).message).toContain(stranger)
    await other.close()
  })

  it('says so when the wallet cannot be put on the chain', async () => {
    const other = await browser.newContext()
    const p = await openApp(other, net.webUrl, 'wrong chain')
    const key = generatePrivateKey()
    addWalletKey(key)
    await installWallet(p, {
      rpcUrl: net.rpcUrl,
      chainId: net.chainId,
      startChainId: 1,
      knowsChain: false,
      canAddChain: false,
    })
    await importKey(p, key)
    await waitForWisp(p, "w.view === 'register'")
    await p.getByTestId('wallet-connect').click()
    expect((await registerError(p, 'WALLET_WRONG_CHAIN')).message).toContain(
      `could not add chain ${net.chainId}`,
    )
    await expect
      .poll(() => p.getByTestId('wallet-chain').textContent())
      .toContain(`wrong: needs ${net.chainId}`)
    await other.close()
  })

  it('connects, switches the wallet from another chain (adding it), shows account and chain', async () => {
    const key = generatePrivateKey()
    operator = addWalletKey(key)
    page = await openApp(context, net.webUrl, 'wallet')
    // the wallet starts on chain 1 and has never heard of the local chain: switch → 4902 → add
    wallet = await pageWallet(page, { startChainId: 1, knowsChain: false })
    await importKey(page, key)
    const w = await waitForWisp(page, "w.view === 'register' && w.funds !== undefined")
    expect(w.profile?.address).toBe(operator)
    expect(w.funds).toMatchObject({ eth: '0', tokens: '0', staked: '0' })
    await page.getByTestId('wallet-connect').click()
    const connected = await waitForWisp(page, `w.wallet?.chainId === ${net.chainId}`)
    expect(connected.wallet?.account).toBe(operator)
    expect(wallet.calls).toEqual(
      expect.arrayContaining([
        'eth_requestAccounts',
        'wallet_switchEthereumChain',
        'wallet_addEthereumChain',
      ]),
    )
    expect(wallet.chainId()).toBe(net.chainId)
    await expect.poll(() => page.getByTestId('wallet-account').textContent()).toContain('this operator')
    await expect.poll(() => page.getByTestId('wallet-chain').textContent()).toContain('right chain')
    expect(connected.registerError).toBeUndefined()
  })

  it('refuses to register with nothing to stake or too little, before the wallet is asked for anything', async () => {
    const before = wallet.calls.length
    // nothing staked and no stake entered: the operator would have no voting power
    await page.getByTestId('register-submit').click()
    await registerError(page, 'WALLET_NO_STAKE')
    // more than the operator holds (none yet)
    await page.getByTestId('stake-amount').fill('5')
    await page.getByTestId('register-submit').click()
    expect((await registerError(page, 'WALLET_INSUFFICIENT_FUNDS')).message).toContain('less than the')
    await page.getByTestId('stake-amount').fill('five')
    await page.getByTestId('register-submit').click()
    await registerError(page, 'WALLET_INVALID_AMOUNT')
    expect(wallet.calls.slice(before)).not.toContain('eth_sendTransaction')
    expect(wallet.sent).toEqual([])
  })

  it('funds the address from the local faucet (plain transfers)', async () => {
    await page.getByTestId('faucet-submit').click()
    const w = await waitForWisp(page, 'w.funds !== undefined && BigInt(w.funds.tokens) > 0n')
    // the test network's faucet: 1 ETH and 1 stake token
    expect(w.funds).toMatchObject({ eth: String(10n ** 18n), tokens: String(10n ** 18n), staked: '0' })
    expect(await page.getByTestId('stake-amount').inputValue()).toBe('1')
    await page.getByTestId('register').screenshot({ path: `${shots}register-wallet.png` })
    await page.setViewportSize({ width: 390, height: 844 })
    await page.screenshot({ path: `${shots}register-wallet-phone.png`, fullPage: true })
    expect(
      await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth),
    ).toBeLessThanOrEqual(0)
    await page.setViewportSize({ width: 1280, height: 1000 })
  })

  it('the user rejects the first transaction (4001): a coded message, nothing sent', async () => {
    wallet.rejectNext('eth_sendTransaction')
    await page.getByTestId('register-submit').click()
    const error = await registerError(page, 'WALLET_USER_REJECTED')
    expect(error.message).toContain('Approve the stake token')
    expect(wallet.sent).toEqual([])
    expect(await chain.getTransactionCount({ address: operator })).toBe(0)
    expect(
      await getOperatorByAddress(chain, { attestationCenter: net.attestationCenter, address: operator }),
    ).toBeUndefined()
    expect((await wisp(page)).view).toBe('register')
    expect(await page.locator('#register-steps [data-step="approve"]').getAttribute('data-state')).toBe(
      'failed',
    )
    await page.getByTestId('register').screenshot({ path: `${shots}register-rejected.png` })
  })

  it('a step that fails on chain is named (the user cut its gas limit in the wallet)', async () => {
    wallet.gasLimitNext(25_000n)
    await page.getByTestId('register-submit').click()
    const error = await registerError(page, 'WALLET_STEP_FAILED')
    expect(error.message).toContain('Approve the stake token')
    // e.g. "… failed: CHAIN_TX_FAILED: transaction 0x… reverted (gas used 25000) and the replay gives no reason"
    expect(error.message).toMatch(/CHAIN_TX_FAILED.*reverted \(gas used 25000\)/)
    expect(wallet.sent).toHaveLength(1)
    const receipt = await chain.getTransactionReceipt({ hash: wallet.sent[0]! })
    expect(receipt.status).toBe('reverted')
    expect(await page.locator('#register-steps [data-step="approve"]').getAttribute('data-state')).toBe(
      'failed',
    )
  })

  it('stakes and registers from the wallet, then attests: its vote is included on chain', async () => {
    await page.getByTestId('register-submit').click()
    const running = await waitForWisp(
      page,
      "w.view === 'dashboard' && w.status?.phase === 'running' && w.status.p2p.relayConnected && w.status.p2p.meshPeers > 0",
    )
    // the failed approve, then approve, deposit, register: all signed by the wallet
    expect(wallet.sent).toHaveLength(4)
    expect(await chain.getTransactionCount({ address: operator })).toBe(4)
    const record = await getOperatorByAddress(chain, {
      attestationCenter: net.attestationCenter,
      address: operator,
    })
    expect(record?.active).toBe(true)
    expect(record?.votingPower).toBe(10n ** 18n)
    const operatorId = running.status!.operator.operatorId
    expect(operatorId).toBe(record!.id)

    // The aggregator learns about a new operator on its first vote: one task first, then one more
    // (sendTask is idempotent per seed, so each is a fresh task)
    const from = await chain.getBlockNumber()
    const tasks = [await sendTask(net)]
    await waitForWisp(
      page,
      `w.status.tasks.some((t) => t.taskHash === '${tasks[0]!.taskHash}' && t.outcome?.confirmed)`,
    )
    tasks.push(await sendTask(net))
    await waitForWisp(
      page,
      `${JSON.stringify(tasks.map((t) => t.taskHash))}.every((h) => w.status.tasks.some((t) => t.taskHash === h && t.outcome?.confirmed))`,
    )
    const events = await getTaskEvents(chain, { attestationCenter: net.attestationCenter, fromBlock: from })
    const ours = events.filter((e) => tasks.some((t) => t.data === e.data))
    expect(ours).toHaveLength(tasks.length)
    for (const e of ours) expect(e.event).toBe('TaskSubmitted')
    // the page's vote made it into at least one submission (the aggregator waits after the threshold)
    expect(ours.some((e) => e.attesterIds.includes(operatorId!))).toBe(true)
  })

  it("creates a BLS key in the worker for the wallet's account, which registers it", async () => {
    const other = await browser.newContext()
    const p = await openApp(other, net.webUrl, 'created for wallet')
    const account = addWalletKey(generatePrivateKey())
    await installWallet(p, { rpcUrl: net.rpcUrl, chainId: net.chainId, accounts: () => [account] })
    await p.getByTestId('onboard-create').click()
    await p.getByTestId('create-use-wallet').click()
    await expect.poll(() => p.getByTestId('create-address').inputValue()).toBe(account)
    await p.getByTestId('onboarding').screenshot({ path: `${shots}onboarding-create-for-wallet.png` })
    await p.getByTestId('passphrase').fill(PASSPHRASE)
    await p.getByTestId('passphrase-confirm').fill(PASSPHRASE)
    await p.getByTestId('onboard-submit').click()
    const w = await waitForWisp(p, "w.view === 'register'")
    expect(w.profile).toMatchObject({ address: account, derivation: 'raw-bls' })
    await registerWithWalletDouble(p, PASSPHRASE)
    const running = await waitForWisp(p, "w.view === 'dashboard' && w.status?.phase === 'running'")
    const record = await getOperatorByAddress(chain, {
      attestationCenter: net.attestationCenter,
      address: account,
    })
    expect(record?.active).toBe(true)
    expect(running.status?.operator.operatorId).toBe(record!.id)
    // the key the worker made is the one registered
    expect(bytesToHex(record!.blsPublicKey).toLowerCase()).toBe(w.profile!.blsPublicKey.toLowerCase())
    await other.close()
  })
})
