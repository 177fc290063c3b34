/**
 * What each REST call accepts (client-go's metav1 GetOptions, ListOptions, CreateOptions,
 * PatchOptions, DeleteOptions) and how those become query parameters and bodies.
 */
import type { ResourceRef } from './resource-ref.ts';

type Query = Record<string, string | number | boolean | undefined>;
export interface RequestOptions {
  readonly signal?: AbortSignal | undefined;
  /** Overrides the client's deadline for this call. */
  readonly timeoutMs?: number | undefined;
}

export interface GetOptions extends RequestOptions {
  readonly resourceVersion?: string | undefined;
}

export interface ListOptions extends RequestOptions {
  readonly labelSelector?: string | undefined;
  readonly fieldSelector?: string | undefined;
  /** Page size; the answer's `metadata.continue` fetches the next page. */
  readonly limit?: number | undefined;
  readonly continue?: string | undefined;
  readonly resourceVersion?: string | undefined;
  readonly resourceVersionMatch?: 'Exact' | 'NotOlderThan' | undefined;
}

export interface WatchOptions extends RequestOptions {
  readonly labelSelector?: string | undefined;
  readonly fieldSelector?: string | undefined;
  readonly resourceVersion?: string | undefined;
  readonly allowWatchBookmarks?: boolean | undefined;
  /** The server ends the watch after this long. Default: the server's (30–60 min). */
  readonly timeoutSeconds?: number | undefined;
}

export interface WriteOptions extends RequestOptions {
  readonly fieldManager?: string | undefined;
  readonly dryRun?: boolean | undefined;
  readonly fieldValidation?: 'Strict' | 'Warn' | 'Ignore' | undefined;
}

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

export interface PatchOptions extends WriteOptions {
  readonly type: PatchType;
  /** Server-side apply only: take over fields other managers own. */
  readonly force?: boolean | undefined;
}

export interface DeleteOptions extends RequestOptions {
  readonly gracePeriodSeconds?: number | undefined;
  readonly propagationPolicy?: 'Orphan' | 'Background' | 'Foreground' | undefined;
  readonly preconditions?: { readonly uid?: string; readonly resourceVersion?: string } | undefined;
  readonly dryRun?: boolean | undefined;
}

export const PATCH_CONTENT_TYPES: Readonly<Record<PatchType, string>> = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
};

export function writeQuery(o: WriteOptions): Query {
  return {
    fieldManager: o.fieldManager,
    dryRun: o.dryRun === true ? 'All' : undefined,
    fieldValidation: o.fieldValidation,
  };
}

export function deleteBody(o: DeleteOptions): Record<string, unknown> {
  return {
    kind: 'DeleteOptions',
    apiVersion: 'v1',
    ...(o.gracePeriodSeconds === undefined ? {} : { gracePeriodSeconds: o.gracePeriodSeconds }),
    ...(o.propagationPolicy === undefined ? {} : { propagationPolicy: o.propagationPolicy }),
    ...(o.preconditions === undefined ? {} : { preconditions: o.preconditions }),
    ...(o.dryRun === true ? { dryRun: ['All'] } : {}),
  };
}

export function listQuery(o: ListOptions): Query {
  return {
    labelSelector: o.labelSelector,
    fieldSelector: o.fieldSelector,
    limit: o.limit,
    continue: o.continue,
    resourceVersion: o.resourceVersion,
    resourceVersionMatch: o.resourceVersionMatch,
  };
}

/** A watch of one named object becomes a `metadata.name` field selector, as client-go's. */
export function watchQuery(ref: ResourceRef, o: WatchOptions): Query {
  const byName = ref.name === undefined ? undefined : `metadata.name=${ref.name}`;
  return {
    watch: true,
    labelSelector: o.labelSelector,
    fieldSelector:
      [byName, o.fieldSelector].filter((s) => s !== undefined && s !== '').join(',') || undefined,
    resourceVersion: o.resourceVersion,
    allowWatchBookmarks: o.allowWatchBookmarks === true ? true : undefined,
    timeoutSeconds: o.timeoutSeconds,
  };
}
