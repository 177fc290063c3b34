/**
 * `/openapi/v2` and `/openapi/v3[/<group-version>]`, served from the shipped upstream documents
 * as kube-openapi's handlers do (pkg/handler, pkg/handler3): ETag = quoted uppercase hex SHA-512
 * of the JSON bytes, `?hash=` matching it makes the response `public, immutable` (a stale hash is
 * a 301 to the current URL), If-None-Match gives 304, and v2 is JSON or gnostic protobuf, gzipped
 * when the client accepts it. The v3 index lists only the group-versions this server serves.
 * Not supported: v3 protobuf (406 unless JSON is acceptable) and Range requests.
 */
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { JsonValue } from '../api/json.ts';
import {
  OpenApiDocuments,
  groupVersionPath,
  listOpenApiV3,
  loadOpenApiV3Bytes,
} from '../api/openapi/openapi-documents.ts';
import type { ResourceRegistry } from '../api/resource-registry.ts';
import { pathNotFound } from '../api/status.ts';
import { readThrough } from '../util/read-through.ts';
import type { Exchange } from './http/exchange.ts';
import { negotiate } from './openapi/accept.ts';
import { GnosticV2Encoder } from './openapi/gnostic-v2.ts';

const gzipAsync = promisify(gzip);

/** Where the documents come from; the default is the package's shipped ones. */
export interface OpenApiSource {
  listV3(): Promise<string[]>;
  v3Bytes(path: string): Promise<Buffer>;
  v2Bytes(): Promise<Buffer>;
}

export interface OpenApiHandlerOptions {
  readonly registry: ResourceRegistry;
  /** Default: data/openapi/ of this package. */
  readonly source?: OpenApiSource;
  /** Default: the system clock (Last-Modified and Expires). */
  readonly now?: () => Date;
}

interface Served {
  readonly bytes: Buffer;
  /** Upstream's computeETag: uppercase hex SHA-512, unquoted. */
  readonly hash: string;
}

const JSON_TYPE = 'application/json';
/** What upstream answers for both protobuf media types it accepts. */
const V2_PROTOBUF_TYPE = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';
const V2_OFFERS = [
  { mediaType: 'application/json', format: 'json' },
  { mediaType: 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf', format: 'protobuf' },
  { mediaType: 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf', format: 'protobuf' },
] as const;
/** v3 protobuf is offered upstream but not here: such a request falls through to 406. */
const V3_OFFERS = [{ mediaType: 'application/json' }] as const;

function served(bytes: Buffer): Served {
  return { bytes, hash: createHash('sha512').update(bytes).digest('hex').toUpperCase() };
}

/** upstream's constructServerRelativeURL. */
function v3Url(path: string, hash: string): string {
  return `/openapi/v3/${path}?hash=${hash}`;
}

export class OpenApiHandler {
  readonly #registry: ResourceRegistry;
  readonly #source: OpenApiSource;
  readonly #now: () => Date;
  readonly #lastModified: string;
  readonly #documents = new Map<string, Promise<Served>>();
  /** The v2 document in each format and encoding. */
  readonly #v2Variants = new Map<string, Promise<Buffer>>();
  #encoder: GnosticV2Encoder | undefined;
  #servedPaths: Promise<string[]> | undefined;

  constructor(options: OpenApiHandlerOptions) {
    this.#registry = options.registry;
    this.#now = options.now ?? ((): Date => new Date());
    this.#lastModified = this.#now().toUTCString();
    if (options.source !== undefined) {
      this.#source = options.source;
    } else {
      const v2 = new OpenApiDocuments();
      this.#source = {
        listV3: listOpenApiV3,
        v3Bytes: loadOpenApiV3Bytes,
        v2Bytes: () => v2.v2Bytes(),
      };
    }
  }

  /** Whether `path` (without a trailing slash) is one of ours. */
  static handles(path: string): boolean {
    return path === '/openapi/v2' || path === '/openapi/v3' || path.startsWith('/openapi/v3/');
  }

  async serve(ex: Exchange, path: string): Promise<void> {
    if (path === '/openapi/v2') return this.#v2(ex);
    if (path === '/openapi/v3') return this.#index(ex);
    return this.#groupVersion(ex, path.slice('/openapi/v3/'.length));
  }

  /** The group-version paths listed in the index: served here and shipped (sorted). */
  servedPaths(): Promise<string[]> {
    if (this.#servedPaths === undefined) {
      const pending = this.#source.listV3().then((list) => {
        const shipped = new Set(list);
        return this.#registry
          .groupVersions()
          .map((gv) => groupVersionPath(gv.group, gv.version))
          .filter((p) => shipped.has(p))
          .sort();
      });
      this.#servedPaths = pending;
      // A failed listing is not kept.
      pending.catch(() => {
        if (this.#servedPaths === pending) this.#servedPaths = undefined;
      });
    }
    return this.#servedPaths;
  }

  async #index(ex: Exchange): Promise<void> {
    const doc = await readThrough(this.#documents, 'index', async () => {
      const paths: Record<string, JsonValue> = {};
      for (const p of await this.servedPaths()) {
        paths[p] = { serverRelativeURL: v3Url(p, (await this.#v3(p)).hash) };
      }
      return served(Buffer.from(JSON.stringify({ paths })));
    });
    this.#send(ex, doc.bytes, doc.hash, {
      'content-type': JSON_TYPE,
      'cache-control': 'no-cache, private',
    });
  }

  async #groupVersion(ex: Exchange, path: string): Promise<void> {
    if (!(await this.servedPaths()).includes(path)) throw pathNotFound();
    const headers: Record<string, string> = { vary: 'Accept' };
    if (negotiate(ex.header('accept'), V3_OFFERS) === undefined) {
      ex.sendBytes(406, Buffer.alloc(0), headers);
      return;
    }
    const doc = await this.#v3(path);
    const hash = ex.url.searchParams.get('hash') ?? '';
    if (hash !== '' && hash !== doc.hash) {
      const location = v3Url(path, doc.hash);
      const body = ex.method === 'GET' ? `<a href="${location}">Moved Permanently</a>.\n\n` : '';
      ex.sendBytes(301, Buffer.from(body), {
        ...headers,
        location,
        'content-type': 'text/html; charset=utf-8',
      });
      return;
    }
    const cache =
      hash === ''
        ? { 'cache-control': 'no-cache, private' }
        : {
            'cache-control': 'public, immutable',
            // Go's time.RFC1123 of a UTC time says "UTC" where HTTP dates say "GMT".
            expires: this.#oneYearFromNow().replace(/GMT$/, 'UTC'),
          };
    this.#send(ex, doc.bytes, doc.hash, { ...headers, 'content-type': JSON_TYPE, ...cache });
  }

  async #v2(ex: Exchange): Promise<void> {
    const offer = negotiate(ex.header('accept'), V2_OFFERS);
    const headers: Record<string, string> = { vary: 'Accept' };
    if (offer === undefined) {
      ex.sendBytes(406, Buffer.alloc(0), headers);
      return;
    }
    const json = await readThrough(this.#documents, 'v2', async () =>
      served(await this.#source.v2Bytes()),
    );
    const isGzip = /(^|,)\s*gzip\s*(;|,|$)/i.test(ex.header('accept-encoding') ?? '');
    const key = `v2:${offer.format}:${isGzip ? 'gzip' : 'identity'}`;
    const bytes = await readThrough(this.#v2Variants, key, async () => {
      const plain = offer.format === 'json' ? json.bytes : this.#protobuf(json.bytes);
      return isGzip ? gzipAsync(plain) : plain;
    });
    this.#send(ex, bytes, json.hash, {
      // gziphandler adds Vary: Accept-Encoding whether or not it compresses.
      vary: 'Accept-Encoding, Accept',
      'content-type': offer.format === 'json' ? JSON_TYPE : V2_PROTOBUF_TYPE,
      'cache-control': 'no-cache, private',
      ...(isGzip ? { 'content-encoding': 'gzip' } : {}),
    });
  }

  #protobuf(json: Buffer): Buffer {
    this.#encoder ??= new GnosticV2Encoder();
    return this.#encoder.encode(JSON.parse(json.toString('utf8')) as JsonValue);
  }

  #v3(path: string): Promise<Served> {
    return readThrough(this.#documents, `v3:${path}`, async () =>
      served(await this.#source.v3Bytes(path)),
    );
  }

  /** http.ServeContent's part we need: ETag and Last-Modified, and 304 on a match. */
  #send(ex: Exchange, bytes: Buffer, hash: string, headers: Record<string, string>): void {
    const etag = `"${hash}"`;
    const all = { ...headers, etag, 'last-modified': this.#lastModified };
    if (isNotModified(ex, etag, this.#lastModified)) {
      ex.sendBytes(304, Buffer.alloc(0), withoutEntityHeaders(all));
      return;
    }
    ex.sendBytes(200, bytes, all);
  }

  #oneYearFromNow(): string {
    const d = this.#now();
    d.setUTCFullYear(d.getUTCFullYear() + 1);
    return d.toUTCString();
  }
}

/** If-None-Match (weak comparison, `*`), else If-Modified-Since, as net/http checks them. */
function isNotModified(ex: Exchange, etag: string, lastModified: string): boolean {
  if (ex.method !== 'GET' && ex.method !== 'HEAD') return false;
  const inm = ex.header('if-none-match');
  if (inm !== undefined) {
    return inm
      .split(',')
      .map((t) => t.trim().replace(/^W\//, ''))
      .some((t) => t === '*' || t === etag);
  }
  const ims = ex.header('if-modified-since');
  if (ims === undefined) return false;
  const since = Date.parse(ims);
  return !Number.isNaN(since) && Date.parse(lastModified) <= since;
}

/** net/http's writeNotModified drops the entity headers, and Last-Modified beside an ETag. */
function withoutEntityHeaders(headers: Record<string, string>): Record<string, string> {
  const dropped = new Set(['content-type', 'content-encoding', 'last-modified']);
  return Object.fromEntries(Object.entries(headers).filter(([k]) => !dropped.has(k)));
}
