// Spawns the wisp-relay CLI as a user would (dev mode: TypeScript sources through tsx), connects
// Node peers to it, and checks identity, gossip, auth, metrics, clean shutdown and persistence;
// chain mode against a real anvil with our contracts.
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { aggregateSignatures, hashToPoint, SecretKey } from '@wisp/bls'
import { submitTask } from '@wisp/chain'
import { deployLocalNetwork, startAnvil } from '@wisp/contracts/dev'
import { createBlsAuthSigner, createNodePeer, peerIdFromSeed, type WispNetwork } from '@wisp/p2p/node'
import { DOMAIN_TASKS, taskHash, voteHash, type WireTaskSubmitted } from '@wisp/protocol'
import { createWalletClient, http, keccak256, stringToHex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { parseRelayArgs } from '../src/args.js'
import type { RelayError } from '../src/errors.js'

const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'wisp-relay-cli-'))
const SEED = keccak256(stringToHex('wisp-relay-cli-test-seed'))
const NAMESPACE = 'wisp-cli-test'
const OTHER_SEED = keccak256(stringToHex('wisp-relay-cli-test-other-relay'))

interface Started {
  child: ChildProcess
  lines: string[]
  stderr: string[]
}

function start(args: string[], env: Record<string, string> = {}): Promise<Started> {
  const child = spawn(process.execPath, ['--conditions=@wisp/source', '--import', 'tsx', cli, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const started: Started = { child, lines: [], stderr: [] }
  child.stderr!.on('data', (d: Buffer) => started.stderr.push(d.toString()))
  return new Promise((resolve, reject) => {
    let buffer = ''
    const timer = setTimeout(
      () => reject(new Error(`relay did not start: ${started.stderr.join('')}`)),
      30_000,
    )
    child.stdout!.on('data', (d: Buffer) => {
      buffer += d.toString()
      const parts = buffer.split('\n')
      buffer = parts.pop()!
      started.lines.push(...parts)
      if (
        started.lines.some((l) => l.startsWith('{') || l.startsWith('metrics:') || l.includes('/ws/p2p/'))
      ) {
        clearTimeout(timer)
        resolve(started)
      }
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`relay exited with ${code}: ${started.stderr.join('')}`))
    })
  })
}

function stop(s: Started, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
  return new Promise((resolve) => {
    s.child.once('exit', (code) => resolve(code))
    s.child.kill(signal)
  })
}

const peers: WispNetwork[] = []
afterEach(async () => {
  await Promise.all(peers.splice(0).map((p) => p.stop()))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('wisp-relay', () => {
  it('prints its peer id and multiaddrs, relays gossip between peers, stops cleanly on SIGTERM', async () => {
    const dataDir = join(dir, 'flags')
    const relay = await start([
      '--listen',
      '/ip4/127.0.0.1/tcp/0/ws',
      '--seed',
      SEED,
      '--data-dir',
      dataDir,
      '--namespace',
      NAMESPACE,
      '--metrics-port',
      '0',
    ])
    const peerId = relay.lines.find((l) => l.startsWith('wisp-relay peer id: '))!.split(': ')[1]!
    expect(peerId).toBe(await peerIdFromSeed(SEED))
    const address = relay.lines.map((l) => l.trim()).find((l) => l.startsWith('/ip4/127.0.0.1/'))!
    expect(address).toMatch(new RegExp(`/ws/p2p/${peerId}$`))

    const [a, b] = [
      await createNodePeer({ topicNamespace: NAMESPACE }),
      await createNodePeer({ topicNamespace: NAMESPACE }),
    ]
    peers.push(a, b)
    await a.dial(address)
    await b.dial(address)
    const got = new Promise<string>((resolve) => b.onMessage('customMessage', (r) => resolve(r.message.data)))
    // the relay grafts both peers on a heartbeat; publish until it forwards (deterministic end: the message)
    const deadline = Date.now() + 15_000
    let data: string | undefined
    let n = 0
    while (data === undefined && Date.now() < deadline) {
      await a.publish('customMessage', { data: stringToHex(`hello-${n++}`) })
      data = await Promise.race([got, new Promise<undefined>((r) => setTimeout(() => r(undefined), 300))])
    }
    expect(data).toMatch(/^0x68656c6c6f2d/)

    const metricsUrl = relay.lines.find((l) => l.startsWith('metrics: '))!.slice('metrics: '.length)
    const text = await (await fetch(metricsUrl)).text()
    expect(text).toMatch(
      /wisp_p2p_messages_total\{topic="customMessage",outcome="accept",reason="valid"\} \d+/,
    )
    expect(text).toMatch(/wisp_p2p_connections 2/)

    expect(await stop(relay)).toBe(0)
    expect(relay.stderr.join('')).toContain('stopped')
    // the peer store was persisted: both peers are in it
    expect(readdirSync(join(dataDir, 'peerstore', 'peers')).length).toBeGreaterThanOrEqual(2)
  })

  it("two relay processes federate (--peer): a peer on each gets the other's gossip", async () => {
    const base = ['--listen', '/ip4/127.0.0.1/tcp/0/ws', '--namespace', NAMESPACE]
    const relayA = await start(base)
    const addressOf = (s: Started) =>
      s.lines.map((l) => l.trim()).find((l) => l.startsWith('/ip4/127.0.0.1/'))!
    const relayB = await start([...base, '--peer', addressOf(relayA)])
    try {
      const idA = relayA.lines.find((l) => l.startsWith('wisp-relay peer id: '))!.split(': ')[1]!
      // printed after the addresses that let start() resolve
      const line = `federating with 1 relay(s): ${idA}`
      for (let i = 0; i < 100 && !relayB.lines.includes(line); i++)
        await new Promise((r) => setTimeout(r, 100))
      expect(relayB.lines).toContain(line)
      const [a, b] = [
        await createNodePeer({ topicNamespace: NAMESPACE, bootstrap: [addressOf(relayA)] }),
        await createNodePeer({ topicNamespace: NAMESPACE, bootstrap: [addressOf(relayB)] }),
      ]
      peers.push(a, b)
      const got = new Promise<string>((resolve) =>
        b.onMessage('customMessage', (r) => resolve(r.message.data)),
      )
      // meshes form on heartbeats and the relays link up: publish until it arrives (the end is the message)
      const deadline = Date.now() + 20_000
      let data: string | undefined
      let n = 0
      while (data === undefined && Date.now() < deadline) {
        await a.publish('customMessage', { data: stringToHex(`across-${n++}`) })
        data = await Promise.race([got, new Promise<undefined>((r) => setTimeout(() => r(undefined), 300))])
      }
      expect(data).toMatch(/^0x6163726f73732d/)
      // each peer is connected only to its own relay
      expect(a.connections().map((c) => c.peerId)).toEqual([idA])
      expect(b.connections()).toHaveLength(1)
    } finally {
      expect(await stop(relayB)).toBe(0)
      expect(await stop(relayA)).toBe(0)
    }
  })

  it('keeps a generated identity in the data directory across restarts (and stops on SIGINT)', async () => {
    const dataDir = join(dir, 'generated')
    const first = await start(['--listen', '/ip4/127.0.0.1/tcp/0/ws', '--data-dir', dataDir, '--json'])
    const id1 = (JSON.parse(first.lines[0]!) as { peerId: string }).peerId
    expect(await stop(first, 'SIGINT')).toBe(0)
    const second = await start(['--listen', '/ip4/127.0.0.1/tcp/0/ws', '--data-dir', dataDir, '--json'])
    expect((JSON.parse(second.lines[0]!) as { peerId: string }).peerId).toBe(id1)
    expect(await stop(second)).toBe(0)
  })

  it('reads a config file: operators, deployments and auth', async () => {
    const ecdsa = keccak256(stringToHex('cli-operator'))
    const bls = SecretKey.fromScalar(987654321n)
    const operator = { id: 1, address: privateKeyToAccount(ecdsa).address }
    const config = join(dir, 'relay.json')
    writeFileSync(
      config,
      JSON.stringify({
        listen: ['/ip4/127.0.0.1/tcp/0/ws'],
        seed: SEED,
        topicNamespace: NAMESPACE,
        deployments: [{ chainId: 31337, attestationCenter: '0x5FbDB2315678afecb367f032d93F642f64180aa3' }],
        auth: { enabled: true },
        metricsPort: 0,
        operators: [{ ...operator, blsPublicKey: bls.publicKey.toHex(), votingPower: '1000' }],
        definitions: [1],
      }),
    )
    const relay = await start(['--config', config, '--json'])
    const info = JSON.parse(relay.lines[0]!) as { peerId: string; multiaddrs: string[]; metrics: string }
    expect(info.peerId).toBe(await peerIdFromSeed(SEED))
    const peer = await createNodePeer(
      { topicNamespace: NAMESPACE },
      { signer: createBlsAuthSigner({ operatorId: 1, address: operator.address }, bls) },
    )
    peers.push(peer)
    await peer.dial(info.multiaddrs[0]!)
    const deadline = Date.now() + 15_000
    let text = ''
    while (!/wisp_p2p_auth_total\{outcome="operator"\} 1/.test(text) && Date.now() < deadline) {
      text = await (await fetch(info.metrics)).text()
      await new Promise((r) => setTimeout(r, 50))
    }
    expect(text).toMatch(/wisp_p2p_auth_total\{outcome="operator"\} 1/)
    expect(await stop(relay)).toBe(0)
  })

  it('refuses bad input with a coded error and exit code 2', async () => {
    const run = (args: string[]) =>
      new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, ['--conditions=@wisp/source', '--import', 'tsx', cli, ...args])
        let stderr = ''
        child.stderr.on('data', (d: Buffer) => {
          stderr += d.toString()
        })
        child.once('exit', (code) => resolve({ code, stderr }))
      })
    expect(await run(['--seed', '0x1234'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('P2P_INVALID_SEED'),
    })
    expect(await run(['--port', 'x'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('RELAY_INVALID_ARGS'),
    })
    expect(await run(['--auth'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('RELAY_INVALID_CONFIG'),
    })
    expect(await run(['--listen', 'nonsense'])).toMatchObject({
      code: 2,
      stderr:
        'wisp-relay: --listen "nonsense" is not a multiaddr: String multiaddr must start with "/" (RELAY_INVALID_ARGS)\n',
    })
  })

  it('names the flag or config key of an address that is not a multiaddr, or lacks the peer id a dial needs', () => {
    const refusal = (argv: string[]) => {
      try {
        parseRelayArgs(argv, {})
      } catch (err) {
        return `${(err as RelayError).code}: ${(err as Error).message}`
      }
      return 'accepted'
    }
    const id = '12D3KooWLHSThL8b81zwReWPdbfjRg3fxdmCMxnebXijwhrL2kXN'
    expect(refusal(['--listen', '/ip4/1.2.3/tcp/1/ws'])).toBe(
      'RELAY_INVALID_ARGS: --listen "/ip4/1.2.3/tcp/1/ws" is not a multiaddr: Invalid IPv4 address "1.2.3"',
    )
    expect(refusal(['--announce', 'relay.example:443'])).toMatch(
      /^RELAY_INVALID_ARGS: --announce "relay.example:443"/,
    )
    expect(refusal(['--peer', '/ip4/127.0.0.1/tcp/9/ws'])).toBe(
      'RELAY_INVALID_ARGS: --peer "/ip4/127.0.0.1/tcp/9/ws" must end in /p2p/<peer id> (the relay\'s address as it prints it)',
    )
    expect(refusal(['--bootstrap', '/ip4/127.0.0.1/tcp/9/ws/p2p/xyz'])).toBe(
      'RELAY_INVALID_ARGS: --bootstrap "/ip4/127.0.0.1/tcp/9/ws/p2p/xyz" is not a multiaddr: p2p "xyz" does not decode',
    )
    expect(
      refusal(['--listen', '/ip4/0.0.0.0/tcp/0/ws', '--peer', `/dns4/relay.example/tcp/443/wss/p2p/${id}`]),
    ).toBe('accepted')
    const config = (body: object) => {
      writeFileSync(join(dir, 'relay-addresses.json'), JSON.stringify(body))
      return refusal(['--config', join(dir, 'relay-addresses.json')])
    }
    expect(config({ listen: '/ip4/0.0.0.0/tcp/9090/ws' })).toBe(
      'RELAY_INVALID_CONFIG: config "listen" must be a list of multiaddrs',
    )
    expect(config({ peers: [`/ip4/127.0.0.1/tcp/9/ws/p2p/${id}`, '/ip4/127.0.0.1/tcp/9/ws'] })).toBe(
      'RELAY_INVALID_CONFIG: config "peers"[1] "/ip4/127.0.0.1/tcp/9/ws" must end in /p2p/<peer id> (the relay\'s address as it prints it)',
    )
  })

  it('chain mode: refuses a dead RPC, an address without a contract, a contract that is not an AttestationCenter and a wrong chain id with coded errors; starts against a real AttestationCenter', async () => {
    const run = (args: string[]) =>
      new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, ['--conditions=@wisp/source', '--import', 'tsx', cli, ...args])
        let stderr = ''
        child.stderr.on('data', (d: Buffer) => {
          stderr += d.toString()
        })
        child.once('exit', (code) => resolve({ code, stderr }))
      })
    const somewhere = '0x00000000000000000000000000000000000000aa'
    expect(await run(['--rpc', 'not-a-url', '--attestation-center', somewhere])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('RELAY_INVALID_CONFIG'),
    })
    expect(await run(['--rpc', 'http://127.0.0.1:9', '--attestation-center', somewhere])).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('CHAIN_RPC_FAILED'),
    })

    // chain mode reads the definitions itself: a static list beside it is a config error
    const both = join(dir, 'chain-and-definitions.json')
    writeFileSync(
      both,
      JSON.stringify({
        chain: { rpcUrl: 'http://127.0.0.1:9', attestationCenter: somewhere },
        definitions: [1],
      }),
    )
    expect(await run(['--config', both])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('RELAY_INVALID_CONFIG'),
    })

    const anvil = await startAnvil({ port: 0 })
    try {
      const net = await deployLocalNetwork({
        rpcUrl: anvil.rpcUrl,
        operators: [{}],
        taskDefinitions: [{ name: 'one' }],
      })
      expect(
        await run(['--rpc', anvil.rpcUrl, '--attestation-center', somewhere, '--port', '0']),
      ).toMatchObject({
        code: 1,
        stderr: expect.stringContaining('CHAIN_NOT_A_CONTRACT'),
      })
      // a contract, but not an AttestationCenter (the registry); the right contract on another chain id
      expect(
        await run(['--rpc', anvil.rpcUrl, '--attestation-center', net.contracts.registry, '--port', '0']),
      ).toMatchObject({ code: 1, stderr: expect.stringContaining('CHAIN_NOT_AN_ATTESTATION_CENTER') })
      expect(
        await run([
          '--rpc',
          anvil.rpcUrl,
          '--attestation-center',
          net.contracts.attestationCenter,
          '--chain-id',
          '1',
          '--port',
          '0',
        ]),
      ).toMatchObject({ code: 1, stderr: expect.stringContaining('CHAIN_WRONG_CHAIN') })
      // listed deployments that leave out the AttestationCenter it reads
      const elsewhere = join(dir, 'chain-elsewhere.json')
      writeFileSync(
        elsewhere,
        JSON.stringify({
          listen: ['/ip4/127.0.0.1/tcp/0/ws'],
          deployments: [{ chainId: 17000, attestationCenter: net.contracts.attestationCenter }],
          chain: { rpcUrl: anvil.rpcUrl, attestationCenter: net.contracts.attestationCenter },
        }),
      )
      expect(await run(['--config', elsewhere])).toMatchObject({
        code: 2,
        stderr: expect.stringContaining('RELAY_INVALID_CONFIG'),
      })
      const relay = await start([
        '--rpc',
        anvil.rpcUrl,
        '--attestation-center',
        net.contracts.attestationCenter,
        '--listen',
        '/ip4/127.0.0.1/tcp/0/ws',
        '--json',
      ])
      expect(JSON.parse(relay.lines.find((l) => l.startsWith('{'))!)).toMatchObject({ mode: 'chain' })
      expect(await stop(relay)).toBe(0)

      // --network: the network file's chain; its first RPC is dead, the fallback answers
      const networkFile = join(dir, 'network.json')
      const network = {
        version: 1,
        name: 'relay test',
        kind: 'local',
        chainId: 31337,
        rpcUrls: ['http://127.0.0.1:9', anvil.rpcUrl],
        backend: 'wisp',
        contracts: { attestationCenter: net.contracts.attestationCenter },
        deploymentBlock: 0,
        taskDefinitions: [],
        // another relay of the network (down now): federated with, redialled with backoff
        relays: [`/ip4/127.0.0.1/tcp/9/ws/p2p/${await peerIdFromSeed(OTHER_SEED)}`],
      }
      writeFileSync(networkFile, JSON.stringify(network))
      const fromFile = await start([
        '--network',
        networkFile,
        '--listen',
        '/ip4/127.0.0.1/tcp/0/ws',
        '--json',
      ])
      expect(JSON.parse(fromFile.lines.find((l) => l.startsWith('{'))!)).toMatchObject({
        mode: 'chain',
        relays: [await peerIdFromSeed(OTHER_SEED)],
      })
      expect(await stop(fromFile)).toBe(0)
      writeFileSync(networkFile, JSON.stringify({ ...network, chainId: 'x' }))
      expect(await run(['--network', networkFile])).toMatchObject({
        code: 2,
        stderr: expect.stringMatching(/--network .*network\.json: network\.chainId: .*RELAY_INVALID_CONFIG/),
      })
      expect(await run(['--network', networkFile, '--rpc', anvil.rpcUrl])).toMatchObject({
        code: 2,
        stderr: expect.stringContaining('drop --rpc'),
      })
    } finally {
      await anvil.stop()
    }
  }, 180_000)
  it('chain mode judges gossip by the chain: a real TaskSubmitted announcement is forwarded, a made-up one rejected', async () => {
    const anvil = await startAnvil({ port: 0 })
    try {
      const net = await deployLocalNetwork({
        rpcUrl: anvil.rpcUrl,
        operators: [{}, {}],
        taskDefinitions: [{ name: 'one' }],
      })
      const center = net.contracts.attestationCenter
      // a real submission: operator 1 performs, both operators approve
      const [op1, op2] = net.operators as [(typeof net.operators)[0], (typeof net.operators)[0]]
      const task = {
        proofOfTask: 'relay-chain-mode',
        data: '0x01' as const,
        taskPerformer: op1.address,
        taskDefinitionId: 1,
      }
      const point = hashToPoint(
        DOMAIN_TASKS,
        voteHash(task, { attestationCenter: center, chainId: net.chainId, isApproved: true }),
      )
      const votes = [op1, op2].map((o) => SecretKey.fromBytes(o.blsSecretKey).signPoint(point))
      const wallet = createWalletClient({
        account: privateKeyToAccount(op1.ecdsaKey),
        transport: http(anvil.rpcUrl),
      })
      const submitted = await submitTask(wallet, {
        attestationCenter: center,
        task,
        performerSignature: {
          type: 'ecdsa',
          signature: await privateKeyToAccount(op1.ecdsaKey).sign({ hash: taskHash(task) }),
        },
        isApproved: true,
        aggregateSignature: aggregateSignatures(votes).toEvm(),
        attesterIds: [op1.id, op2.id],
      })

      // the config file's chain section, with a short outcome window (anvil mines at once)
      const config = join(dir, 'chain.json')
      writeFileSync(
        config,
        JSON.stringify({
          listen: ['/ip4/127.0.0.1/tcp/0/ws'],
          topicNamespace: NAMESPACE,
          metricsPort: 0,
          chain: {
            rpcUrl: anvil.rpcUrl,
            attestationCenter: center,
            chainId: net.chainId,
            outcomeWindowMs: 300,
          },
        }),
      )
      const relay = await start(['--config', config, '--json'])
      const info = JSON.parse(relay.lines.find((l) => l.startsWith('{'))!) as {
        multiaddrs: string[]
        metrics: string
        mode: string
      }
      expect(info.mode).toBe('chain')
      const [a, b] = [
        await createNodePeer({ topicNamespace: NAMESPACE }),
        await createNodePeer({ topicNamespace: NAMESPACE }),
      ]
      peers.push(a, b)
      await a.dial(info.multiaddrs[0]!)
      await b.dial(info.multiaddrs[0]!)
      const atB: WireTaskSubmitted[] = []
      b.onMessage('taskSubmitted', (r) => atB.push(r.message))

      const good: WireTaskSubmitted = {
        taskId: taskHash(task),
        txHash: submitted.txHash,
        performerAddress: op1.address,
        operatorIds: [op1.id, op2.id],
        definitionId: 1,
        isApproved: true,
      }
      // the relay grafts both peers on a heartbeat: publish until the real one arrives
      const deadline = Date.now() + 15_000
      while (!atB.some((m) => m.txHash === good.txHash) && Date.now() < deadline) {
        await a.publish('taskSubmitted', good).catch(() => undefined)
        await new Promise((r) => setTimeout(r, 300))
      }
      expect(atB).toContainEqual(good)

      const madeUp = { ...good, txHash: keccak256(stringToHex('made-up')) }
      const wrongVerdict = { ...good, isApproved: false }
      await a.publish('taskSubmitted', madeUp).catch(() => undefined)
      await a.publish('taskSubmitted', wrongVerdict).catch(() => undefined)
      const rejected =
        /wisp_p2p_messages_total\{topic="taskSubmitted",outcome="reject",reason="false_outcome"\} (\d+)/
      let text = ''
      const until = Date.now() + 15_000
      while (Number(rejected.exec(text)?.[1] ?? 0) < 2 && Date.now() < until) {
        text = await (await fetch(info.metrics)).text()
        await new Promise((r) => setTimeout(r, 100))
      }
      expect(Number(rejected.exec(text)?.[1] ?? 0)).toBe(2)
      // b only ever saw the real announcement
      for (const m of atB) expect(m).toEqual(good)
      expect(await stop(relay)).toBe(0)
    } finally {
      await anvil.stop()
    }
  }, 90_000)
})
