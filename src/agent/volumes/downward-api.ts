/**
 * downwardAPI volume files (and projected downwardAPI sources): fieldRef items (name,
 * namespace, uid, labels and annotations as `key="value"` lines sorted by key, as upstream
 * formats them, single labels/annotations, nodeName, serviceAccountName, hostIP, podIP(s))
 * and resourceFieldRef items (container requests/limits with a divisor).
 */
import type { DownwardAPIVolumeFile, Pod } from 'kubernetes-types/core/v1.d.ts';
import type { FileProjection } from './atomic-writer.ts';
import { fieldRefValue, resourceFieldValue } from '../pods/container-env.ts';

export interface DownwardContext {
  readonly hostIp: string;
  readonly podIps: readonly string[];
  readonly allocatable: Readonly<Record<string, string>>;
}

/** upstream's FormatMap: `key="value"` lines, sorted, values quoted as Go's %q. */
function formatMap(map: Readonly<Record<string, string>> | undefined): string {
  return Object.keys(map ?? {})
    .sort()
    .map((k) => `${k}=${JSON.stringify(map?.[k] ?? '')}`)
    .join('\n');
}

export function downwardApiFiles(
  pod: Pod,
  items: readonly DownwardAPIVolumeFile[],
  defaultMode: number,
  ctx: DownwardContext,
): Map<string, FileProjection> {
  const out = new Map<string, FileProjection>();
  for (const item of items) {
    let value: string;
    if (item.fieldRef !== undefined) {
      const path = item.fieldRef.fieldPath;
      if (path === 'metadata.labels') value = formatMap(pod.metadata?.labels);
      else if (path === 'metadata.annotations') value = formatMap(pod.metadata?.annotations);
      else value = fieldRefValue(pod, path, ctx.hostIp, ctx.podIps);
    } else if (item.resourceFieldRef !== undefined) {
      const r = item.resourceFieldRef;
      const container = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].find(
        (c) => c.name === r.containerName,
      );
      if (container === undefined) throw new Error(`container ${r.containerName ?? ''} not found`);
      value = resourceFieldValue(container, r.resource, r.divisor, ctx.allocatable);
    } else continue;
    out.set(item.path, { data: Buffer.from(value), mode: item.mode ?? defaultMode });
  }
  return out;
}
