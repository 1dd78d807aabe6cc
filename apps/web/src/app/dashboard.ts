// The dashboard: a static skeleton (forms keep their focus) and sections re-rendered from the
// node status only when their HTML changes. Everything dynamic goes through esc().
import type { WispWebConfig } from '../config.js'
import type { ExclusionReason, NodeStatus, TaskView } from '../node/status.js'
import { latencyChart, voteScale, votesChart } from './charts.js'
import { clock, duration, esc, percentile, share, short, units } from './format.js'

export interface DashboardContext {
  config: WispWebConfig
  /** shown read-only: another tab attests */
  standby: boolean
}

export function dashboardSkeleton(standby: boolean): string {
  const disabled = standby ? ' disabled' : ''
  return `
<section class="banner standby-banner" data-testid="standby-banner"${standby ? '' : ' hidden'}>
  <strong>This operator is attesting in another tab.</strong>
  <span>Only one tab signs votes. This one shows that tab's status and takes over if it closes.</span>
</section>
<section class="stats" id="d-stats" data-testid="stats"></section>
<section class="grid two">
  <article class="card">
    <header><h2>Votes <span class="unit" id="d-votes-unit"></span></h2><span class="legend"><i class="approve"></i>approve <i class="reject"></i>reject <i class="abstain"></i>abstain</span></header>
    <div id="d-votes-chart" class="chart-box" data-testid="votes-chart"></div>
  </article>
  <article class="card">
    <header><h2>Validation latency</h2><span class="muted" id="d-latency-summary"></span></header>
    <div id="d-latency-chart" class="chart-box" data-testid="latency-chart"></div>
  </article>
</section>
<section class="grid main">
  <article class="card">
    <header><h2>Live tasks</h2><span class="muted" id="d-feed-summary"></span></header>
    <div id="d-feed" class="list-wrap" data-testid="task-feed"></div>
  </article>
  <article class="card" data-testid="connection-card">
    <header><h2>Network</h2><span id="d-conn-badge"></span></header>
    <div id="d-conn"></div>
    <form class="inline-form" id="dial-form" data-testid="dial-form">
      <label class="sr" for="dial-peer">Peer id</label>
      <input id="dial-peer" data-testid="dial-peer" placeholder="peer id of another browser" autocomplete="off" spellcheck="false"${disabled}>
      <button type="submit" data-testid="dial-submit"${disabled}>Connect</button>
    </form>
    <p class="hint" id="dial-result" data-testid="dial-result"></p>
  </article>
</section>
<section class="grid two">
  <article class="card">
    <header><h2>Attestation history</h2><span class="muted">kept in this browser</span></header>
    <div id="d-history" class="list-wrap" data-testid="history"></div>
  </article>
  <article class="card">
    <header><h2>Plugins</h2><span class="muted" id="d-plugin-stats"></span></header>
    <div id="d-plugins" data-testid="plugin-list"></div>
    <details class="add-plugin"${standby ? '' : ''}>
      <summary>Add a plugin from a URL</summary>
      <form id="plugin-form" class="stack" data-testid="plugin-form">
        <label>Module URL <input id="plugin-url" data-testid="plugin-url" placeholder="https://…/plugin.mjs" required${disabled}></label>
        <label>SHA-256 of the file <input id="plugin-sha256" data-testid="plugin-sha256" placeholder="64 hex digits" pattern="(0x)?[0-9a-fA-F]{64}" required${disabled}></label>
        <label>Task definitions <input id="plugin-ids" data-testid="plugin-ids" placeholder="default: the plugin's own, e.g. 3, 4"${disabled}></label>
        <label>Config (JSON) <textarea id="plugin-config" data-testid="plugin-config" rows="3"${disabled}>{}</textarea></label>
        <button type="submit" data-testid="plugin-add"${disabled}>Pin and load</button>
        <p class="hint">The file is refused unless its SHA-256 matches. It runs in the plugin worker, with no access to keys.</p>
        <p class="hint error" id="plugin-form-error" data-testid="plugin-form-error"></p>
      </form>
    </details>
  </article>
</section>
<section class="grid two">
  <article class="card">
    <header><h2>Operator</h2></header>
    <div id="d-key" data-testid="operator-card"></div>
    <div class="actions">
      <div class="segmented" role="group" aria-label="where the engine runs">
        <button type="button" data-mode="page" data-testid="mode-page"${disabled}>Engine on this page</button>
        <button type="button" data-mode="worker" data-testid="mode-worker"${disabled}>Engine in a worker</button>
      </div>
      <p class="hint">On the page the engine also connects directly to other browsers (WebRTC). In a worker the page stays idle; it talks to the relay only.</p>
      <div class="row">
        <button type="button" id="export-key" data-testid="export-key">Download encrypted backup</button>
        <button type="button" id="lock-key" class="secondary" data-testid="lock-key">Lock</button>
      </div>
    </div>
  </article>
  <article class="card">
    <header><h2>Events</h2></header>
    <ul id="d-log" class="log" data-testid="log"></ul>
  </article>
</section>`
}

const FEED_ROWS = 30
const HISTORY_ROWS = 20

const last = new Map<string, string>()

function set(id: string, html: string): void {
  if (last.get(id) === html) return
  const el = document.getElementById(id)
  if (el === null) return
  last.set(id, html)
  el.innerHTML = html
}

interface Row {
  key: string
  html: string
}

const lists = new Map<string, { ol: HTMLOListElement; rows: Map<string, { el: Element; html: string }> }>()
const template = () => document.createElement('template')

/**
 * Keyed list update: only rows whose HTML changed are replaced, new rows are inserted, old ones
 * removed — a new task costs one row of layout, not the whole list.
 */
function patchList(id: string, head: string, empty: string, rows: readonly Row[]): void {
  const box = document.getElementById(id)
  if (box === null) return
  if (rows.length === 0) {
    lists.delete(id)
    set(id, empty)
    return
  }
  let list = lists.get(id)
  if (list === undefined || !box.contains(list.ol)) {
    box.innerHTML = `${head}<ol class="list"></ol>`
    last.delete(id)
    list = { ol: box.querySelector('ol')!, rows: new Map() }
    lists.set(id, list)
  }
  const keep = new Set(rows.map((r) => r.key))
  for (const [key, row] of list.rows) {
    if (!keep.has(key)) {
      row.el.remove()
      list.rows.delete(key)
    }
  }
  let cursor: Element | null = list.ol.firstElementChild
  for (const r of rows) {
    let row = list.rows.get(r.key)
    if (row === undefined || row.html !== r.html) {
      const t = template()
      t.innerHTML = r.html
      const el = t.content.firstElementChild!
      if (row !== undefined) {
        if (cursor === row.el) cursor = el
        row.el.replaceWith(el)
      }
      row = { el, html: r.html }
      list.rows.set(r.key, row)
    }
    if (row.el !== cursor) list.ol.insertBefore(row.el, cursor)
    cursor = row.el.nextElementSibling
  }
}

export function resetDashboardCache(): void {
  last.clear()
  lists.clear()
}

function txLink(config: WispWebConfig, tx: string): string {
  const label = esc(short(tx, 8, 6))
  if (config.chain.explorerTxUrl === undefined) return `<span class="mono" title="${esc(tx)}">${label}</span>`
  const href = config.chain.explorerTxUrl.replace('{tx}', tx)
  return `<a class="mono" href="${esc(href)}" target="_blank" rel="noopener">${label}</a>`
}

function verdictBadge(verdict: string | undefined, reason?: string): string {
  if (verdict === undefined) return '<span class="badge pending">validating…</span>'
  return `<span class="badge ${esc(verdict)}"${reason ? ` title="${esc(reason)}"` : ''}>${esc(verdict)}</span>`
}

function voteCell(t: TaskView): string {
  if (t.refused) return `<span class="badge reject" title="${esc(t.refused)}">refused</span>`
  if (t.ignored) return `<span class="muted" title="${esc(t.ignored)}">ignored: ${esc(t.ignored)}</span>`
  if (t.vote)
    return `<span class="ok">signed ✓</span> <span class="muted">→ ${t.vote.recipients} peer${t.vote.recipients === 1 ? '' : 's'}</span>`
  if (t.verdict === 'abstain') return '<span class="muted">no vote</span>'
  return '<span class="muted">—</span>'
}

/** Why our vote is not among the submitted attesters, as a reader would say it. */
const EXCLUDED: Record<ExclusionReason, string> = {
  late: 'late (after the submission)',
  'over-attester-limit': 'over the attester limit',
  'not-needed': 'not needed for the threshold',
  'other-verdict': 'voted the other way',
  'no-vote': 'no vote',
}

function outcomeCell(config: WispWebConfig, t: TaskView): string {
  const o = t.outcome
  if (o === undefined) {
    if (t.ignored || t.verdict === 'abstain') return '<span class="muted">—</span>'
    return '<span class="muted">awaiting quorum…</span>'
  }
  const kind = o.isApproved ? 'approved' : 'rejected'
  const inc = o.included
    ? '<span class="badge included" title="our operator id is in attestersIds">included</span>'
    : `<span class="badge not-included" data-testid="excluded" data-reason="${esc(o.excluded ?? '')}" title="our vote is not in attestersIds">not included${o.excluded ? `: ${esc(EXCLUDED[o.excluded])}` : ''}</span>`
  const conf = o.confirmed
    ? '<span class="chain" title="seen on chain: TaskSubmitted/TaskRejected event">on chain</span>'
    : '<span class="gossip" title="announced on gossip, not yet seen on chain">gossip</span>'
  return `<span class="outcome ${kind}">${kind}</span> ${inc} ${txLink(config, o.txHash)} ${conf}`
}

const FEED_HEAD =
  '<div class="list-head task"><span>Time</span><span>Task</span><span>Verdict</span><span class="vote">Vote</span><span>On chain</span></div>'
const HISTORY_HEAD =
  '<div class="list-head hist"><span>When</span><span>Task</span><span>Verdict</span><span>Outcome</span></div>'

function feedRows(config: WispWebConfig, tasks: readonly TaskView[]): Row[] {
  return tasks.slice(0, FEED_ROWS).map((t) => ({
    key: t.taskHash,
    html: `<li class="task" data-testid="task-row" data-task="${esc(t.taskHash)}" data-verdict="${esc(t.verdict ?? '')}" data-included="${t.outcome ? String(t.outcome.included) : ''}">
  <span class="time">${clock(t.receivedAt)}</span>
  <span class="what"><span class="mono" title="${esc(t.taskHash)}">${esc(short(t.taskHash, 8, 4))}</span><span class="sub">${esc(t.plugin ?? `def ${t.definitionId}`)} · by ${esc(short(t.performer))}</span></span>
  <span class="verdict">${verdictBadge(t.verdict, t.reason)}${t.latencyMs !== undefined ? `<span class="sub">${duration(t.latencyMs)}</span>` : ''}</span>
  <span class="vote">${voteCell(t)}</span>
  <span class="onchain">${outcomeCell(config, t)}</span>
</li>`,
  }))
}

function pluginName(s: NodeStatus, definitionId: number): string {
  return s.plugins.find((p) => p.taskDefinitionIds.includes(definitionId))?.id ?? `def ${definitionId}`
}

function historyRows(config: WispWebConfig, s: NodeStatus): Row[] {
  return s.history.slice(0, HISTORY_ROWS).map((h) => {
    const o = h.outcome
    const outcome = o
      ? `${esc(o.status)}${o.included === undefined ? '' : o.included ? ' · <span class="ok">included</span>' : ' · <span class="muted">not included</span>'}${o.txHash ? ` ${txLink(config, o.txHash)}` : ''}`
      : '<span class="muted">—</span>'
    return {
      key: h.taskHash,
      html: `<li class="hist" data-testid="history-row"><span class="time" title="${esc(new Date(h.at).toISOString())}">${clock(h.at)}</span><span class="what"><span class="mono" title="${esc(h.taskHash)}">${esc(short(h.taskHash, 8, 4))}</span><span class="sub">${esc(pluginName(s, h.definitionId))}${h.otherChain ? ' · <span class="badge other-chain" data-testid="other-chain" title="recorded before this chain was reset (another genesis)">earlier chain</span>' : ''}</span></span><span>${verdictBadge(h.verdict, h.reason)}</span><span class="onchain">${outcome}</span></li>`,
    }
  })
}

function stats(s: NodeStatus): string {
  const c = s.counts
  const votes = c.approve + c.reject
  const lat = s.latencies.map((l) => l.ms)
  const p50 = percentile(lat, 50)
  const inclusion = c.outcomes > 0 ? `${Math.round((100 * c.included) / c.outcomes)}%` : '—'
  const stat = (label: string, value: string, sub: string, id: string) =>
    `<div class="stat" data-testid="stat-${id}"><div class="label">${label}</div><div class="value">${value}</div><div class="sub">${sub}</div></div>`
  return [
    stat(
      'Voting power',
      esc(units(s.operator.votingPower, 18, 2)),
      `${esc(share(s.operator.votingPower, s.operator.networkTotal))} of ${esc(units(s.operator.networkTotal, 18, 2))}`,
      'power',
    ),
    stat(
      'Rewards accrued',
      `${esc(units(s.operator.rewards, s.operator.rewardToken?.decimals ?? 18, 4))} <span class="unit">${esc(s.operator.rewardToken?.symbol ?? '')}</span>`,
      `unclaimed${s.operator.paymentStatus ? ` · ${esc(s.operator.paymentStatus === 'redeemed' ? 'all paid out so far' : 'payment committed, awaiting redemption')}` : ''}`,
      'rewards',
    ),
    stat(
      'Votes signed',
      String(c.published),
      `${c.approve} approve · ${c.reject} reject · ${c.abstain} abstain`,
      'votes',
    ),
    stat('Included on chain', inclusion, `${c.included} of ${c.outcomes} finalized tasks`, 'included'),
    stat(
      'Latency p50',
      p50 === undefined ? '—' : duration(p50),
      votes + c.abstain > 0 ? `task received → verdict, ${lat.length} samples` : 'task received → verdict',
      'latency',
    ),
  ].join('')
}

function connection(s: NodeStatus): { badge: string; body: string } {
  const relays = s.p2p.peers.filter((p) => p.kind === 'relay')
  const direct = s.p2p.peers.filter((p) => p.kind === 'webrtc')
  const other = s.p2p.peers.filter((p) => p.kind === 'other')
  const badge = s.p2p.relayConnected
    ? '<span class="pill ok" data-testid="relay-state">relay connected</span>'
    : s.phase === 'running'
      ? '<span class="pill warn" data-testid="relay-state">reconnecting…</span>'
      : '<span class="pill muted" data-testid="relay-state">offline</span>'
  const peer = (p: (typeof s.p2p.peers)[number]) =>
    `<li data-testid="peer" data-kind="${p.kind}"><span class="kind ${p.kind}">${p.kind === 'webrtc' ? 'WebRTC' : p.kind}</span><span class="mono" title="${esc(p.peerId)}">${esc(short(p.peerId, 8, 6))}</span><span class="muted addr" title="${esc(p.remoteAddr)}">${esc(p.direction)}${p.limited ? ' · limited' : ''}</span></li>`
  const list = [...relays, ...direct, ...other]
  const body = `
<dl class="kv">
  <dt>Peer id</dt><dd><span class="mono copy" data-copy="${esc(s.p2p.peerId ?? '')}" data-testid="peer-id" title="click to copy">${esc(short(s.p2p.peerId ?? '—', 10, 8))}</span></dd>
  <dt>Chain</dt><dd>${s.chain.rpcOk ? '<span class="ok">●</span>' : '<span class="bad">●</span>'} id ${s.chain.chainId}${s.chain.blockNumber ? ` · block ${esc(s.chain.blockNumber)}` : ''}</dd>
  <dt>Gossip mesh</dt><dd>${s.p2p.meshPeers} peer${s.p2p.meshPeers === 1 ? '' : 's'}</dd>
  <dt>Connections</dt><dd>${relays.length} relay · ${direct.length} direct WebRTC${other.length ? ` · ${other.length} other` : ''}</dd>
</dl>
<ul class="peers">${list.length ? list.map(peer).join('') : '<li class="muted">no connection</li>'}</ul>`
  return { badge, body }
}

function plugins(s: NodeStatus): string {
  const ok = s.plugins
    .map(
      (p) =>
        `<li data-testid="plugin" data-plugin="${esc(p.id)}"><strong>${esc(p.id)}</strong> <span class="muted">${esc(p.version)}</span><div class="sub">task definition${p.taskDefinitionIds.length > 1 ? 's' : ''} ${p.taskDefinitionIds.join(', ')} · ${p.source === 'url' ? `pinned <span class="mono" title="${esc(p.url ?? '')}">sha256 ${esc(short(p.sha256, 8, 6))}</span>` : 'bundled'}</div></li>`,
    )
    .join('')
  const failed = s.pluginFailures
    .map(
      (f) =>
        `<li class="failed" data-testid="plugin-failure"><strong>refused:</strong> <span class="mono">${esc(short(f.what, 28, 16))}</span><div class="sub">${esc(f.code)}: ${esc(f.message)}</div></li>`,
    )
    .join('')
  return `<ul class="plugins">${ok || '<li class="muted">no plugin loaded</li>'}${failed}</ul>`
}

function operator(s: NodeStatus): string {
  return `<dl class="kv">
  <dt>Address</dt><dd><span class="mono copy" data-copy="${esc(s.operator.address)}" title="click to copy" data-testid="operator-address">${esc(short(s.operator.address, 10, 8))}</span></dd>
  <dt>Operator id</dt><dd data-testid="operator-id">${s.operator.operatorId ?? '—'} ${s.operator.active ? '<span class="badge approve">active</span>' : '<span class="badge reject">inactive</span>'}</dd>
  <dt>Engine</dt><dd data-testid="engine-mode">${s.runtime === 'page' ? 'on this page' : 'in a dedicated worker'} · ${s.startedAt ? `up ${duration(Date.now() - s.startedAt)}` : esc(s.phase)}</dd>
</dl>`
}

const chartWidths = new Map<string, number>()
let resizeObserver: ResizeObserver | undefined

/**
 * Charts are drawn at their box's width, learnt from a ResizeObserver (reading clientWidth while
 * rendering would force a synchronous layout). Rounded, so a resize redraws only when it matters.
 */
export function observeCharts(onChange: () => void): void {
  resizeObserver?.disconnect()
  resizeObserver = new ResizeObserver((entries) => {
    let changed = false
    for (const entry of entries) {
      const w = Math.max(280, Math.round(entry.contentRect.width / 20) * 20)
      if (chartWidths.get(entry.target.id) !== w) {
        chartWidths.set(entry.target.id, w)
        changed = true
      }
    }
    if (changed) onChange()
  })
  for (const id of ['d-votes-chart', 'd-latency-chart']) {
    const el = document.getElementById(id)
    if (el) resizeObserver.observe(el)
  }
}

function chartWidth(id: string): number {
  return chartWidths.get(id) ?? 600
}

export function renderDashboard(s: NodeStatus, ctx: DashboardContext): void {
  set('d-stats', stats(s))
  const conn = connection(s)
  set('d-conn-badge', conn.badge)
  set('d-conn', conn.body)
  set('d-votes-unit', voteScale(s.votes, s.startedAt).label)
  set('d-votes-chart', votesChart(s.votes, chartWidth('d-votes-chart'), s.startedAt))
  const lat = s.latencies.map((l) => l.ms)
  const p95 = percentile(lat, 95)
  set('d-latency-summary', p95 === undefined ? '' : `p95 ${duration(p95)}`)
  set('d-latency-chart', latencyChart(s.latencies, chartWidth('d-latency-chart')))
  set('d-feed-summary', `${s.counts.received} received · ${s.counts.ignored} ignored`)
  patchList(
    'd-feed',
    FEED_HEAD,
    '<p class="empty-state">No task yet. Tasks appear here as the performer publishes them.</p>',
    feedRows(ctx.config, s.tasks),
  )
  patchList(
    'd-history',
    HISTORY_HEAD,
    '<p class="empty-state">Nothing yet: every verdict this operator gives is recorded here.</p>',
    historyRows(ctx.config, s),
  )
  set('d-plugins', plugins(s))
  set(
    'd-plugin-stats',
    `${s.pluginStats.validations} validations${s.pluginStats.restarts ? ` · ${s.pluginStats.restarts} worker restarts` : ''}`,
  )
  set('d-key', operator(s))
  set(
    'd-log',
    s.logs.length
      ? s.logs
          .slice(0, 20)
          .map((l) => `<li class="${l.level}"><span class="time">${clock(l.t)}</span> ${esc(l.message)}</li>`)
          .join('')
      : '<li class="muted">quiet so far</li>',
  )
  for (const b of document.querySelectorAll<HTMLButtonElement>('[data-mode]')) {
    b.classList.toggle('active', b.dataset.mode === s.runtime)
  }
  const dialForm = document.getElementById('dial-form')
  if (dialForm) dialForm.hidden = s.runtime !== 'page'
}
