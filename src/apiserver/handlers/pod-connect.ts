/**
 * pods/<name>/exec, /attach and /portforward (upstream's ExecREST, AttachREST, PortForwardREST):
 * the request must be an HTTP/1.1 upgrade, and (whatever the method) the user needs `create` on
 * the subresource (upstream's AuthorizePodWebsocketUpgradeCreatePermission: a WebSocket GET
 * alone would only need `get`). Then the session goes to the node's agent:
 *   - WebSocket `v5.channel.k8s.io` exec/attach (kubectl >= 1.30, client-node): translated to
 *     SPDY here (stream-translator.ts), as upstream's StreamTranslator;
 *   - WebSocket `SPDY/3.1+portforward.k8s.io` (kubectl >= 1.31): unwrapped to SPDY (spdy-tunnel);
 *   - anything else (SPDY from kubectl <= 1.29, older WebSocket protocols): relayed byte for byte.
 * The agent relays to the runtime's streaming server; this hop is the only translating one.
 */
import { badRequest, internalError } from '../../api/status.ts';
import { forbiddenError } from '../authz/forbidden.ts';
import { kubeletTls, kubeletUrl } from '../kubelet/kubelet-client.ts';
import {
  forwardedUpgradeHeaders,
  proxyUpgrade,
  writeRawResponse,
} from '../../streaming/http-upgrade.ts';
import { isStreamCloseWebSocket, isTunnelingWebSocket } from '../../streaming/remote-command.ts';
import { tunnelWebSocketToSpdy } from '../../streaming/spdy-tunnel.ts';
import { translateWebSocketToSpdy } from '../../streaming/stream-translator.ts';
import type { ResourceContext } from './context.ts';
import {
  agentOf,
  boolParam,
  kubeletConfig,
  loadPod,
  nodeNameOf,
  validateContainer,
} from './pod-stream-target.ts';

/**
 * The agent's query for exec/attach: upstream's streamParams (input/output/error/tty/command),
 * from PodExecOptions (stdout and stderr default to true, as upstream's defaulting).
 */
function streamQuery(q: URLSearchParams, withCommand: boolean) {
  const streams = {
    stdin: boolParam(q, 'stdin', false),
    stdout: boolParam(q, 'stdout', true),
    stderr: boolParam(q, 'stderr', true),
    tty: boolParam(q, 'tty', false),
  };
  const out = new URLSearchParams();
  if (streams.stdin) out.append('input', '1');
  if (streams.stdout) out.append('output', '1');
  if (streams.stderr) out.append('error', '1');
  if (streams.tty) out.append('tty', '1');
  if (withCommand) for (const c of q.getAll('command')) out.append('command', c);
  return { streams, query: out };
}

function portQuery(q: URLSearchParams): URLSearchParams {
  const ports = q.getAll('ports').flatMap((v) => v.split(','));
  for (const p of ports) {
    const n = /^\d+$/.test(p) ? Number(p) : NaN;
    if (!(n >= 1 && n <= 65535))
      throw badRequest(`invalid port ${JSON.stringify(p)}: must be 1-65535`);
  }
  const out = new URLSearchParams();
  if (ports.length > 0) out.set('port', ports.join(','));
  return out;
}

export async function handlePodConnect(ctx: ResourceContext): Promise<void> {
  const { ex, info, user, services } = ctx;
  const sub = info.subresource ?? '';
  if (info.verb !== 'create') {
    const asCreate = { ...info, verb: 'create' as const };
    const decision = await services.authorizer.authorize(user, asCreate);
    if (!decision.allowed) throw forbiddenError(user.name, asCreate, decision.reason);
  }
  if (!ex.isUpgrade) throw badRequest('Upgrade request required');
  const q = ex.url.searchParams;
  const pod = await loadPod(ctx);
  const name = info.name ?? '';
  const segments = [info.namespace ?? '', name];
  let path: string;
  let query: URLSearchParams;
  let streams: ReturnType<typeof streamQuery>['streams'] | undefined;
  if (sub === 'portforward') {
    path = `/portForward/${segments.map(encodeURIComponent).join('/')}`;
    query = portQuery(q);
  } else {
    const container = validateContainer(pod, q.get('container') ?? '');
    const built = streamQuery(q, sub === 'exec');
    streams = built.streams;
    query = built.query;
    path = `/${sub}/${[...segments, container].map(encodeURIComponent).join('/')}`;
  }
  const nodeName = nodeNameOf(pod);
  if (nodeName === '') throw badRequest(`pod ${name} does not have a host assigned`);
  const agent = await agentOf(ctx, nodeName);
  const config = kubeletConfig(ctx);
  const backend = {
    url: kubeletUrl(agent, path, query),
    tls: kubeletTls(config),
    timeoutMs: config.timeoutMs ?? 30_000,
  };
  const headers = ex.headers;
  const client = ex.takeUpgrade();
  try {
    if (streams !== undefined && isStreamCloseWebSocket(headers)) {
      await translateWebSocketToSpdy({ ...client, backend, streams });
    } else if (sub === 'portforward' && isTunnelingWebSocket(headers)) {
      await tunnelWebSocketToSpdy({ ...client, backend });
    } else {
      await proxyUpgrade(client, {
        ...backend,
        method: ex.method,
        headers: forwardedUpgradeHeaders(headers),
      });
    }
  } catch (err: unknown) {
    // The agent could not be reached: the client still waits for an HTTP answer.
    const message = `error dialing backend: ${err instanceof Error ? err.message : String(err)}`;
    writeRawResponse(
      client.socket,
      500,
      'application/json',
      JSON.stringify(internalError(message).toStatus()),
    );
  }
}
