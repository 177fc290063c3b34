/**
 * Impersonation (`kubectl --as=jane --as-group=g`), as upstream's WithImpersonation filter
 * (k8s.io/apiserver/pkg/endpoints/filters/impersonation.go, v1.33): after authentication, the
 * `Impersonate-User`, `Impersonate-Group`, `Impersonate-Uid` and `Impersonate-Extra-<key>`
 * headers each need the requester's `impersonate` permission on users, groups, serviceaccounts
 * (a `system:serviceaccount:<ns>:<name>` user), uids or userextras/<key>; then the request runs as
 * the impersonated user, with system:authenticated (or system:unauthenticated for
 * system:anonymous) added as upstream does. A refused header is a 403 in upstream's wording.
 * Limitation: Node joins repeated headers with ", ", so a group name containing a comma cannot be
 * impersonated.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { internalError } from '../../api/status.ts';
import type { Authorizer } from '../authz/authorizer.ts';
import { forbiddenError } from '../authz/forbidden.ts';
import type { RequestInfo, RequestVerb } from '../request-info.ts';
import type { UserInfo } from './user-info.ts';

const EXTRA_PREFIX = 'impersonate-extra-';
const AUTHENTICATION_GROUP = 'authentication.k8s.io';

/** Upstream's v1.ObjectReference, the unit each permission check is made for. */
interface ImpersonationRequest {
  readonly kind: 'User' | 'ServiceAccount' | 'Group' | 'UserExtra' | 'UID';
  readonly namespace: string;
  readonly name: string;
  readonly apiVersion: string;
  /** The extra key (upstream keeps it in ObjectReference.FieldPath). */
  readonly fieldPath: string;
}

function values(headers: IncomingHttpHeaders, name: string): string[] {
  const v = headers[name];
  const raw = v === undefined ? [] : Array.isArray(v) ? v : [v];
  return raw
    .flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

function single(headers: IncomingHttpHeaders, name: string): string {
  const v = headers[name];
  return (Array.isArray(v) ? v[0] : v) ?? '';
}

function unescapeExtraKey(key: string): string {
  try {
    return decodeURIComponent(key);
  } catch {
    return key;
  }
}

/** Go's `%v` of an ObjectReference: its seven fields separated by spaces. */
function goObjectReference(r: ImpersonationRequest): string {
  return `{${[r.kind, r.namespace, r.name, '', r.apiVersion, '', r.fieldPath].join(' ')}}`;
}

/** Upstream's buildImpersonationRequests. */
function impersonationRequests(headers: IncomingHttpHeaders): ImpersonationRequest[] {
  const out: ImpersonationRequest[] = [];
  const base = { namespace: '', apiVersion: '', fieldPath: '' };
  const user = single(headers, 'impersonate-user');
  if (user !== '') {
    const sa = splitServiceAccount(user);
    out.push(
      sa === undefined
        ? { ...base, kind: 'User', name: user }
        : { ...base, kind: 'ServiceAccount', namespace: sa.namespace, name: sa.name },
    );
  }
  const groups = values(headers, 'impersonate-group');
  for (const g of groups) out.push({ ...base, kind: 'Group', name: g });
  let hasExtra = false;
  for (const header of Object.keys(headers)) {
    if (!header.startsWith(EXTRA_PREFIX)) continue;
    hasExtra = true;
    const key = unescapeExtraKey(header.slice(EXTRA_PREFIX.length).toLowerCase());
    for (const value of values(headers, header)) {
      out.push({
        kind: 'UserExtra',
        namespace: '',
        name: value,
        apiVersion: `${AUTHENTICATION_GROUP}/v1`,
        fieldPath: key,
      });
    }
  }
  const uid = single(headers, 'impersonate-uid');
  if (uid !== '')
    out.push({ ...base, kind: 'UID', name: uid, apiVersion: `${AUTHENTICATION_GROUP}/v1` });
  if ((groups.length > 0 || hasExtra || uid !== '') && user === '') {
    throw internalError(
      `requested [${out.map(goObjectReference).join(' ')}] without impersonating a user`,
    );
  }
  return out;
}

function splitServiceAccount(user: string): { namespace: string; name: string } | undefined {
  const prefix = 'system:serviceaccount:';
  if (!user.startsWith(prefix)) return undefined;
  const parts = user.slice(prefix.length).split(':');
  const [namespace, name] = parts;
  if (parts.length !== 2 || namespace === undefined || name === undefined) return undefined;
  if (namespace === '' || name === '') return undefined;
  return { namespace, name };
}

/** The permission check for one impersonation request (upstream's actingAsAttributes). */
function attributesOf(r: ImpersonationRequest): RequestInfo {
  const group = r.kind === 'UserExtra' || r.kind === 'UID' ? AUTHENTICATION_GROUP : '';
  const resource = {
    User: 'users',
    ServiceAccount: 'serviceaccounts',
    Group: 'groups',
    UserExtra: 'userextras',
    UID: 'uids',
  }[r.kind];
  return {
    isResourceRequest: true,
    // `impersonate` is an authorization verb only; no handler ever serves it.
    verb: 'impersonate' as RequestVerb,
    apiPrefix: group === '' ? 'api' : 'apis',
    group,
    version: 'v1',
    namespace: r.namespace === '' ? undefined : r.namespace,
    resource,
    subresource: r.kind === 'UserExtra' ? r.fieldPath : undefined,
    name: r.name,
  };
}

/**
 * The user a request runs as: `requestor` when no Impersonate-* header is set, otherwise the
 * impersonated user once every header is authorized. Throws a 403 (or upstream's 500 for groups,
 * extra or uid without a user).
 */
export async function impersonate(
  headers: IncomingHttpHeaders,
  requestor: UserInfo,
  authorizer: Authorizer,
): Promise<UserInfo> {
  const requests = impersonationRequests(headers);
  if (requests.length === 0) return requestor;
  const groupsSpecified = values(headers, 'impersonate-group').length > 0;
  let username = '';
  let groups: string[] = [];
  const extra: Record<string, string[]> = {};
  let uid = '';
  for (const r of requests) {
    switch (r.kind) {
      case 'ServiceAccount':
        username = `system:serviceaccount:${r.namespace}:${r.name}`;
        if (!groupsSpecified)
          groups = ['system:serviceaccounts', `system:serviceaccounts:${r.namespace}`];
        break;
      case 'User':
        username = r.name;
        break;
      case 'Group':
        groups.push(r.name);
        break;
      case 'UserExtra':
        (extra[r.fieldPath] ??= []).push(r.name);
        break;
      case 'UID':
        uid = r.name;
        break;
    }
    const attrs = attributesOf(r);
    const decision = await authorizer.authorize(requestor, attrs);
    if (!decision.allowed) throw forbiddenError(requestor.name, attrs, decision.reason);
  }
  if (username !== 'system:anonymous') {
    if (!groups.includes('system:authenticated') && !groups.includes('system:unauthenticated'))
      groups.push('system:authenticated');
  } else if (!groups.includes('system:unauthenticated')) {
    groups.push('system:unauthenticated');
  }
  return {
    name: username,
    groups,
    ...(uid === '' ? {} : { uid }),
    ...(Object.keys(extra).length === 0 ? {} : { extra }),
  };
}
