/**
 * The FieldManager of one request's endpoint: the kind's schema, its group/version, the
 * subresource, and the fields the endpoint resets (upstream's GetResetFields). Reset fields are
 * simplified to what this server's update scopes enforce: the main resource of a kind with a
 * status subresource never changes status, and the status (or approval) endpoint changes
 * nothing but status. The injected clock of the services stamps the entries.
 */
import { groupVersion, hasSubresource } from '../../api/resource.ts';
import type { ResourceDefinition } from '../../api/resource.ts';
import type { ApiServices } from '../handlers/context.ts';
import { FieldSet } from './field-set.ts';
import { FieldManager } from './field-manager.ts';
import { fieldElement } from './path-element.ts';
import type { SmdSchemas } from './schema-registry.ts';
import { shippedSmdSchemas } from './schema-registry.ts';
import type { FieldSetFilter } from './updater.ts';

const STATUS = fieldElement('status');
const STATUS_SET = FieldSet.of([STATUS]);

const withoutStatus: FieldSetFilter = (set) => set.recursiveDifference(STATUS_SET);

const onlyStatus: FieldSetFilter = (set) => {
  const out = new FieldSet();
  if (set.members.has(STATUS.key)) out.addMember(STATUS);
  out.addChild(STATUS, set.withPrefix(STATUS));
  return out;
};

export function resetFieldsFilter(
  def: ResourceDefinition,
  subresource: string,
): FieldSetFilter | undefined {
  if (subresource === '') return hasSubresource(def, 'status') ? withoutStatus : undefined;
  if (subresource === 'status' || subresource === 'approval') return onlyStatus;
  return undefined;
}

export async function endpointFieldManager(
  def: ResourceDefinition,
  subresource: string,
  services: Pick<ApiServices, 'now'>,
  schemas: SmdSchemas = shippedSmdSchemas,
): Promise<FieldManager> {
  const root = await schemas.forKind({ group: def.group, version: def.version, kind: def.kind });
  const ignore = resetFieldsFilter(def, subresource);
  return new FieldManager({
    root,
    apiVersion: groupVersion(def),
    subresource,
    now: services.now,
    ...(ignore === undefined ? {} : { ignore }),
  });
}
