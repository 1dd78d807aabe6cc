// Test page: drives IdbStore and SlashingProtection in a real browser for storage-idb.test.ts.
import { History, SlashingProtection, type Verdict } from '@wisp/storage'
import { IdbStore } from '@wisp/storage/idb'

const DB = 'wisp-test'
const storePromise = IdbStore.open({ name: DB })

async function recordVote(operator: string, taskHash: `0x${string}`, verdict: Verdict) {
  const sp = new SlashingProtection(await storePromise)
  try {
    await sp.recordVote(operator, taskHash, verdict)
    return { ok: true }
  } catch (err) {
    return { ok: false, code: (err as { code?: string }).code }
  }
}

async function getVote(operator: string, taskHash: `0x${string}`) {
  return new SlashingProtection(await storePromise).getVote(operator, taskHash)
}

async function kvChecks() {
  const store = await storePromise
  const enc = (s: string) => new TextEncoder().encode(s)
  const dec = (b?: Uint8Array) => (b ? new TextDecoder().decode(b) : undefined)
  await store.batch([
    { type: 'put', key: 'p/2', value: enc('2') },
    { type: 'put', key: 'p/1', value: enc('1') },
    { type: 'put', key: 'q/1', value: enc('x') },
  ])
  const scanned: string[] = []
  for await (const [k] of store.scan({ prefix: 'p/', reverse: true })) scanned.push(k)
  await Promise.all(
    Array.from({ length: 30 }, () => store.update('n', (c) => enc(String(Number(dec(c) ?? '0') + 1)))),
  )
  const history = new History(store)
  await history.addAttestation({
    taskHash: `0x${'01'.repeat(32)}`,
    taskDefinitionId: 0,
    operator: '1',
    verdict: 'approve',
    at: 1,
  })
  return { scanned, counter: dec(await store.get('n')), history: (await history.recentAttestations()).length }
}

Object.assign(window, { recordVote, getVote, kvChecks })
storePromise.then(() => {
  document.getElementById('status')!.textContent = 'ready'
})
