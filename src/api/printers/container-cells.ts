/**
 * Upstream's `layoutContainerCells` for the workload printers' wide columns: container names and
 * images of a pod template, each comma-joined in spec order ("" when there are none).
 */
import type { JsonObject } from '../json.ts';
import { objectsAt, stringAt } from './fields.ts';

export function layoutContainerCells(containers: readonly JsonObject[]): [string, string] {
  return [
    containers.map((c) => stringAt(c, 'name')).join(','),
    containers.map((c) => stringAt(c, 'image')).join(','),
  ];
}

/** Names and images of `spec.template.spec.containers`. */
export function templateContainerCells(obj: JsonObject): [string, string] {
  return layoutContainerCells(objectsAt(obj, 'spec', 'template', 'spec', 'containers'));
}
