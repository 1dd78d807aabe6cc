// A rogue peer: a real libp2p peer (`createNodePeer` of @wisp/p2p/node, WebSocket over loopback)
// dialled to the devnet relay, that publishes RAW bytes on the Wisp topics through gossipsub
// (`libp2p.services.pubsub.publish(topic, bytes)`), bypassing our encoder and our own validators.
// What it sends comes from a seeded PRNG, so a run is reproducible: random bytes, truncated
// protobufs, 1 MB protobufs, well-formed votes with forged BLS signatures in a registered
// attester's name, correctly signed votes of an operator that is not registered, tasks with bad
// performer signatures, fake TaskSubmitted announcements for live tasks, and replays of what it
// sent or saw before.
import { SecretKey } from '@wisp/bls'
import { createNodePeer, type WispNetwork } from '@wisp/p2p/node'
import {
  DOMAIN_TASKS,
  encodeMessage,
  type GossipTopicKind,
  gossipTopics,
  type TaskInfo,
  taskHash,
  voteHash,
  type WireAttestation,
  type WireTask,
  type WireTaskSubmitted,
} from '@wisp/protocol'
import { type Address, bytesToHex, type Hex, keccak256, toHex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'

/** mulberry32: a small, fast, deterministic PRNG (not for keys that matter). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export type RogueKind =
  | 'random-bytes'
  | 'truncated-protobuf'
  | 'huge-protobuf'
  | 'forged-bls-vote'
  | 'unregistered-vote'
  | 'bad-performer-signature'
  | 'fake-task-submitted'
  | 'replay'

/** How often each kind is drawn (relative weights). A 1 MB message is expensive for us too: rare. */
export const DEFAULT_MIX: Readonly<Record<RogueKind, number>> = Object.freeze({
  'random-bytes': 20,
  'truncated-protobuf': 20,
  'huge-protobuf': 0.05,
  'forged-bls-vote': 15,
  'unregistered-vote': 15,
  'bad-performer-signature': 10,
  'fake-task-submitted': 10,
  replay: 10,
})

export interface RogueTarget {
  /** the devnet's AttestationCenter and chain: votes are bound to them (otherwise they are simply foreign) */
  deployment: { chainId: number; attestationCenter: Address }
  /** registered attesters whose names forged votes use */
  attesters: Address[]
  /** the designated performer, whose name tasks with bad signatures use */
  performer: Address
  taskDefinitionId: number
}

export interface RogueOptions {
  relay: string[]
  seed: number
  target: RogueTarget
  topicNamespace?: string
  mix?: Partial<Record<RogueKind, number>>
}

export interface FloodReport {
  /** messages handed to gossipsub */
  sent: number
  /** publish calls that threw (e.g. nobody to send to after the relay hung up) */
  failed: number
  byKind: Record<RogueKind, number>
  durationMs: number
}

export interface RoguePeer {
  readonly network: WispNetwork
  readonly peerId: string
  /** live tasks seen on the task topic (the targets of fake announcements and replays) */
  readonly liveTasks: WireTask[]
  /** one message of this kind, as raw bytes, and the topic it goes to */
  make(kind: RogueKind): Promise<{ kind: GossipTopicKind; bytes: Uint8Array }>
  /** publishes raw bytes on a topic; false when gossipsub refused */
  publishRaw(kind: GossipTopicKind, bytes: Uint8Array): Promise<boolean>
  /**
   * Publishes `count` messages drawn from the mix, `ratePerSecond` at most (0 = as fast as
   * gossipsub takes them), stopping early when `signal` aborts.
   */
  flood(count: number, options?: { ratePerSecond?: number; signal?: AbortSignal }): Promise<FloodReport>
  /** is it connected to any of the relays right now */
  connectedTo(peerId: string): boolean
  stop(): Promise<void>
}

const KINDS = Object.keys(DEFAULT_MIX) as RogueKind[]

export async function startRoguePeer(options: RogueOptions): Promise<RoguePeer> {
  const random = seededRandom(options.seed)
  const int = (n: number) => Math.floor(random() * n)
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!
  const bytes = (n: number) => Uint8Array.from({ length: n }, () => int(256))
  const hex32 = (): Hex => bytesToHex(bytes(32))
  // deterministic keys from the seed (a scalar below the group order)
  const blsKey = () => SecretKey.fromScalar(BigInt(hex32()) % 2n ** 250n || 1n)
  const unregistered = {
    bls: blsKey(),
    address: privateKeyToAccount(hex32()).address,
  }
  // BLS signing costs ~4 ms of this (shared) thread: forged votes reuse a few genuine G1 points
  // signed over random digests (they verify for nothing), and an unregistered operator's correct
  // votes are signed once per task and verdict, over live tasks and a fixed pool of made-up ones
  const forgedPoints = Array.from({ length: 8 }, () => {
    const [x, y] = blsKey().sign(DOMAIN_TASKS, bytes(32)).toEvm()
    return { x, y }
  })
  const unregisteredVotes = new Map<string, Uint8Array>()
  const topics = gossipTopics(options.topicNamespace)
  const mix = { ...DEFAULT_MIX, ...options.mix }
  const totalWeight = KINDS.reduce((sum, k) => sum + mix[k], 0)
  const drawKind = (): RogueKind => {
    let r = random() * totalWeight
    for (const k of KINDS) {
      r -= mix[k]
      if (r < 0) return k
    }
    return 'random-bytes'
  }

  const network = await createNodePeer({
    bootstrap: options.relay,
    ...(options.topicNamespace ? { topicNamespace: options.topicNamespace } : {}),
  })
  const liveTasks: WireTask[] = []
  network.onMessage('task', ({ message }) => {
    liveTasks.push(message)
    if (liveTasks.length > 64) liveTasks.shift()
  })
  /** what we sent or saw that was well-formed, for replays */
  const sentBefore: Array<{ kind: GossipTopicKind; bytes: Uint8Array }> = []
  const remember = (kind: GossipTopicKind, data: Uint8Array) => {
    sentBefore.push({ kind, bytes: data })
    if (sentBefore.length > 256) sentBefore.shift()
  }
  for (const kind of ['task', 'attestation'] as const) {
    network.onMessage(kind, ({ message }) => {
      try {
        remember(kind, encodeMessage(kind, message as never))
      } catch {
        // not ours to judge
      }
    })
  }

  const madeUp: WireTask[] = []
  const someTask = async (): Promise<WireTask> => {
    const live = liveTasks.length > 0 && random() < 0.7 ? pick(liveTasks) : undefined
    if (live) return live
    if (madeUp.length >= 16) return pick(madeUp)
    madeUp.push(await badlySignedTask())
    return madeUp.at(-1)!
  }
  /** a task in the performer's name, signed by someone else */
  const badlySignedTask = async (): Promise<WireTask> => {
    const info: TaskInfo = {
      proofOfTask: hex32(),
      data: hex32(),
      taskPerformer: options.target.performer,
      taskDefinitionId: options.target.taskDefinitionId,
    }
    const signature = await privateKeyToAccount(hex32()).sign({ hash: taskHash(info) })
    return {
      proofOfTask: info.proofOfTask,
      data: info.data,
      performer: info.taskPerformer,
      definitionId: info.taskDefinitionId,
      signature: { type: 'ecdsa', signature },
    }
  }
  const infoOf = (task: WireTask): TaskInfo => ({
    proofOfTask: task.proofOfTask,
    data: task.data,
    taskPerformer: task.performer,
    taskDefinitionId: task.definitionId,
  })
  const vote = (
    task: WireTask,
    address: Address,
    key: SecretKey | undefined,
    isApproved: boolean,
  ): WireAttestation => {
    let signature = pick(forgedPoints)
    if (key !== undefined) {
      const digest = voteHash(infoOf(task), { ...options.target.deployment, isApproved })
      const [x, y] = key.sign(DOMAIN_TASKS, digest).toEvm()
      signature = { x, y }
    }
    return {
      proofOfTask: task.proofOfTask,
      data: task.data,
      performer: { address: task.performer, signature: task.signature },
      attester: { address, signature },
      isApproved,
      definitionId: task.definitionId,
    }
  }

  const make: RoguePeer['make'] = async (kind) => {
    switch (kind) {
      case 'random-bytes':
        return { kind: pick(['task', 'attestation', 'taskSubmitted'] as const), bytes: bytes(1 + int(2000)) }
      case 'truncated-protobuf': {
        const task = await someTask()
        const kind = random() < 0.5 ? 'task' : 'attestation'
        const whole =
          kind === 'task'
            ? encodeMessage('task', task)
            : encodeMessage('attestation', vote(task, pick(options.target.attesters), undefined, true))
        return { kind, bytes: whole.slice(0, 1 + int(whole.length - 2)) }
      }
      case 'huge-protobuf': {
        // a Task whose proofOfTask (field 3, length-delimited) is 1 MB
        const size = 1024 * 1024
        const header = [(3 << 3) | 2, ...varint(size)]
        const out = new Uint8Array(header.length + size).fill(0x61)
        out.set(header)
        return { kind: 'task', bytes: out }
      }
      case 'forged-bls-vote': {
        // well-formed, in a registered attester's name, signed with a key that is not theirs
        const task = await someTask()
        return {
          kind: 'attestation',
          bytes: encodeMessage(
            'attestation',
            vote(task, pick(options.target.attesters), undefined, random() < 0.5),
          ),
        }
      }
      case 'unregistered-vote': {
        // correctly signed, by an operator the chain does not know
        const task = await someTask()
        const isApproved = random() < 0.5
        const key = `${taskHash(infoOf(task))}/${isApproved}`
        let encoded = unregisteredVotes.get(key)
        if (encoded === undefined) {
          encoded = encodeMessage(
            'attestation',
            vote(task, unregistered.address, unregistered.bls, isApproved),
          )
          unregisteredVotes.set(key, encoded)
        }
        return { kind: 'attestation', bytes: encoded }
      }
      case 'bad-performer-signature':
        return { kind: 'task', bytes: encodeMessage('task', await badlySignedTask()) }
      case 'fake-task-submitted':
        return {
          kind: 'taskSubmitted',
          bytes: encodeMessage('taskSubmitted', fakeTaskSubmitted(await someTask(), hex32())),
        }
      case 'replay': {
        if (sentBefore.length === 0) return make('forged-bls-vote')
        return pick(sentBefore)
      }
    }
  }

  const pubsub = network.libp2p.services.pubsub
  const publishRaw: RoguePeer['publishRaw'] = async (kind, data) => {
    try {
      await pubsub.publish(topics[kind], data)
      return true
    } catch {
      return false
    }
  }

  return {
    network,
    peerId: network.peerId,
    liveTasks,
    make,
    publishRaw,
    async flood(count, flood = {}) {
      const started = Date.now()
      const byKind = Object.fromEntries(KINDS.map((k) => [k, 0])) as Record<RogueKind, number>
      let sent = 0
      let failed = 0
      const rate = flood.ratePerSecond ?? 0
      for (let i = 0; i < count && !flood.signal?.aborted; i++) {
        const kind = drawKind()
        const message = await make(kind)
        byKind[kind]++
        if (kind !== 'replay' && kind !== 'random-bytes') remember(message.kind, message.bytes)
        if (await publishRaw(message.kind, message.bytes)) sent++
        else failed++
        if (rate > 0) {
          const due = started + ((i + 1) * 1000) / rate
          const wait = due - Date.now()
          if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait))
        } else if (i % 50 === 49) {
          // let the event loop breathe (socket writes, our own incoming gossip)
          await new Promise((resolve) => setImmediate(resolve))
        }
      }
      return { sent, failed, byKind, durationMs: Date.now() - started }
    },
    connectedTo: (peerId) => network.connections().some((c) => c.peerId === peerId),
    stop: () => network.stop(),
  }
}

/** A TaskSubmitted for `task` as an aggregator would announce it, with a transaction that never happened. */
export function fakeTaskSubmitted(
  task: WireTask,
  txHash: Hex = keccak256(toHex(`fake/${task.proofOfTask}`)),
): WireTaskSubmitted {
  return {
    taskId: taskHash({
      proofOfTask: task.proofOfTask,
      data: task.data,
      taskPerformer: task.performer,
      taskDefinitionId: task.definitionId,
    }),
    txHash,
    performerAddress: task.performer,
    operatorIds: [2, 3],
    definitionId: task.definitionId,
    isApproved: true,
  }
}

function varint(n: number): number[] {
  const out: number[] = []
  let v = n
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80)
    v >>>= 7
  }
  out.push(v)
  return out
}
