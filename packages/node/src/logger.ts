// Console logging for the Node runtime: one line per event, `component` prefixed, fields as
// key=value — readable in a terminal, greppable in CI logs. Never given keys or seeds.
import { type Logger, type LogLevel, LOG_LEVEL_RANK as ORDER } from '@wisp/interface'

export type { LogLevel }
/** The Node runtime's logger is the shared Logger of @wisp/interface. */
export type NodeLogger = Logger

function format(value: unknown): string {
  if (typeof value === 'bigint') return value.toString()
  if (typeof value === 'string') return /\s/.test(value) ? JSON.stringify(value) : value
  try {
    return JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))
  } catch {
    return String(value)
  }
}

export function createConsoleLogger(
  options: { level?: LogLevel; component?: string; write?: (line: string) => void } = {},
): NodeLogger {
  const level = options.level ?? 'info'
  const write = options.write ?? ((line: string) => process.stderr.write(`${line}\n`))
  const make = (component: string): NodeLogger => {
    const log =
      (l: LogLevel) =>
      (message: string, fields: Record<string, unknown> = {}) => {
        if (ORDER[l] < ORDER[level]) return
        const kv = Object.entries(fields)
          .map(([k, v]) => `${k}=${format(v)}`)
          .join(' ')
        write(
          `${new Date().toISOString().slice(11, 23)} ${l.toUpperCase().padEnd(5)} [${component}] ${message}${kv ? ` ${kv}` : ''}`,
        )
      }
    return {
      debug: log('debug'),
      info: log('info'),
      warn: log('warn'),
      error: log('error'),
      child: (c) => make(`${component}/${c}`),
    }
  }
  return make(options.component ?? 'wisp')
}
