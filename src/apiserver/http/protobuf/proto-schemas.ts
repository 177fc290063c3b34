/**
 * The Kubernetes protobuf schemas under data/proto/ (every k8s.io/api/<group>/<version> file
 * there, plus meta/v1) and their Go JSON tags, read on first use and then kept: the files are
 * immutable for the life of the process. Resolves a body's apiVersion and kind to its message type;
 * a kind with no schema here is undefined, never a guess from another group.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import type { Root, Type } from 'protobufjs';
import { internalError } from '../../../api/status.ts';
import { parseGoJsonTags } from './go-json-tags.ts';
import type { GoJsonTags } from './go-json-tags.ts';

/** data/proto/ at the package root: four levels up from both src/… and dist/… builds. */
export const DEFAULT_PROTO_DIR = new URL('../../../../data/proto/', import.meta.url);

export const META_V1_PACKAGE = 'k8s.io.apimachinery.pkg.apis.meta.v1';

/** API group → its k8s.io/api folder; a group only resolves once its generated.proto is here. */
const GROUP_FOLDERS: Readonly<Record<string, string>> = {
  '': 'core',
  'admissionregistration.k8s.io': 'admissionregistration',
  'internal.apiserver.k8s.io': 'apiserverinternal',
  apps: 'apps',
  'authentication.k8s.io': 'authentication',
  'authorization.k8s.io': 'authorization',
  autoscaling: 'autoscaling',
  batch: 'batch',
  'certificates.k8s.io': 'certificates',
  'coordination.k8s.io': 'coordination',
  'discovery.k8s.io': 'discovery',
  'events.k8s.io': 'events',
  'flowcontrol.apiserver.k8s.io': 'flowcontrol',
  'networking.k8s.io': 'networking',
  'node.k8s.io': 'node',
  policy: 'policy',
  'rbac.authorization.k8s.io': 'rbac',
  'resource.k8s.io': 'resource',
  'scheduling.k8s.io': 'scheduling',
  'storage.k8s.io': 'storage',
  'storagemigration.k8s.io': 'storagemigration',
};

/** meta/v1 kinds that upstream registers in every group version (metav1.AddToGroupVersion). */
const META_OPTION_KINDS = new Set([
  'CreateOptions',
  'DeleteOptions',
  'GetOptions',
  'ListOptions',
  'PatchOptions',
  'UpdateOptions',
]);

/**
 * Messages with ObjectMeta that upstream's scheme does not register as kinds: they only appear
 * inside another object (a Pod template, a Job template, a PVC template of an ephemeral volume).
 */
const EMBEDDED_ONLY_MESSAGES = new Set([
  'k8s.io.api.core.v1.PodTemplateSpec',
  'k8s.io.api.core.v1.PersistentVolumeClaimTemplate',
  'k8s.io.api.batch.v1.JobTemplateSpec',
]);

const OBJECT_METADATA_TYPES = new Set([
  `${META_V1_PACKAGE}.ObjectMeta`,
  `${META_V1_PACKAGE}.ListMeta`,
]);

const META_V1_FILE = 'k8s.io/apimachinery/pkg/apis/meta/v1/generated.proto';

/** A message's full name without protobufjs's leading dot: `k8s.io.api.core.v1.Pod`. */
export function messageName(type: Type): string {
  return type.fullName.replace(/^\./, '');
}

interface Loaded {
  readonly root: Root;
  readonly tags: GoJsonTags;
}

export class ProtoSchemas {
  readonly #protoDir: string;
  #loaded: Loaded | undefined;

  /** @param protoDir the folder holding k8s.io/…; defaults to the package's data/proto/. */
  constructor(protoDir: URL = DEFAULT_PROTO_DIR) {
    this.#protoDir = fileURLToPath(protoDir);
  }

  get tags(): GoJsonTags {
    return this.#load().tags;
  }

  /** Every message type loaded (for coverage checks). */
  allTypes(): Type[] {
    const types: Type[] = [];
    const walk = (ns: protobuf.NamespaceBase): void => {
      for (const nested of ns.nestedArray) {
        if (nested instanceof protobuf.Type) types.push(nested);
        if (nested instanceof protobuf.Namespace) walk(nested);
      }
    };
    walk(this.#load().root);
    return types;
  }

  /** A message by full name (`k8s.io.api.core.v1.Pod`), or undefined. */
  lookupType(fullName: string): Type | undefined {
    const found = this.#load().root.lookup(fullName);
    return found instanceof protobuf.Type ? found : undefined;
  }

  /**
   * The message of a request body's `apiVersion`/`kind`: a top-level object of that group
   * version (one with ObjectMeta or ListMeta metadata), or a meta/v1 option kind such as
   * DeleteOptions, which arrives with the resource's apiVersion or `meta.k8s.io/v1`.
   */
  objectType(apiVersion: string, kind: string): Type | undefined {
    if (!/^[A-Z][A-Za-z0-9]*$/.test(kind)) return undefined;
    const slash = apiVersion.indexOf('/');
    const group = slash < 0 ? '' : apiVersion.slice(0, slash);
    const version = apiVersion.slice(slash + 1);
    if (!/^v[0-9]+(?:(?:alpha|beta)[0-9]+)?$/.test(version)) return undefined;
    if (META_OPTION_KINDS.has(kind)) return this.lookupType(`${META_V1_PACKAGE}.${kind}`);
    const folder = GROUP_FOLDERS[group];
    const pkg =
      group === 'meta.k8s.io' && version === 'v1'
        ? META_V1_PACKAGE
        : folder === undefined
          ? undefined
          : `k8s.io.api.${folder}.${version}`;
    if (pkg === undefined) return undefined;
    const type = this.lookupType(`${pkg}.${kind}`);
    if (type === undefined || EMBEDDED_ONLY_MESSAGES.has(messageName(type))) return undefined;
    const metadata = type.fields['metadata']?.resolvedType;
    return metadata instanceof protobuf.Type && OBJECT_METADATA_TYPES.has(messageName(metadata))
      ? type
      : undefined;
  }

  #load(): Loaded {
    if (this.#loaded !== undefined) return this.#loaded;
    const dir = this.#protoDir;
    try {
      const files = [META_V1_FILE, ...apiProtoFiles(dir)];
      const root = new protobuf.Root();
      // Imports name files from the include root ("k8s.io/apimachinery/..."), as protoc's -I does.
      root.resolvePath = (_origin, target) => path.join(dir, target);
      root.loadSync(files, { keepCase: true });
      root.resolveAll();
      const tags = parseGoJsonTags(
        JSON.parse(readFileSync(path.join(dir, 'go-json-tags.json'), 'utf8')) as unknown,
      );
      this.#loaded = { root, tags };
      return this.#loaded;
    } catch (err: unknown) {
      throw internalError(`cannot load the protobuf schemas in ${dir}`, err);
    }
  }
}

/** k8s.io/api/<group>/<version>/generated.proto files present under dir. */
function apiProtoFiles(dir: string): string[] {
  const apiDir = path.join(dir, 'k8s.io', 'api');
  const files: string[] = [];
  for (const group of readdirSync(apiDir).sort()) {
    const groupDir = path.join(apiDir, group);
    for (const version of readdirSync(groupDir).sort()) {
      const rel = `k8s.io/api/${group}/${version}/generated.proto`;
      if (existsSync(path.join(dir, rel))) files.push(rel);
    }
  }
  return files;
}

/** The package's own schemas, loaded on first use. */
export const defaultProtoSchemas = new ProtoSchemas();
