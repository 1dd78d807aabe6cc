/**
 * Bootstrap peers are tagged with a name starting with libp2p's `keep-alive` prefix, so the
 * connection manager redials them whenever the connection drops.
 */
export const BOOTSTRAP_TAG = 'keep-alive-wisp-bootstrap'
