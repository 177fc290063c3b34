/**
 * kube-controller-manager's run loop: campaign for the Lease kube-system/kube-controller-manager
 * and, for each leadership term, build a fresh context (shared informers, event recorders),
 * start the selected controllers, wait for the informers to sync, and abort them all the moment
 * the term ends (lease lost, renew deadline passed, or stop). A lost term is followed by a new
 * campaign (upstream exits the process instead; a supervisor restart costs more than a new
 * campaign). Guarantee: controllers of one term are aborted before this candidate's lease could
 * expire for anyone else (see LeaderElector), and every request of the term goes through a
 * client scoped to it, so nothing is sent once the term ended; writes already sent may land.
 */
import { realClock, sleep } from '../client/index.ts';
import { isAborted } from '../client/errors.ts';
import type { Clock, RequestScope, RestClient } from '../client/index.ts';
import {
  LEADER_ELECTION_DEFAULTS,
  LeaderElector,
  LeaseLock,
  monotonicClock,
} from '../client/leader-election/index.ts';
import type { LeaderElectionTimings, ResourceLock } from '../client/leader-election/index.ts';
import { builtinControllers } from './builtin-controllers.ts';
import type { Controller, ControllerContext, ControllerFactory } from './controller.ts';
import type {
  ControllerManagerConfig,
  ManagedControllerContext,
} from './controller-manager-config.ts';
import { ApiEventRecorder } from './event-recorder.ts';
import { SharedInformerFactory } from './informer-factory.ts';
import { controllerServiceAccount } from './service-account-clients.ts';
import { jsonLineLog } from '../util/json-line-log.ts';

export type LogFn = ControllerContext['log'];

export interface ControllerManagerOptions {
  readonly client: RestClient;
  /** This candidate's identity, `<node>_<uuid>` (see `newIdentity`). */
  readonly identity: string;
  /** The controllers that can run, by name. Default: `builtinControllers()`. */
  readonly controllers?: ReadonlyMap<string, ControllerFactory> | undefined;
  /** `--controllers`: `*`, `name`, `-name`. Default `['*']`. */
  readonly enabled?: readonly string[] | undefined;
  /** Controllers `*` does not turn on. Default: bootstrapsigner, tokencleaner (as upstream). */
  readonly disabledByDefault?: ReadonlySet<string> | undefined;
  /** `--leader-elect`. Default true; false runs the controllers at once, unelected. */
  readonly leaderElect?: boolean | undefined;
  /** Default `LEADER_ELECTION_DEFAULTS` (4 s / 2.5 s / 0.4 s). */
  readonly leaderElection?: Partial<LeaderElectionTimings> | undefined;
  /** Default `kube-system`. */
  readonly leaseNamespace?: string | undefined;
  /** Default `kube-controller-manager`. */
  readonly leaseName?: string | undefined;
  /** Default: a LeaseLock on leaseNamespace/leaseName. */
  readonly lock?: ResourceLock | undefined;
  /** Passed through to controllers as `config`. Default `{}`. */
  readonly config?: ControllerManagerConfig | undefined;
  /** The controllers' clock. Default `realClock`. */
  readonly clock?: Clock | undefined;
  /** The election's clock. Default `monotonicClock`. */
  readonly electionClock?: Clock | undefined;
  /** Default: JSON lines on stderr. */
  readonly log?: LogFn | undefined;
  /**
   * `--use-service-account-credentials`: the client of a controller's service account (see
   * ServiceAccountClients). Default: none, every controller uses `client`. Informers always use
   * `client`, as upstream's shared informers use the manager's own credentials.
   */
  readonly serviceAccountClient?: ((serviceAccount: string) => Promise<RestClient>) | undefined;
}

/** Upstream's ControllersDisabledByDefault. */
export const DISABLED_BY_DEFAULT: ReadonlySet<string> = new Set([
  'bootstrapsigner',
  'tokencleaner',
]);

export class ControllerSelectionError extends Error {
  readonly code = 'K8TS_UNKNOWN_CONTROLLER';
  constructor(message: string) {
    super(message);
    this.name = 'ControllerSelectionError';
  }
}

/**
 * kube-controller-manager's IsControllerEnabled over every known name: an explicit `name` or
 * `-name` wins, else `*` turns on all but the disabled-by-default ones. Throws on unknown names.
 */
export function selectControllers(
  known: readonly string[],
  enabled: readonly string[],
  disabledByDefault: ReadonlySet<string> = DISABLED_BY_DEFAULT,
): string[] {
  const items = enabled.map((e) => e.trim()).filter((e) => e !== '');
  for (const item of items) {
    const name = item.startsWith('-') ? item.slice(1) : item;
    if (name !== '*' && !known.includes(name))
      throw new ControllerSelectionError(
        `"${name}" is not in the list of known controllers (${known.join(', ')})`,
      );
  }
  const star = items.includes('*');
  return known.filter((name) => {
    for (const item of items) {
      if (item === name) return true;
      if (item === `-${name}`) return false;
    }
    return star && !disabledByDefault.has(name);
  });
}

export class ControllerManager {
  readonly #o: ControllerManagerOptions;
  readonly #factories: ReadonlyMap<string, ControllerFactory>;
  readonly #selected: readonly string[];
  readonly #log: LogFn;
  readonly #timings: LeaderElectionTimings;
  #terms = 0;

  constructor(options: ControllerManagerOptions) {
    this.#o = options;
    this.#factories = options.controllers ?? builtinControllers();
    this.#selected = selectControllers(
      [...this.#factories.keys()],
      options.enabled ?? ['*'],
      options.disabledByDefault,
    );
    this.#log = options.log ?? jsonLineLog('controller-manager');
    this.#timings = { ...LEADER_ELECTION_DEFAULTS, ...options.leaderElection };
  }

  /** The controllers this manager starts when it leads. */
  get selectedControllers(): readonly string[] {
    return this.#selected;
  }

  /** Leadership terms started so far. */
  get terms(): number {
    return this.#terms;
  }

  /** Campaigns and leads, term after term, until `signal` aborts; releases the lease then. */
  async run(signal: AbortSignal): Promise<void> {
    this.#log('info', 'starting controller-manager', {
      identity: this.#o.identity,
      controllers: this.#selected,
      leaderElect: this.#o.leaderElect ?? true,
      ...this.#timings,
    });
    if (this.#o.leaderElect === false) {
      await this.#lead(signal, { signal });
      return;
    }
    const lock =
      this.#o.lock ??
      new LeaseLock({
        client: this.#o.client,
        namespace: this.#o.leaseNamespace ?? 'kube-system',
        name: this.#o.leaseName ?? 'kube-controller-manager',
        identity: this.#o.identity,
      });
    while (!signal.aborted) {
      const elector: LeaderElector = new LeaderElector({
        lock,
        ...this.#timings,
        clock: this.#o.electionClock ?? monotonicClock,
        log: (level, message, fields) => {
          this.#log(level, message, fields);
        },
        callbacks: {
          onStartedLeading: (leading) =>
            this.#lead(leading, {
              signal: leading,
              admit: () => {
                elector.assertLeading();
              },
            }),
          onNewLeader: (identity) => {
            this.#log('info', 'new leader elected', { leader: identity });
          },
        },
      });
      await elector.run(signal);
      if (!isAborted(signal)) {
        this.#log('warn', 'leader election lost; campaigning again', {});
        await sleep(this.#o.electionClock ?? monotonicClock, this.#timings.retryPeriodMs, signal);
      }
    }
  }

  /**
   * One leadership term: runs until `signal` aborts and every controller has returned. Every
   * client of the term is scoped to it (`scope`): everything the term's informers, controllers
   * and event recorders send goes through such a client.
   */
  async #lead(signal: AbortSignal, scope: RequestScope): Promise<void> {
    const client = this.#o.client.scoped(scope);
    const controllerClients = await this.#controllerClients(signal, scope);
    if (controllerClients === undefined) return;
    const term = ++this.#terms;
    const startedAt = Date.now();
    this.#log('info', 'started leading', { identity: this.#o.identity, term });
    signal.addEventListener(
      'abort',
      () => {
        this.#log('info', 'stopped leading', { identity: this.#o.identity, term });
      },
      { once: true },
    );
    const clock = this.#o.clock ?? realClock;
    const informers = new SharedInformerFactory({
      client,
      clock,
      onError: (err, ref) => {
        if (!signal.aborted)
          this.#log('warn', 'list/watch failed', { resource: ref.plural, error: errorText(err) });
      },
    });
    const recorders: ApiEventRecorder[] = [];
    const controllers: Controller[] = [];
    for (const name of this.#selected) {
      const factory = this.#factories.get(name);
      if (factory === undefined) continue;
      const controllerClient = controllerClients.get(name) ?? client;
      const events = new ApiEventRecorder({
        client: controllerClient,
        component: `${name}-controller`,
        clock,
        signal,
        log: (message, fields) => {
          this.#log('warn', message, { controller: name, ...fields });
        },
      });
      recorders.push(events);
      const ctx: ManagedControllerContext = {
        client: controllerClient,
        informers,
        events,
        clock,
        config: this.#o.config ?? {},
        log: (level, message, fields) => {
          this.#log(level, message, { controller: name, ...fields });
        },
      };
      try {
        controllers.push(factory(ctx));
      } catch (err: unknown) {
        this.#log('error', 'error starting controller', {
          controller: name,
          error: errorText(err),
        });
      }
    }
    informers.start(signal);
    const runs = controllers.map((c) =>
      c.run(signal).catch((err: unknown) => {
        this.#log('error', 'controller failed', { controller: c.name, error: errorText(err) });
      }),
    );
    const synced = await informers.waitForSync(signal);
    if (synced) {
      this.#log('info', 'caches synced; controllers running', {
        term,
        controllers: controllers.map((c) => c.name),
        informers: informers.resources,
        sinceStartedLeadingMs: Date.now() - startedAt,
      });
    }
    await Promise.all(runs);
    await informers.stopped();
    await Promise.all(recorders.map((r) => r.flush()));
    this.#log('info', 'controllers stopped', { term });
  }
  /**
   * With service-account credentials, each selected controller's client for the term, retried
   * every second until the API server answers; undefined if the term ended first.
   */
  async #controllerClients(
    signal: AbortSignal,
    scope: RequestScope,
  ): Promise<Map<string, RestClient> | undefined> {
    const out = new Map<string, RestClient>();
    const clientOf = this.#o.serviceAccountClient;
    if (clientOf === undefined) return out;
    for (const name of this.#selected) {
      for (;;) {
        if (signal.aborted) return undefined;
        try {
          out.set(name, (await clientOf(controllerServiceAccount(name))).scoped(scope));
          break;
        } catch (err: unknown) {
          this.#log('warn', 'cannot get service account credentials; retrying', {
            controller: name,
            error: errorText(err),
          });
          await sleep(this.#o.clock ?? realClock, 1000, signal);
        }
      }
    }
    return out;
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
