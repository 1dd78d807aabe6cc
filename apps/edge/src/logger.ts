// Structured one-line logs to the console (workerd forwards them to `wrangler tail` / miniflare's
// output), with a component name per part. Callers never pass keys; the redaction below is a net
// for field names that look secret anyway.
import type { LogLevel } from './config.js'

export interface EdgeLogger {
  debug(message: string, fields?: Record<string, unknown>): void
  info(message: string, fields?: Record<string, unknown>): void
  warn(message: string, fields?: Record<string, unknown>): void
  error(message: string, fields?: Record<string, unknown>): void
  child(component: string): EdgeLogger
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 }
const SECRET_FIELD = /key|seed|secret|token|password/i

function safe(fields: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (fields === undefined) return undefined
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(fields)) {
    out[k] =
      SECRET_FIELD.test(k) && k !== 'publicKey' ? '<redacted>' : typeof v === 'bigint' ? v.toString() : v
  }
  return out
}

export function createConsoleLogger(
  level: LogLevel,
  component = 'edge',
  sink: (line: string) => void = (line) => console.log(line),
): EdgeLogger {
  const emit = (at: LogLevel, message: string, fields?: Record<string, unknown>) => {
    if (RANK[at] < RANK[level]) return
    let rest = ''
    try {
      const f = safe(fields)
      rest = f === undefined || Object.keys(f).length === 0 ? '' : ` ${JSON.stringify(f)}`
    } catch {
      rest = ' <unserializable fields>'
    }
    sink(`[${at}] ${component}: ${message}${rest}`)
  }
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (name) => createConsoleLogger(level, `${component}:${name}`, sink),
  }
}
