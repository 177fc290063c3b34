/**
 * The 403 an authorizer's denial becomes, worded as upstream's responsewriters.Forbidden:
 * `pods is forbidden: User "jane" cannot list resource "pods" in API group "" in the namespace
 * "default"`, then `: <reason>` only when the authorizer gave one; non-resource paths read
 * `forbidden: User "jane" cannot get path "/metrics"`.
 */
import { ApiError, forbidden } from '../../api/status.ts';
import type { RequestInfo } from '../request-info.ts';

export function forbiddenMessage(username: string, request: RequestInfo): string {
  if (!request.isResourceRequest)
    return `User ${JSON.stringify(username)} cannot ${request.verb} path ${JSON.stringify(request.path)}`;
  const resource =
    request.subresource === undefined || request.subresource === ''
      ? request.resource
      : `${request.resource}/${request.subresource}`;
  const where =
    request.namespace === undefined || request.namespace === ''
      ? 'at the cluster scope'
      : `in the namespace ${JSON.stringify(request.namespace)}`;
  return `User ${JSON.stringify(username)} cannot ${request.verb} resource ${JSON.stringify(resource)} in API group ${JSON.stringify(request.group)} ${where}`;
}

export function forbiddenError(username: string, request: RequestInfo, reason: string): ApiError {
  const msg = forbiddenMessage(username, request);
  const why = reason === '' ? msg : `${msg}: ${reason}`;
  if (!request.isResourceRequest) return new ApiError(403, 'Forbidden', `forbidden: ${why}`);
  return forbidden({ group: request.group, resource: request.resource }, request.name ?? '', why);
}
