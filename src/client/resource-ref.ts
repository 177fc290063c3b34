/**
 * How a call names what it acts on: a resource by group, version and plural (the core group
 * is `''`), optionally in a namespace, optionally one object and one of its subresources; and
 * the REST path that names it, as client-go's request builder lays it out
 * (`/api/v1/namespaces/ns/pods/p/status`, `/apis/apps/v1/deployments`).
 */
import type { ObjectMeta } from 'kubernetes-types/meta/v1.d.ts';

export interface ResourceRef {
  /** API group; `''` for the core group (served under `/api`). */
  readonly group: string;
  readonly version: string;
  /** The lower-case plural resource name (`pods`, `deployments`). */
  readonly plural: string;
  /** Omit for cluster-scoped resources and for lists across all namespaces. */
  readonly namespace?: string | undefined;
  readonly name?: string | undefined;
  readonly subresource?: string | undefined;
}

/** A ref that names one object. */
export type ObjectRef = ResourceRef & { readonly name: string };

/** Any API object: the fields the client itself reads. Typed objects from kubernetes-types fit. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
}

/** A list response (`PodList`, ...): items plus the list's resourceVersion and continue token. */
export interface KubeList<T> {
  apiVersion?: string;
  kind?: string;
  metadata: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
  items: T[];
}

const segment = (s: string): string => encodeURIComponent(s);

/** The REST path of `ref` (no query string). */
export function resourcePath(ref: ResourceRef): string {
  if (ref.plural === '') throw new TypeError('a resource ref needs a plural resource name');
  const parts =
    ref.group === ''
      ? ['api', segment(ref.version)]
      : ['apis', segment(ref.group), segment(ref.version)];
  if (ref.namespace !== undefined && ref.namespace !== '')
    parts.push('namespaces', segment(ref.namespace));
  parts.push(segment(ref.plural));
  if (ref.name !== undefined) {
    if (ref.name === '') throw new TypeError(`an empty name for ${ref.plural}`);
    parts.push(segment(ref.name));
  }
  if (ref.subresource !== undefined && ref.subresource !== '') {
    if (ref.name === undefined) throw new TypeError('a subresource needs an object name');
    parts.push(segment(ref.subresource));
  }
  return `/${parts.join('/')}`;
}

/** `path?k=v&...` with undefined values left out. */
export function withQuery(
  path: string,
  query: Readonly<Record<string, string | number | boolean | undefined>>,
): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined) q.set(k, String(v));
  const s = q.toString();
  return s === '' ? path : `${path}?${s}`;
}
