/**
 * `npm run test:stack`: starts the native stack exactly as a user does (`npm run stack`)
 * and stops it afterwards (`npm run stack:down`). It needs `npm run stack:install` first.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function run(script: string): void {
  const result = spawnSync(process.execPath, [script], { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`${script} exited with ${result.status}`);
}

export function globalSetup(): void {
  run('infra/stack/up.ts');
}

export function globalTeardown(): void {
  run('infra/stack/down.ts');
}
