/**
 * core/v1 Events as client-go's legacy recorder (tools/record) writes them: named
 * `<object>.<hex nanoseconds>` in the object's namespace (`default` for cluster-scoped
 * objects), with involvedObject, source.component/host, reportingComponent/Instance,
 * first/lastTimestamp and count. The object is an API object or, as client-go accepts, an
 * ObjectReference taken as the involvedObject (a container's, with its `fieldPath`). A repeat of the same (object, type, reason, message) patches
 * the first Event (count+1, lastTimestamp) instead of creating another (the EventCorrelator's
 * logger); a per-object token bucket (burst 25, one more every 5 min, as client-go's spam
 * filter, per object whatever its fieldPath) drops floods; from the 10th distinct message with the same (object, type, reason)
 * within 10 minutes on, they are merged into one Event whose message says "(combined from
 * similar events): <latest>" (client-go's EventAggregator). Writes happen in the background, in
 * order; `event()` never throws and a failed write is logged and dropped.
 */
import { createHash } from 'node:crypto';
import type { Event, ObjectReference } from 'kubernetes-types/core/v1.d.ts';
import type { Clock } from './clock.ts';
import { isNotFound } from './errors.ts';
import type { KubeObject } from './resource-ref.ts';
import type { RestClient } from './rest-client.ts';

export type EventType = 'Normal' | 'Warning';

/**
 * Records Kubernetes Events about objects, as client-go's EventRecorder: `reason` is a short
 * CamelCase word (`SuccessfulCreate`), `message` a sentence. `obj` is the object itself, or a
 * reference to (part of) it: the kubelet names a container as its pod's reference with
 * `fieldPath: spec.containers{name}`. Best effort: never throws.
 */
export interface EventRecorder {
  event(obj: EventObject, type: EventType, reason: string, message: string): void;
}

/** What an event is about: an API object, or a reference as the involvedObject to write. */
export type EventObject = KubeObject | ObjectReference;

/** The involvedObject of an event about `obj` (client-go's reference.GetReference). */
export function involvedObjectOf(obj: EventObject): ObjectReference {
  if (!('metadata' in obj)) return { ...(obj as ObjectReference) };
  const meta = obj.metadata ?? {};
  const ref: ObjectReference = { name: meta.name ?? '' };
  if (obj.kind !== undefined) ref.kind = obj.kind;
  if (meta.namespace !== undefined) ref.namespace = meta.namespace;
  if (meta.uid !== undefined) ref.uid = meta.uid;
  if (obj.apiVersion !== undefined) ref.apiVersion = obj.apiVersion;
  if (meta.resourceVersion !== undefined) ref.resourceVersion = meta.resourceVersion;
  return ref;
}

const EVENTS = { group: '', version: 'v1', plural: 'events' } as const;

export interface EventRecorderOptions {
  readonly client: RestClient;
  /** `source.component` and `reportingComponent` (`replicaset-controller`). */
  readonly component: string;
  /** `source.host` and `reportingInstance`. Default: `''` (as controllers leave it). */
  readonly host?: string | undefined;
  readonly clock: Clock;
  /** Once aborted (leadership lost), queued writes are dropped and in-flight ones aborted. */
  readonly signal?: AbortSignal | undefined;
  /** Spam filter burst per object. Default 25 (client-go's). */
  readonly burst?: number | undefined;
  /** Spam filter refill: one event per this many ms per object. Default 300,000 (client-go's). */
  readonly refillIntervalMs?: number | undefined;
  /** Writes waiting beyond this are dropped. Default 1,000. */
  readonly maxPending?: number | undefined;
  /** Distinct keys remembered for aggregation and rate limiting. Default 4,096 (client-go's). */
  readonly cacheSize?: number | undefined;
  /** Default: a line on stderr. */
  readonly log?: ((message: string, fields: Record<string, unknown>) => void) | undefined;
}

interface Seen {
  name: string;
  namespace: string;
  count: number;
  firstTimestamp: string;
}

interface Similar {
  readonly messages: Set<string>;
  lastMs: number;
}

/** client-go's defaultAggregateMaxEvents and defaultAggregateIntervalInSeconds. */
const AGGREGATE_MAX_EVENTS = 10;
const AGGREGATE_INTERVAL_MS = 600_000;
const COMBINED_PREFIX = '(combined from similar events): ';

interface Bucket {
  tokens: number;
  lastMs: number;
}

/** metav1.Time: RFC 3339 in whole seconds. */
const metaTime = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export class ApiEventRecorder implements EventRecorder {
  readonly #o: EventRecorderOptions;
  readonly #seen = new Map<string, Seen>();
  readonly #buckets = new Map<string, Bucket>();
  readonly #similar = new Map<string, Similar>();
  #tail: Promise<void> = Promise.resolve();
  #pending = 0;
  #seq = 0;

  constructor(options: EventRecorderOptions) {
    this.#o = options;
  }

  event(obj: EventObject, type: EventType, reason: string, message: string): void {
    try {
      this.#record(obj, type, reason, message);
    } catch (err: unknown) {
      this.#logError('could not record event', err, { reason });
    }
  }

  /** Resolves once every write queued so far has finished (or failed). */
  flush(): Promise<void> {
    return this.#tail;
  }

  #record(obj: EventObject, type: EventType, reason: string, message: string): void {
    const involvedObject = involvedObjectOf(obj);
    const name = involvedObject.name ?? '';
    if (name === '') return;
    // client-go's spam and aggregation keys leave the fieldPath out (one budget per object);
    // its event key, which decides what a repeat is, keeps it.
    const objectKey = JSON.stringify([
      involvedObject.kind,
      involvedObject.namespace,
      name,
      involvedObject.uid,
      involvedObject.apiVersion,
    ]);
    if (!this.#allow(objectKey)) return;
    if (this.#pending >= (this.#o.maxPending ?? 1000)) {
      this.#log('dropping event: too many pending writes', { reason });
      return;
    }
    const nowMs = this.#o.clock.now();
    const combined = this.#aggregate(JSON.stringify([objectKey, type, reason]), message, nowMs);
    const key = createHash('sha256')
      .update(
        JSON.stringify(
          combined
            ? [objectKey, type, reason]
            : [objectKey, involvedObject.fieldPath ?? '', type, reason, message],
        ),
      )
      .digest('hex');
    const text = combined ? `${COMBINED_PREFIX}${message}` : message;
    const host = this.#o.host ?? '';
    const fresh: Event & { metadata: { name: string; namespace: string } } = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: {
        name: `${name}.${(BigInt(Math.floor(nowMs)) * 1_000_000n + BigInt(this.#seq++ % 1_000_000)).toString(16)}`,
        namespace: involvedObject.namespace ?? 'default',
      },
      involvedObject,
      reason,
      message: text,
      source: { component: this.#o.component, ...(host === '' ? {} : { host }) },
      firstTimestamp: metaTime(nowMs),
      lastTimestamp: metaTime(nowMs),
      count: 1,
      type,
      reportingComponent: this.#o.component,
      reportingInstance: host,
    };
    this.#pending++;
    this.#tail = this.#tail
      .then(() => this.#write(key, fresh))
      .catch((err: unknown) => {
        if (this.#o.signal?.aborted === true) return;
        this.#logError('could not write event', err, { reason, object: name });
      })
      .finally(() => {
        this.#pending--;
      });
  }

  async #write(
    key: string,
    fresh: Event & { metadata: { name: string; namespace: string } },
  ): Promise<void> {
    const signal = this.#o.signal;
    if (signal?.aborted === true) return;
    const opts = signal === undefined ? {} : { signal };
    const seen = this.#seen.get(key);
    if (seen !== undefined) {
      const count = seen.count + 1;
      try {
        await this.#o.client.patch(
          { ...EVENTS, namespace: seen.namespace, name: seen.name },
          { count, lastTimestamp: fresh.lastTimestamp, message: fresh.message },
          { ...opts, type: 'strategic' },
        );
        seen.count = count;
        return;
      } catch (err: unknown) {
        // Deleted (events expire after an hour): start a new one, as client-go does.
        if (!isNotFound(err)) throw err;
        this.#seen.delete(key);
      }
    }
    const namespace = fresh.metadata.namespace;
    const created = await this.#o.client.create<Event>({ ...EVENTS, namespace }, fresh, opts);
    this.#remember(key, {
      name: created.metadata.name ?? fresh.metadata.name,
      namespace,
      count: created.count ?? 1,
      firstTimestamp: created.firstTimestamp ?? fresh.firstTimestamp ?? '',
    });
  }

  /**
   * client-go's EventAggregator: true once `message` is one of at least 10 distinct messages for
   * this (object, type, reason) seen within 10 minutes of each other, so it joins the combined
   * Event (keyed without the message) instead of getting its own.
   */
  #aggregate(similarKey: string, message: string, nowMs: number): boolean {
    let rec = this.#similar.get(similarKey);
    if (rec === undefined || nowMs - rec.lastMs > AGGREGATE_INTERVAL_MS)
      rec = { messages: new Set(), lastMs: nowMs };
    rec.messages.add(message);
    rec.lastMs = nowMs;
    this.#similar.delete(similarKey);
    this.#similar.set(similarKey, rec);
    this.#trim(this.#similar);
    if (rec.messages.size < AGGREGATE_MAX_EVENTS) return false;
    // Do not grow the set beyond the maximum (client-go pops any one).
    const first = rec.messages.values().next();
    if (first.done !== true) rec.messages.delete(first.value);
    return true;
  }

  /** client-go's spam filter: a token bucket per involved object. */
  #allow(objectKey: string): boolean {
    const burst = this.#o.burst ?? 25;
    const interval = this.#o.refillIntervalMs ?? 300_000;
    const now = this.#o.clock.now();
    const b = this.#buckets.get(objectKey) ?? { tokens: burst, lastMs: now };
    b.tokens = Math.min(burst, b.tokens + (now - b.lastMs) / interval);
    b.lastMs = now;
    this.#buckets.delete(objectKey);
    this.#buckets.set(objectKey, b);
    this.#trim(this.#buckets);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  #remember(key: string, seen: Seen): void {
    this.#seen.delete(key);
    this.#seen.set(key, seen);
    this.#trim(this.#seen);
  }

  /** Keeps a map to `cacheSize` entries, dropping the least recently used (insertion order). */
  #trim(map: Map<string, unknown>): void {
    const max = this.#o.cacheSize ?? 4096;
    for (const k of map.keys()) {
      if (map.size <= max) break;
      map.delete(k);
    }
  }

  #logError(message: string, err: unknown, fields: Record<string, unknown>): void {
    this.#log(message, { ...fields, error: err instanceof Error ? err.message : String(err) });
  }

  #log(message: string, fields: Record<string, unknown>): void {
    try {
      (
        this.#o.log ??
        ((m: string, f: Record<string, unknown>): void => {
          process.stderr.write(`event-recorder: ${m} ${JSON.stringify(f)}\n`);
        })
      )(message, fields);
    } catch {
      // Logging must not make event() throw.
    }
  }
}
