// An HTTP proxy in front of anvil for tests of RPC failures: it forwards JSON-RPC, or answers
// what its `mode` says instead (a 429, a 503, nothing at all); it counts the requests it got.
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

export type RpcProxyMode = 'forward' | '429' | '503' | 'stall'

export interface RpcProxy {
  readonly url: string
  /** what the next request gets; change it at any time */
  mode: RpcProxyMode
  hits(): number
  close(): void
}

export async function startRpcProxy(upstream: string, mode: RpcProxyMode = 'forward'): Promise<RpcProxy> {
  let hits = 0
  const server = createServer((req, res) => {
    hits += 1
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      if (proxy.mode === '429')
        return void res.writeHead(429, { 'content-type': 'text/plain' }).end('rate limited')
      if (proxy.mode === '503') return void res.writeHead(503).end('down')
      if (proxy.mode === 'stall') return // never answers: the client's timeout must move on
      fetch(upstream, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: Buffer.concat(chunks),
      })
        .then(async (r) =>
          res.writeHead(r.status, { 'content-type': 'application/json' }).end(await r.text()),
        )
        .catch(() => res.writeHead(502).end())
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const proxy: RpcProxy = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    mode,
    hits: () => hits,
    close() {
      server.closeAllConnections()
      server.close()
    },
  }
  return proxy
}
