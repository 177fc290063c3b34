/**
 * An httpGet probe as upstream's pkg/probe/http (v1.33): one GET with the spec's headers plus
 * `User-Agent: kube-probe/<major.minor>` and an Accept of any type unless given (an empty Accept removes
 * it), TLS unverified for HTTPS, no keep-alive, no proxy, no compression. A status from 200 to
 * 399 succeeds; the body is not required (at most 10 KiB of it is read). Redirects to the same
 * host are followed (at most 10); a redirect to another host is not, and answers `warning`
 * ("Probe terminated redirects"), which counts as a success. Errors read as Go's
 * (`Get "<url>": dial tcp <addr>: connect: connection refused`). The whole exchange, redirects
 * included, is bounded by `timeoutMs`.
 */
import type { ClientRequest, IncomingMessage } from 'node:http';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIPv6 } from 'node:net';
import type { HTTPHeader } from 'kubernetes-types/core/v1.d.ts';
import { probeFailure, probeSuccess, probeWarning } from './probe-result.ts';
import type { ProbeResult } from './probe-result.ts';

export interface HttpProbeRequest {
  /** `http` or `https` (lower case). */
  readonly scheme: string;
  readonly host: string;
  readonly port: number;
  /** The spec's path as given: may be empty, lack its leading `/`, carry a query. */
  readonly path: string;
  readonly headers: readonly HTTPHeader[];
  readonly timeoutMs: number;
  /** `kube-probe/<major.minor>`, unless the headers name a User-Agent. */
  readonly userAgent: string;
}

/** upstream's maxRespBodyLength. */
const MAX_BODY_BYTES = 10 * 1024;
const MAX_REDIRECTS = 10;
const REDIRECT_CODES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

export function joinHostPort(host: string, port: number): string {
  return isIPv6(host) ? `[${host}]:${String(port)}` : `${host}:${String(port)}`;
}

/** The URL as Go's url.URL.String() prints upstream's formatURL result. */
export function probeUrlText(scheme: string, host: string, port: number, path: string): string {
  const p = path === '' || path.startsWith('/') ? path : `/${path}`;
  return `${scheme}://${joinHostPort(host, port)}${p}`;
}

/**
 * The request headers: the spec's (repeated names kept; Host is one value, the first, as Go's
 * req.Host), then upstream's defaults.
 */
export function probeHeaders(
  headers: readonly HTTPHeader[],
  userAgent: string,
): Record<string, string | string[]> {
  const all: Record<string, string[]> = {};
  for (const h of headers) (all[h.name.toLowerCase()] ??= []).push(h.value);
  all['user-agent'] ??= [userAgent];
  const accept = all['accept'];
  if (accept === undefined) all['accept'] = ['*/*'];
  else if (accept.every((v) => v === '')) delete all['accept'];
  const out: Record<string, string | string[]> = { ...all };
  const host = all['host']?.[0];
  if (host === undefined || host === '') delete out['host'];
  else out['host'] = host;
  return out;
}

/** Go's text for a failed dial or read. */
export function netErrorText(err: NodeJS.ErrnoException, address: string): string {
  switch (err.code) {
    case 'ECONNREFUSED':
      return `dial tcp ${address}: connect: connection refused`;
    case 'EHOSTUNREACH':
      return `dial tcp ${address}: connect: no route to host`;
    case 'ENETUNREACH':
      return `dial tcp ${address}: connect: network is unreachable`;
    case 'ETIMEDOUT':
      return `dial tcp ${address}: i/o timeout`;
    case 'ECONNRESET':
      return err.message === 'socket hang up' ? 'EOF' : 'read: connection reset by peer';
    case undefined:
    default:
      return err.message;
  }
}

function readBody(res: IncomingMessage, done: (body: string) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  let finished = false;
  const finish = (): void => {
    if (finished) return;
    finished = true;
    done(Buffer.concat(chunks).subarray(0, MAX_BODY_BYTES).toString('utf8'));
  };
  res.on('data', (chunk: Buffer) => {
    chunks.push(chunk);
    size += chunk.length;
    if (size >= MAX_BODY_BYTES) {
      // upstream: a truncated body is not an error.
      finish();
      res.destroy();
    }
  });
  res.on('end', finish);
  res.on('error', finish);
  res.on('close', finish);
}

export function httpProbe(r: HttpProbeRequest): Promise<ProbeResult> {
  const headers = probeHeaders(r.headers, r.userAgent);
  const firstText = probeUrlText(r.scheme, r.host, r.port, r.path);
  return new Promise((resolve) => {
    let origin: URL;
    try {
      origin = new URL(firstText);
    } catch (err: unknown) {
      resolve(probeFailure(`parse "${firstText}": ${String(err)}`));
      return;
    }
    let current: ClientRequest | undefined;
    let currentText = firstText;
    let settled = false;
    const finish = (result: ProbeResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      current?.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => {
      finish(
        probeFailure(
          `Get "${currentText}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`,
        ),
      );
    }, r.timeoutMs);

    const send = (url: URL, text: string, hops: number): void => {
      currentText = text;
      const address = joinHostPort(url.hostname.replace(/^\[|\]$/g, ''), Number(url.port));
      const https = url.protocol === 'https:';
      let req: ClientRequest;
      try {
        req = (https ? httpsRequest : httpRequest)(
          {
            hostname: url.hostname.replace(/^\[|\]$/g, ''),
            port: url.port === '' ? (https ? 443 : 80) : Number(url.port),
            path: `${url.pathname}${url.search}`,
            method: 'GET',
            headers,
            agent: false,
            ...(https ? { rejectUnauthorized: false } : {}),
          },
          (res) => {
            const code = res.statusCode ?? 0;
            const location = res.headers.location;
            if (REDIRECT_CODES.has(code) && location !== undefined) {
              let next: URL;
              try {
                next = new URL(location, url);
              } catch {
                res.resume();
                finish(
                  probeFailure(`Get "${text}": failed to parse Location header "${location}"`),
                );
                return;
              }
              if (next.hostname === origin.hostname) {
                res.resume();
                if (hops >= MAX_REDIRECTS)
                  finish(probeFailure(`Get "${next.href}": stopped after 10 redirects`));
                else send(next, next.href, hops + 1);
                return;
              }
              // Another host: not followed; the redirect itself is the answer.
            }
            readBody(res, (body) => {
              if (code >= 200 && code < 300) finish(probeSuccess(body));
              else if (code >= 300 && code < 400)
                finish(probeWarning(`Probe terminated redirects, Response body: ${body}`));
              // upstream keeps the body out of the failure text (issue 99425).
              else finish(probeFailure(`HTTP probe failed with statuscode: ${String(code)}`));
            });
          },
        );
      } catch (err: unknown) {
        finish(probeFailure(`Get "${text}": ${err instanceof Error ? err.message : String(err)}`));
        return;
      }
      current = req;
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (current !== req) return; // a request left behind by a redirect
        finish(probeFailure(`Get "${text}": ${netErrorText(err, address)}`));
      });
      req.end();
    };
    send(origin, firstText, 0);
  });
}
