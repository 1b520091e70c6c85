/**
 * Preloaded into Spotlight by the native stack (`node --import`, processes.ts). Spotlight has
 * no option for its listen address and listens on every interface; with this, a server that
 * names no host listens on 127.0.0.1, as every other process of the native stack does. In
 * compose, Spotlight runs without it: in its container, every interface is what it needs.
 */
import { Server } from 'node:net';

const LOOPBACK = '127.0.0.1';
/** Node's own listen, applied below to each server as its `this`. */
const nodeListen = Object.getOwnPropertyDescriptor(Server.prototype, 'listen')!.value as (
  this: Server,
  ...args: unknown[]
) => Server;

function isPort(value: unknown): boolean {
  return typeof value === 'number' || (typeof value === 'string' && /^\d+$/.test(value));
}

Server.prototype.listen = function (this: Server, ...args: unknown[]) {
  const [first, second] = args;
  if (isPort(first) && (second === undefined || typeof second === 'function')) {
    // listen(port), listen(port, callback), listen(port, undefined, callback)
    args.splice(1, second === undefined && args.length > 1 ? 1 : 0, LOOPBACK);
  } else if (
    first !== null &&
    typeof first === 'object' &&
    !('host' in first) &&
    !('path' in first) &&
    !('fd' in first) &&
    !('_handle' in first)
  ) {
    // listen({ port }): an options object without an address (not a socket path or handle)
    args[0] = { ...first, host: LOOPBACK };
  }
  return nodeListen.apply(this, args);
} as Server['listen'];
