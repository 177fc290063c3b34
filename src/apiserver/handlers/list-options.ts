/**
 * The list/watch query options that change what a read means (`resourceVersionMatch`,
 * `sendInitialEvents`), checked as upstream's ValidateListOptions (apimachinery
 * meta/internalversion/validation, v1.33, with the WatchList feature on as in kube-apiserver
 * 1.32+): every broken rule is a cause of one 422 `ListOptions.meta.k8s.io "" is invalid`.
 * A `sendInitialEvents` that is not a Go boolean is a 400, as the query codec's ParseBool error.
 */
import { badRequest, invalid } from '../../api/status.ts';
import { forbidden, notSupported } from '../../api/validation/field-error.ts';
import type { FieldError } from '../../api/validation/field-error.ts';
import type { ResourceVersionMatch } from '../registry/resource-list.ts';

const LIST_OPTIONS = { group: 'meta.k8s.io', kind: 'ListOptions' } as const;

/** Go's strconv.ParseBool, which upstream's query parameter codec uses. */
const GO_TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const GO_FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

export interface ReadOptions {
  readonly resourceVersion: string | undefined;
  readonly resourceVersionMatch: ResourceVersionMatch | undefined;
  /** Unset (undefined) is not false: it keeps the legacy initial events of rv ""/"0". */
  readonly sendInitialEvents: boolean | undefined;
}

/** Parses and validates the read options of a list (`watch` false) or a watch. */
export function parseReadOptions(q: URLSearchParams, watch: boolean): ReadOptions {
  const rawSend = q.get('sendInitialEvents');
  let sendInitialEvents: boolean | undefined;
  if (rawSend !== null) {
    if (GO_TRUE.has(rawSend)) sendInitialEvents = true;
    else if (GO_FALSE.has(rawSend)) sendInitialEvents = false;
    else throw badRequest(`strconv.ParseBool: parsing ${JSON.stringify(rawSend)}: invalid syntax`);
  }
  const rv = q.get('resourceVersion') ?? '';
  const match = q.get('resourceVersionMatch') ?? '';
  const cont = q.get('continue') ?? '';
  const errors = watch
    ? watchErrors(match, cont, sendInitialEvents)
    : listErrors(rv, match, cont, sendInitialEvents);
  if (errors.length > 0) throw invalid(LIST_OPTIONS, '', errors);
  return {
    resourceVersion: rv === '' ? undefined : rv,
    // The rules above leave only the two known values (or none).
    resourceVersionMatch: match === 'Exact' || match === 'NotOlderThan' ? match : undefined,
    sendInitialEvents,
  };
}

function listErrors(
  rv: string,
  match: string,
  cont: string,
  sendInitialEvents: boolean | undefined,
): FieldError[] {
  const errors: FieldError[] = [];
  if (match !== '') {
    if (rv === '')
      errors.push(
        forbidden(
          'resourceVersionMatch',
          'resourceVersionMatch is forbidden unless resourceVersion is provided',
        ),
      );
    if (cont !== '')
      errors.push(
        forbidden(
          'resourceVersionMatch',
          'resourceVersionMatch is forbidden when continue is provided',
        ),
      );
    if (match !== 'Exact' && match !== 'NotOlderThan')
      errors.push(notSupported('resourceVersionMatch', match, ['Exact', 'NotOlderThan', '']));
    if (match === 'Exact' && rv === '0')
      errors.push(
        forbidden(
          'resourceVersionMatch',
          'resourceVersionMatch "exact" is forbidden for resourceVersion "0"',
        ),
      );
  }
  if (sendInitialEvents !== undefined)
    errors.push(forbidden('sendInitialEvents', 'sendInitialEvents is forbidden for list'));
  return errors;
}

function watchErrors(
  match: string,
  cont: string,
  sendInitialEvents: boolean | undefined,
): FieldError[] {
  const errors: FieldError[] = [];
  if (sendInitialEvents !== undefined && match !== 'NotOlderThan')
    errors.push(
      forbidden(
        'resourceVersionMatch',
        'sendInitialEvents requires setting resourceVersionMatch to NotOlderThan',
      ),
    );
  if (match !== '') {
    if (sendInitialEvents === undefined)
      errors.push(
        forbidden(
          'resourceVersionMatch',
          'resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided',
        ),
      );
    if (match !== 'NotOlderThan')
      errors.push(notSupported('resourceVersionMatch', match, ['NotOlderThan']));
    if (cont !== '')
      errors.push(
        forbidden(
          'resourceVersionMatch',
          'resourceVersionMatch is forbidden when continue is provided',
        ),
      );
  }
  return errors;
}
