// The page loads a network file by URL (`?network=<url>`, what `wisp deploy` and the devnet write)
// as well as an operator config, in real headless Chromium against the local network: the file's
// name, chain and AttestationCenter drive the register view (operator state and funds read through
// its RPC, its faucet usable); a broken file is a coded error naming the field. The file is served
// to the browser through Playwright's request routing (the test web server serves only the app).
import { launchChromium } from '@wisp/test-utils'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { generatePrivateKey } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { forwardConsole, PASSPHRASE, waitForWisp } from './support/browser.ts'

const net = inject('wisp')
let browser: Browser
let context: BrowserContext

const networkFile = {
  version: 1,
  name: 'Wisp test network (file)',
  kind: 'local',
  chainId: net.chainId,
  rpcUrls: [net.rpcUrl],
  backend: 'wisp',
  contracts: { attestationCenter: net.attestationCenter, operatorRegistry: net.registry },
  deploymentBlock: 0,
  taskDefinitions: [
    {
      id: net.definitionId,
      name: 'hash-chain',
      plugin: { package: '@wisp/plugin-hash-chain' },
      config: { iterations: net.iterations },
    },
  ],
  relays: [net.relay],
  faucet: { url: 'api/faucet' },
}

async function openWith(file: unknown): Promise<Page> {
  const page = await context.newPage()
  forwardConsole(page, 'network file')
  const url = new URL('files/network.json', net.webUrl).href
  await page.route(url, (route) =>
    route.fulfill({ contentType: 'application/json', body: JSON.stringify(file) }),
  )
  await page.goto(`${net.webUrl}?test=1&network=${encodeURIComponent(url)}`)
  return page
}

beforeAll(async () => {
  browser = await launchChromium()
  context = await browser.newContext()
})

afterAll(async () => {
  await browser?.close()
})

describe('a network file by URL', () => {
  it("becomes the page's config: its network, chain and faucet", async () => {
    const page = await openWith(networkFile)
    const w = await waitForWisp(page, "w.view === 'onboarding'")
    expect(w.network).toEqual({ name: 'Wisp test network (file)', kind: 'local' })
    await page.getByTestId('onboard-import-ecdsa').click()
    await page.getByTestId('secret-text').fill(generatePrivateKey())
    await page.getByTestId('passphrase').fill(PASSPHRASE)
    await page.getByTestId('passphrase-confirm').fill(PASSPHRASE)
    await page.getByTestId('onboard-submit').click()
    // not registered on the file's AttestationCenter; its funds read through the file's RPC
    await waitForWisp(page, "w.view === 'register' && w.funds !== undefined")
    await page.getByTestId('faucet-submit').click()
    const funded = await waitForWisp(page, 'w.funds !== undefined && BigInt(w.funds.tokens) > 0n')
    expect(funded.funds?.symbol).toBe('WSTK')
    await page.close()
  })

  it('a broken file is a coded error naming the field', async () => {
    const page = await openWith({ ...networkFile, chainId: 'thirty-one' })
    await page.getByTestId('config-error').waitFor()
    const text = await page.getByTestId('config-error').textContent()
    expect(text).toContain('chainId')
    expect((await waitForWisp(page, "w.view === 'error'")).error).toMatch(
      /chainId.*OPERATOR_INVALID_NETWORK_FILE/,
    )
    await page.close()
  })
})
