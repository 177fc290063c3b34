/**
 * Keeps an RbacIndex in step with the Store: for each of Roles, RoleBindings, ClusterRoles and
 * ClusterRoleBindings it lists the key prefix the API server writes them under, then watches it
 * from the list's revision, resuming from the last revision seen after a broken stream and
 * relisting when that revision was compacted (StoreGoneError). `ready` resolves once every
 * initial list is in the index. Guarantees: events apply in revision order per kind; decisions
 * never wait on the store. Not guaranteed: a write is visible to decisions only once its watch
 * event arrived (as upstream's informer-backed authorizer; milliseconds on a healthy store).
 */
import type { JsonObject } from '../../../api/json.ts';
import { StoreGoneError } from '../../../storage/errors.ts';
import { listPrefix } from '../../../storage/keys.ts';
import type { Store } from '../../../storage/store.ts';
import { decodeObject } from '../../registry/object-codec.ts';
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
  readonly #o: RbacInformerOptions;
  readonly #ready: Promise<void>;
  #markReady: () => void = () => undefined;
  #synced = 0;

  constructor(options: RbacInformerOptions) {
    this.#o = options;
    this.#ready = new Promise<void>((resolve) => {
      this.#markReady = resolve;
    });
  }

  /** Resolves once every kind has been listed into the index. */
  get ready(): Promise<void> {
    return this.#ready;
  }

  get isReady(): boolean {
    return this.#synced === KINDS.length;
  }

  /** Lists and watches until `signal` aborts; resolves then. Never rejects. */
  async run(signal: AbortSignal): Promise<void> {
    await Promise.all(KINDS.map((k) => this.#runKind(k.kind, listPrefix(k.resource), signal)));
  }

  async #runKind(kind: RbacKind, prefix: string, signal: AbortSignal): Promise<void> {
    const { store, index } = this.#o;
    let revision: number | undefined;
    let counted = false;
    // A function, so that the narrowing of the loop condition does not reach the catch block.
    const aborted = (): boolean => signal.aborted;
    while (!aborted()) {
      try {
        if (revision === undefined) {
          revision = await this.#list(kind, prefix);
          if (!counted) {
            counted = true;
            if (++this.#synced === KINDS.length) this.#markReady();
          }
        }
        for await (const e of store.watch(prefix, { sinceRevision: revision, signal })) {
          if (e.type === 'PROGRESS') {
            revision = e.revision;
            continue;
          }
          revision = e.kv.modRevision;
          const obj = decodeObject(e.kv);
          if (e.type === 'DELETED') {
            const { namespace, name } = nameOf(obj);
            index.delete(kind, namespace, name);
          } else index.put(kind, obj);
        }
        // The iterator ends cleanly only when aborted.
      } catch (err: unknown) {
        if (aborted()) return;
        if (err instanceof StoreGoneError) revision = undefined;
        this.#o.onError?.(err);
        await sleep(this.#o.retryDelayMs ?? 1_000, signal);
      }
    }
  }

  /** Replaces the index's objects of `kind` with a fresh list; returns its revision. */
  async #list(kind: RbacKind, prefix: string): Promise<number> {
    const { store, index } = this.#o;
    const objects: JsonObject[] = [];
    let cont: string | undefined;
    let revision = 0;
    do {
      const page = await store.list(prefix, {
        limit: 500,
        ...(cont === undefined ? {} : { continue: cont }),
      });
      revision = page.revision;
      for (const kv of page.items) objects.push(decodeObject(kv));
      cont = page.continue;
    } while (cont !== undefined);
    index.clear(kind);
    for (const obj of objects) index.put(kind, obj);
    return revision;
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

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
