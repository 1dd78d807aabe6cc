// The web attester's page: config → key (create/import/unlock, all inside the signer worker) →
// the operator's Web Lock (one attesting tab) → registration → the engine (on the page or in a
// dedicated worker) → the dashboard.
import './styles.css'
import type { TaskInput } from '@wisp/plugin-sdk'
import { type Remote, wrap } from 'comlink'
import type { PluginSpec, UrlPluginSpec, WispWebConfig } from '../config.js'
import { DEFAULT_CONFIG_PATH, isNetworkFile } from '../config-file.js'
import type { NodeHandle, NodeMode } from '../node/handle.js'
import type { NodeStatus } from '../node/status.js'
import type { KeyProfile, SecretInput, SignerService } from '../signer/protocol.js'
import SignerWorker from '../signer/signer-worker.ts?worker'
import {
  type DashboardContext,
  dashboardSkeleton,
  observeCharts,
  renderDashboard,
  resetDashboardCache,
} from './dashboard.js'
import { esc, short } from './format.js'
import { broadcastStatus, type OperatorLock, requestOperatorLock, watchStatus } from './lock.js'

type View = 'loading' | 'error' | 'onboarding' | 'unlock' | 'standby' | 'register' | 'dashboard'

const MODE_KEY = 'wisp-web:mode'
const PLUGINS_KEY = 'wisp-web:plugins'

interface AppState {
  view: View
  error?: string
  network?: { name: string; kind: string }
  profile?: { address: string; blsPublicKey: string; derivation: string }
  lock: 'none' | 'held' | 'waiting'
  mode: NodeMode
  nodeError?: string
  status?: NodeStatus
  /** the register view: the connected wallet, the operator's funds, the last error */
  wallet?: { account: string; accounts: string[]; chainId: number }
  funds?: { eth: string; tokens: string; staked: string; symbol: string }
  registerError?: { code: string; message: string }
}

const state: AppState = {
  view: 'loading',
  lock: 'none',
  mode: localStorage.getItem(MODE_KEY) === 'worker' ? 'worker' : 'page',
}

// A read-only view of the app for tests and curious people: every read is a fresh frozen copy.
Object.defineProperty(window, '__wisp', {
  get: () => deepFreeze(structuredClone(state)),
  configurable: false,
})

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v)
    Object.freeze(value)
  }
  return value
}

let config: WispWebConfig
let signer: Remote<SignerService>
let profile: KeyProfile | undefined
let lock: OperatorLock | undefined
let node: NodeHandle | undefined
let broadcaster: ReturnType<typeof broadcastStatus> | undefined
let stopWatching: (() => void) | undefined
let renderPending = false

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T | null
const viewEl = () => $('view')!

function setView(view: View, html: string): void {
  state.view = view
  resetDashboardCache()
  viewEl().innerHTML = html
  viewEl().dataset.view = view
  renderPill()
}

function renderPill(): void {
  const pill = $('status-pill')
  if (pill === null) return
  const s = state.status
  let cls = 'muted'
  let text = 'Loading'
  if (state.view === 'standby') [cls, text] = ['info', 'Standby: another tab attests']
  else if (state.view === 'onboarding' || state.view === 'unlock') [cls, text] = ['muted', 'Locked']
  else if (state.view === 'register') [cls, text] = ['warn', 'Not registered']
  else if (state.view === 'error') [cls, text] = ['bad', 'Error']
  else if (state.view === 'dashboard') {
    if (state.nodeError || s?.phase === 'error') [cls, text] = ['bad', 'Error']
    else if (s?.phase === 'running' && s.p2p.relayConnected) [cls, text] = ['ok', 'Attesting']
    else if (s?.phase === 'running') [cls, text] = ['warn', 'Reconnecting']
    else if (s?.phase === 'stopped') [cls, text] = ['muted', 'Stopped']
    else [cls, text] = ['info', 'Starting']
  }
  pill.className = `pill ${cls}`
  pill.textContent = text
  pill.dataset.state = text
}

/** At most two renders a second: each is a style/layout/paint pass of the whole dashboard. */
const RENDER_INTERVAL_MS = 500
let lastRender = 0

function scheduleRender(): void {
  if (renderPending) return
  renderPending = true
  const run = () => {
    renderPending = false
    lastRender = performance.now()
    renderPill()
    if (state.status && (state.view === 'dashboard' || state.view === 'standby')) {
      renderDashboard(state.status, dashboardContext())
    }
  }
  const wait = Math.max(0, lastRender + RENDER_INTERVAL_MS - performance.now())
  setTimeout(() => (document.hidden ? run() : requestAnimationFrame(run)), wait)
}

function dashboardContext(): DashboardContext {
  return { config, standby: state.view === 'standby' }
}

// ---------------------------------------------------------------- config

/** `?network=<url>` (a network file), `?config=<url>`, or /wisp-config.json; either kind of file. */
async function loadConfig(): Promise<WispWebConfig> {
  const params = new URLSearchParams(location.search)
  const url = new URL(params.get('network') ?? params.get('config') ?? DEFAULT_CONFIG_PATH, location.href)
  const response = await fetch(url, { cache: 'no-store' })
  if (!response.ok) throw new Error(`cannot load ${url.pathname}: HTTP ${response.status}`)
  const value: unknown = await response.json()
  // the config checks (and a network file's mapping) load in a chunk of their own: the operator
  // config schema is the largest module the first paint would otherwise wait for
  const { configFromNetworkFile, parseConfig } = await import('./network.js')
  return isNetworkFile(value) ? configFromNetworkFile(value) : parseConfig(value)
}

function userPlugins(): UrlPluginSpec[] {
  try {
    const parsed = JSON.parse(localStorage.getItem(PLUGINS_KEY) ?? '[]') as Array<
      UrlPluginSpec & { source?: string }
    >
    // entries saved before the shared operator config carried `source: 'url'`
    return Array.isArray(parsed) ? parsed.map(({ source: _source, ...spec }) => spec) : []
  } catch {
    return []
  }
}

function effectiveConfig(): WispWebConfig {
  return { ...config, plugins: [...config.plugins, ...(userPlugins() as PluginSpec[])] }
}

// ---------------------------------------------------------------- onboarding and unlock

type OnboardKind = 'create' | 'ecdsa' | 'bls'

function showOnboarding(canGoBack: boolean): void {
  setView(
    'onboarding',
    `
<section class="card narrow onboarding" data-testid="onboarding">
  <h1>Attest from this browser</h1>
  <p class="lead">Your operator key is created or imported inside a Web Worker, encrypted with your passphrase and kept in this browser. This page never sees it.</p>
  <div class="tabs" role="tablist">
    <button type="button" role="tab" data-kind="create" data-testid="onboard-create" class="active">Create</button>
    <button type="button" role="tab" data-kind="ecdsa" data-testid="onboard-import-ecdsa">Import ECDSA</button>
    <button type="button" role="tab" data-kind="bls" data-testid="onboard-import-bls">Import BLS</button>
  </div>
  <form id="onboard-form" class="stack" autocomplete="off">
    <p class="hint" data-for="create">A new secp256k1 key is generated in the worker; the BLS key is derived from it the way Othentic's services do (SHA-256 of the hex key). With your wallet's account as the operator address, a new BLS key is made for it instead: the wallet registers, this browser signs votes.</p>
    <div class="stack tight" data-for="create"><label for="create-address">Operator address (optional)</label><div class="inline-form"><input id="create-address" data-testid="create-address" placeholder="0x… or empty for a new one" spellcheck="false"><button type="button" class="secondary" id="create-use-wallet" data-testid="create-use-wallet">From wallet</button></div></div>
    <p class="hint" data-for="ecdsa" hidden>The operator's ECDSA private key; its BLS key is derived Othentic-style. Or a wisp keystore backup (then give its passphrase below).</p>
    <p class="hint" data-for="bls" hidden>A raw BN254 secret key (32 bytes, big-endian hex) and the operator address it is registered for — or a wisp keystore backup.</p>
    <label data-for="ecdsa bls" hidden>Key file <input type="file" id="secret-file" data-testid="secret-file" accept=".txt,.json,.key,text/plain,application/json"></label>
    <label data-for="ecdsa bls" hidden>…or paste it <textarea id="secret-text" data-testid="secret-text" rows="2" spellcheck="false" placeholder="0x…"></textarea></label>
    <label data-for="bls" hidden>Operator address <input id="bls-address" data-testid="bls-address" placeholder="0x…" spellcheck="false"></label>
    <label>Passphrase <input type="password" id="passphrase" data-testid="passphrase" minlength="8" required autocomplete="new-password"></label>
    <label>Repeat passphrase <input type="password" id="passphrase-confirm" data-testid="passphrase-confirm" minlength="8" required autocomplete="new-password"></label>
    <button type="submit" data-testid="onboard-submit" id="onboard-submit">Create key</button>
    <p class="hint error" id="onboard-error" data-testid="onboard-error" role="alert"></p>
    ${canGoBack ? '<button type="button" class="link" id="back-to-unlock">Back to unlock</button>' : ''}
  </form>
</section>`,
  )
  let kind: OnboardKind = 'create'
  const form = $('onboard-form') as HTMLFormElement
  const submit = $('onboard-submit') as HTMLButtonElement
  const labels: Record<OnboardKind, string> = { create: 'Create key', ecdsa: 'Import key', bls: 'Import key' }
  for (const tab of document.querySelectorAll<HTMLButtonElement>('[data-kind]')) {
    tab.addEventListener('click', () => {
      kind = tab.dataset.kind as OnboardKind
      for (const t of document.querySelectorAll<HTMLButtonElement>('[data-kind]'))
        t.classList.toggle('active', t === tab)
      for (const el of form.querySelectorAll<HTMLElement>('[data-for]')) {
        el.hidden = !el.dataset.for!.split(' ').includes(kind)
      }
      submit.textContent = labels[kind]
    })
  }
  $('back-to-unlock')?.addEventListener('click', () => void signer.profiles().then((p) => showUnlock(p)))
  $('create-use-wallet')!.addEventListener('click', () => {
    $('onboard-error')!.textContent = ''
    import('../node/wallet.js')
      .then((w) => w.connectWallet('0x0000000000000000000000000000000000000000'))
      .then((session) => {
        $<HTMLInputElement>('create-address')!.value = session.accounts[0]!
      })
      .catch((err: Error & { code?: string }) => {
        $('onboard-error')!.textContent = `${err.message}${err.code ? ` (${err.code})` : ''}`
      })
  })
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    void onboard(kind)
  })
}

/** The Create tab's optional operator address (a wallet's account). */
function walletAddress(): { address?: `0x${string}` } {
  const value = $<HTMLInputElement>('create-address')?.value.trim() ?? ''
  return value === '' ? {} : { address: value as `0x${string}` }
}

async function onboard(kind: OnboardKind): Promise<void> {
  const error = $('onboard-error')!
  const submit = $('onboard-submit') as HTMLButtonElement
  const pass = $<HTMLInputElement>('passphrase')!
  const confirm = $<HTMLInputElement>('passphrase-confirm')!
  error.textContent = ''
  if (pass.value !== confirm.value) {
    error.textContent = 'The passphrases differ.'
    return
  }
  let secret: SecretInput | undefined
  if (kind !== 'create') {
    const file = $<HTMLInputElement>('secret-file')!.files?.[0]
    const text = $<HTMLTextAreaElement>('secret-text')!
    // A file goes to the worker unread. Pasted text is read once, handed over and cleared.
    secret = file !== undefined ? { file } : { text: text.value }
    text.value = ''
    if (file === undefined && (secret as { text: string }).text.trim() === '') {
      error.textContent = 'Choose a key file or paste the key.'
      return
    }
  }
  submit.disabled = true
  submit.textContent = 'Encrypting… (scrypt, about a second)'
  const passphrase = pass.value
  const result =
    kind === 'create'
      ? await signer.create({ passphrase, ...walletAddress() })
      : kind === 'ecdsa'
        ? await signer.importEcdsa({ secret: secret!, passphrase })
        : await signer.importBls({
            secret: secret!,
            address: $<HTMLInputElement>('bls-address')!.value.trim() as `0x${string}`,
            passphrase,
          })
  pass.value = ''
  confirm.value = ''
  secret = undefined
  if (!result.ok) {
    submit.disabled = false
    submit.textContent = kind === 'create' ? 'Create key' : 'Import key'
    error.textContent = result.error.message
    return
  }
  await afterUnlock(result.value)
}

function showUnlock(profiles: KeyProfile[]): void {
  if (profiles.length === 0) {
    showOnboarding(false)
    return
  }
  const options = profiles
    .map(
      (p) =>
        `<option value="${esc(p.name)}">${esc(short(p.address, 10, 8))} · ${p.derivation === 'othentic-ecdsa' ? 'ECDSA-derived' : 'BLS'}</option>`,
    )
    .join('')
  setView(
    'unlock',
    `
<section class="card narrow" data-testid="unlock">
  <h1>Unlock your operator</h1>
  <p class="lead">The key is decrypted inside the signer worker; this page only learns the public key.</p>
  <form id="unlock-form" class="stack">
    <label>Operator <select id="unlock-profile" data-testid="unlock-profile">${options}</select></label>
    <label>Passphrase <input type="password" id="unlock-passphrase" data-testid="unlock-passphrase" required autocomplete="current-password"></label>
    <button type="submit" id="unlock-submit" data-testid="unlock-submit">Unlock</button>
    <p class="hint error" id="unlock-error" data-testid="unlock-error" role="alert"></p>
  </form>
  <div class="row">
    <button type="button" class="link" id="add-key" data-testid="add-key">Create or import another key</button>
    <button type="button" class="link danger" id="forget-key" data-testid="forget-key">Forget the selected key</button>
  </div>
</section>`,
  )
  $('add-key')!.addEventListener('click', () => showOnboarding(true))
  $('forget-key')!.addEventListener('click', () => {
    const name = $<HTMLSelectElement>('unlock-profile')!.value
    if (!confirm(`Delete the encrypted key of ${name} from this browser? Keep a backup if you need it.`))
      return
    void signer
      .remove(name)
      .then(() => signer.profiles())
      .then((p) => showUnlock(p))
  })
  $('unlock-form')!.addEventListener('submit', (event) => {
    event.preventDefault()
    void (async () => {
      const submit = $<HTMLButtonElement>('unlock-submit')!
      const pass = $<HTMLInputElement>('unlock-passphrase')!
      submit.disabled = true
      submit.textContent = 'Unlocking…'
      const result = await signer.unlock({
        name: $<HTMLSelectElement>('unlock-profile')!.value,
        passphrase: pass.value,
      })
      pass.value = ''
      if (!result.ok) {
        submit.disabled = false
        submit.textContent = 'Unlock'
        $('unlock-error')!.textContent =
          result.error.code === 'KEYSTORE_DECRYPT_FAILED' ? 'Wrong passphrase.' : result.error.message
        return
      }
      await afterUnlock(result.value)
    })()
  })
}

// ---------------------------------------------------------------- lock, registration, node

async function afterUnlock(p: KeyProfile): Promise<void> {
  profile = p
  state.profile = { address: p.address, blsPublicKey: p.blsPublicKey, derivation: p.derivation }
  const requested = await requestOperatorLock(p.address)
  lock = requested.lock
  if (!requested.immediately) {
    state.lock = 'waiting'
    showStandby()
    try {
      await lock.acquired
    } catch {
      return // locked (or the tab is closing) while waiting: nothing to take over
    }
    stopWatching?.()
    stopWatching = undefined
  }
  state.lock = 'held'
  await ensureRegistered()
  await startNode(state.mode)
}

function showStandby(): void {
  setView('standby', `<div data-testid="standby" class="dashboard">${dashboardSkeleton(true)}</div>`)
  observeCharts(scheduleRender)
  wireKeyActions()
  stopWatching = watchStatus(profile!.address, (status) => {
    state.status = status
    scheduleRender()
  })
}

async function ensureRegistered(): Promise<void> {
  const reg = await import('../node/registration.js')
  for (;;) {
    try {
      const s = await reg.readOperatorState(config, profile!.address)
      if (s.registered && s.active) return
    } catch (err) {
      await showRegistrationProblem(
        `Cannot read the operator registry: ${(err as Error).message.split('\n')[0]}`,
      )
      continue
    }
    await showRegistration(reg)
  }
}

function showRegistrationProblem(message: string): Promise<void> {
  setView(
    'register',
    `<section class="card narrow" data-testid="register"><h1>Network unreachable</h1><p class="hint error" data-testid="register-error">${esc(message)}</p><button id="retry" data-testid="register-retry">Try again</button></section>`,
  )
  return new Promise((resolve) => $('retry')!.addEventListener('click', () => resolve()))
}

/** The register view lives in its own chunk (with the wallet code): most visits never show it. */
async function showRegistration(reg: typeof import('../node/registration.js')): Promise<void> {
  const { showRegistration: show } = await import('./register.js')
  await show({ config, signer, profile: profile!, reg, state, setView })
}

async function startNode(mode: NodeMode): Promise<void> {
  state.mode = mode
  state.status = undefined
  delete state.nodeError
  setView('dashboard', `<div data-testid="dashboard" class="dashboard">${dashboardSkeleton(false)}</div>`)
  observeCharts(scheduleRender)
  wireDashboard()
  broadcaster ??= broadcastStatus(profile!.address)
  const onStatus = (status: NodeStatus) => {
    state.status = status
    broadcaster?.publish(status)
    scheduleRender()
  }
  const params = { config: effectiveConfig(), profile: profile!, signer, onStatus }
  const started =
    mode === 'page'
      ? await (await import('../node/page.js')).startPageNode(params)
      : await (await import('../node/worker-client.js')).startWorkerNode(params)
  node = started.handle
  try {
    await started.started
  } catch (err) {
    state.nodeError = (err as Error).message
    showNodeError(state.nodeError)
  }
  scheduleRender()
}

function showNodeError(message: string): void {
  const banner = document.createElement('section')
  banner.className = 'banner error'
  banner.dataset.testid = 'node-error'
  banner.innerHTML = `<strong>The attester stopped:</strong> <span>${esc(message)}</span> <button id="node-retry">Restart</button>`
  viewEl().prepend(banner)
  $('node-retry')!.addEventListener('click', () => void restartNode(state.mode))
}

async function restartNode(mode: NodeMode): Promise<void> {
  const old = node
  node = undefined
  await old?.stop()
  localStorage.setItem(MODE_KEY, mode)
  await startNode(mode)
}

function wireDashboard(): void {
  for (const b of document.querySelectorAll<HTMLButtonElement>('[data-mode]')) {
    b.addEventListener('click', () => {
      const mode = b.dataset.mode as NodeMode
      if (mode !== state.mode) void restartNode(mode)
    })
  }
  $('dial-form')!.addEventListener('submit', (event) => {
    event.preventDefault()
    const input = $<HTMLInputElement>('dial-peer')!
    const out = $('dial-result')!
    const peerId = input.value.trim()
    if (!peerId || node === undefined) return
    out.textContent = 'dialling over WebRTC…'
    void node.dial(peerId).then((r) => {
      out.textContent = r.ok
        ? `connected directly in ${Math.round(r.ms)} ms`
        : `could not connect: ${r.error}`
      out.dataset.ok = String(r.ok)
    })
  })
  $('plugin-form')!.addEventListener('submit', async (event) => {
    event.preventDefault()
    const error = $('plugin-form-error')!
    error.textContent = ''
    try {
      const { parseConfig } = await import('./network.js')
      const ids = $<HTMLInputElement>('plugin-ids')!.value.trim()
      const spec = {
        url: new URL($<HTMLInputElement>('plugin-url')!.value.trim(), location.href).href,
        sha256: $<HTMLInputElement>('plugin-sha256')!.value.trim(),
        config: JSON.parse($<HTMLTextAreaElement>('plugin-config')!.value || '{}'),
        ...(ids ? { taskDefinitionIds: ids.split(/[\s,]+/).map(Number) } : {}),
      }
      // the same checks as the config file's plugins
      parseConfig({ ...config, plugins: [spec] })
      localStorage.setItem(PLUGINS_KEY, JSON.stringify([...userPlugins(), spec]))
      void restartNode(state.mode)
    } catch (err) {
      error.textContent = (err as Error).message
    }
  })
  wireKeyActions()
}

/** Backup and lock: available in the attesting tab and in a standby one. */
function wireKeyActions(): void {
  $('export-key')!.addEventListener('click', () => {
    void signer.exportKeystore(profile!.name).then((file) => {
      const blob = new Blob([JSON.stringify(file, null, 2)], { type: 'application/json' })
      const a = document.createElement('a')
      a.href = URL.createObjectURL(blob)
      a.download = `wisp-keystore-${profile!.address}.json`
      a.click()
      setTimeout(() => URL.revokeObjectURL(a.href), 10_000)
    })
  })
  $('lock-key')!.addEventListener('click', () => void lockApp())
}

async function lockApp(): Promise<void> {
  stopWatching?.()
  stopWatching = undefined
  const old = node
  node = undefined
  await old?.stop()
  await signer.lock()
  broadcaster?.close()
  broadcaster = undefined
  lock?.release()
  lock = undefined
  state.lock = 'none'
  state.status = undefined
  profile = undefined
  delete state.profile
  showUnlock(await signer.profiles())
}

document.addEventListener('click', (event) => {
  const target = (event.target as HTMLElement).closest<HTMLElement>('[data-copy]')
  if (target?.dataset.copy) void navigator.clipboard?.writeText(target.dataset.copy).catch(() => undefined)
})

// ---------------------------------------------------------------- test hooks (?test only)

function toHex(b: Uint8Array): string {
  return `0x${Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')}`
}

function hexBytes(h: string): Uint8Array {
  return Uint8Array.from(h.replace(/^0x/, '').match(/../g) ?? [], (x) => Number.parseInt(x, 16))
}

if (new URLSearchParams(location.search).has('test')) {
  Object.assign(window, {
    __wispTest: {
      validateMany: (tasks: Array<Omit<TaskInput, 'data'> & { data: string }>) => {
        if (node === undefined) throw new Error('not running')
        return node.validateMany(tasks.map((t) => ({ ...t, data: hexBytes(t.data) })))
      },
      dial: (peerId: string) => node?.dial(peerId),
      // the signer worker's public API, as the engine uses it (no method returns a secret)
      sign: async (domain: string, digest: string) => {
        const r = await signer.sign(hexBytes(domain), hexBytes(digest))
        return r.ok ? { ok: true, signature: toHex(r.value) } : r
      },
      proofOfPossession: (contract: `0x${string}`, chainId: number) =>
        signer.proofOfPossession({ contract, chainId }),
    },
  })
}

// ---------------------------------------------------------------- boot

async function boot(): Promise<void> {
  document.body.innerHTML = `
<header class="top">
  <div class="brand"><span class="logo" aria-hidden="true"></span>wisp <small>light attester</small></div>
  <div class="net" id="net" data-testid="network"></div>
  <div id="status-pill" class="pill muted" data-testid="status-pill">Loading</div>
</header>
<main id="view" data-view="loading"><p class="loading">Loading…</p></main>`
  try {
    config = await loadConfig()
  } catch (err) {
    const e = err as Error & { code?: string }
    state.error = e.code ? `${e.message} (${e.code})` : e.message
    setView(
      'error',
      `<section class="card narrow" data-testid="config-error"><h1>No network configuration</h1><p class="hint error">${esc(state.error)}</p><p>The server that hosts this app must serve <code>${esc(DEFAULT_CONFIG_PATH)}</code> (see the README for its schema), or open the page with <code>?network=&lt;url&gt;</code> (a network file) or <code>?config=&lt;url&gt;</code>.</p></section>`,
    )
    return
  }
  state.network = { name: config.network.name, kind: config.network.kind }
  $('net')!.innerHTML =
    `<span class="name">${esc(config.network.name)}</span> <span class="badge kind-${esc(config.network.kind)}">${esc(config.network.kind)}</span>`
  signer = wrap<SignerService>(new SignerWorker())
  showUnlock(await signer.profiles())
}

void boot()
