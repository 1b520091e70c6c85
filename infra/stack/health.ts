/** Polls a health URL until it answers 2xx, or gives up with the last answer it saw. */
export async function waitHealthy(
  url: string,
  timeoutMs: number,
  stillRunning: () => boolean = () => true,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (!stillRunning()) throw new Error(`exited before ${url} answered`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) return;
      last = `HTTP ${response.status}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`${url} not healthy after ${timeoutMs / 1000} s (${last})`);
}
