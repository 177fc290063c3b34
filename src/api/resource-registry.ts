/**
 * Looks kinds up by the names clients use: group/version/plural from a URL, group/kind from an
 * object body, short names and singulars. Built once from a list of definitions (constructor
 * injection: no global registry); lookups are map reads.
 */
import { groupVersion } from './resource.ts';
import type { ResourceDefinition } from './resource.ts';

export class ResourceRegistry {
  readonly #byPath = new Map<string, ResourceDefinition>();
  readonly #byKind = new Map<string, ResourceDefinition>();
  readonly #all: readonly ResourceDefinition[];

  constructor(definitions: readonly ResourceDefinition[]) {
    this.#all = definitions;
    for (const def of definitions) {
      const pathKey = `${groupVersion(def)}/${def.plural}`;
      if (this.#byPath.has(pathKey)) throw new Error(`duplicate resource ${pathKey}`);
      this.#byPath.set(pathKey, def);
      this.#byKind.set(`${groupVersion(def)}/${def.kind}`, def);
    }
  }

  /** Every definition, in registration order. */
  all(): readonly ResourceDefinition[] {
    return this.#all;
  }

  /** The resource at `/apis/<group>/<version>/<plural>` (`group` '' for `/api/v1`). */
  byPath(group: string, version: string, plural: string): ResourceDefinition | undefined {
    return this.#byPath.get(`${groupVersion({ group, version })}/${plural}`);
  }

  /** The resource for an object's `apiVersion` and `kind`. */
  byKind(apiVersion: string, kind: string): ResourceDefinition | undefined {
    return this.#byKind.get(`${apiVersion}/${kind}`);
  }

  /** Every group-version served, core first, then groups in registration order. */
  groupVersions(): { group: string; version: string }[] {
    const seen = new Map<string, { group: string; version: string }>();
    for (const def of this.#all) {
      const gv = groupVersion(def);
      if (!seen.has(gv)) seen.set(gv, { group: def.group, version: def.version });
    }
    return [...seen.values()].sort((a, b) => (a.group === '' ? -1 : b.group === '' ? 1 : 0));
  }

  /** The definitions of one group-version. */
  inGroupVersion(group: string, version: string): ResourceDefinition[] {
    return this.#all.filter((d) => d.group === group && d.version === version);
  }
}
