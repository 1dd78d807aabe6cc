/// <reference types="node" />
// A relay at its connection limit refuses new inbound connections at once, before any handshake,
// and says so in its log and metrics. libp2p's connection manager refuses them too, but only in
// its debug log, and it counts the relay's links to other relays, so leaf peers could crowd
// those out. So the relay's libp2p limit is set above `maxConnections` (room for the federation
// links) and the limit on the other connections is enforced here, in the connection gater.
// Before the handshake the remote's peer id is unknown: another relay dialling a full relay is
// refused too, and the link is made by the full relay's own dial (each relay dials every relay it
// knows).
import type { Libp2p, MultiaddrConnection } from '@libp2p/interface'
import { Counter, Registry } from 'prom-client'
import type { Logger } from '../logger.js'
import type { P2PMetrics } from '../metrics.js'

export const REFUSED_CONNECTIONS_METRIC = 'wisp_p2p_relay_refused_connections_total'

/** At most one log line per this long while refusing (the first refusal is logged at once). */
const LOG_EVERY_MS = 10_000

export interface LoadShedder {
  /** The gater rule: true refuses the connection. */
  denyInboundConnection(maConn: MultiaddrConnection): boolean
  /** Points the shedder at the node (its connections are counted). */
  attach(libp2p: Libp2p): void
  /** Connections refused so far. */
  refused(): number
}

export function createLoadShedder(params: {
  maxConnections: number
  /** exempt from the limit (the relay's `allow`): `/ip4/a.b.c.d/ipcidr/n` ranges or multiaddr prefixes */
  allow: readonly string[]
  /** connections to these peers do not count (the federated relays) */
  exempt?: (peerId: string) => boolean
  logger: Logger
  metrics?: P2PMetrics
  now?: () => number
}): LoadShedder {
  const now = params.now ?? Date.now
  const registry = (params.metrics as { registry?: unknown } | undefined)?.registry
  const counter =
    registry instanceof Registry && registry.getSingleMetric(REFUSED_CONNECTIONS_METRIC) === undefined
      ? new Counter({
          name: REFUSED_CONNECTIONS_METRIC,
          help: 'Inbound connections refused because the relay was at its connection limit',
          registers: [registry],
        })
      : undefined
  let node: Libp2p | undefined
  let total = 0
  let sinceLog = 0
  let loggedAt: number | undefined
  return {
    attach(libp2p) {
      node = libp2p
    },
    refused: () => total,
    denyInboundConnection(maConn) {
      if (node === undefined) return false
      const exempt = params.exempt ?? (() => false)
      const open = node.getConnections().filter((c) => !exempt(c.remotePeer.toString())).length
      if (open < params.maxConnections) {
        // back under the limit: the next refusal is news again
        if (sinceLog > 0 || loggedAt !== undefined) {
          params.logger.info('below the connection limit again: accepting connections', {
            connections: open,
            maxConnections: params.maxConnections,
            refusedSinceLastLine: sinceLog,
          })
        }
        sinceLog = 0
        loggedAt = undefined
        return false
      }
      const remote = maConn.remoteAddr.toString()
      if (params.allow.some((entry) => allows(entry, remote))) return false
      total++
      sinceLog++
      counter?.inc()
      const t = now()
      if (loggedAt === undefined || t - loggedAt >= LOG_EVERY_MS) {
        params.logger.warn('at the connection limit: refusing new connections', {
          maxConnections: params.maxConnections,
          remoteAddr: remote,
          refused: sinceLog,
        })
        loggedAt = t
        sinceLog = 0
      }
      return true
    },
  }
}

function ip4(text: string): number | undefined {
  const parts = text.split('.').map(Number)
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return undefined
  return parts.reduce((n, p) => n * 256 + p, 0)
}

/** Whether an `allow` entry covers a remote address: an IPv4 range as libp2p reads it, else a prefix. */
export function allows(entry: string, remote: string): boolean {
  const range = /^\/ip4\/([\d.]+)\/ipcidr\/(\d+)$/.exec(entry)
  if (range === null) return remote.startsWith(entry)
  const host = /^\/ip4\/([\d.]+)/.exec(remote)?.[1]
  const [base, addr, bits] = [ip4(range[1]!), host === undefined ? undefined : ip4(host), Number(range[2])]
  if (base === undefined || addr === undefined || bits > 32) return false
  const size = 2 ** (32 - bits)
  return Math.floor(base / size) === Math.floor(addr / size)
}
