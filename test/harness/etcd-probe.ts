/**
 * One-shot probes of one etcd member over its client URL (HTTP or HTTPS: `/health`,
 * `/metrics`, and the gRPC gateway's `/v3/maintenance/status` and `transfer-leadership`).
 * Each probe is bounded by `timeoutMs` and never throws: an unreachable or unhealthy member
 * reads as false/undefined.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** Client TLS material for an `https://` member (PEM). */
export interface ProbeTls {
  readonly ca: Buffer;
  readonly cert: Buffer;
  readonly key: Buffer;
}

export interface MemberStatus {
  /** This member's id (decimal string, as the gateway prints uint64). */
  readonly memberId: string;
  /** The id of the leader this member knows of ('0' when none). */
  readonly leaderId: string;
  readonly revision: number;
}

/** True when the member answers `/health` with `{"health":"true"}` (it has a leader and quorum). */
export async function fetchHealth(
  clientUrl: string,
  tls?: ProbeTls,
  timeoutMs = 1_000,
): Promise<boolean> {
  const body = await requestJson(`${clientUrl}/health`, 'GET', tls, timeoutMs);
  return isRecord(body) && body['health'] === 'true';
}

/** The member's status, or undefined when it does not answer in time. */
export async function fetchStatus(
  clientUrl: string,
  tls?: ProbeTls,
  timeoutMs = 1_000,
): Promise<MemberStatus | undefined> {
  const body = await requestJson(`${clientUrl}/v3/maintenance/status`, 'POST', tls, timeoutMs);
  if (!isRecord(body) || !isRecord(body['header'])) return undefined;
  const header = body['header'];
  const memberId = header['member_id'];
  const leaderId = body['leader'];
  if (typeof memberId !== 'string' || typeof leaderId !== 'string') return undefined;
  return { memberId, leaderId, revision: Number(header['revision']) };
}

/**
 * Asks the leader `leaderClientUrl` to hand leadership to the member `targetMemberId` (etcd's
 * MoveLeader); true once the leader accepted (the transfer is then done).
 */
export async function moveLeader(
  leaderClientUrl: string,
  targetMemberId: string,
  tls?: ProbeTls,
  timeoutMs = 3_000,
): Promise<boolean> {
  const body = await requestJson(
    `${leaderClientUrl}/v3/maintenance/transfer-leadership`,
    'POST',
    tls,
    timeoutMs,
    JSON.stringify({ targetID: targetMemberId }),
  );
  return isRecord(body) && isRecord(body['header']);
}

/**
 * The value of an unlabelled metric from the member's Prometheus `/metrics` (e.g.
 * `etcd_debugging_mvcc_watcher_total`), or undefined when absent or unreachable.
 */
export async function fetchMetric(
  clientUrl: string,
  name: string,
  tls?: ProbeTls,
  timeoutMs = 1_000,
): Promise<number | undefined> {
  const text = await requestText(`${clientUrl}/metrics`, 'GET', tls, timeoutMs, undefined);
  const line = text?.split('\n').find((l) => l.startsWith(`${name} `));
  if (line === undefined) return undefined;
  const value = Number(line.slice(name.length + 1));
  return Number.isFinite(value) ? value : undefined;
}

/** The JSON body of a 2xx answer, or undefined (error, timeout, other status). */
async function requestJson(
  url: string,
  method: 'GET' | 'POST',
  tls: ProbeTls | undefined,
  timeoutMs: number,
  body = method === 'POST' ? '{}' : undefined,
): Promise<unknown> {
  const text = await requestText(url, method, tls, timeoutMs, body);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** The body of a 2xx answer, or undefined (error, timeout, other status). */
function requestText(
  url: string,
  method: 'GET' | 'POST',
  tls: ProbeTls | undefined,
  timeoutMs: number,
  body: string | undefined,
): Promise<string | undefined> {
  return new Promise((resolve) => {
    const send = url.startsWith('https:') ? httpsRequest : httpRequest;
    const req = send(
      url,
      {
        method,
        timeout: timeoutMs,
        headers: { 'content-type': 'application/json' },
        ...(tls === undefined ? {} : { ca: tls.ca, cert: tls.cert, key: tls.key }),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', () => {
          resolve(undefined);
        });
        res.on('end', () => {
          const ok = res.statusCode !== undefined && res.statusCode >= 200 && res.statusCode < 300;
          resolve(ok ? Buffer.concat(chunks).toString('utf8') : undefined);
        });
      },
    );
    const timer = setTimeout(() => {
      req.destroy(new Error('probe timed out'));
    }, timeoutMs);
    req.on('error', () => {
      resolve(undefined);
    });
    req.on('close', () => {
      clearTimeout(timer);
    });
    req.end(body);
  });
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}
