/**
 * The one place store errors become API errors (upstream's storage.InterpretGetError & co):
 * NotFound 404, AlreadyExists 409, Conflict 409, Gone 410 Expired, Unavailable 503, TooLarge 413,
 * invalid arguments 400. Anything else is a 500 whose message names no internals.
 */
import {
  ApiError,
  alreadyExists,
  badRequest,
  expired,
  internalError,
  notFound,
  requestEntityTooLarge,
  serviceUnavailable,
  staleResourceVersion,
} from '../../api/status.ts';
import type { GroupResource } from '../../api/status.ts';
import { StoreTooLargeError, isStoreError } from '../../storage/errors.ts';

export function toApiError(err: unknown, gr: GroupResource, name: string): ApiError {
  if (err instanceof ApiError) return err;
  if (!isStoreError(err)) return internalError('unexpected storage failure', err);
  switch (err.code) {
    case 'STORE_NOT_FOUND':
      return notFound(gr, name);
    case 'STORE_ALREADY_EXISTS':
      return alreadyExists(gr, name);
    case 'STORE_CONFLICT':
      return staleResourceVersion(gr, name);
    case 'STORE_GONE':
      return expired(`The resourceVersion for the provided list is too old.`);
    case 'STORE_UNAVAILABLE':
    case 'STORE_CLOSED':
      return serviceUnavailable('the storage backend is unavailable; retry later');
    case 'STORE_TOO_LARGE':
      return requestEntityTooLarge(err instanceof StoreTooLargeError ? err.limitBytes : 0);
    case 'STORE_INVALID_ARGUMENT':
      return badRequest(err.message);
  }
}
