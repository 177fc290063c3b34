/**
 * The resources the API serves, read from discovery (`/api`, `/api/v1`, `/apis`,
 * `/apis/<group>/<version>`) as upstream's discovery client does: one entry per top-level
 * resource at each group's preferred version (subresources left out). A group whose resource
 * list fails is reported in `failedGroups` rather than failing the whole discovery, so callers
 * can act on what they could read (upstream's `ErrGroupDiscoveryFailed`).
 */
import type { RestClient, ResourceRef } from '../../client/index.ts';

export interface ServedResource {
  readonly group: string;
  readonly version: string;
  readonly plural: string;
  readonly kind: string;
  readonly namespaced: boolean;
  readonly verbs: readonly string[];
}

export interface DiscoveryResult {
  readonly resources: readonly ServedResource[];
  /** `group/version` → error message, for the lists that could not be read. */
  readonly failedGroups: ReadonlyMap<string, string>;
}

interface ApiResourceListJson {
  resources?: { name?: string; kind?: string; namespaced?: boolean; verbs?: string[] }[];
}
interface ApiGroupListJson {
  groups?: { name?: string; preferredVersion?: { version?: string } }[];
}

/** The top-level resources of one `APIResourceList` answer. Pure. */
export function parseResourceList(group: string, version: string, list: unknown): ServedResource[] {
  const out: ServedResource[] = [];
  for (const r of (list as ApiResourceListJson).resources ?? []) {
    if (r.name === undefined || r.name.includes('/') || r.kind === undefined) continue;
    out.push({
      group,
      version,
      plural: r.name,
      kind: r.kind,
      namespaced: r.namespaced === true,
      verbs: r.verbs ?? [],
    });
  }
  return out;
}

export async function discoverResources(
  client: RestClient,
  signal?: AbortSignal,
): Promise<DiscoveryResult> {
  const resources: ServedResource[] = [];
  const failedGroups = new Map<string, string>();
  const versions: { group: string; version: string }[] = [{ group: '', version: 'v1' }];
  const groups = await client.requestJson<ApiGroupListJson>('GET', '/apis', undefined, { signal });
  for (const g of groups.groups ?? []) {
    const v = g.preferredVersion?.version;
    if (g.name !== undefined && v !== undefined) versions.push({ group: g.name, version: v });
  }
  await Promise.all(
    versions.map(async ({ group, version }) => {
      const path = group === '' ? `/api/${version}` : `/apis/${group}/${version}`;
      try {
        const list = await client.requestJson('GET', path, undefined, { signal });
        resources.push(...parseResourceList(group, version, list));
      } catch (err: unknown) {
        if (signal?.aborted === true) throw err;
        failedGroups.set(
          group === '' ? version : `${group}/${version}`,
          err instanceof Error ? err.message : String(err),
        );
      }
    }),
  );
  resources.sort((a, b) => `${a.group}/${a.plural}`.localeCompare(`${b.group}/${b.plural}`, 'en'));
  return { resources, failedGroups };
}

export const refOf = (r: ServedResource): ResourceRef => ({
  group: r.group,
  version: r.version,
  plural: r.plural,
});

/** `plural.group` (`deployments.apps`, `pods`), as upstream's GroupResource.String(). */
export const groupResource = (r: { group: string; plural: string }): string =>
  r.group === '' ? r.plural : `${r.plural}.${r.group}`;
