/**
 * SPDY tunnelled through WebSocket (kubectl >= 1.31 port-forward, subprotocol
 * `SPDY/3.1+portforward.k8s.io`), as upstream's TunnelingHandler: the backend is asked for a
 * plain SPDY upgrade first; only when it switches protocols is the client's WebSocket accepted
 * (with the backend's chosen protocol behind the prefix), and from then on each binary message
 * carries raw SPDY bytes, relayed untouched. A backend that refuses is passed through as its
 * HTTP response. Settles when both sides are closed.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { RawData, WebSocket } from 'ws';
import { requestUpgrade, responseHead } from './http-upgrade.ts';
import type { UpgradeTarget } from './http-upgrade.ts';
import {
  HEADER_PROTOCOL_VERSION,
  SPDY_TUNNELING_PREFIX,
  tunneledSpdyProtocols,
  webSocketProtocols,
} from './remote-command.ts';

export interface TunnelOptions {
  readonly request: IncomingMessage;
  readonly socket: Duplex;
  readonly head: Buffer;
  readonly backend: Omit<UpgradeTarget, 'method' | 'headers'>;
}

export async function tunnelWebSocketToSpdy(o: TunnelOptions): Promise<{ statusCode: number }> {
  const protocols = tunneledSpdyProtocols(o.request.headers);
  const upgraded = await requestUpgrade({
    ...o.backend,
    method: 'POST',
    headers: { connection: 'Upgrade', upgrade: 'SPDY/3.1', [HEADER_PROTOCOL_VERSION]: protocols },
  });
  if (upgraded.kind === 'response') {
    o.socket.end(
      Buffer.concat([
        responseHead(upgraded.statusCode, [
          'Content-Type',
          upgraded.headers['content-type'] ?? 'text/plain',
          'Content-Length',
          String(upgraded.body.length),
          'Connection',
          'close',
        ]),
        upgraded.body,
      ]),
    );
    return { statusCode: upgraded.statusCode };
  }
  const chosen = upgraded.headers[HEADER_PROTOCOL_VERSION];
  const wsProtocol =
    typeof chosen === 'string' && chosen !== '' ? SPDY_TUNNELING_PREFIX + chosen : undefined;
  const backend = upgraded.socket;
  const ws = await acceptTunnel(o, wsProtocol);
  await relayTunnel(ws, backend, upgraded.head);
  return { statusCode: 101 };
}

/**
 * Accepts the client's WebSocket with `protocol` (or none). `SPDY/3.1+portforward.k8s.io` is not
 * an RFC 6455 token (the `/`), which `ws` refuses to parse; the offer is renamed to a token for
 * the handshake and the real name restored in the 101 response (`ws`'s `headers` hook).
 */
function acceptTunnel(o: TunnelOptions, protocol: string | undefined): Promise<WebSocket> {
  const alias =
    protocol === undefined ? undefined : `k8ts-${Buffer.from(protocol).toString('hex')}`;
  const offered = webSocketProtocols(o.request.headers);
  o.request.headers['sec-websocket-protocol'] = offered
    .filter((p) => p === protocol)
    .map(() => alias ?? '')
    .join(', ');
  if (o.request.headers['sec-websocket-protocol'] === '')
    delete o.request.headers['sec-websocket-protocol'];
  const wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    handleProtocols: (set) => (alias !== undefined && set.has(alias) ? alias : false),
  });
  wss.on('headers', (headers: string[]) => {
    for (let i = 0; i < headers.length; i++) {
      if (alias !== undefined && headers[i] === `Sec-WebSocket-Protocol: ${alias}`)
        headers[i] = `Sec-WebSocket-Protocol: ${protocol ?? ''}`;
    }
  });
  return new Promise<WebSocket>((resolve) => {
    wss.handleUpgrade(o.request, o.socket, o.head, resolve);
  });
}

function relayTunnel(ws: WebSocket, backend: Duplex, head: Buffer): Promise<void> {
  return new Promise((resolve) => {
    let open = 2;
    const closed = (): void => {
      open -= 1;
      if (open === 0) resolve();
    };
    if (head.length > 0) ws.send(head);
    ws.on('message', (data: RawData) => {
      const bytes = Buffer.isBuffer(data)
        ? data
        : Array.isArray(data)
          ? Buffer.concat(data)
          : Buffer.from(data);
      if (!backend.write(bytes)) ws.pause();
    });
    backend.on('drain', () => {
      ws.resume();
    });
    backend.on('data', (chunk: Buffer) => {
      backend.pause();
      ws.send(chunk, () => backend.resume());
    });
    ws.once('close', () => {
      backend.destroy();
      closed();
    });
    ws.on('error', () => {
      ws.terminate();
    });
    backend.once('close', () => {
      ws.close(1000);
      // A client that does not answer the close frame is cut off.
      setTimeout(() => {
        ws.terminate();
      }, 5_000).unref();
      closed();
    });
    backend.on('error', () => backend.destroy());
  });
}
