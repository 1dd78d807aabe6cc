import { WispError } from '@wisp/protocol'

export type NodeErrorCode =
  /** a flag or config value is missing, malformed or contradicts another */
  | 'NODE_BAD_FLAGS'
  | 'NODE_BAD_KEY'
  /** the chain RPC cannot be reached or is not the expected chain */
  | 'NODE_RPC_UNREACHABLE'
  /** this node's address is not a registered operator but its role needs one */
  | 'NODE_NOT_AN_OPERATOR'
  /** the user answered no (or nothing) to "send? [y/N]": nothing was sent */
  | 'NODE_ABORTED'
  /** the network's chain backend has no such operation here (Othentic registers operators on L1) */
  | 'NODE_UNSUPPORTED_BACKEND'

export class NodeError extends WispError<NodeErrorCode> {
  constructor(
    code: NodeErrorCode,
    message: string,
    options: { details?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(code, message, { ...options, name: 'NodeError' })
  }
}
