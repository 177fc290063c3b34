/**
 * The review kinds, answered and never stored: TokenReview (is this bearer token valid, and
 * whose is it), SelfSubjectReview (`kubectl auth whoami`),
 * SelfSubjectAccessReview (`kubectl auth can-i`) and SubjectAccessReview (who-can checks by
 * other components) and SelfSubjectRulesReview (`kubectl auth can-i --list`), each decided by the same authorizer that guards real requests.
 */
import type { JsonObject } from '../../api/json.ts';
import { isJsonObject, objectField, stringField } from '../../api/json.ts';
import { groupVersion } from '../../api/resource.ts';
import { badRequest, methodNotAllowed } from '../../api/status.ts';
import type { UserInfo } from '../authn/user-info.ts';
import { decodeObjectBody } from '../http/decode-body.ts';
import type { RequestInfo, RequestVerb } from '../request-info.ts';
import type { ResourceContext } from './context.ts';
import { endpointKind } from './context.ts';
import { tokenReview } from './token-review.ts';

export async function handleReview(ctx: ResourceContext): Promise<void> {
  const { ex, def, user, services } = ctx;
  const body = decodeObjectBody(await ex.readBody(), ex.header('content-type'), endpointKind(def));
  const base: JsonObject = {
    kind: def.kind,
    apiVersion: groupVersion(def),
    metadata: { creationTimestamp: null },
  };
  switch (def.kind) {
    case 'SelfSubjectReview':
      ex.sendJson(201, { ...base, status: { userInfo: userInfoJson(user) } });
      return;
    case 'TokenReview':
      ex.sendJson(201, { ...base, ...(await tokenReview(services.tokens, body)) });
      return;
    case 'SelfSubjectAccessReview':
    case 'SubjectAccessReview': {
      const spec = objectField(body, 'spec');
      if (spec === undefined) throw badRequest('spec: Required value');
      const subject = def.kind === 'SelfSubjectAccessReview' ? user : subjectOf(spec);
      const decision = await services.authorizer.authorize(subject, requestOf(spec));
      const status: JsonObject = decision.allowed
        ? { allowed: true }
        : { allowed: false, reason: decision.reason };
      ex.sendJson(201, { ...base, spec, status });
      return;
    }
    case 'SelfSubjectRulesReview': {
      const spec = objectField(body, 'spec') ?? {};
      const rules = await services.authorizer.rulesFor(user, stringField(spec, 'namespace') ?? '');
      ex.sendJson(201, { ...base, spec, status: JSON.parse(JSON.stringify(rules)) as JsonObject });
      return;
    }
    default:
      throw methodNotAllowed('create', { group: def.group, resource: def.plural });
  }
}

function userInfoJson(user: UserInfo): JsonObject {
  return {
    username: user.name,
    ...(user.uid === undefined ? {} : { uid: user.uid }),
    groups: [...user.groups],
    ...(user.extra === undefined
      ? {}
      : { extra: Object.fromEntries(Object.entries(user.extra).map(([k, v]) => [k, [...v]])) }),
  };
}

function subjectOf(spec: JsonObject): UserInfo {
  const name = stringField(spec, 'user') ?? '';
  const groups = Array.isArray(spec['groups'])
    ? spec['groups'].filter((g): g is string => typeof g === 'string')
    : [];
  if (name === '' && groups.length === 0)
    throw badRequest(
      'spec.user or spec.groups: Required value: at least one of user or group must be specified',
    );
  const uid = stringField(spec, 'uid');
  return { name, groups, ...(uid === undefined ? {} : { uid }) };
}

function requestOf(spec: JsonObject): RequestInfo {
  const res = objectField(spec, 'resourceAttributes');
  const nonRes = objectField(spec, 'nonResourceAttributes');
  if (res !== undefined && nonRes !== undefined)
    throw badRequest(
      'spec: Invalid value: resourceAttributes and nonResourceAttributes are mutually exclusive',
    );
  if (res !== undefined && isJsonObject(res)) {
    const namespace = stringField(res, 'namespace');
    const name = stringField(res, 'name');
    const subresource = stringField(res, 'subresource');
    return {
      isResourceRequest: true,
      verb: (stringField(res, 'verb') ?? '') as RequestVerb,
      apiPrefix: (stringField(res, 'group') ?? '') === '' ? 'api' : 'apis',
      group: stringField(res, 'group') ?? '',
      version: stringField(res, 'version') ?? '',
      namespace: namespace === '' ? undefined : namespace,
      resource: stringField(res, 'resource') ?? '',
      subresource: subresource === '' ? undefined : subresource,
      name: name === '' ? undefined : name,
    };
  }
  if (nonRes !== undefined) {
    return {
      isResourceRequest: false,
      verb: stringField(nonRes, 'verb') ?? '',
      path: stringField(nonRes, 'path') ?? '',
    };
  }
  throw badRequest(
    'spec: Invalid value: exactly one of nonResourceAttributes or resourceAttributes must be specified',
  );
}
