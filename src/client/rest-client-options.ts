/**
 * What a `RestClient` is built with (`RestClientOptions`), what its request log reports
 * (`RequestLogEntry`, klog's -v=6 lines) and what bounds a scoped view's requests
 * (`RequestScope`, a leadership term).
 */
import type { SessionPoolOptions } from './http2-session-pool.ts';

export interface RestClientOptions {
  /** API server URLs (`https://host:port`), tried in this order; at least one. */
  readonly servers: readonly string[];
  /** PEM cluster CA. Default: Node's bundled roots (verification is never turned off). */
  readonly caPem?: string | undefined;
  readonly clientCertificatePem?: string | undefined;
  readonly clientKeyPem?: string | undefined;
  /**
   * Sent as `Authorization: Bearer <token>`; a function is asked before every request (a token
   * that rotates, such as a service-account token a TokenRequest renews).
   */
  readonly token?: string | (() => string) | undefined;
  /** Appended to the User-Agent (`kube-scheduler`, `kubelet`). Default: none. */
  readonly component?: string | undefined;
  /** Replaces the whole User-Agent. Default: `defaultUserAgent(component)`. */
  readonly userAgent?: string | undefined;
  /** Per-request deadline. Default: 30,000 ms (client-go's usual 32 s order). */
  readonly timeoutMs?: number | undefined;
  readonly connectTimeoutMs?: SessionPoolOptions['connectTimeoutMs'];
  readonly pingIntervalMs?: SessionPoolOptions['pingIntervalMs'];
  readonly pingTimeoutMs?: SessionPoolOptions['pingTimeoutMs'];
  /**
   * Called once per request when it settles (klog's `-v=6` request lines): method, path, the
   * HTTP status or the error, and when it was handed to the transport. A scoped client's
   * refused request is reported too, as never sent. Never sees headers or bodies (no secrets).
   * Default: none.
   */
  readonly requestLog?: ((entry: RequestLogEntry) => void) | undefined;
}

export interface RequestLogEntry {
  readonly method: string;
  /** Path and query, as sent. */
  readonly path: string;
  /** The answer's HTTP status (a watch: its response headers); undefined when it failed. */
  readonly status?: number | undefined;
  /** Why it failed, or why a scoped client refused to send it. */
  readonly error?: string | undefined;
  /** False when a scoped client refused it: nothing was sent. */
  readonly sent: boolean;
  /** Wall clock (epoch ms) when it was handed to the transport (or refused). */
  readonly startedAtMs: number;
  readonly durationMs: number;
}

/** What a `scoped` client checks around each request. */
export interface RequestScope {
  /** Every request also aborts when this aborts, and none is sent after (rejects with its reason). */
  readonly signal: AbortSignal;
  /**
   * Called right before each request is handed to the transport; throws to refuse it (the
   * request is not sent). The leader elector's `assertLeading` goes here. Default: none.
   */
  readonly admit?: (() => void) | undefined;
}
