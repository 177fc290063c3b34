/**
 * The key layout, as the Kubernetes apiserver stores objects in etcd:
 * `/registry/<resource>/<namespace>/<name>` for namespaced objects and
 * `/registry/<resource>/<name>` for cluster-scoped ones. Prefixes end in `/` so that a list of
 * namespace `a` never includes namespace `ab`.
 */
import { StoreInvalidArgumentError } from './errors.ts';

export const REGISTRY_ROOT = '/registry/';

/** The key of one object; `namespace` is undefined for cluster-scoped resources. */
export function objectKey(resource: string, namespace: string | undefined, name: string): string {
  assertSegment('resource', resource);
  assertSegment('name', name);
  if (namespace === undefined) return `${REGISTRY_ROOT}${resource}/${name}`;
  assertSegment('namespace', namespace);
  return `${REGISTRY_ROOT}${resource}/${namespace}/${name}`;
}

/** The prefix of every object of a resource, or of one namespace's objects. */
export function listPrefix(resource: string, namespace?: string): string {
  assertSegment('resource', resource);
  if (namespace === undefined) return `${REGISTRY_ROOT}${resource}/`;
  assertSegment('namespace', namespace);
  return `${REGISTRY_ROOT}${resource}/${namespace}/`;
}

/**
 * The smallest key greater than every key that starts with `prefix` (etcd's range_end for a
 * prefix). Keys are compared as UTF-8 bytes; a prefix of only 0xff bytes has no end ('\0').
 */
export function prefixEnd(prefix: string): Buffer {
  const bytes = Buffer.from(prefix, 'utf8');
  for (let i = bytes.length - 1; i >= 0; i--) {
    const b = bytes[i];
    if (b !== undefined && b < 0xff) {
      const end = Buffer.from(bytes.subarray(0, i + 1));
      end[i] = b + 1;
      return end;
    }
  }
  return Buffer.from([0]);
}

/** Compares keys by their UTF-8 bytes, as etcd orders them. */
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

export function assertKey(key: string): void {
  if (key.length === 0) throw new StoreInvalidArgumentError('key must not be empty');
}

function assertSegment(what: string, value: string): void {
  if (value.length === 0 || value.includes('/')) {
    throw new StoreInvalidArgumentError(`${what} must be non-empty and contain no '/': ${value}`);
  }
}
