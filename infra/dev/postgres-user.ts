import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  constants,
  copyFileSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * PostgreSQL refuses to run as root. As root we run it as the `postgres` system user (made if
 * missing), and that user must be able to reach both the binaries and the data directory.
 * When the repository sits in a private directory (`/root` is mode 0700) it reaches neither,
 * so the binaries are copied to a fresh directory it can read, and the data directory moves
 * next to them: `<tmpdir>/sightline-postgres-0/data-<hash of the asked-for path>`.
 */
export interface RunAs {
  uid: number;
  gid: number;
}

export function postgresUser(): RunAs {
  const lookup = () => {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    return { uid, gid };
  };
  try {
    return lookup();
  } catch {
    execFileSync('groupadd', ['--system', 'postgres']);
    execFileSync('useradd', ['--system', '--gid', 'postgres', '--no-create-home', 'postgres']);
    return lookup();
  }
}

/** Whether `user` may enter `directory` (every directory on the way must allow it). */
export function canReach(user: RunAs, directory: string): boolean {
  const result = spawnSync('/bin/sh', ['-c', 'cd "$1"', 'sh', directory], {
    uid: user.uid,
    gid: user.gid,
    stdio: 'ignore',
  });
  return result.status === 0;
}

/**
 * The binaries, copied where `user` can read and run them (a fresh root-owned directory,
 * mode 0755, so nobody else can have planted anything there). Returns the copy's path and
 * a function that removes it.
 */
export function stageInstallation(installDir: string): { dir: string; remove: () => void } {
  const staging = mkdtempSync(join(tmpdir(), 'sightline-postgres-bin-'));
  chmodSync(staging, 0o755);
  const dir = join(staging, 'postgres');
  copyResolvingLinks(installDir, dir);
  return {
    dir,
    remove: () => execFileSync('rm', ['-rf', staging]),
  };
}

/**
 * Copies a tree with every symbolic link replaced by what it points to. The package's library
 * links (`libicuuc.so.60 -> libicuuc.so.60.2`) must not survive the copy: a link, relative or
 * absolute, can lead back into the directory `user` cannot enter. (`fs.cpSync`'s `dereference`
 * does not help here: on Node 24 it rewrites nested links as absolute links to the source.)
 */
export function copyResolvingLinks(source: string, target: string): void {
  mkdirSync(target, { recursive: true, mode: 0o755 });
  for (const entry of readdirSync(source, { withFileTypes: true })) {
    const from = join(source, entry.name);
    const to = join(target, entry.name);
    const stat = statSync(from); // follows links
    if (stat.isDirectory()) copyResolvingLinks(from, to);
    else if (stat.isFile()) {
      copyFileSync(from, to);
      chmodSync(to, stat.mode & 0o755);
    }
  }
}

/**
 * Where data goes when `user` cannot reach the asked-for directory: a stable path per asked-for
 * directory, so `npm start` finds its data again, under a root-owned parent that no other
 * user can write to.
 */
export function reachableDataDir(dataDir: string): string {
  const parent = join(tmpdir(), 'sightline-postgres-0');
  mkdirSync(parent, { recursive: true, mode: 0o755 });
  const stat = lstatSync(parent);
  const writableByOthers = (stat.mode & (constants.S_IWGRP | constants.S_IWOTH)) !== 0;
  if (!stat.isDirectory() || stat.uid !== 0 || writableByOthers) {
    throw new Error(`${parent} must be a directory owned by root and writable only by root`);
  }
  const key = createHash('sha256').update(dataDir).digest('hex').slice(0, 12);
  return join(parent, `data-${key}`);
}
