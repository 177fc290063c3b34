/**
 * One HTTP/2 session per API server, shared by every request to it (as Go's http2 transport
 * shares a connection): opened on first use with TLS verified against the cluster CA and the
 * client certificate presented, dropped from the pool when the server sends GOAWAY or the
 * connection closes (the next request reconnects), and health-checked while streams are open
 * by PINGs (client-go's ReadIdleTimeout 30 s / PingTimeout 15 s), so a silent server's watches
 * end instead of hanging. Before a create on a reused session, `validate` proves it alive (an
 * answer after the check began: a response, or one shared PING). Idle sessions are unref'd: an
 * idle client never keeps Node alive.
 */
import { connect, constants } from 'node:http2';
import type { ClientHttp2Session } from 'node:http2';
import { abortReason } from './errors.ts';

export interface TlsCredentials {
  /** PEM CA the server certificate must chain to. Default: Node's bundled roots. */
  readonly caPem?: string | undefined;
  /** PEM client certificate and key (client-certificate authentication). */
  readonly certPem?: string | undefined;
  readonly keyPem?: string | undefined;
}

export interface SessionPoolOptions {
  readonly tls: TlsCredentials;
  /** How long a TCP + TLS handshake may take. Default: 10,000 ms. */
  readonly connectTimeoutMs?: number | undefined;
  /** PING period while streams are open. Default: 30,000 ms. */
  readonly pingIntervalMs?: number | undefined;
  /** A PING unanswered this long closes the session. Default: 15,000 ms. */
  readonly pingTimeoutMs?: number | undefined;
}

/** A session lent to one request; `release()` when its stream is done. */
export interface SessionLease {
  readonly session: ClientHttp2Session;
  /** True when the session was already connected before this request (it may be stale). */
  readonly reused: boolean;
  release(): void;
}

interface Entry {
  readonly session: ClientHttp2Session;
  readonly ready: Promise<void>;
  connected: boolean;
  active: number;
  pingTimer: NodeJS.Timeout | undefined;
  /** Checks waiting for the server's next answer on this session. */
  readonly answerWaiters: Set<() => void>;
  /** The PING a validation is waiting for, shared by every concurrent one. */
  pong: Promise<void> | undefined;
}

export class Http2SessionPool {
  readonly #o: SessionPoolOptions;
  readonly #entries = new Map<string, Entry>();
  readonly #bySession = new WeakMap<ClientHttp2Session, Entry>();
  #closed = false;

  constructor(options: SessionPoolOptions) {
    this.#o = options;
  }

  /** The pooled session to `server`, connecting first if there is none. */
  async acquire(server: string, signal: AbortSignal): Promise<SessionLease> {
    if (this.#closed) throw new Error('the client is closed');
    let entry = this.#entries.get(server);
    if (entry !== undefined && (entry.session.closed || entry.session.destroyed)) {
      this.#entries.delete(server);
      entry = undefined;
    }
    entry ??= this.#connect(server);
    const reused = entry.connected;
    const e = entry;
    this.#adjust(e, 1);
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      this.#adjust(e, -1);
    };
    try {
      await raceAbort(e.ready, signal);
    } catch (err: unknown) {
      release();
      throw err;
    }
    return { session: e.session, reused, release };
  }

  /**
   * Checks that a pooled session is still alive: resolves when the server answers on it (any
   * response or PING ack) after the check began, and sends one PING for that unless one is
   * already outstanding (concurrent checks share it: Node fails a session past 10 outstanding
   * PINGs). Under load a response arrives first and no PING round trip is waited for. A server
   * that closed the connection a moment ago may not have been noticed yet, so an earlier answer
   * proves nothing: a request that must not be replayed (a create) is only sent on a session
   * that answered after it was asked for. Rejects when the PING fails or the session closes.
   */
  async validate(session: ClientHttp2Session, signal: AbortSignal): Promise<void> {
    const entry = this.#bySession.get(session);
    if (entry === undefined) {
      const pong = this.#ping(session);
      pong.catch(() => undefined);
      await raceAbort(pong, signal);
      return;
    }
    let waiter: (() => void) | undefined;
    const answer = new Promise<void>((resolve) => {
      waiter = resolve;
    });
    if (waiter !== undefined) entry.answerWaiters.add(waiter);
    let pong = entry.pong;
    if (pong === undefined) {
      pong = this.#ping(session);
      pong.catch(() => undefined);
      entry.pong = pong;
      const clear = (): void => {
        if (entry.pong === pong) entry.pong = undefined;
      };
      pong.then(clear, clear);
    }
    try {
      await raceAbort(Promise.race([answer, pong]), signal);
    } finally {
      if (waiter !== undefined) entry.answerWaiters.delete(waiter);
    }
  }

  /** Records that the server answered on `session` (a response arrived): it is alive. */
  answered(session: ClientHttp2Session): void {
    const entry = this.#bySession.get(session);
    if (entry === undefined || entry.answerWaiters.size === 0) return;
    const waiters = [...entry.answerWaiters];
    entry.answerWaiters.clear();
    for (const w of waiters) w();
  }

  #ping(session: ClientHttp2Session): Promise<void> {
    const timeoutMs = this.#o.pingTimeoutMs ?? 15_000;
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`PING unanswered for ${String(timeoutMs)} ms`));
      }, timeoutMs);
      const onClose = (): void => {
        clearTimeout(timer);
        reject(new Error('the connection closed'));
      };
      session.once('close', onClose);
      const sent = session.ping((err) => {
        clearTimeout(timer);
        session.off('close', onClose);
        if (err === null) {
          this.answered(session);
          resolve();
        } else reject(err);
      });
      if (!sent) {
        clearTimeout(timer);
        session.off('close', onClose);
        reject(new Error('the connection cannot send a PING'));
      }
    });
  }

  /** Drops a broken `session` from the pool (if it is still the pooled one) and destroys it. */
  evict(server: string, session: ClientHttp2Session): void {
    const entry = this.#entries.get(server);
    if (entry?.session === session) this.#entries.delete(server);
    // A session closing after GOAWAY still finishes the streams the server accepted.
    if (!session.destroyed && !session.closed) session.destroy();
  }

  /** Destroys every session; later requests fail. */
  close(): void {
    this.#closed = true;
    for (const entry of this.#entries.values()) {
      clearInterval(entry.pingTimer);
      entry.session.destroy();
    }
    this.#entries.clear();
  }

  #connect(server: string): Entry {
    const { tls } = this.#o;
    const url = new URL(server);
    const session = connect(url.origin, {
      ...(tls.caPem === undefined ? {} : { ca: tls.caPem }),
      ...(tls.certPem === undefined ? {} : { cert: tls.certPem }),
      ...(tls.keyPem === undefined ? {} : { key: tls.keyPem }),
      settings: { enablePush: false },
    });
    const timeoutMs = this.#o.connectTimeoutMs ?? 10_000;
    const ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        session.destroy();
        reject(new Error(`connect to ${url.host} timed out after ${String(timeoutMs)} ms`));
      }, timeoutMs);
      timer.unref();
      const settle = (err?: Error): void => {
        clearTimeout(timer);
        session.off('connect', onConnect);
        session.off('error', settle);
        session.off('close', onClose);
        if (err === undefined) resolve();
        else reject(err);
      };
      const onConnect = (): void => {
        entry.connected = true;
        settle();
      };
      const onClose = (): void => {
        settle(new Error(`connection to ${url.host} closed during the handshake`));
      };
      session.once('connect', onConnect);
      session.once('error', settle);
      session.once('close', onClose);
    });
    // Waiters see the rejection; this keeps an unwaited one from being "unhandled".
    ready.catch(() => undefined);
    const entry: Entry = {
      session,
      ready,
      connected: false,
      active: 0,
      pingTimer: undefined,
      answerWaiters: new Set(),
      pong: undefined,
    };
    this.#bySession.set(session, entry);
    // Errors also surface on the streams that hit them; the session itself only needs dropping.
    session.on('error', () => undefined);
    const drop = (): void => {
      clearInterval(entry.pingTimer);
      entry.pingTimer = undefined;
      if (this.#entries.get(server) === entry) this.#entries.delete(server);
    };
    // GOAWAY: streams the server accepted finish; new requests go to a new session.
    session.once('goaway', drop);
    session.once('close', drop);
    this.#entries.set(server, entry);
    session.unref();
    return entry;
  }

  /** Counts streams on a session: ref'd and PING-checked while any is open. */
  #adjust(entry: Entry, delta: number): void {
    entry.active += delta;
    if (entry.session.destroyed) return;
    if (entry.active > 0) {
      entry.session.ref();
      if (entry.pingTimer === undefined) entry.pingTimer = this.#startPings(entry);
    } else {
      entry.session.unref();
      clearInterval(entry.pingTimer);
      entry.pingTimer = undefined;
    }
  }

  #startPings(entry: Entry): NodeJS.Timeout {
    const intervalMs = this.#o.pingIntervalMs ?? 30_000;
    const timeoutMs = this.#o.pingTimeoutMs ?? 15_000;
    let outstanding = false;
    const timer = setInterval(() => {
      const { session } = entry;
      if (outstanding || !entry.connected || session.closed || session.destroyed) return;
      outstanding = true;
      const deadline = setTimeout(() => {
        session.destroy(new Error(`PING unanswered for ${String(timeoutMs)} ms`));
      }, timeoutMs);
      deadline.unref();
      const sent = session.ping((err) => {
        outstanding = false;
        clearTimeout(deadline);
        if (err !== null) session.destroy(err);
        else this.answered(session);
      });
      if (!sent) {
        outstanding = false;
        clearTimeout(deadline);
      }
    }, intervalMs);
    timer.unref();
    return timer;
  }
}

/** `promise`, or the signal's reason if it aborts first. */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(abortReason(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      reject(abortReason(signal));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}

export const REFUSED_STREAM = constants.NGHTTP2_REFUSED_STREAM;
export const CANCEL = constants.NGHTTP2_CANCEL;
