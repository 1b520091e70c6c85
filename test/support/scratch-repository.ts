import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * A scratch copy of this repository, for a test that changes files: every file git tracks or
 * would track, as it is in the work tree. Its node_modules links to this one's packages, except
 * the workspaces (@sightline/*), which point at the copy's own folders.
 */
export function scratchRepository(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sightline-scratch-'));
  const files = execFileSync(
    'git',
    ['ls-files', '-z', '--cached', '--others', '--exclude-standard'],
    {
      cwd: ROOT,
      encoding: 'utf8',
    },
  )
    .split('\0')
    .filter(Boolean);
  for (const file of files) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    cpSync(join(ROOT, file), join(dir, file), { errorOnExist: false });
  }
  const modules = join(dir, 'node_modules');
  mkdirSync(join(modules, '@sightline'), { recursive: true });
  for (const entry of readdirSync(join(ROOT, 'node_modules'))) {
    if (entry !== '@sightline')
      symlinkSync(join(ROOT, 'node_modules', entry), join(modules, entry));
  }
  linkWorkspaces(dir);
  return dir;
}

/** (Re)links node_modules/@sightline/<name> to each workspace folder of the copy. */
export function linkWorkspaces(dir: string): void {
  for (const parent of ['packages', 'services']) {
    for (const name of readdirSync(join(dir, parent))) {
      try {
        symlinkSync(join('..', '..', parent, name), join(dir, 'node_modules/@sightline', name));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
    }
  }
}
