/** A TCP port nothing listens on right now, for a process the test is about to start. */
export { freePort } from '../../infra/dev/free-port.ts';
