// The register view: connect a browser wallet (account and chain shown, the chain switched when
// wrong), on a local network ask its faucet for ETH and stake tokens, then stake and register from
// the wallet while the signer worker makes the proof of possession. A chunk of its own, loaded
// only when the operator is not registered.
import type { Remote } from 'comlink'
import type { WispWebConfig } from '../config.js'
import type { Funding, WalletSession } from '../node/wallet.js'
import type { KeyProfile, SignerService } from '../signer/protocol.js'
import { esc, short } from './format.js'

/** The parts of the app state this view writes (tests read them through window.__wisp). */
export interface RegisterState {
  wallet?: { account: string; accounts: string[]; chainId: number }
  funds?: { eth: string; tokens: string; staked: string; symbol: string }
  registerError?: { code: string; message: string }
}

export interface RegisterContext {
  config: WispWebConfig
  signer: Remote<SignerService>
  profile: KeyProfile
  reg: typeof import('../node/registration.js')
  state: RegisterState
  setView(view: 'register', html: string): void
}

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T | null

/**
 * The register view: connect a browser wallet (account, chain; switched when wrong), on a local
 * network ask its faucet for ETH and stake tokens, then stake and register from the wallet. The
 * proof of possession is made in the signer worker. Resolves once the operator may be active.
 */
export async function showRegistration(ctx: RegisterContext): Promise<void> {
  const { config, signer, reg, state, setView } = ctx
  const p = ctx.profile
  const w = await import('../node/wallet.js')
  const faucet = config.faucet !== undefined
  const steps = Object.entries(w.STEP_LABELS)
    .map(
      ([step, label]) =>
        `<li data-step="${step}" data-state="todo"><span class="dot" aria-hidden="true"></span>${esc(label)} <span class="tx mono small"></span></li>`,
    )
    .join('')
  setView(
    'register',
    `
<section class="card narrow register" data-testid="register">
  <h1>Register this operator</h1>
  <p class="lead"><span class="mono">${esc(short(p.address, 10, 8))}</span> is not an active operator of ${esc(config.network.name)} yet. Stake and register it from your wallet; the BLS key stays in this browser's signer worker, which only hands out its proof of possession.</p>
  <div class="panel wallet" data-testid="wallet">
    <div class="panel-head"><strong>Wallet</strong><button type="button" id="wallet-connect" data-testid="wallet-connect">Connect wallet</button></div>
    <dl class="facts" id="wallet-facts" hidden>
      <div><dt>Account</dt><dd id="wallet-account" data-testid="wallet-account"></dd></div>
      <div><dt>Chain</dt><dd id="wallet-chain" data-testid="wallet-chain"></dd></div>
    </dl>
  </div>
  <div class="panel funds" data-testid="funds">
    <div class="panel-head"><strong>Operator funds</strong>${
      faucet
        ? '<button type="button" class="secondary" id="faucet-submit" data-testid="faucet-submit">Local faucet</button>'
        : ''
    }</div>
    <dl class="facts">
      <div><dt>ETH for gas</dt><dd id="funds-eth" data-testid="funds-eth">…</dd></div>
      <div><dt>Stake token</dt><dd id="funds-tokens" data-testid="funds-tokens">…</dd></div>
      <div><dt>Staked</dt><dd id="funds-staked" data-testid="funds-staked">…</dd></div>
    </dl>
    ${faucet ? `<p class="hint" id="faucet-result" data-testid="faucet-result">This local network's faucet sends ETH and stake tokens to the operator's address.</p>` : ''}
  </div>
  <form id="register-form" class="stack">
    <label>Stake now<input id="stake-amount" data-testid="stake-amount" inputmode="decimal" autocomplete="off" spellcheck="false" placeholder="0"><span class="hint" id="stake-unit"></span></label>
    <button type="submit" id="register-submit" data-testid="register-submit">Stake and register from the wallet</button>
  </form>
  <ol class="progress" id="register-steps" data-testid="register-steps">${steps}</ol>
  <p class="hint error" id="register-error" data-testid="register-error" role="alert"></p>
  <details id="manual" class="manual" data-testid="register-manual"><summary>No browser wallet? Register from the CLI or another wallet</summary><div id="manual-body"><p class="hint">Loading…</p></div></details>
  <div class="row"><span class="hint">Registered elsewhere meanwhile?</span><button type="button" id="register-check" class="link" data-testid="register-check">Check again</button></div>
</section>`,
  )
  let session: WalletSession | undefined
  let funding: Funding | undefined
  let unwatch: (() => void) | undefined
  let busy = false
  const errorEl = $('register-error')!
  const showError = (err?: unknown) => {
    const e = err as { code?: string; message?: string } | undefined
    state.registerError = e
      ? { code: e.code ?? 'WEB_UNEXPECTED', message: e.message ?? String(err) }
      : undefined
    errorEl.textContent = e ? `${e.message ?? String(err)}${e.code ? ` (${e.code})` : ''}` : ''
    errorEl.dataset.code = e?.code ?? ''
  }
  const renderWallet = () => {
    state.wallet = session && {
      account: session.account,
      accounts: [...session.accounts],
      chainId: session.chainId,
    }
    const connect = $<HTMLButtonElement>('wallet-connect')!
    connect.textContent = session ? 'Reconnect' : 'Connect wallet'
    $('wallet-facts')!.hidden = session === undefined
    if (session === undefined) return
    const mine = session.accounts.some((a) => a.toLowerCase() === p.address.toLowerCase())
    $('wallet-account')!.innerHTML = `<span class="mono">${esc(short(session.account, 10, 8))}</span> ${
      mine
        ? '<span class="badge ok">this operator</span>'
        : '<span class="badge bad">not this operator</span>'
    }`
    const right = session.chainId === config.chain.chainId
    $('wallet-chain')!.innerHTML = `${session.chainId} ${
      right
        ? '<span class="badge ok">right chain</span>'
        : `<span class="badge bad">wrong: needs ${config.chain.chainId}</span>`
    }`
  }
  const renderFunding = async () => {
    try {
      funding = await w.readFunding(config, p.address)
    } catch (err) {
      showError(err)
      return
    }
    const f = funding
    $('funds-eth')!.textContent = `${w.formatAmount(f.eth, 18)} ETH`
    $('funds-tokens')!.textContent = `${w.formatAmount(f.tokens, f.decimals)} ${f.symbol}`
    $('funds-staked')!.textContent = `${w.formatAmount(f.staked, f.decimals)} ${f.symbol}`
    $('stake-unit')!.textContent = `${f.symbol} · ${w.formatAmount(f.tokens, f.decimals)} available`
    const input = $<HTMLInputElement>('stake-amount')!
    if (input.dataset.touched !== 'true') input.value = w.formatAmount(f.tokens, f.decimals)
    state.funds = {
      eth: f.eth.toString(),
      tokens: f.tokens.toString(),
      staked: f.staked.toString(),
      symbol: f.symbol,
    }
  }
  const connect = async () => {
    session = await w.connectWallet(p.address)
    unwatch?.()
    unwatch = w.watchWallet(session, () => {
      if (session === undefined) return
      void w.refreshSession(session, p.address).then((next) => {
        session = next
        renderWallet()
      })
    })
    renderWallet()
    session = await w.ensureChain(session, config)
    renderWallet()
  }
  const setStep = (step: string, stepState: string, txHash?: string) => {
    const li = document.querySelector<HTMLElement>(`#register-steps [data-step="${step}"]`)
    if (li === null) return
    li.dataset.state = stepState
    if (txHash) li.querySelector('.tx')!.textContent = short(txHash, 10, 6)
  }
  $<HTMLInputElement>('stake-amount')!.addEventListener('input', (e) => {
    ;(e.target as HTMLElement).dataset.touched = 'true'
  })
  $('wallet-connect')!.addEventListener('click', () => {
    showError()
    connect().catch((err) => {
      renderWallet()
      showError(err)
    })
  })
  $('faucet-submit')?.addEventListener('click', () => {
    const button = $<HTMLButtonElement>('faucet-submit')!
    button.disabled = true
    showError()
    $('faucet-result')!.textContent = 'Funding…'
    w.requestFaucet(config, p.address, location.href)
      .then(async (r) => {
        $('faucet-result')!.textContent =
          `Funded (${r.txHashes.length} transaction${r.txHashes.length === 1 ? '' : 's'}).`
        // the tokens just received are what the operator means to stake
        delete $('stake-amount')!.dataset.touched
        await renderFunding()
      })
      .catch((err) => {
        $('faucet-result')!.textContent = ''
        showError(err)
      })
      .finally(() => {
        button.disabled = false
      })
  })
  $('manual')!.addEventListener(
    'toggle',
    () => {
      reg
        .registrationInstructions(config, signer, p)
        .then((i) => {
          $('manual-body')!.innerHTML = `
<ol class="steps">
  <li>Stake for <span class="mono">${esc(p.address)}</span>: approve the stake token for the OperatorRegistry <span class="mono">${esc(i.registry)}</span>, then call its <code>depositStake(token, amount)</code>.</li>
  <li>From that address, call <code>registerAsOperator(blsKey, {signature})</code> on the OperatorRegistry (chain ${i.chainId}) with this data:
    <textarea readonly rows="4" class="mono" data-testid="register-calldata">${esc(i.calldata)}</textarea></li>
  <li>Come back and press “Check again”.</li>
</ol>`
        })
        .catch((err: Error) => {
          $('manual-body')!.innerHTML = `<p class="hint error">${esc(err.message)}</p>`
        })
    },
    { once: true },
  )
  void renderFunding()

  await new Promise<void>((resolve) => {
    $('register-check')!.addEventListener('click', () => resolve())
    $('register-form')!.addEventListener('submit', (event) => {
      event.preventDefault()
      if (busy) return
      busy = true
      const button = $<HTMLButtonElement>('register-submit')!
      button.disabled = true
      button.textContent = 'Waiting for the wallet…'
      showError()
      for (const li of document.querySelectorAll<HTMLElement>('#register-steps li')) li.dataset.state = 'todo'
      void (async () => {
        try {
          if (session === undefined) await connect()
          if (funding === undefined) await renderFunding()
          const stake = w.parseAmount(
            $<HTMLInputElement>('stake-amount')!.value || '0',
            funding?.decimals ?? 18,
          )
          await w.registerFromWallet({
            config,
            session: session!,
            signer,
            profile: p,
            stake,
            onStep: setStep,
          })
          resolve()
        } catch (err) {
          showError(err)
          renderWallet()
          await renderFunding()
        } finally {
          busy = false
          button.disabled = false
          button.textContent = 'Stake and register from the wallet'
        }
      })()
    })
  })
  unwatch?.()
  delete state.wallet
  delete state.funds
  delete state.registerError
}
