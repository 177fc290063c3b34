/**
 * Parses a request path and method into what is being asked, as upstream's RequestInfoFactory:
 * `/api/v1/namespaces/ns/pods/p/status` → {verb: update, resource: pods, subresource: status,
 * namespace: ns, name: p}. Non-resource paths (`/healthz`, `/version`, `/openapi/v3`) come back
 * with `isResourceRequest: false`. Never throws: odd paths become non-resource requests.
 */
import { FieldSelector } from '../api/selectors/field-selector.ts';
import type { FieldRequirement } from '../api/selectors/field-selector.ts';

export type RequestVerb =
  'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';

export interface ResourceRequestInfo {
  readonly isResourceRequest: true;
  readonly verb: RequestVerb;
  /** 'api' or 'apis'. */
  readonly apiPrefix: string;
  readonly group: string;
  readonly version: string;
  /** Undefined for cluster-scoped requests and for lists across all namespaces. */
  readonly namespace: string | undefined;
  readonly resource: string;
  readonly subresource: string | undefined;
  /** For list and watch, upstream takes the name from a `metadata.name=<name>` field selector. */
  readonly name: string | undefined;
  /**
   * A list's or watch's field selector terms, for authorizers (upstream's attributes since
   * AuthorizeWithSelectors); empty when there is none or it does not parse (the handler answers
   * that with a 400).
   */
  readonly fieldSelector?: readonly FieldRequirement[];
}

export interface NonResourceRequestInfo {
  readonly isResourceRequest: false;
  readonly verb: string;
  readonly path: string;
}

export type RequestInfo = ResourceRequestInfo | NonResourceRequestInfo;

/** `/namespaces/<ns>/status|finalize` address the namespace itself (upstream's list). */
const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

/**
 * Streaming subresources. Upstream's RequestInfo gives them the verb of their HTTP method
 * (`create` for POST, `get` for GET), which is what RBAC rules on `pods/exec` match; the API
 * handler chooses their handler by subresource.
 */
export const CONNECT_SUBRESOURCES: ReadonlySet<string> = new Set([
  'exec',
  'attach',
  'portforward',
  'proxy',
]);

/** Go's strconv.ParseBool truth values, which upstream uses for query flags (`watch=True`). */
const TRUE_VALUES = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);

export function parseBool(value: string | null): boolean {
  return value !== null && TRUE_VALUES.has(value);
}

export function parseRequestInfo(
  method: string,
  path: string,
  query: URLSearchParams,
): RequestInfo {
  const nonResource: NonResourceRequestInfo = {
    isResourceRequest: false,
    verb: method.toLowerCase(),
    path,
  };
  const parts = path.split('/').filter((p) => p !== '');
  const prefix = parts[0];
  if (prefix !== 'api' && prefix !== 'apis') return nonResource;
  let rest: string[];
  let group = '';
  let version: string | undefined;
  if (prefix === 'api') {
    version = parts[1];
    rest = parts.slice(2);
  } else {
    group = parts[1] ?? '';
    version = parts[2];
    rest = parts.slice(3);
  }
  if (version === undefined || rest.length === 0) return nonResource;
  let decoded: string[];
  try {
    decoded = rest.map((p) => decodeURIComponent(p));
  } catch {
    return nonResource;
  }
  // Legacy watch paths (/api/v1/watch/namespaces/ns/pods) are still served upstream.
  let isWatchPath = false;
  if (decoded[0] === 'watch') {
    isWatchPath = true;
    decoded = decoded.slice(1);
  }
  let namespace: string | undefined;
  // `/namespaces/<ns>/<resource>...` is namespaced; `/namespaces/<ns>` (and its status or
  // finalize subresource) is the namespace object itself.
  if (
    decoded[0] === 'namespaces' &&
    decoded.length >= 3 &&
    !NAMESPACE_SUBRESOURCES.has(decoded[2] ?? '')
  ) {
    namespace = decoded[1];
    decoded = decoded.slice(2);
  }
  const [resource, name, subresource] = decoded;
  if (resource === undefined || resource === '' || decoded.length > 3) return nonResource;
  const hasName = name !== undefined && name !== '';
  const verb = resourceVerb(method, hasName, isWatchPath || parseBool(query.get('watch')));
  if (verb === undefined) return nonResource;
  const selector = verb === 'list' || verb === 'watch' ? listFieldSelector(query) : undefined;
  const selectedName = selector?.requiresExactMatch('metadata.name');
  return {
    isResourceRequest: true,
    verb,
    apiPrefix: prefix,
    group,
    version,
    namespace,
    resource,
    subresource,
    name: hasName
      ? name
      : selectedName !== undefined && isValidPathSegment(selectedName)
        ? selectedName
        : undefined,
    ...(selector === undefined || selector.requirements.length === 0
      ? {}
      : { fieldSelector: selector.requirements }),
  };
}

function listFieldSelector(query: URLSearchParams): FieldSelector | undefined {
  const text = query.get('fieldSelector');
  if (text === null || text === '') return undefined;
  try {
    return FieldSelector.parse(text);
  } catch {
    return undefined;
  }
}

/** Upstream's path.IsValidPathSegmentName. */
function isValidPathSegment(name: string): boolean {
  return name !== '.' && name !== '..' && !name.includes('/') && !name.includes('%');
}

function resourceVerb(method: string, hasName: boolean, isWatch: boolean): RequestVerb | undefined {
  switch (method) {
    case 'GET':
    case 'HEAD':
      if (isWatch) return 'watch';
      return hasName ? 'get' : 'list';
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return hasName ? 'delete' : 'deletecollection';
    default:
      return undefined;
  }
}
