/**
 * Where a pod's log, exec, attach or port-forward request goes (upstream's LogLocation,
 * streamLocation and PortForwardLocation): the pod, the container (defaulted when the pod has
 * only one, else a 400 naming the choices; a name the pod does not have is a 400), the node it
 * is bound to (400 when none) and that node's agent.
 */
import type { JsonObject } from '../../api/json.ts';
import { isJsonObject, objectField, stringField } from '../../api/json.ts';
import { badRequest } from '../../api/status.ts';
import { kubeletLocation } from '../kubelet/kubelet-client.ts';
import type { KubeletClientConfig, KubeletLocation } from '../kubelet/kubelet-client.ts';
import type { ResourceContext } from './context.ts';

const GO_TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const GO_FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

/** A boolean query parameter as Go's strconv.ParseBool reads it (anything else is a 400). */
export function boolParam(q: URLSearchParams, name: string, byDefault = false): boolean {
  const v = q.get(name);
  if (v === null || v === '') return byDefault;
  if (GO_TRUE.has(v)) return true;
  if (GO_FALSE.has(v)) return false;
  throw badRequest(`strconv.ParseBool: parsing ${JSON.stringify(v)}: invalid syntax`);
}

function containerNames(pod: JsonObject, field: string): string[] {
  const list = objectField(pod, 'spec')?.[field];
  return (Array.isArray(list) ? list : [])
    .filter(isJsonObject)
    .map((c) => stringField(c, 'name') ?? '');
}

/** Upstream's validateContainer: the container to use, or a 400. */
export function validateContainer(pod: JsonObject, container: string): string {
  const podName = stringField(objectField(pod, 'metadata'), 'name') ?? '';
  const main = containerNames(pod, 'containers');
  const all = [
    ...containerNames(pod, 'initContainers'),
    ...main,
    ...containerNames(pod, 'ephemeralContainers'),
  ];
  if (container === '') {
    if (main.length === 1 && main[0] !== undefined) return main[0];
    if (main.length === 0)
      throw badRequest(`a container name must be specified for pod ${podName}`);
    throw badRequest(
      `a container name must be specified for pod ${podName}, choose one of: [${all.join(' ')}]`,
    );
  }
  if (!all.includes(container))
    throw badRequest(`container ${container} is not valid for pod ${podName}`);
  return container;
}

export function nodeNameOf(pod: JsonObject): string {
  return stringField(objectField(pod, 'spec'), 'nodeName') ?? '';
}

export async function loadPod(ctx: ResourceContext): Promise<JsonObject> {
  return ctx.services.resources.get(ctx.def, ctx.info.namespace, ctx.info.name ?? '');
}

/** The agent of `nodeName` (a missing Node is its 404). */
export async function agentOf(ctx: ResourceContext, nodeName: string): Promise<KubeletLocation> {
  const { registry, resources } = ctx.services;
  const nodeDef = registry.byPath('', 'v1', 'nodes');
  if (nodeDef === undefined) throw new Error('the nodes resource is not registered');
  const node = await resources.get(nodeDef, undefined, nodeName);
  return kubeletLocation(node, kubeletConfig(ctx));
}

export function kubeletConfig(ctx: ResourceContext): KubeletClientConfig {
  return ctx.services.kubelet ?? {};
}
