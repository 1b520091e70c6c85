import { readFileSync } from 'node:fs';

/**
 * A process's resident memory in MiB (VmRSS, which counts shared pages such as the Node
 * binary), or undefined if it is gone.
 */
export function residentMiB(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]) / 1024;
  } catch {
    return undefined;
  }
}
