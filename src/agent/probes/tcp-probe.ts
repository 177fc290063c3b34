/**
 * A tcpSocket probe as upstream's pkg/probe/tcp: a TCP connection that opens within the timeout
 * succeeds and is closed at once; anything else fails with Go's text (`dial tcp <addr>: connect:
 * connection refused`, `dial tcp <addr>: i/o timeout`).
 */
import { connect } from 'node:net';
import { joinHostPort, netErrorText } from './http-probe.ts';
import { probeFailure, probeSuccess } from './probe-result.ts';
import type { ProbeResult } from './probe-result.ts';

export function tcpProbe(host: string, port: number, timeoutMs: number): Promise<ProbeResult> {
  const address = joinHostPort(host, port);
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    let settled = false;
    const finish = (result: ProbeResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => {
      finish(probeFailure(`dial tcp ${address}: i/o timeout`));
    }, timeoutMs);
    socket.once('connect', () => {
      finish(probeSuccess());
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      finish(probeFailure(netErrorText(err, address)));
    });
  });
}
