/**
 * What a reflector lists and watches (client-go's ListerWatcher): a narrow seam, so tests and
 * other sources can feed an informer, and `listWatchFor` binds it to one resource (optionally
 * one namespace and label/field selectors) through a `RestClient`.
 */
import type { RestClient } from './rest-client.ts';
import type { KubeList, KubeObject, ResourceRef } from './resource-ref.ts';
import type { WatchStream } from './watch-stream.ts';

export interface ListCall {
  readonly resourceVersion?: string | undefined;
  readonly limit?: number | undefined;
  readonly continue?: string | undefined;
  readonly signal: AbortSignal;
}

export interface WatchCall {
  readonly resourceVersion: string;
  readonly allowWatchBookmarks: boolean;
  readonly timeoutSeconds: number;
  readonly signal: AbortSignal;
}

export interface ListerWatcher<T> {
  list(call: ListCall): Promise<KubeList<T>>;
  /** Resolves once the watch is open; rejects with the server's error (410 included). */
  watch(call: WatchCall): Promise<WatchStream<T>>;
}

export interface Selectors {
  readonly labelSelector?: string | undefined;
  readonly fieldSelector?: string | undefined;
}

export function listWatchFor<T extends KubeObject>(
  client: RestClient,
  ref: ResourceRef,
  selectors: Selectors = {},
): ListerWatcher<T> {
  const resource: ResourceRef = { ...ref, name: undefined, subresource: undefined };
  return {
    list: (call) => client.list<T>(resource, { ...selectors, ...call }),
    watch: (call) => client.watch<T>(resource, { ...selectors, ...call }),
  };
}
