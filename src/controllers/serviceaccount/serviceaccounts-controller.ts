/**
 * The serviceaccount controller (upstream's `serviceaccounts_controller.go`): every Active
 * namespace has the ServiceAccounts named in `accounts` (default: just `default`), created when
 * the namespace appears and re-created when one is deleted. Namespaces that are Terminating are
 * left alone (the API server would refuse the create anyway). Existing accounts are never
 * changed.
 */
import type { Namespace, ServiceAccount } from 'kubernetes-types/core/v1.d.ts';
import {
  DeletedFinalStateUnknown,
  RateLimitingQueue,
  isAlreadyExists,
  isNotFound,
  runControllerLoop,
} from '../../client/index.ts';
import type { Controller, ControllerContext } from '../controller.ts';
import { RESOURCES } from '../controller.ts';

export interface ServiceAccountsControllerOptions {
  /** Accounts every namespace gets. Default: `['default']` (upstream's DefaultServiceAccountsControllerOptions). */
  readonly accounts?: readonly string[] | undefined;
  /** Concurrent namespaces synced. Default: 1 (upstream's `--concurrent-serviceaccount-token-syncs` is for tokens). */
  readonly workers?: number | undefined;
}

/** The accounts `namespace` lacks, given the names it has. Pure. */
export function missingAccounts(
  namespace: Namespace | undefined,
  has: (name: string) => boolean,
  accounts: readonly string[],
): string[] {
  if (namespace === undefined) return [];
  if ((namespace.status?.phase ?? 'Active') !== 'Active') return [];
  if (namespace.metadata?.deletionTimestamp != null) return [];
  return accounts.filter((a) => !has(a));
}

export class ServiceAccountsController implements Controller {
  readonly name = 'serviceaccount';
  readonly #ctx: ControllerContext;
  readonly #accounts: readonly string[];
  readonly #workers: number;
  readonly #queue: RateLimitingQueue<string>;

  constructor(ctx: ControllerContext, options: ServiceAccountsControllerOptions = {}) {
    this.#ctx = ctx;
    this.#accounts = options.accounts ?? ['default'];
    this.#workers = options.workers ?? 1;
    this.#queue = new RateLimitingQueue<string>({ clock: ctx.clock });
  }

  async run(signal: AbortSignal): Promise<void> {
    const namespaces = this.#ctx.informers.informerFor<Namespace>(RESOURCES.namespaces);
    const accounts = this.#ctx.informers.informerFor<ServiceAccount>(RESOURCES.serviceAccounts);
    const enqueueNs = (ns: Namespace): void => {
      if (ns.metadata?.name !== undefined) this.#queue.add(ns.metadata.name);
    };
    const regs = [
      namespaces.addEventHandler({
        onAdd: enqueueNs,
        onUpdate: (_o, n) => {
          enqueueNs(n);
        },
      }),
      accounts.addEventHandler({
        onDelete: (obj) => {
          const sa = obj instanceof DeletedFinalStateUnknown ? obj.obj : obj;
          const ns = sa.metadata?.namespace;
          if (ns !== undefined && this.#accounts.includes(sa.metadata?.name ?? ''))
            this.#queue.add(ns);
        },
      }),
    ];
    try {
      await runControllerLoop({
        queue: this.#queue,
        workers: this.#workers,
        informers: [namespaces, accounts],
        signal,
        reconcile: (ns, s) => this.sync(ns, s),
        onError: (err, ns) => {
          this.#ctx.log('warn', 'serviceaccount sync failed; retrying', {
            namespace: ns,
            error: err instanceof Error ? err.message : String(err),
          });
        },
      });
    } finally {
      for (const r of regs) r.remove();
    }
  }

  async sync(namespace: string, signal: AbortSignal): Promise<void> {
    const namespaces = this.#ctx.informers.informerFor<Namespace>(RESOURCES.namespaces);
    const accounts = this.#ctx.informers.informerFor<ServiceAccount>(RESOURCES.serviceAccounts);
    const ns = namespaces.indexer.getByKey(namespace);
    const missing = missingAccounts(
      ns,
      (name) => accounts.indexer.getByKey(`${namespace}/${name}`) !== undefined,
      this.#accounts,
    );
    for (const name of missing) {
      try {
        await this.#ctx.client.create<ServiceAccount>(
          { ...RESOURCES.serviceAccounts, namespace },
          { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace } },
          { signal },
        );
      } catch (err: unknown) {
        // Already there (the cache lags), or the namespace went away / started terminating.
        if (isAlreadyExists(err) || isNotFound(err)) continue;
        if (err instanceof Error && /being terminated|Forbidden/i.test(err.message)) continue;
        throw err;
      }
    }
  }
}
