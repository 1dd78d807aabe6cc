// The double of a browser wallet extension. There is no wallet extension in this headless Chromium,
// so the tests inject an EIP-1193 provider object as `window.ethereum` (page.addInitScript) whose
// `request` calls back into Node (page.exposeFunction): reads are forwarded to anvil as JSON-RPC,
// `eth_sendTransaction` is signed here with the account's private key (a viem local account, sent
// as eth_sendRawTransaction). Like a real wallet it has a current chain (it may start on another
// one), answers 4902 for a chain it does not know until `wallet_addEthereumChain`, emits
// `chainChanged`, and can be told to reject the next request of a method with 4001.
import { decryptKey, type KeystoreFile } from '@wisp/storage'
import type { Page } from 'playwright-core'
import { type Address, bytesToHex, createWalletClient, defineChain, type Hex, http } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'

/** Every key a test gave "its wallet", by lower-case address (shared by all pages, like one extension). */
const keys = new Map<string, Hex>()

/** Adds an account to the wallet (the user imported this key into it); returns its address. */
export function addWalletKey(key: Hex): Address {
  const account = privateKeyToAccount(key)
  keys.set(account.address.toLowerCase(), key)
  return account.address
}

type RpcError = { code: number; message: string; data?: unknown }
type Answer = { result: unknown } | { error: RpcError }

export interface WalletDoubleOptions {
  rpcUrl: string
  /** anvil's chain id: the only chain with a node behind it */
  chainId: number
  /** the chain the wallet is on at first (default: `chainId`) */
  startChainId?: number
  /** does it know `chainId` before `wallet_addEthereumChain`? (default true) */
  knowsChain?: boolean
  /** the accounts it shares (default: every key added) */
  accounts?: () => Address[]
  /** can it add a chain? (default true; false: wallet_addEthereumChain fails, as on a wallet without that feature) */
  canAddChain?: boolean
}

export interface WalletDouble {
  /** every request the page made, in order (method names) */
  calls: string[]
  /** transactions signed and sent */
  sent: Hex[]
  chainId(): number
  /** the next request of `method` is rejected by "the user" (4001) */
  rejectNext(method: string): void
  /** the next transaction is sent with this gas limit (a user editing it in the wallet) */
  gasLimitNext(gas: bigint): void
}

const installed = new WeakMap<Page, WalletDouble>()

/** Installs the provider on the page (now and after every navigation); once per page. */
export async function installWallet(page: Page, options: WalletDoubleOptions): Promise<WalletDouble> {
  const existing = installed.get(page)
  if (existing) return existing
  let current = options.startChainId ?? options.chainId
  const known = new Set<number>([current, ...(options.knowsChain === false ? [] : [options.chainId])])
  const rejects = new Set<string>()
  let nextGas: bigint | undefined
  const chain = defineChain({
    id: options.chainId,
    name: 'anvil',
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [options.rpcUrl] } },
  })
  const double: WalletDouble = {
    calls: [],
    sent: [],
    chainId: () => current,
    rejectNext: (method) => rejects.add(method),
    gasLimitNext: (gas) => {
      nextGas = gas
    },
  }
  const accounts = () => options.accounts?.() ?? [...keys.values()].map((k) => privateKeyToAccount(k).address)
  const emit = (event: string, arg: unknown) =>
    page
      .evaluate(
        ([e, a]) => (window as unknown as { __walletEmit(e: string, a: unknown): void }).__walletEmit(e!, a),
        [event, arg] as const,
      )
      .catch(() => undefined)

  async function forward(method: string, params: unknown[]): Promise<Answer> {
    const response = await fetch(options.rpcUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
    })
    const body = (await response.json()) as { result?: unknown; error?: RpcError }
    return body.error ? { error: body.error } : { result: body.result }
  }

  async function handle(method: string, params: unknown[]): Promise<Answer> {
    double.calls.push(method)
    if (rejects.delete(method)) return { error: { code: 4001, message: 'User rejected the request.' } }
    switch (method) {
      case 'eth_requestAccounts':
      case 'eth_accounts':
        return { result: accounts() }
      case 'eth_chainId':
        return { result: `0x${current.toString(16)}` }
      case 'wallet_switchEthereumChain': {
        const id = Number((params[0] as { chainId: string }).chainId)
        if (!known.has(id)) return { error: { code: 4902, message: `Unrecognized chain ID ${id}.` } }
        if (id !== current) {
          current = id
          void emit('chainChanged', `0x${id.toString(16)}`)
        }
        return { result: null }
      }
      case 'wallet_addEthereumChain': {
        const p = params[0] as { chainId: string; rpcUrls?: string[] }
        const id = Number(p.chainId)
        // a real wallet checks the RPC answers with that chain id; this one only has anvil
        if (options.canAddChain === false)
          return { error: { code: -32603, message: 'this wallet cannot add networks' } }
        if (id !== options.chainId || !p.rpcUrls?.length)
          return { error: { code: -32602, message: `cannot add chain ${id} (rpcUrls ${p.rpcUrls})` } }
        known.add(id)
        current = id
        void emit('chainChanged', p.chainId)
        return { result: null }
      }
    }
    if (current !== options.chainId)
      return { error: { code: 4901, message: `the wallet's chain ${current} has no node in this test` } }
    if (method === 'eth_sendTransaction') {
      const tx = params[0] as { from: Address; to: Address; data?: Hex; value?: Hex; gas?: Hex }
      const key = keys.get(tx.from.toLowerCase())
      if (key === undefined)
        return { error: { code: 4100, message: `${tx.from} is not an account of this wallet` } }
      const wallet = createWalletClient({
        account: privateKeyToAccount(key),
        chain,
        transport: http(options.rpcUrl),
      })
      const gas = nextGas ?? (tx.gas ? BigInt(tx.gas) : undefined)
      nextGas = undefined
      try {
        const hash = await wallet.sendTransaction({
          to: tx.to,
          ...(tx.data ? { data: tx.data } : {}),
          ...(tx.value ? { value: BigInt(tx.value) } : {}),
          ...(gas === undefined ? {} : { gas }),
        })
        double.sent.push(hash)
        return { result: hash }
      } catch (err) {
        const e = err as { shortMessage?: string; message: string; cause?: { code?: number } }
        return { error: { code: e.cause?.code ?? -32603, message: e.shortMessage ?? e.message } }
      }
    }
    return forward(method, params)
  }

  await page.exposeFunction('__walletRequest', (method: string, params: unknown[]) =>
    handle(method, params ?? []),
  )
  const provider = () => {
    const listeners = new Map<string, Set<(arg: unknown) => void>>()
    const w = window as unknown as {
      __walletRequest(method: string, params: unknown[]): Promise<Answer>
      __walletEmit(event: string, arg: unknown): void
      ethereum?: unknown
    }
    if (w.ethereum) return
    w.__walletEmit = (event, arg) => {
      for (const fn of listeners.get(event) ?? []) fn(arg)
    }
    w.ethereum = {
      isWispTestWallet: true,
      async request({ method, params }: { method: string; params?: unknown[] }) {
        const answer = await w.__walletRequest(method, params ?? [])
        if ('error' in answer) {
          throw Object.assign(new Error(answer.error.message), {
            code: answer.error.code,
            data: answer.error.data,
          })
        }
        return answer.result
      },
      on(event: string, fn: (arg: unknown) => void) {
        if (!listeners.has(event)) listeners.set(event, new Set())
        listeners.get(event)!.add(fn)
      },
      removeListener(event: string, fn: (arg: unknown) => void) {
        listeners.get(event)?.delete(fn)
      },
    }
  }
  await page.addInitScript(provider)
  await page.evaluate(provider).catch(() => undefined)
  installed.set(page, double)
  return double
}

/** The encrypted keystore `name` as the signer worker stored it in idb. */
export async function readKeystore(page: Page, name: string): Promise<unknown> {
  return page.evaluate(async (key) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const r = indexedDB.open('wisp-web')
      r.onsuccess = () => resolve(r.result)
      r.onerror = () => reject(r.error)
    })
    const value = await new Promise<Uint8Array>((resolve, reject) => {
      const r = db.transaction('kv').objectStore('kv').get(key)
      r.onsuccess = () => resolve(r.result as Uint8Array)
      r.onerror = () => reject(r.error)
    })
    db.close()
    return JSON.parse(new TextDecoder().decode(value))
  }, `keystore/${name}`)
}

const until = (page: Page, predicate: string, timeout = 60_000) =>
  page.waitForFunction(`(() => { const w = window.__wisp; return (${predicate}) })()`, undefined, {
    timeout,
    polling: 250,
  })

/**
 * The register view as an operator goes through it: connect the wallet, ask the faucet (when the
 * network has one), stake and register. Self-contained (the chain comes from the page's config), so
 * the e2e suite uses it too. When the wallet double does not hold the page's operator key yet (a key
 * created in the page), the test reads the encrypted keystore back from idb and decrypts it here
 * with `passphrase` — standing in for a user who holds that key in their wallet as well; the page
 * itself never sees it.
 */
export async function registerWithWalletDouble(page: Page, passphrase: string): Promise<void> {
  const address = (await page.evaluate(
    () => (window as unknown as { __wisp: { profile?: { address: string } } }).__wisp.profile?.address,
  )) as string | undefined
  if (address === undefined) throw new Error('registerWithWalletDouble: the page has no unlocked operator')
  if (!keys.has(address.toLowerCase())) {
    const file = (await readKeystore(page, address.toLowerCase())) as KeystoreFile
    addWalletKey(bytesToHex(await decryptKey(file, passphrase)))
  }
  const config = (await page.evaluate(async () => {
    const param = new URLSearchParams(location.search).get('config')
    return (await fetch(new URL(param ?? 'wisp-config.json', location.href))).json()
  })) as { chain: { rpcUrl: string; chainId: number } }
  await installWallet(page, { rpcUrl: config.chain.rpcUrl, chainId: config.chain.chainId })
  await page.getByTestId('wallet-connect').click()
  await until(page, `w.wallet?.chainId === ${config.chain.chainId} || w.registerError !== undefined`)
  if ((await page.getByTestId('faucet-submit').count()) > 0) {
    await page.getByTestId('faucet-submit').click()
    await until(
      page,
      '(w.funds !== undefined && BigInt(w.funds.tokens) > 0n) || w.registerError !== undefined',
    )
  }
  await page.getByTestId('register-submit').click()
}
