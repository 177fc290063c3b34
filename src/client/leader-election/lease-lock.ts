/**
 * A `ResourceLock` on a coordination.k8s.io/v1 Lease (client-go's resourcelock.LeaseLock): the
 * record lives in the Lease's spec, `update` sends the resourceVersion the last `get`/`create`
 * returned (the API server answers 409 Conflict if anyone wrote since), and times are written
 * as MicroTime (RFC 3339 with microseconds), as client-go writes them.
 */
import type { Lease, LeaseSpec } from 'kubernetes-types/coordination/v1.d.ts';
import { isNotFound } from '../errors.ts';
import type { RestClient } from '../rest-client.ts';
import type { ObjectRef } from '../resource-ref.ts';
import type { LeaderElectionRecord, ResourceLock } from './resource-lock.ts';

export interface LeaseLockOptions {
  readonly client: RestClient;
  readonly namespace: string;
  readonly name: string;
  readonly identity: string;
  /** Deadline of each request, capped by the caller's signal. Default: the client's. */
  readonly timeoutMs?: number | undefined;
}

/** MicroTime as metav1 serializes it: `2026-01-01T00:00:00.000000Z`. */
export function formatMicroTime(ms: number): string {
  return new Date(Math.floor(ms)).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

function parseTime(text: string | undefined): number {
  if (text === undefined) return 0;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? 0 : ms;
}

export function recordFromLease(lease: Lease): LeaderElectionRecord {
  const spec = lease.spec ?? {};
  return {
    holderIdentity: spec.holderIdentity ?? '',
    leaseDurationSeconds: spec.leaseDurationSeconds ?? 0,
    acquireTimeMs: parseTime(spec.acquireTime),
    renewTimeMs: parseTime(spec.renewTime),
    leaseTransitions: spec.leaseTransitions ?? 0,
  };
}

export function leaseSpecFromRecord(record: LeaderElectionRecord): LeaseSpec {
  return {
    holderIdentity: record.holderIdentity,
    leaseDurationSeconds: record.leaseDurationSeconds,
    acquireTime: formatMicroTime(record.acquireTimeMs),
    renewTime: formatMicroTime(record.renewTimeMs),
    leaseTransitions: record.leaseTransitions,
  };
}

export class LeaseLock implements ResourceLock {
  readonly identity: string;
  readonly #o: LeaseLockOptions;
  readonly #ref: ObjectRef;
  /** The Lease as last read or written: its resourceVersion guards the next update. */
  #lease: Lease | undefined;

  constructor(options: LeaseLockOptions) {
    this.#o = options;
    this.identity = options.identity;
    this.#ref = {
      group: 'coordination.k8s.io',
      version: 'v1',
      plural: 'leases',
      namespace: options.namespace,
      name: options.name,
    };
  }

  describe(): string {
    return `${this.#o.namespace}/${this.#o.name}`;
  }

  async get(signal: AbortSignal): Promise<LeaderElectionRecord | undefined> {
    try {
      this.#lease = await this.#o.client.get<Lease>(this.#ref, this.#requestOptions(signal));
    } catch (err: unknown) {
      if (isNotFound(err)) {
        this.#lease = undefined;
        return undefined;
      }
      throw err;
    }
    return recordFromLease(this.#lease);
  }

  async create(record: LeaderElectionRecord, signal: AbortSignal): Promise<void> {
    this.#lease = await this.#o.client.create<Lease>(
      { ...this.#ref, name: undefined },
      {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { namespace: this.#o.namespace, name: this.#o.name },
        spec: leaseSpecFromRecord(record),
      },
      this.#requestOptions(signal),
    );
  }

  async update(record: LeaderElectionRecord, signal: AbortSignal): Promise<void> {
    const last = this.#lease;
    if (last === undefined) throw new Error(`lease ${this.describe()} not initialized: get first`);
    this.#lease = await this.#o.client.update<Lease>(
      this.#ref,
      { ...last, spec: { ...last.spec, ...leaseSpecFromRecord(record) } },
      this.#requestOptions(signal),
    );
  }

  #requestOptions(signal: AbortSignal): { signal: AbortSignal; timeoutMs?: number } {
    return this.#o.timeoutMs === undefined ? { signal } : { signal, timeoutMs: this.#o.timeoutMs };
  }
}
