/**
 * Keeps an RbacIndex in step with the Store: one StoreInformer per kind (Roles, RoleBindings,
 * ClusterRoles, ClusterRoleBindings) lists the key prefix the API server writes them under,
 * then watches it, resuming after a broken stream and relisting after compaction. `ready`
 * resolves once every initial list is in the index. Guarantees: events apply in revision order
 * per kind; decisions never wait on the store. Not guaranteed: a write is visible to decisions
 * only once its watch event arrived (as upstream's informer-backed authorizer; milliseconds on a
 * healthy store).
 */
import type { JsonObject } from '../../../api/json.ts';
import { listPrefix } from '../../../storage/keys.ts';
import type { Store } from '../../../storage/store.ts';
import { StoreInformer } from '../../store-informer.ts';
import type { RbacIndex, RbacKind } from './rbac-index.ts';

/** Storage folders, as object-codec's storageResource names them. */
const KINDS: readonly { kind: RbacKind; resource: string }[] = [
  { kind: 'ClusterRole', resource: 'clusterroles.rbac.authorization.k8s.io' },
  { kind: 'ClusterRoleBinding', resource: 'clusterrolebindings.rbac.authorization.k8s.io' },
  { kind: 'Role', resource: 'roles.rbac.authorization.k8s.io' },
  { kind: 'RoleBinding', resource: 'rolebindings.rbac.authorization.k8s.io' },
];

export interface RbacInformerOptions {
  readonly store: Store;
  readonly index: RbacIndex;
  /** Wait before retrying after a store error. Default: 1,000 ms. */
  readonly retryDelayMs?: number;
  /** Receives store errors that the informer retries. Default: ignore. */
  readonly onError?: (err: unknown) => void;
}

export class RbacInformer {
  readonly #informers: readonly StoreInformer[];
  readonly #ready: Promise<void>;

  constructor(options: RbacInformerOptions) {
    const { index } = options;
    this.#informers = KINDS.map(
      ({ kind, resource }) =>
        new StoreInformer({
          store: options.store,
          prefix: listPrefix(resource),
          handlers: {
            replace: (objects) => {
              index.clear(kind);
              for (const obj of objects) index.put(kind, obj);
            },
            put: (obj) => {
              index.put(kind, obj);
            },
            delete: (obj) => {
              const { namespace, name } = nameOf(obj);
              index.delete(kind, namespace, name);
            },
          },
          ...(options.retryDelayMs === undefined ? {} : { retryDelayMs: options.retryDelayMs }),
          ...(options.onError === undefined ? {} : { onError: options.onError }),
        }),
    );
    this.#ready = Promise.all(this.#informers.map((i) => i.ready)).then(() => undefined);
  }

  /** Resolves once every kind has been listed into the index. */
  get ready(): Promise<void> {
    return this.#ready;
  }

  get isReady(): boolean {
    return this.#informers.every((i) => i.isReady);
  }

  /** Lists and watches until `signal` aborts; resolves then. Never rejects. */
  async run(signal: AbortSignal): Promise<void> {
    await Promise.all(this.#informers.map((i) => i.run(signal)));
  }
}

function nameOf(obj: JsonObject): { namespace: string; name: string } {
  const meta = obj['metadata'];
  if (typeof meta !== 'object' || meta === null || Array.isArray(meta))
    return { namespace: '', name: '' };
  const ns = meta['namespace'];
  const name = meta['name'];
  return {
    namespace: typeof ns === 'string' ? ns : '',
    name: typeof name === 'string' ? name : '',
  };
}
