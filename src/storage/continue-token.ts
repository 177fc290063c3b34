/**
 * The opaque continue token of a paged list: the revision all pages are read at and the key
 * the next page starts from (inclusive). Every backend uses this one encoding, so a token is
 * meaningful on any API server replica. A token that does not parse is an invalid argument.
 */
import { StoreInvalidArgumentError } from './errors.ts';

export interface ContinuePoint {
  readonly revision: number;
  /** The first key of the next page. */
  readonly startKey: string;
}

export function encodeContinue(point: ContinuePoint): string {
  return Buffer.from(JSON.stringify({ v: 1, rev: point.revision, start: point.startKey })).toString(
    'base64url',
  );
}

export function decodeContinue(token: string): ContinuePoint {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw new StoreInvalidArgumentError('continue token is not valid');
  }
  if (
    typeof parsed === 'object' &&
    parsed !== null &&
    'v' in parsed &&
    parsed.v === 1 &&
    'rev' in parsed &&
    typeof parsed.rev === 'number' &&
    Number.isSafeInteger(parsed.rev) &&
    parsed.rev > 0 &&
    'start' in parsed &&
    typeof parsed.start === 'string'
  ) {
    return { revision: parsed.rev, startKey: parsed.start };
  }
  throw new StoreInvalidArgumentError('continue token is not valid');
}

/** The first key after `key` in byte order: the next page of a list starts there. */
export function keyAfter(key: string): string {
  return `${key}\u0000`;
}
