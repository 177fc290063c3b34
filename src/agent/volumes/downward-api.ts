/**
 * downwardAPI volume files (and projected downwardAPI sources): fieldRef items (name,
 * namespace, uid, labels and annotations as `key="value"` lines sorted by key, as upstream's
 * fieldpath.FormatMap, single labels/annotations, nodeName, serviceAccountName, hostIP,
 * podIP(s)) and resourceFieldRef items (a container's requests/limits over a divisor; an unset
 * limit is the node's allocatable). Rewritten on every sync, so label changes reach the files.
 */
import type { DownwardAPIVolumeFile, Pod } from 'kubernetes-types/core/v1.d.ts';
import type { FileProjection } from './atomic-writer.ts';
import { fieldRefValue, resourceFieldValue } from '../pods/container-env.ts';

export interface DownwardContext {
  readonly hostIp: string;
  readonly podIps: readonly string[];
  readonly allocatable: Readonly<Record<string, string>>;
}

export class DownwardApiError extends Error {
  readonly code = 'AGENT_DOWNWARD_API';
  constructor(message: string) {
    super(message);
    this.name = 'DownwardApiError';
  }
}

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;
const SHORT_ESCAPES: Readonly<Record<string, string>> = {
  '\x07': '\\a',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\v': '\\v',
  '"': '\\"',
  '\\': '\\\\',
};

/** Go's strconv.Quote (what `%q` prints): printable runes as they are, the rest escaped. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const short = SHORT_ESCAPES[ch];
    const cp = ch.codePointAt(0) ?? 0;
    if (short !== undefined) out += short;
    else if (PRINTABLE.test(ch)) out += ch;
    else if (cp < 0x80) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else if (cp < 0x10000) out += `\\u${cp.toString(16).padStart(4, '0')}`;
    else out += `\\U${cp.toString(16).padStart(8, '0')}`;
  }
  return `${out}"`;
}

/** upstream's FormatMap: `key="value"` lines sorted by key, no trailing newline. */
export function formatMap(map: Readonly<Record<string, string>> | undefined): string {
  return Object.keys(map ?? {})
    .sort()
    .map((k) => `${k}=${goQuote(map?.[k] ?? '')}`)
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
      if (container === undefined)
        throw new DownwardApiError(
          `resourceFieldRef of ${item.path}: container "${r.containerName ?? ''}" not found`,
        );
      value = resourceFieldValue(container, r.resource, r.divisor, ctx.allocatable);
    } else continue;
    out.set(item.path, { data: Buffer.from(value), mode: item.mode ?? defaultMode });
  }
  return out;
}
