// The operator key lives only in the signer worker: created or imported there, stored encrypted
// in idb, never in the page's JS heap, globals, DOM or storage (checked with a V8 heap snapshot of
// the page, with a positive control), and what the worker signs verifies in Node.

import { PublicKey, SecretKey, Signature, verify, verifyProofOfPossession } from '@wisp/bls'
import { DOMAIN_AUTH, DOMAIN_TASKS } from '@wisp/protocol'
import { decryptKey } from '@wisp/storage'
import { launchChromium } from '@wisp/test-utils'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { bytesToHex, hexToBytes, keccak256, stringToHex } from 'viem'
import { privateKeyToAddress } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import {
  createKey,
  openApp,
  PASSPHRASE,
  registerAndRun,
  unlock,
  waitForWisp,
  wisp,
} from './support/browser.ts'
import { sendTask } from './support/tasks.ts'

const net = inject('wisp')
let browser: Browser

beforeAll(async () => {
  browser = await launchChromium()
})

afterAll(async () => {
  await browser?.close()
})

/** Every string a V8 heap snapshot of the page's main thread holds (after a full GC). */
async function heapStrings(context: BrowserContext, page: Page): Promise<string> {
  const cdp = await context.newCDPSession(page)
  await cdp.send('HeapProfiler.enable')
  await cdp.send('HeapProfiler.collectGarbage')
  const chunks: string[] = []
  cdp.on('HeapProfiler.addHeapSnapshotChunk', (e) => chunks.push(e.chunk))
  await cdp.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false })
  await cdp.detach()
  const snapshot = JSON.parse(chunks.join('')) as { strings: string[] }
  return snapshot.strings.join('\n').toLowerCase()
}

/** Strings reachable from the page's globals, storage and DOM, gathered in the page, searched here. */
async function pageSurface(page: Page): Promise<string> {
  return page.evaluate(async () => {
    const out: string[] = []
    const seen = new WeakSet<object>()
    const walk = (value: unknown, depth: number) => {
      if (typeof value === 'string') out.push(value)
      else if (typeof value === 'bigint') out.push(value.toString(16), value.toString())
      else if (value instanceof Uint8Array)
        out.push(Array.from(value, (b) => b.toString(16).padStart(2, '0')).join(''))
      else if (
        typeof value === 'object' &&
        value !== null &&
        depth < 6 &&
        !seen.has(value) &&
        !(value instanceof Node)
      ) {
        seen.add(value)
        for (const key of Object.getOwnPropertyNames(value)) {
          try {
            walk((value as Record<string, unknown>)[key], depth + 1)
          } catch {}
        }
      }
    }
    for (const key of Object.getOwnPropertyNames(window)) {
      if (/^(webkit|on)/.test(key)) continue
      try {
        walk((window as unknown as Record<string, unknown>)[key], 0)
      } catch {}
    }
    for (const storage of [localStorage, sessionStorage]) {
      for (let i = 0; i < storage.length; i++) out.push(storage.key(i)!, storage.getItem(storage.key(i)!)!)
    }
    out.push(document.documentElement.outerHTML)
    for (const el of document.querySelectorAll('input, textarea')) out.push((el as HTMLInputElement).value)
    // everything in idb, raw (the keystore is there, encrypted). Opened only once the app has made
    // it: opening a database that does not exist yet would create it empty, under the app's feet.
    const made = (await indexedDB.databases()).some((d) => d.name === 'wisp-web')
    const db = made
      ? await new Promise<IDBDatabase>((resolve, reject) => {
          const r = indexedDB.open('wisp-web')
          r.onsuccess = () => resolve(r.result)
          r.onerror = () => reject(r.error)
        })
      : undefined
    const values =
      db?.objectStoreNames.contains('kv') === true
        ? await new Promise<unknown[]>((resolve, reject) => {
            const r = db.transaction('kv').objectStore('kv').getAll()
            r.onsuccess = () => resolve(r.result)
            r.onerror = () => reject(r.error)
          })
        : []
    db?.close()
    for (const v of values) {
      if (v instanceof Uint8Array) {
        out.push(new TextDecoder().decode(v))
        out.push(Array.from(v, (b) => b.toString(16).padStart(2, '0')).join(''))
      }
    }
    return out.join('\n').toLowerCase()
  })
}

async function readKeystore(page: Page, name: string): Promise<unknown> {
  return page.evaluate(async (key) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const r = indexedDB.open('wisp-web')
      r.onsuccess = () => resolve(r.result)
      r.onerror = () => reject(r.error)
    })
    const value = await new Promise<Uint8Array>((resolve, reject) => {
      const r = db.transaction('kv').objectStore('kv').get(key)
      r.onsuccess = () => resolve(r.result as Uint8Array)
      r.onerror = () => reject(r.error)
    })
    db.close()
    return JSON.parse(new TextDecoder().decode(value))
  }, `keystore/${name}`)
}

/** Forms of a 32-byte secret a page could plausibly hold. */
function forms(secret: Uint8Array): string[] {
  const hex = bytesToHex(secret).slice(2)
  return [hex, hex.slice(0, 32), hex.slice(32), BigInt(`0x${hex}`).toString()]
}

function expectAbsent(haystack: string, secret: Uint8Array, where: string) {
  for (const form of forms(secret))
    expect(haystack.includes(form), `${where} contains the secret`).toBe(false)
}

describe('the key stays in the signer worker', () => {
  it('a created key: Othentic derivation, encrypted in idb, nowhere in the page', async () => {
    const context = await browser.newContext()
    const page = await openApp(context, net.webUrl, 'create')
    await createKey(page)
    const w = await waitForWisp(page, "w.view === 'register'")
    const profile = w.profile!
    const file = await readKeystore(page, profile.address.toLowerCase())
    expect((file as { keyType: string }).keyType).toBe('ecdsa-secp256k1')
    // Node can decrypt it with the passphrase: the real secret, to look for
    const ecdsa = await decryptKey(file, PASSPHRASE)
    const ecdsaHex = bytesToHex(ecdsa)
    expect(privateKeyToAddress(ecdsaHex)).toBe(profile.address)
    const bls = SecretKey.fromEcdsaPrivateKey(ecdsaHex)
    expect(profile.blsPublicKey).toBe(bls.publicKey.toHex())

    expectAbsent(await pageSurface(page), ecdsa, 'globals/storage/DOM/idb')
    expectAbsent(await pageSurface(page), bls.toBytes(), 'globals/storage/DOM/idb')
    const heap = await heapStrings(context, page)
    expectAbsent(heap, ecdsa, 'the page heap')
    expectAbsent(heap, bls.toBytes(), 'the page heap')

    // what the worker signs is right: a vote digest verifies against the profile's key in Node,
    // and equals the signature of the derived key (BLS is deterministic)
    const digest = keccak256(stringToHex('a vote'))
    const signed = (await page.evaluate(
      ([d, m]) =>
        (window as unknown as { __wispTest: { sign(a: string, b: string): unknown } }).__wispTest.sign(
          d!,
          m!,
        ),
      [DOMAIN_TASKS, digest],
    )) as { ok: boolean; signature: `0x${string}` }
    expect(signed.ok).toBe(true)
    const signature = Signature.fromBytes(hexToBytes(signed.signature))
    expect(
      verify(signature, PublicKey.fromBytes(hexToBytes(profile.blsPublicKey)), DOMAIN_TASKS, digest),
    ).toBe(true)
    expect(signature.toHex()).toBe(bls.sign(DOMAIN_TASKS, digest).toHex())
    // other domains are refused: proofs of possession and auth answers have their own bound methods
    const refused = (await page.evaluate(
      ([d, m]) =>
        (window as unknown as { __wispTest: { sign(a: string, b: string): unknown } }).__wispTest.sign(
          d!,
          m!,
        ),
      [DOMAIN_AUTH, digest],
    )) as { ok: boolean; error?: { code: string } }
    expect(refused).toMatchObject({ ok: false, error: { code: 'SIGNER_DOMAIN_REFUSED' } })
    const pop = (await page.evaluate(
      ([c, id]) =>
        (
          window as unknown as { __wispTest: { proofOfPossession(a: string, b: number): unknown } }
        ).__wispTest.proofOfPossession(c as string, id as number),
      [net.registry, net.chainId] as const,
    )) as { ok: boolean; value: [`0x${string}`, `0x${string}`] }
    expect(pop.ok).toBe(true)
    const popSignature = Signature.fromEvm([BigInt(pop.value[0]), BigInt(pop.value[1])])
    expect(
      verifyProofOfPossession(popSignature, PublicKey.fromBytes(hexToBytes(profile.blsPublicKey)), {
        operator: profile.address,
        contract: net.registry,
        chainId: net.chainId,
      }),
    ).toBe(true)

    // and still nowhere once the attester runs and has signed votes
    await registerAndRun(page)
    const task = await sendTask(net)
    await waitForWisp(page, `w.status.tasks.some((t) => t.taskHash === '${task.taskHash}' && t.vote)`)
    const heapAfter = await heapStrings(context, page)
    expectAbsent(heapAfter, ecdsa, 'the page heap (running)')
    expectAbsent(heapAfter, bls.toBytes(), 'the page heap (running)')
    expectAbsent(await pageSurface(page), ecdsa, 'globals/storage/DOM/idb (running)')
    await context.close()
  })

  it('an imported ECDSA key file goes to the worker unread; a wrong passphrase does not unlock', async () => {
    const context = await browser.newContext()
    const page = await openApp(context, net.webUrl, 'import')
    const secret = keccak256(stringToHex('wisp web import test key'))
    await page.getByTestId('onboard-import-ecdsa').click()
    await page.getByTestId('secret-file').setInputFiles({
      name: 'operator.key',
      mimeType: 'text/plain',
      buffer: Buffer.from(`${secret}\n`),
    })
    await page.getByTestId('passphrase').fill(PASSPHRASE)
    await page.getByTestId('passphrase-confirm').fill(PASSPHRASE)
    await page.getByTestId('onboard-submit').click()
    const w = await waitForWisp(page, "w.view === 'register'")
    expect(w.profile?.address).toBe(privateKeyToAddress(secret))
    expect(w.profile?.blsPublicKey).toBe(SecretKey.fromEcdsaPrivateKey(secret).publicKey.toHex())
    const secretBytes = Uint8Array.from(Buffer.from(secret.slice(2), 'hex'))
    expectAbsent(await heapStrings(context, page), secretBytes, 'the page heap')
    expectAbsent(await pageSurface(page), secretBytes, 'globals/storage/DOM/idb')

    await page.reload()
    await waitForWisp(page, "w.view === 'unlock'")
    await unlock(page, 'not the passphrase')
    await expect
      .poll(() => page.getByTestId('unlock-error').textContent(), { timeout: 20_000 })
      .toBe('Wrong passphrase.')
    expect((await wisp(page)).profile).toBeUndefined()
    await unlock(page)
    await waitForWisp(page, "w.view === 'register'")
    await context.close()
  })

  it('a raw BLS key is imported for a given operator address', async () => {
    const context = await browser.newContext()
    const page = await openApp(context, net.webUrl, 'bls')
    const key = SecretKey.fromScalar(123456789n)
    const address = '0x00000000000000000000000000000000000000b1'
    await page.getByTestId('onboard-import-bls').click()
    await page.getByTestId('secret-text').fill(bytesToHex(key.toBytes()))
    await page.getByTestId('bls-address').fill(address)
    await page.getByTestId('passphrase').fill(PASSPHRASE)
    await page.getByTestId('passphrase-confirm').fill(PASSPHRASE)
    await page.getByTestId('onboard-submit').click()
    const w = await waitForWisp(page, "w.view === 'register'")
    expect(w.profile).toMatchObject({ derivation: 'raw-bls', blsPublicKey: key.publicKey.toHex() })
    expect(w.profile?.address.toLowerCase()).toBe(address)
    // the pasted text was handed over and cleared
    expect(await page.evaluate(() => document.querySelectorAll('textarea').length)).toBe(0)
    await context.close()
  })

  it('the heap search finds a string the page does hold (positive control)', async () => {
    const context = await browser.newContext()
    const page = await context.newPage()
    await page.goto(net.webUrl)
    const probe = bytesToHex(SecretKey.random().toBytes()).slice(2)
    await page.evaluate((p) => Object.assign(window, { probe: `0x${p}` }), probe)
    expect((await heapStrings(context, page)).includes(probe)).toBe(true)
    expect((await pageSurface(page)).includes(probe)).toBe(true)
    await context.close()
  })
})
