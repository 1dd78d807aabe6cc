// Inline SVG charts: votes per minute (stacked bars) and validation latency (line). Pure string
// builders over plain data; the viewBox scales them to any width.
import type { VoteBucket } from '../node/status.js'
import { esc, percentile } from './format.js'

const H = 170
const PAD = { l: 48, r: 10, t: 12, b: 24 }

function axis(W: number, max: number, unit: string): string {
  const steps = [0, 0.5, 1]
  return steps
    .map((f) => {
      const y = PAD.t + (1 - f) * (H - PAD.t - PAD.b)
      const value = Math.round(max * f)
      // milliseconds from 1000 up read as seconds: the label has to fit the left padding
      const label =
        unit === ' ms' && value >= 1000
          ? `${+(value / 1000).toFixed(1)}${f === 1 ? ' s' : ''}`
          : `${value}${f === 1 ? esc(unit) : ''}`
      return `<line x1="${PAD.l}" x2="${W - PAD.r}" y1="${y}" y2="${y}" class="grid"/><text x="${PAD.l - 6}" y="${y + 4}" class="tick" text-anchor="end">${label}</text>`
    })
    .join('')
}

function niceMax(n: number): number {
  if (n <= 4) return 4
  const p = 10 ** Math.floor(Math.log10(n))
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= n) return m * p
  return 10 * p
}

/** The bucket size that gives about 30 bars over the data there is (10 s … 1 min, 5 … 30 min). */
export function voteScale(buckets: readonly VoteBucket[], since: number | undefined, now = Date.now()) {
  const first = Math.min(since ?? now, buckets[0]?.t ?? now)
  const age = now - first
  const size = age <= 5 * 60_000 ? 10_000 : age <= 15 * 60_000 ? 30_000 : 60_000
  return { size, bars: 30, label: size < 60_000 ? `per ${size / 1000} s` : 'per minute' }
}

export function votesChart(
  buckets: readonly VoteBucket[],
  W = 600,
  since?: number,
  now = Date.now(),
): string {
  const { size, bars } = voteScale(buckets, since, now)
  const end = Math.floor(now / size) * size
  const start = end - (bars - 1) * size
  const cols = Array.from({ length: bars }, (_, i) => ({
    t: start + i * size,
    approve: 0,
    reject: 0,
    abstain: 0,
  }))
  for (const b of buckets) {
    const i = Math.floor((b.t - start) / size)
    const col = cols[i]
    if (col === undefined) continue
    col.approve += b.approve
    col.reject += b.reject
    col.abstain += b.abstain
  }
  const max = niceMax(Math.max(0, ...cols.map((c) => c.approve + c.reject + c.abstain)))
  const plotW = W - PAD.l - PAD.r
  const plotH = H - PAD.t - PAD.b
  const bw = plotW / bars
  const hhmm = (t: number) => new Date(t).toTimeString().slice(0, size < 60_000 ? 8 : 5)
  const rects = cols
    .map((c, i) => {
      let y = PAD.t + plotH
      const x = PAD.l + i * bw + 1
      return (['approve', 'reject', 'abstain'] as const)
        .map((k) => {
          if (c[k] === 0) return ''
          const h = (c[k] / max) * plotH
          y -= h
          return `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${Math.max(1, bw - 2).toFixed(1)}" height="${h.toFixed(1)}" rx="1.5" class="bar ${k}"><title>${c[k]} ${k} at ${hhmm(c.t)}</title></rect>`
        })
        .join('')
    })
    .join('')
  const labels = [0, Math.floor(bars / 2), bars - 1]
    .map((i, k) => {
      const x = k === 0 ? PAD.l : k === 2 ? W - PAD.r : PAD.l + i * bw + bw / 2
      const anchor = k === 0 ? 'start' : k === 2 ? 'end' : 'middle'
      return `<text x="${x.toFixed(1)}" y="${H - 6}" class="tick" text-anchor="${anchor}">${hhmm(start + i * size)}</text>`
    })
    .join('')
  // the time before this tab's node started is not "no votes": shade it and mark the start
  let joined = ''
  if (since !== undefined && since > start) {
    const x = Math.min(W - PAD.r, PAD.l + ((since - start) / size) * bw)
    joined = `<rect x="${PAD.l}" y="${PAD.t}" width="${(x - PAD.l).toFixed(1)}" height="${plotH}" class="before-join" data-testid="before-join"><title>before this node started (${hhmm(since)})</title></rect><line x1="${x.toFixed(1)}" x2="${x.toFixed(1)}" y1="${PAD.t}" y2="${PAD.t + plotH}" class="joined"/><text x="${Math.min(x + 4, W - PAD.r - 40).toFixed(1)}" y="${PAD.t + 10}" class="tick">started</text>`
  }
  return `<svg viewBox="0 0 ${W} ${H}" class="chart" height="${H}" role="img" aria-label="votes over time">${axis(W, max, '')}${joined}${rects}${labels}</svg>`
}

export function latencyChart(points: ReadonlyArray<{ t: number; ms: number }>, W = 600): string {
  if (points.length === 0) {
    return `<svg viewBox="0 0 ${W} ${H}" class="chart" height="${H}" role="img" aria-label="no latency data yet">${axis(W, 100, ' ms')}<text x="${W / 2}" y="${H / 2}" class="empty" text-anchor="middle">waiting for the first task</text></svg>`
  }
  const values = points.map((p) => p.ms)
  const p95 = percentile(values, 95) ?? 0
  const max = niceMax(Math.max(p95 * 1.25, ...values.slice(-30), 10))
  const plotW = W - PAD.l - PAD.r
  const plotH = H - PAD.t - PAD.b
  const n = Math.max(points.length - 1, 1)
  const xy = points.map((p, i) => {
    const x = PAD.l + (i / n) * plotW
    const y = PAD.t + plotH - (Math.min(p.ms, max) / max) * plotH
    return [x, y] as const
  })
  const line = xy.map(([x, y], i) => `${i === 0 ? 'M' : 'L'}${x.toFixed(1)},${y.toFixed(1)}`).join('')
  const area = `${line}L${xy[xy.length - 1]![0].toFixed(1)},${PAD.t + plotH}L${xy[0]![0].toFixed(1)},${PAD.t + plotH}Z`
  const dots = xy
    .slice(-40)
    .map(([x, y], i) => {
      const p = points[points.length - Math.min(40, points.length) + i]!
      return `<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="2.5" class="dot"><title>${Math.round(p.ms)} ms</title></circle>`
    })
    .join('')
  const p50 = percentile(values, 50) ?? 0
  const y50 = PAD.t + plotH - (Math.min(p50, max) / max) * plotH
  return `<svg viewBox="0 0 ${W} ${H}" class="chart" height="${H}" role="img" aria-label="validation latency">${axis(W, max, ' ms')}<path d="${area}" class="area"/><path d="${line}" class="line"/><line x1="${PAD.l}" x2="${W - PAD.r}" y1="${y50.toFixed(1)}" y2="${y50.toFixed(1)}" class="median"/><text x="${W - PAD.r}" y="${(y50 - 4).toFixed(1)}" class="tick" text-anchor="end">p50 ${Math.round(p50)} ms</text>${dots}</svg>`
}
