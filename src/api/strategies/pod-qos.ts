/**
 * Upstream's ComputePodQOS (pkg/apis/core/helper/qos, v1.33, PodLevelResources off): cpu and
 * memory requests and limits summed over containers and init containers (ephemeral containers
 * cannot set resources). BestEffort without any, Guaranteed when every container limits both
 * and the sums of requests equal the sums of limits, Burstable otherwise. Run it on a defaulted
 * pod, where requests already default to limits.
 */
import type { JsonObject } from '../json.ts';
import { obj, objs } from './json-fields.ts';
import type { Quantity } from './quantity.ts';
import { addQuantity, compareQuantity, parseQuantity, ZERO_QUANTITY } from './quantity.ts';

export type PodQOSClass = 'Guaranteed' | 'Burstable' | 'BestEffort';

const QOS_RESOURCES: ReadonlySet<string> = new Set(['cpu', 'memory']);

/** Adds the positive cpu/memory quantities of `list` into `sums`; returns the names found. */
function accumulate(sums: Map<string, Quantity>, list: JsonObject | undefined): Set<string> {
  const found = new Set<string>();
  for (const [name, value] of Object.entries(list ?? {})) {
    if (!QOS_RESOURCES.has(name)) continue;
    const q = parseQuantity(value);
    if (q === undefined || compareQuantity(q, ZERO_QUANTITY) <= 0) continue;
    found.add(name);
    const prev = sums.get(name);
    sums.set(name, prev === undefined ? q : addQuantity(prev, q));
  }
  return found;
}

export function computePodQOS(spec: JsonObject | undefined): PodQOSClass {
  const requests = new Map<string, Quantity>();
  const limits = new Map<string, Quantity>();
  let isGuaranteed = true;
  for (const c of [...objs(spec, 'containers'), ...objs(spec, 'initContainers')]) {
    const resources = obj(c, 'resources');
    accumulate(requests, obj(resources, 'requests'));
    const limited = accumulate(limits, obj(resources, 'limits'));
    if (!limited.has('memory') || !limited.has('cpu')) isGuaranteed = false;
  }
  if (requests.size === 0 && limits.size === 0) return 'BestEffort';
  if (isGuaranteed) {
    for (const [name, req] of requests) {
      const lim = limits.get(name);
      if (lim === undefined || compareQuantity(lim, req) !== 0) {
        isGuaranteed = false;
        break;
      }
    }
  }
  return isGuaranteed && requests.size === limits.size ? 'Guaranteed' : 'Burstable';
}
