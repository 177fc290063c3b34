/**
 * The agent endpoint's paths and query parameters, as the kubelet's server reads them (pure):
 * `/containerLogs/{ns}/{pod}/{container}`, `/exec|attach/{ns}/{pod}[/{uid}]/{container}`,
 * `/portForward/{ns}/{pod}[/{uid}]`; PodLogOptions for logs, and `input/output/error/tty/command`
 * for exec and attach (the names the API server sends). Bad input is a 400 ApiError.
 */
import { badRequest } from '../../api/status.ts';
import { parseTimestamp } from './container-log-reader.ts';
import type { LogReadOptions } from './container-log-reader.ts';

export type AgentRoute =
  | {
      readonly kind: 'containerLogs';
      readonly namespace: string;
      readonly pod: string;
      readonly container: string;
    }
  | {
      readonly kind: 'exec' | 'attach';
      readonly namespace: string;
      readonly pod: string;
      readonly uid: string | undefined;
      readonly container: string;
    }
  | {
      readonly kind: 'portForward';
      readonly namespace: string;
      readonly pod: string;
      readonly uid: string | undefined;
    }
  | { readonly kind: 'healthz' };

/** Undefined for paths the agent does not serve (404). */
export function parseAgentPath(pathname: string): AgentRoute | undefined {
  let parts: string[];
  try {
    parts = pathname
      .split('/')
      .filter((p) => p !== '')
      .map((p) => decodeURIComponent(p));
  } catch {
    return undefined;
  }
  const [head, ...rest] = parts;
  if (head === undefined) return undefined;
  switch (head) {
    case 'healthz':
      return rest.length === 0 ? { kind: 'healthz' } : undefined;
    case 'containerLogs': {
      const [namespace, pod, container] = rest;
      if (
        rest.length !== 3 ||
        namespace === undefined ||
        pod === undefined ||
        container === undefined
      )
        return undefined;
      return { kind: 'containerLogs', namespace, pod, container };
    }
    case 'exec':
    case 'attach': {
      if (rest.length !== 3 && rest.length !== 4) return undefined;
      const [namespace = '', pod = ''] = rest;
      const uid = rest.length === 4 ? rest[2] : undefined;
      const container = rest.at(-1) ?? '';
      return { kind: head, namespace, pod, uid, container };
    }
    case 'portForward': {
      if (rest.length !== 2 && rest.length !== 3) return undefined;
      const [namespace = '', pod = '', uid] = rest;
      return { kind: 'portForward', namespace, pod, uid };
    }
    default:
      return undefined;
  }
}

function nonNegativeInt(q: URLSearchParams, name: string, min: number): number | undefined {
  const raw = q.get(name);
  if (raw === null || raw === '') return undefined;
  if (!/^-?\d+$/.test(raw)) throw badRequest(`${name}: invalid value ${JSON.stringify(raw)}`);
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < min)
    throw badRequest(`${name}: must be greater than or equal to ${String(min)}`);
  return n;
}

const TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const flag = (q: URLSearchParams, name: string): boolean => TRUE.has(q.get(name) ?? '');

/** PodLogOptions from the query (`tail` is kubelet's legacy name for tailLines). */
export function parseLogOptions(
  q: URLSearchParams,
  nowMs: number,
): LogReadOptions & { readonly previous: boolean } {
  const legacyTail = q.get('tail');
  const tailQuery = new URLSearchParams(q);
  if (legacyTail !== null && legacyTail !== 'all') tailQuery.set('tailLines', legacyTail);
  const tailLines = nonNegativeInt(tailQuery, 'tailLines', 0);
  const limitBytes = nonNegativeInt(q, 'limitBytes', 1);
  const sinceSeconds = nonNegativeInt(q, 'sinceSeconds', 1);
  const sinceTimeRaw = q.get('sinceTime');
  if (sinceSeconds !== undefined && sinceTimeRaw !== null)
    throw badRequest('at most one of `sinceTime` or `sinceSeconds` may be specified');
  let sinceNs: bigint | undefined;
  if (sinceSeconds !== undefined) sinceNs = BigInt(nowMs - sinceSeconds * 1000) * 1_000_000n;
  if (sinceTimeRaw !== null) {
    const t = parseTimestamp(sinceTimeRaw);
    if (t === undefined)
      throw badRequest(`sinceTime: invalid RFC3339 time ${JSON.stringify(sinceTimeRaw)}`);
    sinceNs = t.epochNs;
  }
  return {
    follow: flag(q, 'follow'),
    previous: flag(q, 'previous'),
    timestamps: flag(q, 'timestamps'),
    tailLines,
    limitBytes,
    sinceNs,
  };
}

export interface StreamFlags {
  readonly stdin: boolean;
  readonly stdout: boolean;
  readonly stderr: boolean;
  readonly tty: boolean;
}

/** kubelet's remotecommand NewOptions: `1` turns a stream on; tty drops stderr. */
export function parseStreamFlags(q: URLSearchParams): StreamFlags {
  const tty = q.get('tty') === '1';
  const stdin = q.get('input') === '1';
  const stdout = q.get('output') === '1';
  const stderr = q.get('error') === '1' && !tty;
  if (!stdin && !stdout && !stderr)
    throw badRequest('you must specify at least 1 of stdin, stdout, stderr');
  return { stdin, stdout, stderr, tty };
}

/** The port-forward ports of a WebSocket (v4) client: `port=80&port=8080` or `port=80,8080`. */
export function parsePorts(q: URLSearchParams): number[] {
  const ports: number[] = [];
  for (const raw of q.getAll('port').flatMap((v) => v.split(','))) {
    const s = raw.trim();
    const n = /^\d+$/.test(s) ? Number(s) : NaN;
    if (!Number.isInteger(n) || n < 1 || n > 65535)
      throw badRequest(`unable to parse ${JSON.stringify(raw)} as a port`);
    ports.push(n);
  }
  return ports;
}
