import { WispError } from '@wisp/protocol'

export type OperatorErrorCode =
  /** The operator config is not valid; `details.path` names the field (e.g. `config.p2p.bootstrap[0]`). */
  | 'OPERATOR_INVALID_CONFIG'
  /** The network file is not valid; `details.path` names the field (e.g. `network.rpcUrls[0]`). */
  | 'OPERATOR_INVALID_NETWORK_FILE'
  /** The network file could not be read (missing file, HTTP error); `details.location` names it. */
  | 'OPERATOR_NETWORK_FILE_UNREADABLE'
  /** The key's address is not a registered operator, but a role needs one. */
  | 'OPERATOR_NOT_AN_OPERATOR'
  /** The BLS key differs from the one registered on chain for this operator: its votes would not verify. */
  | 'OPERATOR_KEY_MISMATCH'
  /** A plugin named in the config is not bundled with this runtime (and the runtime cannot load others). */
  | 'OPERATOR_UNKNOWN_PLUGIN'
  /** The config asks for a role this runtime cannot run (e.g. an aggregator in a browser). */
  | 'OPERATOR_ROLE_UNSUPPORTED'
  /** A role needs a component the runtime did not supply (an ECDSA signer, a fetch). */
  | 'OPERATOR_MISSING_COMPONENT'

export class OperatorError extends WispError<OperatorErrorCode> {
  constructor(
    code: OperatorErrorCode,
    message: string,
    options: { details?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(code, message, { ...options, name: 'OperatorError' })
  }
}
