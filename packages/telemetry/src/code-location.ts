import { fileURLToPath } from 'node:url';

export interface CodeLocation {
  'code.filepath'?: string;
  'code.lineno'?: number;
  'code.function'?: string;
}

// "    at fn (file:///x.ts:12:5)"  or  "    at file:///x.ts:12:5"  or  "    at async fn (/x.ts:1:2)"
const FRAME = /^\s*at (?:async )?(?:(.+?) \()?(.+?):(\d+):\d+\)?$/;

/** Frames that say nothing about where *our* code failed. */
function isLibraryFrame(file: string): boolean {
  return file.startsWith('node:') || file.includes('/node_modules/');
}

/** The kit's packages, wherever a team has put them: this one, and those that add themselves. */
const kitFolders = [fileURLToPath(new URL('../', import.meta.url))];

/**
 * Counts a package's folder as the kit's: an error it raises on a service's behalf (bad input,
 * an unreachable dependency) points at the service's line that called it.
 */
export function addKitFolder(folder: URL): void {
  kitFolders.push(fileURLToPath(folder));
}

function isKitFrame(file: string): boolean {
  return kitFolders.some((folder) => file.startsWith(folder));
}

/**
 * Where an error was thrown, from its stack: the first frame in application code, so an
 * error raised by a library (or by this kit on the application's behalf) points at the
 * service line that made the call.
 */
export function codeLocationOf(error: unknown): CodeLocation {
  const stack = error instanceof Error ? error.stack : undefined;
  if (!stack) return {};
  const frames = stack
    .split('\n')
    .slice(1)
    .map((line) => FRAME.exec(line))
    .filter((match): match is RegExpExecArray => match !== null)
    .map(([, fn, file = '', line]) => ({
      fn,
      file: file.startsWith('file://') ? fileURLToPath(file) : file,
      line: Number(line),
    }))
    .filter((frame) => !isLibraryFrame(frame.file));
  const frame = frames.find((candidate) => !isKitFrame(candidate.file)) ?? frames[0];
  if (!frame) return {};
  return {
    'code.filepath': frame.file,
    'code.lineno': frame.line,
    ...(frame.fn ? { 'code.function': frame.fn } : {}),
  };
}
