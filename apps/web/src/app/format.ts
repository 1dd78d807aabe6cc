// Small formatting helpers for the dashboard (no dependencies: they are in the initial bundle).

export function esc(value: unknown): string {
  return String(value)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;')
}

export function short(hex: string | undefined, head = 6, tail = 4): string {
  if (hex === undefined) return ''
  return hex.length <= head + tail + 1 ? hex : `${hex.slice(0, head)}…${hex.slice(-tail)}`
}

/** A decimal integer string in units of 10^-decimals, with at most `digits` fraction digits. */
export function units(value: string, decimals = 18, digits = 4): string {
  if (!/^\d+$/.test(value)) return value
  const padded = value.padStart(decimals + 1, '0')
  const whole = padded.slice(0, padded.length - decimals).replace(/\B(?=(\d{3})+(?!\d))/g, ',')
  const frac = padded.slice(padded.length - decimals, padded.length - decimals + digits).replace(/0+$/, '')
  return frac.length > 0 ? `${whole}.${frac}` : whole
}

/** part / whole as a percentage string (both decimal integer strings). */
export function share(part: string, whole: string): string {
  try {
    const p = BigInt(part)
    const w = BigInt(whole)
    if (w === 0n) return '—'
    const bp = Number((p * 100_000n) / w) / 1000
    return `${bp.toFixed(bp < 10 ? 2 : 1)}%`
  } catch {
    return '—'
  }
}

export function clock(ms: number): string {
  const d = new Date(ms)
  return d.toTimeString().slice(0, 8)
}

export function ago(ms: number, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - ms) / 1000))
  if (s < 60) return `${s}s ago`
  const m = Math.round(s / 60)
  if (m < 60) return `${m}m ago`
  const h = Math.round(m / 60)
  return h < 48 ? `${h}h ago` : `${Math.round(h / 24)}d ago`
}

export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`
  const s = ms / 1000
  if (s < 60) return `${s.toFixed(1)} s`
  const m = Math.floor(s / 60)
  if (m < 60) return `${m}m ${Math.round(s % 60)}s`
  return `${Math.floor(m / 60)}h ${m % 60}m`
}

export function percentile(values: readonly number[], p: number): number | undefined {
  if (values.length === 0) return undefined
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]
}
