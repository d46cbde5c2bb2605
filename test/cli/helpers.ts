/** Shared pieces of the CLI tests. */

/** A loopback port with nothing listening on it (bound, then released). */
export { freePort as closedPort } from '../helpers/ports.ts'
