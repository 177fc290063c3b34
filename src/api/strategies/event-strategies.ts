/**
 * Event validation, light (k/k core validation legacyValidateEvent and ValidateEventCreate,
 * v1.33). core/v1 Events get only the legacy rules (the involved object's namespace, and the
 * reporting fields once `eventTime` is set), as upstream does for that version; events.k8s.io/v1
 * Events also need eventTime and a Normal/Warning type and no deprecated fields on create. Event
 * series and the update-time immutability of events.k8s.io fields are not checked.
 */
import type { JsonObject } from '../json.ts';
import type { ResourceStrategy } from '../resource.ts';
import type { FieldError } from '../validation/field-error.ts';
import { invalid, required } from '../validation/field-error.ts';
import { utf8Length } from '../validation/go-format.ts';
import { isDNS1123Subdomain } from '../validation/names.ts';
import { validateQualifiedName } from './field-rules.ts';
import { isUnset, num, obj, str } from './json-fields.ts';

const REPORTING_INSTANCE_LENGTH_LIMIT = 128;
const ACTION_LENGTH_LIMIT = 128;
const REASON_LENGTH_LIMIT = 128;
const NOTE_LENGTH_LIMIT = 1024;

/** Where the two API versions keep the fields legacyValidateEvent reads. */
interface EventFields {
  readonly involvedObject: string;
  readonly reportingController: string;
  readonly message: string;
}

const CORE_FIELDS: EventFields = {
  involvedObject: 'involvedObject',
  reportingController: 'reportingComponent',
  message: 'message',
};
const EVENTS_V1_FIELDS: EventFields = {
  involvedObject: 'regarding',
  reportingController: 'reportingController',
  message: 'note',
};

/** Upstream's legacyValidateEvent; `reportingName` is the field name its messages use. */
function legacyValidateEvent(
  event: JsonObject,
  f: EventFields,
  reportingName: string,
): FieldError[] {
  const errs: FieldError[] = [];
  const namespace = str(obj(event, 'metadata'), 'namespace');
  const involvedNamespace = str(obj(event, f.involvedObject), 'namespace');
  const mismatch = (): FieldError =>
    invalid('involvedObject.namespace', involvedNamespace, 'does not match event.namespace');
  const tooLong = (field: string, limit: number): FieldError =>
    invalid(field, '', `can have at most ${String(limit)} characters`);
  if (isUnset(event['eventTime'])) {
    if (involvedNamespace === '') {
      if (namespace !== '' && namespace !== 'default') errs.push(mismatch());
    } else if (namespace !== involvedNamespace) errs.push(mismatch());
  } else {
    if (involvedNamespace === '' && namespace !== 'default' && namespace !== 'kube-system') {
      errs.push(mismatch());
    }
    const controller = str(event, f.reportingController);
    if (controller === '') errs.push(required(reportingName));
    errs.push(...validateQualifiedName(controller, reportingName));
    const instance = str(event, 'reportingInstance');
    if (instance === '') errs.push(required('reportingInstance'));
    if (utf8Length(instance) > REPORTING_INSTANCE_LENGTH_LIMIT) {
      errs.push(tooLong('reportingInstance', REPORTING_INSTANCE_LENGTH_LIMIT));
    }
    const action = str(event, 'action');
    if (action === '') errs.push(required('action'));
    if (utf8Length(action) > ACTION_LENGTH_LIMIT) errs.push(tooLong('action', ACTION_LENGTH_LIMIT));
    const reason = str(event, 'reason');
    if (reason === '') errs.push(required('reason'));
    if (utf8Length(reason) > REASON_LENGTH_LIMIT) errs.push(tooLong('reason', REASON_LENGTH_LIMIT));
    if (utf8Length(str(event, f.message)) > NOTE_LENGTH_LIMIT) {
      errs.push(tooLong('message', NOTE_LENGTH_LIMIT));
    }
  }
  for (const msg of isDNS1123Subdomain(namespace)) errs.push(invalid('namespace', namespace, msg));
  return errs;
}

export function validateCoreEvent(event: JsonObject): FieldError[] {
  return legacyValidateEvent(event, CORE_FIELDS, 'reportingComponent');
}

/** ValidateEventCreate for events.k8s.io/v1. */
export function validateEventsV1Event(event: JsonObject): FieldError[] {
  const errs = legacyValidateEvent(event, EVENTS_V1_FIELDS, 'reportingController');
  if (isUnset(event['eventTime'])) errs.push(required('eventTime'));
  const type = str(event, 'type');
  if (type !== 'Normal' && type !== 'Warning') {
    errs.push(invalid('type', '', `has invalid value: ${type}`));
  }
  const unset = (field: string): FieldError => invalid(field, '', 'needs to be unset');
  if (!isUnset(event['deprecatedFirstTimestamp'])) errs.push(unset('deprecatedFirstTimestamp'));
  if (!isUnset(event['deprecatedLastTimestamp'])) errs.push(unset('deprecatedLastTimestamp'));
  if ((num(event, 'deprecatedCount') ?? 0) !== 0) errs.push(unset('deprecatedCount'));
  const source = obj(event, 'deprecatedSource');
  if (str(source, 'component') !== '' || str(source, 'host') !== '') {
    errs.push(unset('deprecatedSource'));
  }
  return errs;
}

export const coreEventStrategy: ResourceStrategy = {
  validate: validateCoreEvent,
  validateUpdate: (event) => validateCoreEvent(event),
};

export const eventsV1EventStrategy: ResourceStrategy = {
  validate: validateEventsV1Event,
  validateUpdate: (event) => legacyValidateEvent(event, EVENTS_V1_FIELDS, 'reportingController'),
};
