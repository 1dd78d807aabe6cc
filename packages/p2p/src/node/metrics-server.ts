/// <reference types="node" />
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Registry } from 'prom-client'

export interface MetricsServer {
  readonly port: number
  readonly url: string
  close(): Promise<void>
}

/** Serves `GET /metrics` in the Prometheus text format; everything else is 404. */
export async function startMetricsServer(
  options: { port: number; host?: string },
  components: { registry: Registry },
): Promise<MetricsServer> {
  const host = options.host ?? '127.0.0.1'
  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
      res.writeHead(404).end()
      return
    }
    components.registry
      .metrics()
      .then((body) => res.writeHead(200, { 'content-type': components.registry.contentType }).end(body))
      .catch((err: unknown) => res.writeHead(500).end(String(err)))
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, host, () => resolve())
  })
  const port = (server.address() as AddressInfo).port
  return {
    port,
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
