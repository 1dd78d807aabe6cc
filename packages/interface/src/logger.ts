/**
 * Logging goes through an injected logger with a component name per part, so the host decides
 * where lines go (a terminal, a dashboard, workerd's console). Never log keys, seeds or secrets.
 */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void
  info(message: string, fields?: Record<string, unknown>): void
  warn(message: string, fields?: Record<string, unknown>): void
  error(message: string, fields?: Record<string, unknown>): void
  child(component: string): Logger
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error'

/** Order of the levels, for loggers that filter. */
export const LOG_LEVEL_RANK: Readonly<Record<LogLevel, number>> = Object.freeze({
  debug: 10,
  info: 20,
  warn: 30,
  error: 40,
})

const noop = (): void => undefined

/** The default: says nothing. */
export const silentLogger: Logger = {
  debug: noop,
  info: noop,
  warn: noop,
  error: noop,
  child: () => silentLogger,
}
