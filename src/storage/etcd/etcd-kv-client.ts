/**
 * etcd's unary KV calls (Range, Txn) as plain gRPC over node:http2: one HTTP/2 session per
 * member, calls spread round-robin, each bounded by its deadline (`grpc-timeout` plus a local
 * timer that cancels the stream). Messages are (de)serialized by the very functions the `etcd3`
 * client uses (its rpc.proto through @grpc/proto-loader, same options), and failures come out as
 * the `etcd3` client's typed errors (castGrpcError), so callers see exactly what they saw before.
 * Why: the hot path of every API read and write, and grpc-js's call stack (interceptors,
 * resolving, retrying and load-balancing calls, filters) cost about twice the CPU of the
 * HTTP/2 exchange itself. A failure before the request could reach a member says "No connection
 * established" (safe to re-send); one after may have been applied. A member that stops
 * answering is dropped by HTTP/2 keepalive pings, as gRPC keepalive would.
 * Writes (Txn) go to the raft leader when it is known (found with Maintenance/Status, checked
 * again every `leaderRefreshMs` and after any failed write), reads round-robin. Upstream's
 * clientv3 spreads every call; a follower then forwards each proposal to the leader, which on
 * a 3-member cluster cost etcd about 35 % more CPU per write here (measured: 0.20-0.25 ms per put
 * spread against 0.15-0.16 ms to the leader). Correctness does not depend on it: a write sent to
 * a member that lost leadership is forwarded (or fails as any call may).
 */
import { connect, constants } from 'node:http2';
import type { ClientHttp2Session, ClientHttp2Stream } from 'node:http2';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { loadSync } from '@grpc/proto-loader';
import type { MethodDefinition } from '@grpc/proto-loader';
import { castGrpcError } from 'etcd3';
import type { IRangeRequest, IRangeResponse, ITxnRequest, ITxnResponse } from 'etcd3';
import type { CallOptions } from './etcd-call.ts';
import type { EtcdTlsOptions } from './etcd-options.ts';

/** The etcd3 client's proto and loader options: same message shapes (keepCase, longs as strings). */
const definition = loadSync(
  join(dirname(createRequire(import.meta.url).resolve('etcd3')), '../proto/rpc.proto'),
  { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true },
);
const kv = definition['etcdserverpb.KV'] as Record<string, MethodDefinition<unknown, unknown>>;

function method<Req, Res>(name: string): MethodDefinition<Req, Res> {
  const m = kv[name];
  if (m === undefined) throw new Error(`etcd's KV service has no ${name}`);
  return m as MethodDefinition<Req, Res>;
}
const RANGE = method<IRangeRequest, IRangeResponse>('Range');
const TXN = method<ITxnRequest, ITxnResponse>('Txn');

/** The fields of Maintenance/Status this client reads (ids as decimal strings: longs: String). */
interface StatusReply {
  readonly header?: { readonly member_id?: string } | null;
  readonly leader?: string;
}
const STATUS = (
  definition['etcdserverpb.Maintenance'] as Record<string, MethodDefinition<unknown, unknown>>
)['Status'] as MethodDefinition<Record<string, never>, StatusReply>;
/** How long one leader lookup may take (per member, in parallel). */
const STATUS_TIMEOUT_MS = 1_000;

/** gRPC status names by code, for messages in grpc-js's form (`14 UNAVAILABLE: ...`). */
const STATUS_NAMES = [
  'OK',
  'CANCELLED',
  'UNKNOWN',
  'INVALID_ARGUMENT',
  'DEADLINE_EXCEEDED',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED',
  'FAILED_PRECONDITION',
  'ABORTED',
  'OUT_OF_RANGE',
  'UNIMPLEMENTED',
  'INTERNAL',
  'UNAVAILABLE',
  'DATA_LOSS',
  'UNAUTHENTICATED',
];
const UNAVAILABLE = 14;
const DEADLINE_EXCEEDED = 4;

/** The error etcd3 would have thrown for this gRPC status (a typed GRPC*Error or EtcdError). */
function grpcError(code: number, details: string): Error {
  const err = Object.assign(
    new Error(`${String(code)} ${STATUS_NAMES[code] ?? 'UNKNOWN'}: ${details}`),
    {
      code,
    },
  );
  return castGrpcError(err);
}

export interface EtcdKvClientOptions {
  readonly endpoints: readonly string[];
  readonly tls: EtcdTlsOptions | undefined;
  /** A session that does not connect within this long fails its calls as not sent. */
  readonly dialTimeoutMs: number;
  /** Idle time before a keepalive ping on a session with calls in flight. */
  readonly keepaliveTimeMs: number;
  /** A ping not answered within this long drops the session (and fails its calls). */
  readonly keepaliveTimeoutMs: number;
  /** How often the member that writes go to is looked up again. Default 5,000 ms. */
  readonly leaderRefreshMs?: number;
}

/** Large list responses flow without waiting for window updates (grpc-js: the same). */
const WINDOW_BYTES = 1 << 24;

/** One member's HTTP/2 session, opened on first use and again after it failed or closed. */
class MemberSession {
  readonly #url: string;
  readonly #o: EtcdKvClientOptions;
  #session: ClientHttp2Session | undefined;
  #connected = false;
  #inFlight = 0;
  #keepalive: NodeJS.Timeout | undefined;

  constructor(url: string, options: EtcdKvClientOptions) {
    this.#url = url;
    this.#o = options;
  }

  /** The open session, whether it has connected yet, and a release for the call. */
  acquire(): { session: ClientHttp2Session; connected: () => boolean; release: () => void } {
    let session = this.#session;
    if (session === undefined || session.closed || session.destroyed) session = this.#open();
    this.#inFlight++;
    if (this.#inFlight === 1) this.#armKeepalive(session);
    let released = false;
    return {
      session,
      connected: () => this.#connected && this.#session === session,
      release: () => {
        if (released) return;
        released = true;
        this.#inFlight--;
      },
    };
  }

  close(): void {
    clearTimeout(this.#keepalive);
    this.#session?.destroy();
    this.#session = undefined;
  }

  #open(): ClientHttp2Session {
    const tls = this.#o.tls;
    const session = connect(this.#url, {
      ...(tls === undefined
        ? {}
        : {
            ca: tls.ca,
            ...(tls.cert === undefined ? {} : { cert: tls.cert }),
            ...(tls.key === undefined ? {} : { key: tls.key }),
          }),
      settings: { initialWindowSize: WINDOW_BYTES, enablePush: false },
    });
    this.#session = session;
    this.#connected = false;
    const dial = setTimeout(() => {
      session.destroy(
        new Error(`No connection established within ${String(this.#o.dialTimeoutMs)} ms`),
      );
    }, this.#o.dialTimeoutMs);
    dial.unref();
    session.once('connect', () => {
      clearTimeout(dial);
      // The client may have closed (destroyed the session) while it was connecting.
      if (session.destroyed) return;
      if (this.#session === session) this.#connected = true;
      try {
        session.setLocalWindowSize(WINDOW_BYTES);
      } catch {
        // destroyed meanwhile: its calls fail on their own
      }
    });
    const forget = (): void => {
      clearTimeout(dial);
      if (this.#session === session) {
        this.#session = undefined;
        this.#connected = false;
      }
    };
    session.on('error', forget);
    session.on('close', forget);
    // A member going away (GOAWAY) finishes its streams; new calls open a new session.
    session.on('goaway', forget);
    session.unref();
    return session;
  }

  /** While calls are in flight, pings every keepaliveTimeMs; an unanswered ping drops the session. */
  #armKeepalive(session: ClientHttp2Session): void {
    clearTimeout(this.#keepalive);
    this.#keepalive = setTimeout(() => {
      if (this.#inFlight === 0 || session.destroyed || this.#session !== session) return;
      const timeout = setTimeout(() => {
        session.destroy(new Error('keepalive ping not answered'));
      }, this.#o.keepaliveTimeoutMs);
      timeout.unref();
      let sent = false;
      try {
        sent = session.ping((err) => {
          clearTimeout(timeout);
          if (err === null) this.#armKeepalive(session);
        });
      } catch {
        // the session closed meanwhile
      }
      if (!sent) clearTimeout(timeout);
    }, this.#o.keepaliveTimeMs);
    this.#keepalive.unref();
  }
}

/** Every call settles by its deadline on its own: callers need no timer of their own. */
export class EtcdKvClient {
  readonly #members: MemberSession[];
  readonly #leaderRefreshMs: number;
  #next = 0;
  #closed = false;
  /** The member writes go to; undefined while unknown (writes then round-robin). */
  #leader: MemberSession | undefined;
  #leaderCheckedAt = Number.NEGATIVE_INFINITY;
  #leaderLookup: Promise<void> | undefined;

  constructor(options: EtcdKvClientOptions) {
    this.#members = options.endpoints.map((e) => new MemberSession(e, options));
    this.#leaderRefreshMs = options.leaderRefreshMs ?? 5_000;
  }

  range(request: IRangeRequest, options: CallOptions): Promise<IRangeResponse> {
    return this.#call(this.#roundRobin(), RANGE, request, options);
  }

  async txn(request: ITxnRequest, options: CallOptions): Promise<ITxnResponse> {
    const member = this.#writer();
    try {
      return await this.#call(member, TXN, request, options);
    } catch (err: unknown) {
      // Leadership may have moved (or the member died): look it up again on the next write.
      if (this.#leader === member) this.#leader = undefined;
      this.#leaderCheckedAt = Number.NEGATIVE_INFINITY;
      throw err;
    }
  }

  /** The endpoint index writes currently go to, or undefined while the leader is unknown. */
  get leaderIndex(): number | undefined {
    return this.#leader === undefined ? undefined : this.#members.indexOf(this.#leader);
  }

  close(): void {
    this.#closed = true;
    for (const m of this.#members) m.close();
  }

  #roundRobin(): MemberSession | undefined {
    return this.#members[this.#next++ % this.#members.length];
  }

  /** The leader when known; starts a lookup (in the background) when due. */
  #writer(): MemberSession | undefined {
    if (this.#members.length < 2) return this.#members[0];
    if (
      this.#leaderLookup === undefined &&
      !this.#closed &&
      Date.now() - this.#leaderCheckedAt >= this.#leaderRefreshMs
    ) {
      this.#leaderCheckedAt = Date.now();
      this.#leaderLookup = this.#findLeader().finally(() => {
        this.#leaderLookup = undefined;
      });
    }
    return this.#leader ?? this.#roundRobin();
  }

  /** Asks every member for its status; the one whose id is the leader's is the leader. */
  async #findLeader(): Promise<void> {
    const deadline = new Date(Date.now() + STATUS_TIMEOUT_MS);
    const replies = await Promise.allSettled(
      this.#members.map((m) => this.#call(m, STATUS, {}, { deadline })),
    );
    let leader: MemberSession | undefined;
    replies.forEach((r, i) => {
      if (r.status !== 'fulfilled') return;
      const id = r.value.header?.member_id;
      if (id !== undefined && id !== '0' && id === r.value.leader) leader = this.#members[i];
    });
    this.#leader = leader;
  }

  #call<Req, Res>(
    member: MemberSession | undefined,
    m: MethodDefinition<Req, Res>,
    request: Req,
    options: CallOptions,
  ): Promise<Res> {
    if (this.#closed) return Promise.reject(grpcError(1, 'the etcd client is closed'));
    if (member === undefined) return Promise.reject(grpcError(UNAVAILABLE, 'no etcd endpoints'));
    const timeoutMs = options.deadline.getTime() - Date.now();
    if (timeoutMs <= 0) return Promise.reject(grpcError(DEADLINE_EXCEEDED, 'Deadline exceeded'));
    const message = m.requestSerialize(request);
    const frame = Buffer.allocUnsafe(5 + message.length);
    frame[0] = 0;
    frame.writeUInt32BE(message.length, 1);
    message.copy(frame, 5);
    const { session, connected, release } = member.acquire();
    return new Promise<Res>((resolve, reject) => {
      let stream: ClientHttp2Stream;
      try {
        stream = session.request({
          ':method': 'POST',
          ':path': m.path,
          'content-type': 'application/grpc',
          te: 'trailers',
          'grpc-timeout': `${String(Math.max(1, Math.ceil(timeoutMs)))}m`,
        });
      } catch (err: unknown) {
        release();
        reject(grpcError(UNAVAILABLE, `No connection established: ${describe(err)}`));
        return;
      }
      let status: number | undefined;
      let details = '';
      let failure: Error | undefined;
      const chunks: Buffer[] = [];
      const readStatus = (headers: Record<string, unknown>): void => {
        const s = headers['grpc-status'];
        if (s === undefined) return;
        status = Number(s);
        details = decodeMessage(headers['grpc-message']);
      };
      // The deadline settles the call itself (it never waits for the stream to close).
      let settled = false;
      const timer = setTimeout(() => {
        failure = grpcError(DEADLINE_EXCEEDED, 'Deadline exceeded');
        settled = true;
        release();
        reject(failure);
        stream.close(constants.NGHTTP2_CANCEL);
      }, timeoutMs);
      stream.on('response', readStatus);
      stream.on('trailers', readStatus);
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('error', (err: unknown) => {
        // Before the session connected, nothing reached the member.
        failure ??= grpcError(
          UNAVAILABLE,
          connected()
            ? `Connection dropped: ${describe(err)}`
            : `No connection established: ${describe(err)}`,
        );
      });
      stream.on('close', () => {
        clearTimeout(timer);
        if (settled) return;
        release();
        if (failure !== undefined) {
          reject(failure);
          return;
        }
        if (status === undefined) {
          reject(
            grpcError(
              UNAVAILABLE,
              stream.rstCode === constants.NGHTTP2_REFUSED_STREAM
                ? 'No connection established: stream refused'
                : `Connection dropped (stream reset ${String(stream.rstCode)})`,
            ),
          );
          return;
        }
        if (status !== 0) {
          reject(grpcError(status, details));
          return;
        }
        try {
          resolve(m.responseDeserialize(unframe(Buffer.concat(chunks))));
        } catch (err: unknown) {
          reject(grpcError(13, `bad response: ${describe(err)}`));
        }
      });
      stream.end(frame);
    });
  }
}

/** The one message of a unary response (5-byte prefix: compressed flag, length). */
function unframe(body: Buffer): Buffer {
  if (body.length < 5) throw new Error('no message');
  if (body[0] !== 0) throw new Error('compressed messages are not supported');
  const length = body.readUInt32BE(1);
  if (body.length < 5 + length) throw new Error('truncated message');
  return body.subarray(5, 5 + length);
}

function decodeMessage(raw: unknown): string {
  if (typeof raw !== 'string') return '';
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
