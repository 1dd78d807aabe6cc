// Structured one-line logs to the console (workerd forwards them to `wrangler tail` / miniflare's
// output), with a component name per part: @wisp/interface's Logger. Callers never pass keys; the
// redaction below is a net for field names that look secret anyway, and `redact` rewrites every
// line (the worker hides its RPC URL, which often carries an API key, behind its host).
import { LOG_LEVEL_RANK, type Logger, type LogLevel } from '@wisp/interface'

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
  redact: (line: string) => string = (line) => line,
): Logger {
  const emit = (at: LogLevel, message: string, fields?: Record<string, unknown>) => {
    if (LOG_LEVEL_RANK[at] < LOG_LEVEL_RANK[level]) return
    let rest = ''
    try {
      const f = safe(fields)
      rest = f === undefined || Object.keys(f).length === 0 ? '' : ` ${JSON.stringify(f)}`
    } catch {
      rest = ' <unserializable fields>'
    }
    sink(redact(`[${at}] ${component}: ${message}${rest}`))
  }
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (name) => createConsoleLogger(level, `${component}:${name}`, sink, redact),
  }
}
