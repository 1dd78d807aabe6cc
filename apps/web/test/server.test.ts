// The Node side the local network uses: the config schema's checks, and startWebServer serving the
// built app, its config and the registration endpoint (with its error answers).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type OperatorConfigInput, OperatorError, parseOperatorConfig } from '@wisp/operator'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseConfig, parseRegistrationRequest, type WispWebConfig } from '../src/config.ts'
import { startWebServer, type WebServer } from '../src/server/index.ts'

const config: OperatorConfigInput = {
  version: 1,
  network: { name: 'unit', kind: 'local' },
  chain: { rpcUrl: 'http://127.0.0.1:8545', chainId: 31337, attestationCenter: `0x${'11'.repeat(20)}` },
  p2p: { bootstrap: ['/ip4/127.0.0.1/tcp/9090/ws/p2p/12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN'] },
  plugins: [{ package: '@wisp/plugin-hash-chain', taskDefinitionIds: [1], config: { iterations: 10 } }],
}

const word = (n: number) => `0x${n.toString(16).padStart(64, '0')}`

const pathOf = (fn: () => unknown): unknown => {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(OperatorError)
    return (err as OperatorError).details.path
  }
  return undefined
}

describe('the web config', () => {
  it('is the operator config, and a browser needs a relay', () => {
    expect(parseConfig(config)).toEqual(parseOperatorConfig(config))
    expect(pathOf(() => parseConfig({ ...config, p2p: { bootstrap: [] } }))).toBe('config.p2p.bootstrap')
  })

  it('checks registration requests', () => {
    const request = {
      address: `0x${'ab'.repeat(20)}`,
      blsPublicKey: [word(1), word(2), word(3), word(4)],
      proofOfPossession: [word(5), word(6)],
    }
    expect(parseRegistrationRequest(request)).toEqual(request)
    expect(pathOf(() => parseRegistrationRequest({ ...request, blsPublicKey: [word(1)] }))).toBe(
      'request.blsPublicKey',
    )
    expect(pathOf(() => parseRegistrationRequest({ ...request, address: 'me' }))).toBe('request.address')
  })
})

describe('startWebServer', () => {
  let dir: string
  let server: WebServer
  const registered: unknown[] = []

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wisp-web-serve-'))
    mkdirSync(join(dir, 'assets'))
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>app</title>')
    writeFileSync(join(dir, 'assets', 'index-abc.js'), 'console.log(1)')
    server = await startWebServer({
      config,
      dir,
      build: 'never',
      registration: {
        handler: async (request) => {
          registered.push(request)
          return { operatorId: 7, txHash: `0x${'cd'.repeat(32)}`, votingPower: '1000' }
        },
      },
    })
  })

  afterAll(async () => {
    await server?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('serves the app, its assets (immutable) and client-side routes', async () => {
    const index = await fetch(server.url)
    expect(index.headers.get('content-type')).toContain('text/html')
    expect(index.headers.get('cache-control')).toBe('no-cache')
    const asset = await fetch(new URL('assets/index-abc.js', server.url))
    expect(asset.headers.get('content-type')).toContain('text/javascript')
    expect(asset.headers.get('cache-control')).toContain('immutable')
    expect((await fetch(new URL('some/route', server.url))).status).toBe(200)
    expect((await fetch(new URL('assets/missing.js', server.url))).status).toBe(404)
    // an encoded traversal stays inside the app directory (here: the client-side route fallback)
    expect(await (await fetch(new URL('..%2f..%2f..%2fetc%2fpasswd', server.url))).text()).toContain(
      '<title>app</title>',
    )
  })

  it('serves the config, pointing registration at its own endpoint', async () => {
    const served = (await (await fetch(new URL('wisp-config.json', server.url))).json()) as WispWebConfig
    expect(served).toEqual(parseOperatorConfig({ ...config, registration: { url: 'api/register' } }))
  })

  it('answers registrations, and bad requests with a coded error', async () => {
    const body = {
      address: `0x${'ab'.repeat(20)}`,
      blsPublicKey: [word(1), word(2), word(3), word(4)],
      proofOfPossession: [word(5), word(6)],
    }
    const ok = await fetch(new URL('api/register', server.url), {
      method: 'POST',
      body: JSON.stringify(body),
    })
    expect(ok.status).toBe(200)
    expect(await ok.json()).toEqual({ operatorId: 7, txHash: `0x${'cd'.repeat(32)}`, votingPower: '1000' })
    expect(registered).toEqual([body])
    const bad = await fetch(new URL('api/register', server.url), { method: 'POST', body: '{"address":"x"}' })
    expect(bad.status).toBe(400)
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('OPERATOR_INVALID_CONFIG')
    expect((await fetch(new URL('api/register', server.url))).status).toBe(405)
  })
})
