/**
 * Logging goes through an injected logger with a component name per part, so the host decides
 * where lines go. Never log keys, seeds or signatures' secrets.
 */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void
  info(message: string, fields?: Record<string, unknown>): void
  warn(message: string, fields?: Record<string, unknown>): void
  error(message: string, fields?: Record<string, unknown>): void
  child(component: string): Logger
}

const noop = (): void => undefined

/** The default: says nothing. */
export const silentLogger: Logger = {
  debug: noop,
  info: noop,
  warn: noop,
  error: noop,
  child: () => silentLogger,
}
