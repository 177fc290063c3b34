/**
 * POST pods/<name>/binding: the scheduler's write that assigns a pod to a node. Sets
 * spec.nodeName once (409 when the pod is already bound, as upstream's assignPod) and records
 * the PodScheduled condition; answers 201 with a Success Status.
 */
import type { JsonObject } from '../../api/json.ts';
import { isJsonObject, objectField, stringField } from '../../api/json.ts';
import { badRequest, conflict, successStatus } from '../../api/status.ts';
import { decodeObjectBody } from '../http/decode-body.ts';
import { timestamp } from '../registry/object-meta.ts';
import type { ResourceContext } from './context.ts';

export async function handleBinding(ctx: ResourceContext): Promise<void> {
  const { ex, info, def, services } = ctx;
  const name = info.name ?? '';
  const body = decodeObjectBody(await ex.readBody(), ex.header('content-type'));
  const bindingName = stringField(objectField(body, 'metadata'), 'name');
  if (bindingName !== undefined && bindingName !== '' && bindingName !== name) {
    throw badRequest(`Binding name ${bindingName} does not match the pod name ${name}`);
  }
  const target = objectField(body, 'target');
  const nodeName = stringField(target, 'name');
  if (nodeName === undefined || nodeName === '') {
    throw badRequest('target.name: Required value: the node to bind to');
  }
  const gr = { group: def.group, resource: def.plural };
  await services.resources.guaranteedUpdate(
    def,
    info.namespace,
    name,
    (pod) => {
      const spec = objectField(pod, 'spec') ?? {};
      const current = stringField(spec, 'nodeName');
      if (objectField(pod, 'metadata')?.['deletionTimestamp'] !== undefined) {
        throw conflict(gr, name, 'pod is being deleted, cannot be assigned to a host');
      }
      if (current !== undefined && current !== '') {
        throw conflict(gr, name, `pod ${name} is already assigned to node "${current}"`);
      }
      const status = objectField(pod, 'status') ?? {};
      const conditions = Array.isArray(status['conditions'])
        ? status['conditions'].filter((c) => !(isJsonObject(c) && c['type'] === 'PodScheduled'))
        : [];
      conditions.push({
        type: 'PodScheduled',
        status: 'True',
        lastProbeTime: null,
        lastTransitionTime: timestamp(services.now()),
      });
      const next: JsonObject = {
        ...pod,
        spec: { ...spec, nodeName },
        status: { ...status, conditions },
      };
      return next;
    },
    'all',
  );
  ex.sendJson(201, { ...successStatus(), code: 201 });
}
