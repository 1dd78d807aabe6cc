/// <reference types="node" />
// A deterministic local price source for local networks and tests: the price is a pure function
// of the time bucket, so a performer and attesters asking within the same bucket see exactly the
// same number, and neighbouring buckets differ by far less than the default tolerance.
import { createServer, type Server } from 'node:http'

export interface LocalPriceSourceOptions {
  host?: string
  /** 0 picks a free port */
  port?: number
  basePrice?: number
  /** length of a price bucket */
  periodMs?: number
  /** amplitude of the deterministic wobble, relative (0.001 = 0.1%) */
  amplitude?: number
  now?: () => number
}

export interface LocalPriceSource {
  url: string
  host: string
  priceAt(ms: number): number
  /** serve a wrong price (× factor) until reset: for tests of misbehaving sources */
  setSkew(factor: number): void
  close(): Promise<void>
}

export async function startLocalPriceSource(
  options: LocalPriceSourceOptions = {},
): Promise<LocalPriceSource> {
  const base = options.basePrice ?? 3000
  const period = options.periodMs ?? 60_000
  const amplitude = options.amplitude ?? 0.001
  const now = options.now ?? Date.now
  let skew = 1
  const priceAt = (ms: number) =>
    Number((base * (1 + amplitude * Math.sin(Math.floor(ms / period)))).toFixed(4))
  const server: Server = createServer((req, res) => {
    // browser attesters fetch it from their page's origin
    res.setHeader('access-control-allow-origin', '*')
    if (req.method !== 'GET' || !req.url?.startsWith('/price')) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}')
      return
    }
    const at = now()
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ price: priceAt(at) * skew, at }))
  })
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve))
  const address = server.address()
  const port = typeof address === 'object' && address !== null ? address.port : 0
  const host = `${options.host ?? '127.0.0.1'}:${port}`
  return {
    url: `http://${host}/price`,
    host,
    priceAt,
    setSkew: (factor) => {
      skew = factor
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}
