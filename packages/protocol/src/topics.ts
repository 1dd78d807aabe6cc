import { ProtocolError } from './codes.js'

/** Othentic networks name their topics `othentic.p2p.*` (docs/protocol.md §5). */
export const DEFAULT_TOPIC_NAMESPACE = 'othentic'

/** Topic name suffixes per gossip message kind; the kinds match the wire codec's kinds. */
export const TOPIC_SUFFIXES = {
  task: 'p2p.task',
  attestation: 'p2p.attest',
  taskSubmitted: 'p2p.task_submitted',
  customMessage: 'p2p.custom_message',
} as const

export type GossipTopicKind = keyof typeof TOPIC_SUFFIXES

export type GossipTopics = { readonly [K in GossipTopicKind]: string }

/** Dot-separated labels of letters, digits, `_` and `-`; short enough to stay readable in logs. */
const NAMESPACE_RE = /^[A-Za-z0-9][A-Za-z0-9_-]*(\.[A-Za-z0-9][A-Za-z0-9_-]*)*$/
const MAX_NAMESPACE_LENGTH = 64

function assertNamespace(namespace: unknown): asserts namespace is string {
  if (
    typeof namespace !== 'string' ||
    namespace.length > MAX_NAMESPACE_LENGTH ||
    !NAMESPACE_RE.test(namespace)
  ) {
    throw new ProtocolError(
      'TOPIC_INVALID_NAMESPACE',
      `invalid topic namespace ${JSON.stringify(namespace)}`,
      {
        details: { namespace: String(namespace) },
      },
    )
  }
}

/**
 * The four gossip topics of a network. The default namespace interoperates with Othentic nodes;
 * another namespace (e.g. `wisp-devnet`) keeps a separate network from mixing with them.
 */
export function gossipTopics(namespace: string = DEFAULT_TOPIC_NAMESPACE): GossipTopics {
  assertNamespace(namespace)
  return Object.freeze({
    task: `${namespace}.${TOPIC_SUFFIXES.task}`,
    attestation: `${namespace}.${TOPIC_SUFFIXES.attestation}`,
    taskSubmitted: `${namespace}.${TOPIC_SUFFIXES.taskSubmitted}`,
    customMessage: `${namespace}.${TOPIC_SUFFIXES.customMessage}`,
  })
}

/** The kind of a topic name in the namespace, or undefined for a foreign topic. */
export function topicKind(
  topic: string,
  namespace: string = DEFAULT_TOPIC_NAMESPACE,
): GossipTopicKind | undefined {
  const topics = gossipTopics(namespace)
  for (const kind of Object.keys(TOPIC_SUFFIXES) as GossipTopicKind[]) if (topics[kind] === topic) return kind
  return undefined
}
