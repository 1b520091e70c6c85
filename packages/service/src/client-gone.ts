import type { ServerResponse } from 'node:http';

/**
 * A signal that aborts when the client goes away before its answer has been sent: it hung up,
 * or the gateway in front gave up on it (a timeout closes its connection). Work for the request
 * that has not started yet can then be dropped: nobody is waiting for its result. A request
 * answered in full never aborts it.
 */
export function clientGoneSignal(response: ServerResponse): AbortSignal {
  const controller = new AbortController();
  const onClose = () => {
    if (!response.writableFinished) controller.abort(new Error('the client went away'));
  };
  if (response.closed) onClose();
  else response.once('close', onClose);
  return controller.signal;
}
