/**
 * A gRPC probe as upstream's pkg/probe/grpc (v1.33): one `grpc.health.v1.Health/Check` call with
 * the spec's `service`, over a fresh plaintext connection (no TLS, no proxy, no shared
 * connection), User-Agent `kube-probe/<major.minor>` (grpc-js adds its own after it, as grpc-go
 * does). SERVING succeeds ("service healthy"); any other status, any RPC error and any failure to
 * connect fail with upstream's text. As upstream's blocking dial, a connection that cannot be
 * made (nothing listening, refused) is retried until the deadline and then answers
 * `timeout: failed to connect service "<addr>" within <timeout>: context deadline exceeded`.
 * Connecting and the call together are bounded by `timeoutMs`; the connection is closed after.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { goStatusErrorText } from '../../util/go-grpc-status.ts';
import { goDurationText } from '../pods/restart-backoff.ts';
import { joinHostPort } from './http-probe.ts';
import { probeFailure, probeSuccess } from './probe-result.ts';
import type { ProbeResult } from './probe-result.ts';

export interface GrpcProbeRequest {
  readonly host: string;
  readonly port: number;
  /** The spec's `grpc.service`; `''` asks for the server's overall health. */
  readonly service: string;
  readonly timeoutMs: number;
  /** `kube-probe/<major.minor>`. */
  readonly userAgent: string;
}

export interface HealthCheckRequest {
  readonly service: string;
}

export interface HealthCheckResponse {
  /** The ServingStatus name (proto-loader's `enums: String`), or its number when unknown. */
  readonly status: string | number;
}

// gRPC status codes (grpc.status is a TS enum; plain numbers compare without casts).
const GRPC_DEADLINE_EXCEEDED = 4;
const GRPC_UNIMPLEMENTED = 12;

const PROTO_DIR = fileURLToPath(new URL('../../../data/proto/', import.meta.url));

/** The `grpc.health.v1.Health` service, for the probe and for test servers. */
export function healthService(): grpc.ServiceDefinition {
  const definition = protoLoader.loadSync('grpc/health/v1/health.proto', {
    includeDirs: [PROTO_DIR],
    keepCase: true,
    longs: String,
    enums: String,
    defaults: true,
  });
  const service = definition['grpc.health.v1.Health'];
  if (service === undefined || 'format' in service)
    throw new Error('health.proto has no service grpc.health.v1.Health');
  return service;
}

let checkMethod: grpc.MethodDefinition<HealthCheckRequest, HealthCheckResponse> | undefined;

function check(): grpc.MethodDefinition<HealthCheckRequest, HealthCheckResponse> {
  checkMethod ??= healthService()['Check'] as grpc.MethodDefinition<
    HealthCheckRequest,
    HealthCheckResponse
  >;
  return checkMethod;
}

/** A target for grpc-js that names the address itself: no name resolution for an IP. */
function target(host: string, port: number): string {
  if (isIPv4(host)) return `ipv4:${host}:${String(port)}`;
  if (isIPv6(host)) return `ipv6:[${host}]:${String(port)}`;
  return joinHostPort(host, port);
}

function waitForReady(client: grpc.Client, deadline: Date): Promise<Error | undefined> {
  return new Promise((resolve) => {
    client.waitForReady(deadline, (err) => {
      resolve(err);
    });
  });
}

function callCheck(
  client: grpc.Client,
  service: string,
  deadline: Date,
): Promise<{ response: HealthCheckResponse } | { error: grpc.ServiceError }> {
  const method = check();
  return new Promise((resolve) => {
    client.makeUnaryRequest(
      method.path,
      method.requestSerialize,
      method.responseDeserialize,
      { service },
      new grpc.Metadata(),
      { deadline },
      (error, response) => {
        if (error !== null) resolve({ error });
        else resolve({ response: response ?? { status: 'UNKNOWN' } });
      },
    );
  });
}

export async function grpcProbe(r: GrpcProbeRequest): Promise<ProbeResult> {
  const addr = joinHostPort(r.host, r.port);
  const timeout = goDurationText(r.timeoutMs);
  const deadline = new Date(Date.now() + r.timeoutMs);
  const client = new grpc.Client(target(r.host, r.port), grpc.credentials.createInsecure(), {
    'grpc.primary_user_agent': r.userAgent,
    // Never through an HTTP proxy from the environment: the probe goes to the pod itself.
    'grpc.enable_http_proxy': 0,
    // A connection of its own, closed with the client (upstream dials anew on every probe).
    'grpc.use_local_subchannel_pool': 1,
    'grpc.enable_retries': 0,
    'grpc.service_config_disable_resolution': 1,
  });
  try {
    const connectError = await waitForReady(client, deadline);
    if (connectError !== undefined) {
      // grpc-js's waitForReady fails with this text once the deadline passed.
      if (connectError.message === 'Failed to connect before the deadline')
        return probeFailure(
          `timeout: failed to connect service ${JSON.stringify(addr)} within ${timeout}: context deadline exceeded`,
        );
      return probeFailure(
        `error: failed to connect service at ${JSON.stringify(addr)}: ${connectError.message}`,
      );
    }
    const answer = await callCheck(client, r.service, deadline);
    if ('error' in answer) {
      const err = answer.error;
      const code: number = err.code;
      if (code === GRPC_UNIMPLEMENTED)
        return probeFailure(
          `error: this server does not implement the grpc health protocol (grpc.health.v1.Health): ${err.details}`,
        );
      if (code === GRPC_DEADLINE_EXCEEDED)
        return probeFailure(`timeout: health rpc did not complete within ${timeout}`);
      return probeFailure(
        `error: health rpc probe failed: ${goStatusErrorText(code, err.details)}`,
      );
    }
    const status = answer.response.status;
    if (status !== 'SERVING')
      return probeFailure(`service unhealthy (responded with ${JSON.stringify(String(status))})`);
    return probeSuccess('service healthy');
  } finally {
    client.close();
  }
}
