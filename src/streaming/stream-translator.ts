/**
 * WebSocket v5 exec/attach → SPDY, as the API server's StreamTranslator (KEP-4006): accepts the
 * client's `v5.channel.k8s.io` WebSocket, sends an empty frame on its lowest writable channel,
 * then opens a SPDY remotecommand session at the backend (the node agent, which relays it to
 * the runtime's streaming server) with the error/stdin/stdout/stderr/resize streams asked for.
 * Bytes move between channels and streams; a v5 close of channel 0 ends stdin. When the command
 * ends, the runtime's Status (exit code, or Success) goes out on channel 3, then a close frame.
 * A backend that refuses the upgrade becomes a Status on channel 3 too (the WebSocket is open by
 * then, as upstream). Settles when both connections are gone.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { RawData, WebSocket } from 'ws';
import { requestUpgrade } from './http-upgrade.ts';
import type { UpgradeTarget } from './http-upgrade.ts';
import {
  CHANNEL_CLOSE,
  CHANNEL_ERROR,
  CHANNEL_RESIZE,
  CHANNEL_STDERR,
  CHANNEL_STDIN,
  CHANNEL_STDOUT,
  HEADER_PROTOCOL_VERSION,
  SPDY_REMOTE_COMMAND_PROTOCOLS,
  STREAM_PROTOCOL_V4,
  STREAM_PROTOCOL_V5,
  STREAM_TYPE_HEADER,
} from './remote-command.ts';
import { SpdyConnection } from './spdy-connection.ts';
import type { SpdyStream } from './spdy-connection.ts';
import {
  SUCCESS_STATUS,
  statusFromBackendResponse,
  statusFromErrorStream,
} from './stream-status.ts';
import type { StreamStatus } from './stream-status.ts';

export interface StreamOptions {
  readonly stdin: boolean;
  readonly stdout: boolean;
  readonly stderr: boolean;
  readonly tty: boolean;
}

export interface TranslateOptions {
  readonly request: IncomingMessage;
  readonly socket: Duplex;
  readonly head: Buffer;
  /** The backend's exec/attach URL and TLS; method and upgrade headers are set here. */
  readonly backend: Omit<UpgradeTarget, 'method' | 'headers'>;
  readonly streams: StreamOptions;
  /** How long to wait for the client to close after the final Status. Default: 60,000 ms. */
  readonly finishTimeoutMs?: number;
  /** SPDY keep-alive PINGs towards the backend. Default: 5,000 ms (upstream's). */
  readonly pingIntervalMs?: number;
}

/** Messages queued towards the client before the socket pauses the SPDY side. */
const HIGH_WATER_MESSAGES = 32;

function acceptWebSocket(o: TranslateOptions): Promise<WebSocket> {
  const wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    handleProtocols: (offered) => (offered.has(STREAM_PROTOCOL_V5) ? STREAM_PROTOCOL_V5 : false),
  });
  return new Promise((resolve) => {
    wss.handleUpgrade(o.request, o.socket, o.head, (ws) => {
      resolve(ws);
    });
  });
}

function frame(channel: number, data: Buffer): Buffer {
  return Buffer.concat([Buffer.from([channel]), data]);
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

export async function translateWebSocketToSpdy(o: TranslateOptions): Promise<void> {
  const ws = await acceptWebSocket(o);
  const wsClosed = new Promise<void>((resolve) =>
    ws.once('close', () => {
      resolve();
    }),
  );
  // Anything the client sends before the SPDY streams exist waits here, in order.
  const early: Buffer[] = [];
  let deliver = (data: Buffer): void => {
    early.push(data);
  };
  ws.on('message', (data: RawData) => {
    deliver(toBuffer(data));
  });
  ws.on('error', () => {
    ws.terminate();
  });
  const s = o.streams;
  const firstChannel = s.stdout ? CHANNEL_STDOUT : s.stderr ? CHANNEL_STDERR : CHANNEL_ERROR;
  ws.send(Buffer.from([firstChannel]));

  let connection: SpdyConnection | undefined;
  let status: StreamStatus;
  try {
    const upgraded = await requestUpgrade({
      ...o.backend,
      method: 'POST',
      headers: {
        connection: 'Upgrade',
        upgrade: 'SPDY/3.1',
        [HEADER_PROTOCOL_VERSION]: [...SPDY_REMOTE_COMMAND_PROTOCOLS],
      },
    });
    if (upgraded.kind === 'response') {
      status = statusFromBackendResponse(upgraded.statusCode, upgraded.body);
    } else {
      if (upgraded.head.length > 0) upgraded.socket.unshift(upgraded.head);
      connection = new SpdyConnection(upgraded.socket, {
        role: 'client',
        pingIntervalMs: o.pingIntervalMs ?? 5_000,
      });
      const conn = connection;
      // The client leaving ends the session at the backend too.
      void wsClosed.then(() => {
        conn.destroy();
      });
      const protocol = String(upgraded.headers[HEADER_PROTOCOL_VERSION] ?? '');
      const status4 = protocol === STREAM_PROTOCOL_V4 || protocol === STREAM_PROTOCOL_V5;
      status = await runSession(ws, conn, s, early, (fn) => {
        deliver = fn;
      });
      // v4 and v5 servers always end with a Status; none means the session was cut short.
      if (status4 && status === SUCCESS_WITHOUT_STATUS) status = CUT_SHORT;
    }
  } catch (err: unknown) {
    status = {
      status: 'Failure',
      reason: 'InternalError',
      code: 500,
      message: `error dialing backend: ${err instanceof Error ? err.message : String(err)}`,
      metadata: {},
    };
  }
  await finish(ws, wsClosed, status, o.finishTimeoutMs ?? 60_000);
  connection?.destroy();
}

async function runSession(
  ws: WebSocket,
  conn: SpdyConnection,
  s: StreamOptions,
  early: Buffer[],
  setDeliver: (fn: (data: Buffer) => void) => void,
): Promise<StreamStatus> {
  const open = (type: string): Promise<SpdyStream> =>
    conn.createStream({ [STREAM_TYPE_HEADER]: type });
  const errorStream = await open('error');
  const stdin = s.stdin ? await open('stdin') : undefined;
  const stdout = s.stdout ? await open('stdout') : undefined;
  const stderr = s.stderr && !s.tty ? await open('stderr') : undefined;
  const resize = s.tty ? await open('resize') : undefined;

  const fromClient = (data: Buffer): void => {
    const channel = data[0];
    const payload = data.subarray(1);
    if (channel === CHANNEL_STDIN) stdin?.write(payload);
    else if (channel === CHANNEL_RESIZE) resize?.write(payload);
    else if (channel === CHANNEL_CLOSE && payload[0] === CHANNEL_STDIN) stdin?.end();
  };
  for (const data of early.splice(0)) fromClient(data);
  setDeliver(fromClient);

  const errorBytes = collect(errorStream);
  const relays: Promise<void>[] = [];
  if (stdout !== undefined) relays.push(relay(stdout, ws, CHANNEL_STDOUT));
  if (stderr !== undefined) relays.push(relay(stderr, ws, CHANNEL_STDERR));
  await Promise.all(relays);
  const bytes = await errorBytes;
  return bytes.length === 0 ? SUCCESS_WITHOUT_STATUS : statusFromErrorStream(bytes);
}

/** An empty error stream: success for protocols before v4, a lost session for v4 and v5. */
const SUCCESS_WITHOUT_STATUS: StreamStatus = { ...SUCCESS_STATUS };
const CUT_SHORT: StreamStatus = {
  kind: 'Status',
  apiVersion: 'v1',
  metadata: {},
  status: 'Failure',
  message:
    'Internal error occurred: the session ended before the command reported its exit status (connection to the node lost)',
  reason: 'InternalError',
  code: 500,
};

function collect(stream: SpdyStream): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.once('end', () => {
      resolve(Buffer.concat(chunks));
    });
    stream.once('close', () => {
      resolve(Buffer.concat(chunks));
    });
  });
}

/** Copies a SPDY stream to a WebSocket channel, pausing the stream while the client lags. */
function relay(stream: SpdyStream, ws: WebSocket, channel: number): Promise<void> {
  return new Promise((resolve) => {
    let inFlight = 0;
    stream.on('data', (chunk: Buffer) => {
      if (ws.readyState !== ws.OPEN) return;
      inFlight += 1;
      if (inFlight >= HIGH_WATER_MESSAGES) stream.pause();
      ws.send(frame(channel, chunk), () => {
        inFlight -= 1;
        if (inFlight < HIGH_WATER_MESSAGES / 2) stream.resume();
      });
    });
    stream.once('end', () => {
      resolve();
    });
    stream.once('close', () => {
      resolve();
    });
  });
}

async function finish(
  ws: WebSocket,
  wsClosed: Promise<void>,
  status: StreamStatus,
  timeoutMs: number,
): Promise<void> {
  if (ws.readyState === ws.OPEN) {
    ws.send(frame(CHANNEL_ERROR, Buffer.from(JSON.stringify(status))));
    ws.close(1000);
  }
  // The client closes once it has read everything; a client that never does is cut off.
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    wsClosed,
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    }),
  ]);
  clearTimeout(timer);
  ws.terminate();
}
