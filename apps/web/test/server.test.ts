// The Node side the local network uses: the config schema's checks, and startWebServer serving the
// built app, its config and the faucet endpoint (with its error answers); the old one-click
// registration option refused with a coded error.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type OperatorConfigInput, OperatorError, parseOperatorConfig } from '@wisp/operator'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseConfig, parseFaucetRequest, type WispWebConfig } from '../src/config.ts'
import { startWebServer, type WebServer } from '../src/server/index.ts'

const config: OperatorConfigInput = {
  version: 1,
  network: { name: 'unit', kind: 'local' },
  chain: { rpcUrl: 'http://127.0.0.1:8545', chainId: 31337, attestationCenter: `0x${'11'.repeat(20)}` },
  p2p: { bootstrap: ['/ip4/127.0.0.1/tcp/9090/ws/p2p/12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN'] },
  plugins: [{ package: '@wisp/plugin-hash-chain', taskDefinitionIds: [1], config: { iterations: 10 } }],
}

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

  it('checks faucet requests', () => {
    const request = { address: `0x${'ab'.repeat(20)}` }
    expect(parseFaucetRequest(request)).toEqual(request)
    expect(pathOf(() => parseFaucetRequest({ address: 'me' }))).toBe('request.address')
    expect(pathOf(() => parseFaucetRequest('me'))).toBe('request')
  })

  it('reads the old `registration` key as the faucet', () => {
    const old = parseConfig({ ...config, registration: { url: 'api/register' } })
    expect(old.faucet).toEqual({ url: 'api/register' })
  })
})

describe('startWebServer', () => {
  let dir: string
  let server: WebServer
  const funded: unknown[] = []

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wisp-web-serve-'))
    mkdirSync(join(dir, 'assets'))
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>app</title>')
    writeFileSync(join(dir, 'assets', 'index-abc.js'), 'console.log(1)')
    server = await startWebServer({
      config,
      dir,
      build: 'never',
      faucet: {
        handler: async (request) => {
          funded.push(request)
          return {
            address: request.address,
            stakeToken: `0x${'22'.repeat(20)}`,
            ethBalance: '1',
            stakeTokenBalance: '2',
            txHashes: [`0x${'cd'.repeat(32)}`],
          }
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

  it('serves the config, pointing the faucet at its own endpoint', async () => {
    const served = (await (await fetch(new URL('wisp-config.json', server.url))).json()) as WispWebConfig
    expect(served).toEqual(parseOperatorConfig({ ...config, faucet: { url: 'api/faucet' } }))
  })

  it('answers faucet requests, and bad requests with a coded error', async () => {
    const body = { address: `0x${'ab'.repeat(20)}` }
    const ok = await fetch(new URL('api/faucet', server.url), { method: 'POST', body: JSON.stringify(body) })
    expect(ok.status).toBe(200)
    expect(((await ok.json()) as { stakeTokenBalance: string }).stakeTokenBalance).toBe('2')
    expect(funded).toEqual([body])
    const bad = await fetch(new URL('api/faucet', server.url), { method: 'POST', body: '{"address":"x"}' })
    expect(bad.status).toBe(400)
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('OPERATOR_INVALID_CONFIG')
    expect((await fetch(new URL('api/faucet', server.url))).status).toBe(405)
    // the one-click registration endpoint is gone
    expect((await fetch(new URL('api/register', server.url), { method: 'POST', body: '{}' })).status).toBe(
      405,
    )
  })

  it('refuses the removed `registration` option with a coded error', async () => {
    await expect(
      startWebServer({ config, dir, build: 'never', registration: {} as never }),
    ).rejects.toMatchObject({ code: 'WEB_REGISTRATION_REMOVED' })
  })
})
