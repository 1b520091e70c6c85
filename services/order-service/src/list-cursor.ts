import { z } from 'zod';
import type { ListPosition } from './domain/ports.ts';

/**
 * The `cursor` of a paged list as a client sees it: opaque text, the base64url of where the
 * previous page ended. It is made and checked here, at the edge; the domain sees a position.
 * A cursor is not a secret and grants nothing: it only says where to resume.
 */

/** A time as the repository gives it: UTC, to the microsecond. */
const EXACT_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

/** A day and time that exist (no 30 February, no 24:00), in a year PostgreSQL accepts. */
function isRealTime(at: string): boolean {
  const milliseconds = Date.parse(`${at.slice(0, 23)}Z`);
  return (
    !Number.isNaN(milliseconds) &&
    !at.startsWith('0000') &&
    new Date(milliseconds).toISOString().slice(0, 19) === at.slice(0, 19)
  );
}

const Position = z.tuple([z.string().regex(EXACT_TIME).refine(isRealTime), z.uuid()]);

export function encodeCursor(position: ListPosition): string {
  return Buffer.from(JSON.stringify([position.at, position.id])).toString('base64url');
}

/** The position a cursor holds, or `undefined` when it is not one this service made. */
export function decodeCursor(cursor: string): ListPosition | undefined {
  // Node decodes base64url leniently, skipping what does not belong; a cursor is checked whole.
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(cursor)) return undefined;
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  const position = Position.safeParse(decoded);
  return position.success ? { at: position.data[0], id: position.data[1] } : undefined;
}

/** The `cursor` query parameter: a cursor from a page of the list, else bad input naming it. */
export const CursorParam = z.string().transform((cursor, context) => {
  const position = decodeCursor(cursor);
  if (position) return position;
  context.addIssue({
    code: 'custom',
    message: 'is not a cursor from a page of this list',
    input: cursor,
  });
  return z.NEVER;
});
