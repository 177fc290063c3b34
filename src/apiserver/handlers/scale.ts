/**
 * The scale subresource (autoscaling/v1 Scale) of deployments, replicasets and statefulsets:
 * a view of spec.replicas, status.replicas and the label selector, and the write that sets
 * spec.replicas from it (what `kubectl scale` patches).
 */
import type { JsonObject } from '../../api/json.ts';
import { isJsonObject, jsonText, objectField } from '../../api/json.ts';
import type { ResourceDefinition } from '../../api/resource.ts';
import { badRequest } from '../../api/status.ts';

export function toScale(def: ResourceDefinition, obj: JsonObject): JsonObject {
  const meta = objectField(obj, 'metadata') ?? {};
  const spec = objectField(obj, 'spec') ?? {};
  const status = objectField(obj, 'status') ?? {};
  const selector = objectField(spec, 'selector');
  const matchLabels = selector === undefined ? undefined : objectField(selector, 'matchLabels');
  const selectorString =
    matchLabels === undefined
      ? ''
      : Object.entries(matchLabels)
          .map(([k, v]) => `${k}=${jsonText(v)}`)
          .join(',');
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: meta['name'] ?? '',
      namespace: meta['namespace'] ?? '',
      uid: meta['uid'] ?? '',
      resourceVersion: meta['resourceVersion'] ?? '',
      creationTimestamp: meta['creationTimestamp'] ?? null,
    },
    spec: { replicas: typeof spec['replicas'] === 'number' ? spec['replicas'] : 1 },
    status: {
      replicas: typeof status['replicas'] === 'number' ? status['replicas'] : 0,
      ...(def.kind === 'StatefulSet' || selectorString === '' ? {} : { selector: selectorString }),
      ...(def.kind === 'StatefulSet' && selectorString !== '' ? { selector: selectorString } : {}),
    },
  };
}

/** Applies a Scale object's spec.replicas to the owning object. */
export function applyScale(obj: JsonObject, scale: JsonObject): JsonObject {
  const spec = objectField(scale, 'spec');
  const replicas = spec?.['replicas'];
  if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
    throw badRequest('spec.replicas: Invalid value: must be a non-negative integer');
  }
  const target = isJsonObject(obj['spec']) ? obj['spec'] : {};
  return { ...obj, spec: { ...target, replicas } };
}
