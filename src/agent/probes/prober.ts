/**
 * One probe or lifecycle-hook action against a running container, as kubelet's prober.runProbe
 * (v1.33): `exec` through CRI ExecSync with the command's `$(VAR)` expanded from the
 * container's literal env (exit 0 succeeds; a timeout fails with `command "..." timed out`),
 * `httpGet` (http-probe.ts) and `tcpSocket` (tcp-probe.ts) to `host`, else the pod IP, on a
 * port given by number or by the name of a container port, and `grpc` (grpc-probe.ts) to the pod
 * IP (it names no host) with its `service`. Each try is bounded by
 * `timeoutSeconds`. A probe that cannot run (no such named port, a runtime error) answers
 * `unknown` with the reason. k8ts's one departure: network probes only go where `allowedTarget`
 * says (the node's own pod network and its IP); any other host is refused as `unknown`, so a
 * probe never leaves the machine through its default route.
 */
import type {
  ExecAction,
  GRPCAction,
  HTTPGetAction,
  TCPSocketAction,
} from 'kubernetes-types/core/v1.d.ts';
import { CriError } from '../cri/cri-errors.ts';
import type { RuntimeService } from '../cri/runtime-service.ts';
import { expand } from '../pods/container-env.ts';
import { versionInfo } from '../../version.ts';
import { grpcProbe } from './grpc-probe.ts';
import { httpProbe } from './http-probe.ts';
import { probeFailure, probeSuccess, probeUnknown } from './probe-result.ts';
import type { ProbeResult } from './probe-result.ts';
import { tcpProbe } from './tcp-probe.ts';

export type { ProbeResult } from './probe-result.ts';

export interface ProbeTarget {
  readonly containerId: string;
  /** The pod IP (or the node IP for host-network pods). */
  readonly ip: string;
  /** Resolves a named container port. */
  readonly namedPort: (name: string) => number | undefined;
  /** The container's literal env (`value`, not `valueFrom`), for `$(VAR)` in exec commands. */
  readonly env?: ReadonlyMap<string, string> | undefined;
}

export interface ProbeAction {
  readonly exec?: ExecAction | undefined;
  readonly httpGet?: HTTPGetAction | undefined;
  readonly tcpSocket?: TCPSocketAction | undefined;
  /** Probes only (a lifecycle handler has none). */
  readonly grpc?: GRPCAction | undefined;
}

/** What runs a probe action: the Prober, or a fake in tests. */
export interface ProbeRunner {
  run(action: ProbeAction, target: ProbeTarget, timeoutSeconds: number): Promise<ProbeResult>;
}

export interface ProberOptions {
  readonly runtime: Pick<RuntimeService, 'execSync'>;
  /** True for addresses the node may probe (its pod network and its own IP). */
  readonly allowedTarget: (ip: string) => boolean;
  /** Network probes (for tests). Default: the real ones. */
  readonly http?: typeof httpProbe | undefined;
  readonly tcp?: typeof tcpProbe | undefined;
  readonly grpc?: typeof grpcProbe | undefined;
}

/** upstream's maxReadLength of exec output. */
const MAX_EXEC_OUTPUT = 10 * 1024;
const GRPC_DEADLINE_EXCEEDED = 4;

/** upstream's probe.ResolveContainerPort: a number, a container port's name, or a number text. */
export function resolvePort(
  port: number | string | undefined,
  namedPort: (name: string) => number | undefined,
): { port: number } | { error: string } {
  let n: number;
  if (typeof port === 'number') n = port;
  else if (port === undefined) return { error: 'intOrString had no kind' };
  else {
    const named = namedPort(port);
    if (named !== undefined) n = named;
    else if (/^[+-]?\d+$/.test(port)) n = Number(port);
    else return { error: `strconv.Atoi: parsing ${JSON.stringify(port)}: invalid syntax` };
  }
  if (Number.isInteger(n) && n > 0 && n < 65536) return { port: n };
  return { error: `invalid port number: ${String(n)}` };
}

/** `kube-probe/<major>.<minor>`, as upstream's User-Agent. */
export function probeUserAgent(): string {
  const v = versionInfo();
  return `kube-probe/${v.major}.${v.minor}`;
}

export class Prober implements ProbeRunner {
  readonly #o: ProberOptions;

  constructor(options: ProberOptions) {
    this.#o = options;
  }

  async run(
    action: ProbeAction,
    target: ProbeTarget,
    timeoutSeconds: number,
  ): Promise<ProbeResult> {
    // upstream defaults timeoutSeconds to 1 (and 0 means the default).
    const seconds = timeoutSeconds > 0 ? timeoutSeconds : 1;
    if (action.exec !== undefined) return this.#exec(action.exec, target, seconds);
    if (action.httpGet !== undefined) return this.#http(action.httpGet, target, seconds * 1000);
    if (action.tcpSocket !== undefined) return this.#tcp(action.tcpSocket, target, seconds * 1000);
    if (action.grpc !== undefined) return this.#grpc(action.grpc, target, seconds * 1000);
    // upstream: "missing probe handler for <pod>:<container>", an unknown result.
    return probeUnknown('missing probe handler');
  }

  async #exec(action: ExecAction, target: ProbeTarget, seconds: number): Promise<ProbeResult> {
    const env = target.env ?? new Map<string, string>();
    const cmd = (action.command ?? []).map((a) => expand(a, env));
    try {
      const r = await this.#o.runtime.execSync(target.containerId, cmd, seconds);
      // upstream appends stderr to stdout (not interleaved) and keeps the first 10 KiB.
      const output = Buffer.concat([r.stdout, r.stderr])
        .subarray(0, MAX_EXEC_OUTPUT)
        .toString('utf8');
      return r.exit_code === 0 ? probeSuccess(output) : probeFailure(output);
    } catch (err: unknown) {
      const message = err instanceof Error ? err.message : String(err);
      const timedOut =
        (err instanceof CriError && err.grpcCode === GRPC_DEADLINE_EXCEEDED) ||
        /timeout .* exceeded|deadline exceeded/i.test(message);
      if (timedOut) return probeFailure(`command ${JSON.stringify(cmd.join(' '))} timed out`);
      return probeUnknown(message);
    }
  }

  /** Where a network probe goes, or why it may not go there. */
  #endpoint(
    host: string | undefined,
    port: number | string,
    target: ProbeTarget,
  ): { host: string; port: number } | ProbeResult {
    const to = host === undefined || host === '' ? target.ip : host;
    const resolved = resolvePort(port, target.namedPort);
    if ('error' in resolved) return probeUnknown(resolved.error);
    if (to === '') return probeUnknown('the pod has no IP yet');
    if (!this.#o.allowedTarget(to))
      return probeUnknown(`k8ts refuses to probe ${to}: not this node's pod network or node IP`);
    return { host: to, port: resolved.port };
  }

  #http(action: HTTPGetAction, target: ProbeTarget, timeoutMs: number): Promise<ProbeResult> {
    const endpoint = this.#endpoint(action.host, action.port, target);
    if ('result' in endpoint) return Promise.resolve(endpoint);
    return (this.#o.http ?? httpProbe)({
      scheme: (action.scheme ?? 'HTTP').toLowerCase(),
      host: endpoint.host,
      port: endpoint.port,
      path: action.path ?? '',
      headers: action.httpHeaders ?? [],
      timeoutMs,
      userAgent: probeUserAgent(),
    });
  }

  #tcp(action: TCPSocketAction, target: ProbeTarget, timeoutMs: number): Promise<ProbeResult> {
    const endpoint = this.#endpoint(action.host, action.port, target);
    if ('result' in endpoint) return Promise.resolve(endpoint);
    return (this.#o.tcp ?? tcpProbe)(endpoint.host, endpoint.port, timeoutMs);
  }

  #grpc(action: GRPCAction, target: ProbeTarget, timeoutMs: number): Promise<ProbeResult> {
    // upstream probes status.PodIP (the node IP for host-network pods): GRPCAction has no host.
    const endpoint = this.#endpoint(undefined, action.port, target);
    if ('result' in endpoint) return Promise.resolve(endpoint);
    return (this.#o.grpc ?? grpcProbe)({
      host: endpoint.host,
      port: endpoint.port,
      service: action.service ?? '',
      timeoutMs,
      userAgent: probeUserAgent(),
    });
  }
}
