/**
 * Registers this node's Node object and keeps its status current, as kubelet's
 * registerWithAPIServer + syncNodeStatus: create the Node (labels, taints and a first status);
 * if it exists already, reconcile the default labels; then every `statusUpdateMs` build the
 * status afresh and write `nodes/status` when it changed or `statusReportMs` passed since the
 * last write (the Lease carries the heartbeat meanwhile). Until the node first reports Ready the
 * loop runs every 100 ms (kubelet's fastStatusUpdateOnce), and `nudge()` asks for a sync now.
 * A Node deleted under a running agent is registered again (kubelet does that only on restart).
 * Registration taints and `--node-labels` apply when the Node is created, as upstream.
 */
import type { Node, NodeStatus, Taint } from 'kubernetes-types/core/v1.d.ts';
import {
  isAborted,
  isAlreadyExists,
  isConflict,
  isNotFound,
  realClock,
  sleep,
} from '../../client/index.ts';
import type { Clock, RestClient } from '../../client/index.ts';
import type { JsonLineLogFn } from '../../util/json-line-log.ts';
import { isReady, nodeStatusChanged } from './node-status.ts';

const NODES = { group: '', version: 'v1', plural: 'nodes' } as const;

export interface NodeStatusReporterOptions {
  readonly client: RestClient;
  readonly nodeName: string;
  /** All labels the Node is created with (defaults plus --node-labels). */
  readonly labels: Readonly<Record<string, string>>;
  /** kubelet's default labels, reconciled onto an existing Node. */
  readonly defaultLabels: Readonly<Record<string, string>>;
  readonly taints: readonly Taint[];
  /** Builds the status from what the agent observes; `previous` is what the API has. */
  readonly buildStatus: (previous: NodeStatus | undefined) => Promise<NodeStatus>;
  /** Called with the Node after each successful registration or read. */
  readonly onNode?: ((node: Node) => void) | undefined;
  /** Default: 10,000 ms (kubelet's nodeStatusUpdateFrequency). */
  readonly statusUpdateMs?: number | undefined;
  /** Default: 300,000 ms (kubelet's nodeStatusReportFrequency). */
  readonly statusReportMs?: number | undefined;
  readonly log: JsonLineLogFn;
  readonly clock?: Clock | undefined;
}

const FAST_SYNC_MS = 100;
const MAX_REGISTER_BACKOFF_MS = 7_000;
/** kubelet's nodeStatusUpdateRetry. */
const UPDATE_RETRIES = 5;

export class NodeStatusReporter {
  readonly #o: NodeStatusReporterOptions;
  readonly #clock: Clock;
  #node: Node | undefined;
  #registered = false;
  #everReady = false;
  #lastWrittenAt = 0;
  #lastWritten: NodeStatus | undefined;
  #wake: (() => void) | undefined;

  constructor(options: NodeStatusReporterOptions) {
    this.#o = options;
    this.#clock = options.clock ?? realClock;
  }

  /** The Node as last read or written (undefined before registration). */
  get node(): Node | undefined {
    return this.#node;
  }

  /** Asks for a status sync as soon as possible. */
  nudge(): void {
    this.#wake?.();
  }

  async run(signal: AbortSignal): Promise<void> {
    let backoffMs = 100;
    while (!signal.aborted) {
      if (!this.#registered) {
        try {
          await this.#register(signal);
          backoffMs = 100;
        } catch (err: unknown) {
          if (isAborted(signal)) return;
          this.#o.log('warn', 'unable to register node with API server', {
            node: this.#o.nodeName,
            err: errText(err),
          });
          await sleep(this.#clock, backoffMs, signal);
          backoffMs = Math.min(backoffMs * 2, MAX_REGISTER_BACKOFF_MS);
          continue;
        }
      }
      try {
        await this.#syncStatus(signal);
      } catch (err: unknown) {
        if (isAborted(signal)) return;
        this.#o.log('warn', 'error updating node status, will retry', {
          node: this.#o.nodeName,
          err: errText(err),
        });
      }
      if (!this.#registered) continue; // deleted: register again at once
      const period = this.#everReady ? (this.#o.statusUpdateMs ?? 10_000) : FAST_SYNC_MS;
      await this.#sleep(period, signal);
    }
  }

  #sleep(ms: number, signal: AbortSignal): Promise<void> {
    const inner = new AbortController();
    const onAbort = (): void => {
      inner.abort();
    };
    signal.addEventListener('abort', onAbort, { once: true });
    this.#wake = onAbort;
    return sleep(this.#clock, ms, inner.signal).finally(() => {
      this.#wake = undefined;
      signal.removeEventListener('abort', onAbort);
    });
  }

  async #register(signal: AbortSignal): Promise<void> {
    const status = await this.#o.buildStatus(undefined);
    const node: Node = {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name: this.#o.nodeName,
        labels: { ...this.#o.labels },
        annotations: { 'volumes.kubernetes.io/controller-managed-attach-detach': 'true' },
      },
      spec: this.#o.taints.length > 0 ? { taints: [...this.#o.taints] } : {},
      status,
    };
    this.#o.log('info', 'attempting to register node', { node: this.#o.nodeName });
    try {
      this.#node = await this.#o.client.create<Node>(NODES, node, { signal });
      this.#o.log('info', 'successfully registered node', { node: this.#o.nodeName });
    } catch (err: unknown) {
      if (!isAlreadyExists(err)) throw err;
      const existing = await this.#o.client.get<Node>(
        { ...NODES, name: this.#o.nodeName },
        { signal },
      );
      this.#o.log('info', 'node was previously registered', { node: this.#o.nodeName });
      const labels = { ...existing.metadata?.labels };
      let changed = false;
      for (const [k, v] of Object.entries(this.#o.defaultLabels)) {
        if (labels[k] !== v) {
          labels[k] = v;
          changed = true;
        }
      }
      this.#node = changed
        ? await this.#o.client.update<Node>(
            { ...NODES, name: this.#o.nodeName },
            { ...existing, metadata: { ...existing.metadata, labels } },
            { signal },
          )
        : existing;
    }
    this.#registered = true;
    this.#lastWritten = undefined;
    this.#o.onNode?.(this.#node);
  }

  async #syncStatus(signal: AbortSignal): Promise<void> {
    for (let attempt = 0; attempt < UPDATE_RETRIES; attempt++) {
      let current: Node;
      try {
        current = await this.#o.client.get<Node>({ ...NODES, name: this.#o.nodeName }, { signal });
      } catch (err: unknown) {
        if (!isNotFound(err)) throw err;
        this.#o.log('warn', 'node was deleted; registering it again', { node: this.#o.nodeName });
        this.#registered = false;
        return;
      }
      this.#node = current;
      this.#o.onNode?.(current);
      const status = await this.#o.buildStatus(current.status);
      if (isReady(status)) this.#everReady = true;
      const due = this.#clock.now() - this.#lastWrittenAt >= (this.#o.statusReportMs ?? 300_000);
      if (!due && !nodeStatusChanged(this.#lastWritten, status)) return;
      try {
        this.#node = await this.#o.client.update<Node>(
          { ...NODES, name: this.#o.nodeName, subresource: 'status' },
          { ...current, status },
          { signal },
        );
        this.#lastWritten = status;
        this.#lastWrittenAt = this.#clock.now();
        return;
      } catch (err: unknown) {
        if (isConflict(err)) continue;
        if (isNotFound(err)) {
          this.#registered = false;
          return;
        }
        throw err;
      }
    }
    throw new Error(`update node status exceeds retry count (${String(UPDATE_RETRIES)})`);
  }
}

function errText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
