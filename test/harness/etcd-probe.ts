/**
 * One-shot probes of one etcd member over its client URL (HTTP or HTTPS: `/health` and the
 * gRPC gateway's `/v3/maintenance/status`). Each probe is bounded by `timeoutMs` and never
 * throws: an unreachable or unhealthy member reads as false/undefined.
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

/** The JSON body of a 2xx answer, or undefined (error, timeout, other status). */
function requestJson(
  url: string,
  method: 'GET' | 'POST',
  tls: ProbeTls | undefined,
  timeoutMs: number,
): Promise<unknown> {
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
          try {
            resolve(
              ok ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown) : undefined,
            );
          } catch {
            resolve(undefined);
          }
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
    req.end(method === 'POST' ? '{}' : undefined);
  });
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}
