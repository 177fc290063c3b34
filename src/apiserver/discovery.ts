/**
 * Discovery documents from the resource registry: legacy (`/api`, `/apis`, `/api/v1`,
 * `/apis/<g>/<v>`, `/apis/<g>`) and aggregated (apidiscovery.k8s.io v2 and v2beta1, chosen by
 * the Accept header exactly as kubectl 1.27–1.33 negotiate it: v2 only to clients that ask).
 */
import type { JsonObject } from '../api/json.ts';
import { groupVersion, verbsOf } from '../api/resource.ts';
import type { ResourceDefinition, SubresourceName } from '../api/resource.ts';
import type { ResourceRegistry } from '../api/resource-registry.ts';

interface SubresourceInfo {
  readonly verbs: readonly string[];
  readonly kind: { group: string; version: string; kind: string } | 'self';
}

const SUBRESOURCES: Record<SubresourceName, SubresourceInfo> = {
  status: { verbs: ['get', 'patch', 'update'], kind: 'self' },
  finalize: { verbs: ['update'], kind: 'self' },
  scale: {
    verbs: ['get', 'patch', 'update'],
    kind: { group: 'autoscaling', version: 'v1', kind: 'Scale' },
  },
  binding: { verbs: ['create'], kind: { group: '', version: 'v1', kind: 'Binding' } },
  eviction: { verbs: ['create'], kind: { group: 'policy', version: 'v1', kind: 'Eviction' } },
  approval: { verbs: ['get', 'patch', 'update'], kind: 'self' },
  token: {
    verbs: ['create'],
    kind: { group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest' },
  },
  log: { verbs: ['get'], kind: { group: '', version: 'v1', kind: 'Pod' } },
  exec: { verbs: ['create', 'get'], kind: { group: '', version: 'v1', kind: 'PodExecOptions' } },
  attach: {
    verbs: ['create', 'get'],
    kind: { group: '', version: 'v1', kind: 'PodAttachOptions' },
  },
  portforward: {
    verbs: ['create', 'get'],
    kind: { group: '', version: 'v1', kind: 'PodPortForwardOptions' },
  },
};

export type DiscoveryFormat = 'v2' | 'v2beta1' | 'legacy';

/**
 * The discovery format a client accepts, in its order of preference. kubectl 1.30+ lists v2
 * first, 1.27–1.29 only v2beta1; plain JSON means legacy.
 */
export function negotiateDiscovery(accept: string | undefined): DiscoveryFormat {
  for (const part of (accept ?? '').split(',')) {
    const p = part.replace(/\s+/g, '');
    if (!p.includes('g=apidiscovery.k8s.io') || !p.includes('as=APIGroupDiscoveryList')) continue;
    if (p.includes('v=v2beta1')) return 'v2beta1';
    if (p.includes('v=v2')) return 'v2';
  }
  return 'legacy';
}

export function discoveryContentType(format: 'v2' | 'v2beta1'): string {
  return `application/json;g=apidiscovery.k8s.io;v=${format};as=APIGroupDiscoveryList`;
}

export function apiVersions(serverAddress: string): JsonObject {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

function groups(registry: ResourceRegistry): Map<string, string[]> {
  const byGroup = new Map<string, string[]>();
  for (const gv of registry.groupVersions()) {
    if (gv.group === '') continue;
    const versions = byGroup.get(gv.group) ?? [];
    versions.push(gv.version);
    byGroup.set(gv.group, versions);
  }
  return byGroup;
}

function apiGroup(name: string, versions: readonly string[]): JsonObject {
  const vs = versions.map((version) => ({ groupVersion: `${name}/${version}`, version }));
  return { name, versions: vs, preferredVersion: vs[0] ?? null };
}

export function apiGroupList(registry: ResourceRegistry): JsonObject {
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: [...groups(registry)].map(([name, versions]) => apiGroup(name, versions)),
  };
}

/** `/apis/<group>`, or undefined for an unknown group. */
export function apiGroupDocument(
  registry: ResourceRegistry,
  group: string,
): JsonObject | undefined {
  const versions = groups(registry).get(group);
  if (versions === undefined) return undefined;
  return { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(group, versions) };
}

/** `/api/v1` or `/apis/<g>/<v>`, or undefined for an unknown group-version. */
export function apiResourceList(
  registry: ResourceRegistry,
  group: string,
  version: string,
): JsonObject | undefined {
  const defs = registry.inGroupVersion(group, version);
  if (defs.length === 0) return undefined;
  const resources: JsonObject[] = [];
  for (const def of defs) {
    resources.push({
      name: def.plural,
      singularName: def.singular,
      namespaced: def.namespaced,
      kind: def.kind,
      verbs: [...verbsOf(def)],
      ...(def.shortNames ? { shortNames: [...def.shortNames] } : {}),
      ...(def.categories ? { categories: [...def.categories] } : {}),
    });
    for (const sub of def.subresources ?? []) {
      const info = SUBRESOURCES[sub];
      const kind =
        info.kind === 'self'
          ? { group: def.group, version: def.version, kind: def.kind }
          : info.kind;
      resources.push({
        name: `${def.plural}/${sub}`,
        singularName: '',
        namespaced: def.namespaced,
        ...(kind.group === def.group && kind.version === def.version
          ? {}
          : { group: kind.group, version: kind.version }),
        kind: kind.kind,
        verbs: [...info.verbs],
      });
    }
  }
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: groupVersion({ group, version }),
    resources,
  };
}

function discoveryResource(def: ResourceDefinition): JsonObject {
  const subresources = (def.subresources ?? []).map((sub) => {
    const info = SUBRESOURCES[sub];
    const kind =
      info.kind === 'self' ? { group: def.group, version: def.version, kind: def.kind } : info.kind;
    return { subresource: sub, responseKind: { ...kind }, verbs: [...info.verbs] };
  });
  return {
    resource: def.plural,
    responseKind: { group: def.group, version: def.version, kind: def.kind },
    scope: def.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: def.singular,
    verbs: [...verbsOf(def)],
    ...(def.shortNames ? { shortNames: [...def.shortNames] } : {}),
    ...(def.categories ? { categories: [...def.categories] } : {}),
    ...(subresources.length > 0 ? { subresources } : {}),
  };
}

/** The aggregated document for `/api` (core) or `/apis` (every named group). */
export function aggregatedDiscovery(
  registry: ResourceRegistry,
  core: boolean,
  format: 'v2' | 'v2beta1',
): JsonObject {
  const items: JsonObject[] = [];
  const byGroup = new Map<string, Map<string, ResourceDefinition[]>>();
  for (const def of registry.all()) {
    if ((def.group === '') !== core) continue;
    const versions = byGroup.get(def.group) ?? new Map<string, ResourceDefinition[]>();
    const defs = versions.get(def.version) ?? [];
    defs.push(def);
    versions.set(def.version, defs);
    byGroup.set(def.group, versions);
  }
  for (const [group, versions] of byGroup) {
    items.push({
      metadata: { name: group, creationTimestamp: null },
      versions: [...versions].map(([version, defs]) => ({
        version,
        resources: defs.map(discoveryResource),
        freshness: 'Current',
      })),
    });
  }
  return {
    kind: 'APIGroupDiscoveryList',
    apiVersion: `apidiscovery.k8s.io/${format}`,
    metadata: {},
    items,
  };
}
