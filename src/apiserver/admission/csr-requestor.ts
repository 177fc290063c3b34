/**
 * Upstream's CSR strategy PrepareForCreate, the part that needs the request: a new
 * CertificateSigningRequest's spec.username, uid, groups and extra are those of the user who
 * creates it, whatever the body says, so approvers and signers can trust them (the kubelet's
 * TLS bootstrap relies on it: the approver checks the requestor is a bootstrap token or node).
 */
import type { JsonObject } from '../../api/json.ts';
import { isJsonObject } from '../../api/json.ts';
import type { ResourceDefinition } from '../../api/resource.ts';
import type { UserInfo } from '../authn/user-info.ts';

export function stampCsrRequestor(def: ResourceDefinition, obj: JsonObject, user: UserInfo): void {
  if (def.group !== 'certificates.k8s.io' || def.kind !== 'CertificateSigningRequest') return;
  const spec: JsonObject = isJsonObject(obj['spec']) ? obj['spec'] : {};
  spec['username'] = user.name;
  if (user.uid !== undefined && user.uid !== '') spec['uid'] = user.uid;
  else delete spec['uid'];
  spec['groups'] = [...user.groups];
  const extra = user.extra ?? {};
  if (Object.keys(extra).length > 0)
    spec['extra'] = Object.fromEntries(Object.entries(extra).map(([k, v]) => [k, [...v]]));
  else delete spec['extra'];
  obj['spec'] = spec;
}
