/**
 * Which fields each kind can be selected on, and their values: upstream's field label
 * conversion funcs (pkg/apis/<group>/<version>/conversion.go, v1.33) and ToSelectableFields
 * (pkg/registry/<group>/<kind>/strategy.go). A label the kind does not accept throws
 * FieldLabelNotSupportedError with that kind's upstream message (the API server answers 400).
 * Kinds not listed accept `metadata.name` and `metadata.namespace` only, as upstream's default.
 */
import { goQuote } from '../validation/go-format.ts';
import { FieldLabelNotSupportedError } from './errors.ts';
import type { FieldSelector } from './field-selector.ts';

export interface GroupKind {
  /** `''` for the core group. */
  readonly group: string;
  readonly kind: string;
}

interface KindFields {
  /** Labels accepted in a selector (including aliases). */
  readonly accepted: readonly string[];
  /** Accepted label → the label the object's field set uses. */
  readonly aliases?: Readonly<Record<string, string>>;
  /** The error message for an unsupported label. */
  readonly unsupported: (label: string) => string;
  /** Kind-specific values (metadata.name/namespace are added for every kind). */
  readonly extract?: (obj: unknown) => Record<string, string>;
}

function at(obj: unknown, path: readonly string[]): unknown {
  let v: unknown = obj;
  for (const k of path) {
    if (typeof v !== 'object' || v === null || Array.isArray(v) || !Object.hasOwn(v, k))
      return undefined;
    v = (v as Record<string, unknown>)[k];
  }
  return v;
}
const str = (obj: unknown, ...path: string[]): string => {
  const v = at(obj, path);
  return typeof v === 'string' ? v : '';
};
/** strconv.FormatBool of a bool field (absent is false). */
const bool = (obj: unknown, ...path: string[]): string => String(at(obj, path) === true);
/** strconv.Itoa of an integer field (absent is 0). */
const int = (obj: unknown, ...path: string[]): string => {
  const v = at(obj, path);
  return typeof v === 'number' && Number.isInteger(v) ? String(v) : '0';
};

const fieldLabelNotSupported = (label: string): string => `field label not supported: ${label}`;
const defaultUnsupported = (label: string): string =>
  `${goQuote(label)} is not a known field selector: only "metadata.name", "metadata.namespace"`;
const META = ['metadata.name', 'metadata.namespace'];

/** Event fields; reads core/v1 and events.k8s.io/v1 spellings, since both views share storage. */
function eventFields(e: unknown): Record<string, string> {
  const ref = at(e, ['involvedObject']) ?? at(e, ['regarding']);
  const reporting = str(e, 'reportingComponent') || str(e, 'reportingController');
  return {
    'involvedObject.kind': str(ref, 'kind'),
    'involvedObject.namespace': str(ref, 'namespace'),
    'involvedObject.name': str(ref, 'name'),
    'involvedObject.uid': str(ref, 'uid'),
    'involvedObject.apiVersion': str(ref, 'apiVersion'),
    'involvedObject.resourceVersion': str(ref, 'resourceVersion'),
    'involvedObject.fieldPath': str(ref, 'fieldPath'),
    reason: str(e, 'reason'),
    reportingComponent: reporting,
    // Upstream: source.component, else the reporting controller.
    source: str(e, 'source', 'component') || str(e, 'deprecatedSource', 'component') || reporting,
    type: str(e, 'type'),
  };
}

const EVENT_FIELDS = [
  'involvedObject.kind',
  'involvedObject.namespace',
  'involvedObject.name',
  'involvedObject.uid',
  'involvedObject.apiVersion',
  'involvedObject.resourceVersion',
  'involvedObject.fieldPath',
  'reason',
  'reportingComponent',
  'source',
  'type',
];

const REGARDING = [
  'kind',
  'namespace',
  'name',
  'uid',
  'apiVersion',
  'resourceVersion',
  'fieldPath',
];

const KINDS: Readonly<Record<string, KindFields>> = {
  '/Pod': {
    accepted: [
      ...META,
      'spec.nodeName',
      'spec.restartPolicy',
      'spec.schedulerName',
      'spec.serviceAccountName',
      'spec.hostNetwork',
      'status.phase',
      'status.podIP',
      // Accepted, but upstream's field set has no such entry: it always reads as ''.
      'status.podIPs',
      'status.nominatedNodeName',
      'spec.host',
    ],
    aliases: { 'spec.host': 'spec.nodeName' }, // for old v1 clients
    unsupported: fieldLabelNotSupported,
    extract: (p) => {
      const podIPs = at(p, ['status', 'podIPs']);
      const firstIP = Array.isArray(podIPs) ? str(podIPs[0], 'ip') : '';
      return {
        'spec.nodeName': str(p, 'spec', 'nodeName'),
        'spec.restartPolicy': str(p, 'spec', 'restartPolicy'),
        'spec.schedulerName': str(p, 'spec', 'schedulerName'),
        // v1's deprecated serviceAccount is an alias used when serviceAccountName is empty.
        'spec.serviceAccountName':
          str(p, 'spec', 'serviceAccountName') || str(p, 'spec', 'serviceAccount'),
        'spec.hostNetwork': bool(p, 'spec', 'hostNetwork'),
        'status.phase': str(p, 'status', 'phase'),
        // Internally status.podIPs[0]; v1's podIP wins over a differing podIPs[0] on decode.
        'status.podIP': str(p, 'status', 'podIP') || firstIP,
        'status.nominatedNodeName': str(p, 'status', 'nominatedNodeName'),
      };
    },
  },
  '/Node': {
    accepted: ['metadata.name', 'spec.unschedulable'],
    unsupported: fieldLabelNotSupported,
    extract: (n) => ({ 'spec.unschedulable': bool(n, 'spec', 'unschedulable') }),
  },
  '/ReplicationController': {
    accepted: [...META, 'status.replicas'],
    unsupported: fieldLabelNotSupported,
    extract: (rc) => ({ 'status.replicas': int(rc, 'status', 'replicas') }),
  },
  '/Event': {
    accepted: [...EVENT_FIELDS, 'metadata.namespace', 'metadata.name'],
    unsupported: fieldLabelNotSupported,
    extract: eventFields,
  },
  '/Namespace': {
    accepted: ['status.phase', 'metadata.name'],
    unsupported: fieldLabelNotSupported,
    // Upstream also sets a legacy "name" entry, unreachable through the conversion above.
    extract: (ns) => ({
      'status.phase': str(ns, 'status', 'phase'),
      name: str(ns, 'metadata', 'name'),
    }),
  },
  '/Secret': {
    accepted: ['type', ...META],
    unsupported: fieldLabelNotSupported,
    extract: (s) => ({ type: str(s, 'type') }),
  },
  // Since 1.30 (k/k #122541); kube-proxy 1.32+ lists services with spec.clusterIP!=None.
  '/Service': {
    accepted: [...META, 'spec.clusterIP', 'spec.type'],
    unsupported: fieldLabelNotSupported,
    extract: (s) => ({
      'spec.clusterIP': str(s, 'spec', 'clusterIP'),
      'spec.type': str(s, 'spec', 'type'),
    }),
  },
  'events.k8s.io/Event': {
    accepted: [
      'reason',
      ...REGARDING.map((f) => `regarding.${f}`),
      'reportingController',
      'source',
      'type',
      ...META,
    ],
    aliases: {
      ...Object.fromEntries(REGARDING.map((f) => [`regarding.${f}`, `involvedObject.${f}`])),
      reportingController: 'reportingComponent',
    },
    unsupported: fieldLabelNotSupported,
    extract: eventFields,
  },
  'batch/Job': {
    accepted: [...META, 'status.successful'],
    unsupported: (label) => `field label ${goQuote(label)} not supported for batchv1.Job`,
    extract: (j) => ({ 'status.successful': int(j, 'status', 'succeeded') }),
  },
  // apps/v1 registers no conversion, so status.replicas is rejected although the registry's
  // field set has it (k/k issue #135136; the docs claim otherwise).
  'apps/ReplicaSet': {
    accepted: META,
    unsupported: defaultUnsupported,
    extract: (rs) => ({ 'status.replicas': int(rs, 'status', 'replicas') }),
  },
  'certificates.k8s.io/CertificateSigningRequest': {
    accepted: ['metadata.name', 'spec.signerName'],
    unsupported: fieldLabelNotSupported,
    extract: (c) => ({ 'spec.signerName': str(c, 'spec', 'signerName') }),
  },
  'certificates.k8s.io/ClusterTrustBundle': {
    accepted: ['metadata.name', 'spec.signerName'],
    unsupported: fieldLabelNotSupported,
    extract: (c) => ({ 'spec.signerName': str(c, 'spec', 'signerName') }),
  },
};

const DEFAULT: KindFields = { accepted: META, unsupported: defaultUnsupported };

function kindFields(gk: GroupKind): KindFields {
  const k = `${gk.group}/${gk.kind}`;
  return Object.hasOwn(KINDS, k) ? (KINDS[k] ?? DEFAULT) : DEFAULT;
}

/** The labels a kind accepts in a field selector (aliases such as Pod `spec.host` included). */
export function fieldsForKind(gk: GroupKind): ReadonlySet<string> {
  return new Set(kindFields(gk).accepted);
}

/** Upstream's ConvertFieldLabel: the label as the field set names it, or a typed error. */
export function convertFieldLabel(
  gk: GroupKind,
  label: string,
  value: string,
): { field: string; value: string } {
  const k = kindFields(gk);
  if (!k.accepted.includes(label)) {
    throw new FieldLabelNotSupportedError(label, k.unsupported(label));
  }
  return { field: k.aliases?.[label] ?? label, value };
}

/** What the list handler does with a parsed selector: converts every term, in order. */
export function convertFieldSelector(gk: GroupKind, selector: FieldSelector): FieldSelector {
  return selector.transform((field, value) => convertFieldLabel(gk, field, value));
}

/**
 * Upstream's ToSelectableFields for an object (plain JSON as served): `metadata.name`,
 * `metadata.namespace` when `namespaced`, and the kind's own fields. Fields a selector may name
 * but the set lacks (Pod `status.podIPs`) read as `''` when matching.
 */
export function selectableFields(
  gk: GroupKind,
  obj: unknown,
  namespaced: boolean,
): Record<string, string> {
  const fields: Record<string, string> = { ...(kindFields(gk).extract?.(obj) ?? {}) };
  fields['metadata.name'] = str(obj, 'metadata', 'name');
  if (namespaced) fields['metadata.namespace'] = str(obj, 'metadata', 'namespace');
  return fields;
}
