/**
 * The `pod-template-hash` that names a Deployment's ReplicaSets (`<deploy>-<hash>`): upstream's
 * controller.ComputeHash is fnv32a over a deep print of the template, then over the collision
 * count (when set), printed in decimal and passed through rand.SafeEncodeString (each digit to
 * a consonant or digit unlikely to spell words). k8ts hashes a canonical JSON of the template
 * (keys sorted) instead of Go's spew dump of the Go struct, which TypeScript cannot reproduce:
 * names are stable across k8ts restarts and versions, but not byte-identical to kube's.
 */
import type { PodTemplateSpec } from 'kubernetes-types/core/v1.d.ts';

export const POD_TEMPLATE_HASH_LABEL = 'pod-template-hash';

const FNV32_OFFSET = 0x811c9dc5;
const FNV32_PRIME = 0x01000193;

export function fnv32a(bytes: Uint8Array, seed = FNV32_OFFSET): number {
  let h = seed;
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, FNV32_PRIME) >>> 0;
  }
  return h >>> 0;
}

/** Absent as Go's omitempty sees it: undefined, null, an empty object or list. */
function isEmptyValue(v: unknown): boolean {
  if (v === undefined || v === null) return true;
  if (Array.isArray(v)) return v.length === 0;
  return typeof v === 'object' && Object.keys(v).length === 0;
}

/**
 * JSON with object keys sorted at every level and empty members dropped, so templates equal as
 * the API server stores them (`labels: {}` or none) hash and compare equal.
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => !isEmptyValue(v))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** apimachinery's rand.SafeEncodeString alphabet. */
const ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';

export function safeEncodeString(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) out += ALPHANUMS[s.charCodeAt(i) % ALPHANUMS.length] ?? '';
  return out;
}

function withoutHashLabel(labels: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(
    Object.entries(labels ?? {}).filter(([k]) => k !== POD_TEMPLATE_HASH_LABEL),
  );
}

/** controller.ComputeHash: the template (without a pod-template-hash label) and collisionCount. */
export function computeHash(template: PodTemplateSpec, collisionCount?: number): string {
  const labels = withoutHashLabel(template.metadata?.labels);
  const normalized = {
    ...template,
    metadata: {
      ...template.metadata,
      labels: Object.keys(labels).length === 0 ? undefined : labels,
    },
  };
  let h = fnv32a(new TextEncoder().encode(canonicalJson(normalized)));
  if (collisionCount !== undefined) {
    // As Go: an 8-byte buffer, the uint32 little-endian in its first 4 bytes.
    const b = new Uint8Array(8);
    new DataView(b.buffer).setUint32(0, collisionCount >>> 0, true);
    h = fnv32a(b, h);
  }
  return safeEncodeString(String(h));
}

/** EqualIgnoreHash: templates equal apart from the pod-template-hash label. */
export function equalIgnoreHash(
  a: PodTemplateSpec | undefined,
  b: PodTemplateSpec | undefined,
): boolean {
  const strip = (t: PodTemplateSpec | undefined): string => {
    const labels = withoutHashLabel(t?.metadata?.labels);
    return canonicalJson({
      ...t,
      metadata: { ...t?.metadata, labels: Object.keys(labels).length === 0 ? undefined : labels },
    });
  };
  return strip(a) === strip(b);
}
