/**
 * How the API server reaches a node's agent (upstream's kubelet ConnectionInfoGetter): the
 * Node's first address of a preferred type and its reported agent port, over HTTPS with the API
 * server's kubelet client certificate (`--kubelet-client-certificate/-key`); the agent's serving
 * certificate is verified only when a CA is configured (`--kubelet-certificate-authority`,
 * upstream's default is not to). Pure helpers plus one GET for logs.
 */
import { request } from 'node:https';
import type { IncomingMessage } from 'node:http';
import type { JsonObject } from '../../api/json.ts';
import { isJsonObject, objectField, stringField } from '../../api/json.ts';
import { ApiError, internalError } from '../../api/status.ts';
import type { StatusReason } from '../../api/status.ts';
import type { BackendTls } from '../../streaming/http-upgrade.ts';

export interface KubeletClientConfig {
  /** PEM client certificate and key presented to agents. Default: none (agents answer 401). */
  readonly certPem?: string;
  readonly keyPem?: string;
  /** PEM CA for agents' serving certificates. Default: none, not verified (as upstream). */
  readonly caPem?: string;
  /** Node address types to dial, in order. Default: InternalIP, ExternalIP, Hostname (kubeadm's). */
  readonly preferredAddressTypes?: readonly string[];
  /** The agent port when a Node reports none. Default: 10250. */
  readonly defaultPort?: number;
  /** Connect and first-answer timeout. Default: 30,000 ms. */
  readonly timeoutMs?: number;
}

export const DEFAULT_PREFERRED_ADDRESS_TYPES = ['InternalIP', 'ExternalIP', 'Hostname'] as const;

export interface KubeletLocation {
  readonly host: string;
  readonly port: number;
}

/** Where a Node's agent listens. */
export function kubeletLocation(node: JsonObject, config: KubeletClientConfig): KubeletLocation {
  const status = objectField(node, 'status') ?? {};
  const rawAddresses = status['addresses'];
  const addresses = (Array.isArray(rawAddresses) ? rawAddresses : []).filter(isJsonObject);
  const known = addresses.map(
    (a) => `{${stringField(a, 'type') ?? ''} ${stringField(a, 'address') ?? ''}}`,
  );
  let host: string | undefined;
  for (const type of config.preferredAddressTypes ?? DEFAULT_PREFERRED_ADDRESS_TYPES) {
    const match = addresses.find((a) => stringField(a, 'type') === type);
    host = stringField(match, 'address');
    if (host !== undefined && host !== '') break;
    host = undefined;
  }
  if (host === undefined)
    throw internalError(`no preferred addresses found; known addresses: [${known.join(' ')}]`);
  const endpoints = objectField(status, 'daemonEndpoints') ?? {};
  const reported = objectField(endpoints, 'kubeletEndpoint')?.['Port'];
  const port =
    typeof reported === 'number' && reported > 0 ? reported : (config.defaultPort ?? 10250);
  return { host, port };
}

export function kubeletUrl(location: KubeletLocation, path: string, query: URLSearchParams): URL {
  const host = location.host.includes(':') ? `[${location.host}]` : location.host;
  const url = new URL(`https://${host}:${String(location.port)}${path}`);
  url.search = query.toString();
  return url;
}

export function kubeletTls(config: KubeletClientConfig): BackendTls {
  return {
    ...(config.certPem === undefined ? {} : { cert: config.certPem }),
    ...(config.keyPem === undefined ? {} : { key: config.keyPem }),
    ...(config.caPem === undefined ? {} : { ca: config.caPem }),
  };
}

/** GET from an agent; resolves with the response once its headers arrive. */
export function kubeletGet(
  url: URL,
  config: KubeletClientConfig,
  signal: AbortSignal,
): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const tls = kubeletTls(config);
    const req = request(url, {
      method: 'GET',
      ...tls,
      rejectUnauthorized: tls.ca !== undefined,
      timeout: config.timeoutMs ?? 30_000,
      signal,
      agent: false,
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url.host} in time`)));
    req.on('error', (err: Error) => {
      reject(internalError(`error dialing backend: ${err.message}`, err));
    });
    req.on('response', (res: IncomingMessage) => {
      // The answer started: streams (logs -f) may be idle for long from here on.
      req.setTimeout(0);
      resolve(res);
    });
    req.end();
  });
}

const REASONS: Readonly<Record<number, StatusReason>> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  500: 'InternalError',
  503: 'ServiceUnavailable',
};

/** An agent's error answer as the API server reports it (upstream's GenericHttpResponseChecker). */
export function kubeletError(statusCode: number, body: Buffer): ApiError {
  const text = body.toString('utf8').trim();
  try {
    const status = JSON.parse(text) as unknown;
    if (isJsonObject(status) && status['kind'] === 'Status') {
      const message = stringField(status, 'message') ?? text;
      const reason = stringField(status, 'reason') as StatusReason | undefined;
      return new ApiError(statusCode, reason ?? REASONS[statusCode] ?? 'InternalError', message);
    }
  } catch {
    // plain text
  }
  if (statusCode === 500) return internalError(text);
  return new ApiError(statusCode, REASONS[statusCode] ?? 'InternalError', text);
}
