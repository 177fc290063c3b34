/**
 * The names and numbers of Kubernetes' streaming protocols (k8s.io/apimachinery
 * util/remotecommand, util/portforward, httpstream/wsstream): SPDY stream types, WebSocket
 * channel ids, subprotocol names, and how to read them off an upgrade request.
 */
import type { IncomingHttpHeaders } from 'node:http';

/** The SPDY stream header naming a remotecommand stream's role. */
export const STREAM_TYPE_HEADER = 'streamType';
export type RemoteStreamType = 'error' | 'stdin' | 'stdout' | 'stderr' | 'resize';

/** WebSocket channel ids (the first byte of each binary message). */
export const CHANNEL_STDIN = 0;
export const CHANNEL_STDOUT = 1;
export const CHANNEL_STDERR = 2;
export const CHANNEL_ERROR = 3;
export const CHANNEL_RESIZE = 4;
/** v5 only: `[255, channel]` half-closes that channel (stdin EOF). */
export const CHANNEL_CLOSE = 255;

export const STREAM_PROTOCOL_V5 = 'v5.channel.k8s.io';
export const STREAM_PROTOCOL_V4 = 'v4.channel.k8s.io';
/** What an exec/attach SPDY client offers, newest first (client-go's list). */
export const SPDY_REMOTE_COMMAND_PROTOCOLS = [
  STREAM_PROTOCOL_V5,
  STREAM_PROTOCOL_V4,
  'v3.channel.k8s.io',
  'v2.channel.k8s.io',
] as const;

export const PORT_FORWARD_PROTOCOL_V1 = 'portforward.k8s.io';
/** kubectl >= 1.31 tunnels SPDY inside WebSocket under this subprotocol prefix (KEP-4006). */
export const SPDY_TUNNELING_PREFIX = 'SPDY/3.1+';

export const HEADER_PROTOCOL_VERSION = 'x-stream-protocol-version';

/** Upgrade: websocket with Connection: upgrade (wsstream.IsWebSocketRequest). */
export function isWebSocketUpgrade(headers: IncomingHttpHeaders): boolean {
  const upgrade = headers.upgrade;
  if (upgrade?.toLowerCase() !== 'websocket') return false;
  const connection = (headers.connection ?? '').toLowerCase();
  return connection.split(',').some((t) => t.trim() === 'upgrade');
}

/** The subprotocols a WebSocket client offers, in its order. */
export function webSocketProtocols(headers: IncomingHttpHeaders): string[] {
  const raw = headers['sec-websocket-protocol'];
  if (raw === undefined) return [];
  return raw
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
}

/** A WebSocket exec/attach that speaks v5 is translated to SPDY (wsstream's check). */
export function isStreamCloseWebSocket(headers: IncomingHttpHeaders): boolean {
  return isWebSocketUpgrade(headers) && webSocketProtocols(headers).includes(STREAM_PROTOCOL_V5);
}

/** The SPDY protocols a tunneling WebSocket client offers (`SPDY/3.1+portforward.k8s.io`). */
export function tunneledSpdyProtocols(headers: IncomingHttpHeaders): string[] {
  return webSocketProtocols(headers)
    .filter((p) => p.startsWith(SPDY_TUNNELING_PREFIX) && p.endsWith('.k8s.io'))
    .map((p) => p.slice(SPDY_TUNNELING_PREFIX.length));
}

export function isTunnelingWebSocket(headers: IncomingHttpHeaders): boolean {
  return isWebSocketUpgrade(headers) && tunneledSpdyProtocols(headers).length > 0;
}

/** Upgrade: SPDY/3.1 (kubectl <= 1.29 exec, <= 1.30 port-forward, and fallbacks). */
export function isSpdyUpgrade(headers: IncomingHttpHeaders): boolean {
  return (headers.upgrade ?? '').toLowerCase().startsWith('spdy/');
}
