/**
 * The upstream OpenAPI documents shipped in `data/openapi/` (see its README), found relative to
 * the package root so they load the same from `src/` (tsx) and `dist/` (tsc). Guarantees: each
 * file is read and parsed at most once per OpenApiDocuments (a failed read is retried on the next
 * call), the bytes are returned exactly as shipped, and only group-version paths
 * (`api/v1`, `apis/<group>/<version>`) reach the file system.
 */
import { readFile, readdir } from 'node:fs/promises';
import type { JsonObject } from '../json.ts';
import { isJsonObject } from '../json.ts';
import { OpenApiDocumentInvalidError, OpenApiDocumentNotFoundError } from './errors.ts';
import { readThrough } from '../../util/read-through.ts';

/** `data/openapi/` of this package: three levels up from src/api/openapi or dist/api/openapi. */
export const OPENAPI_DATA_DIR = new URL('../../../data/openapi/', import.meta.url);

const GROUP_VERSION_PATH = /^(?:api\/v1|apis\/[a-z0-9]([a-z0-9.-]*[a-z0-9])?\/v[a-z0-9]+)$/;
const V3_SUFFIX = '_openapi.json';

/** The `/openapi/v3/<path>` of a group and version: `api/v1` or `apis/<group>/<version>`. */
export function groupVersionPath(group: string, version: string): string {
  return group === '' ? `api/${version}` : `apis/${group}/${version}`;
}

/** `apis/apps/v1` → `apis__apps__v1_openapi.json` (upstream's api/openapi-spec/v3 names). */
export function openApiV3FileName(path: string): string {
  if (!GROUP_VERSION_PATH.test(path)) throw new OpenApiDocumentNotFoundError(path);
  return `${path.replaceAll('/', '__')}${V3_SUFFIX}`;
}

function isNotFound(err: unknown): boolean {
  return err instanceof Error && 'code' in err && err.code === 'ENOENT';
}

/** Read-through caches of the shipped documents under one directory. */
export class OpenApiDocuments {
  /** Directory holding `v2/` and `v3/`; default OPENAPI_DATA_DIR. */
  readonly dir: URL;
  private readonly bytes = new Map<string, Promise<Buffer>>();
  private readonly parsed = new Map<string, Promise<JsonObject>>();

  constructor(dir: URL = OPENAPI_DATA_DIR) {
    this.dir = dir;
  }

  /** The group-version paths there is a v3 document for, sorted. */
  async listV3(): Promise<string[]> {
    const names = await readdir(new URL('v3/', this.dir));
    return names
      .filter((n) => n.endsWith(V3_SUFFIX))
      .map((n) => n.slice(0, -V3_SUFFIX.length).replaceAll('__', '/'))
      .sort();
  }

  /** The v3 document of `path` exactly as shipped (to serve it). */
  async v3Bytes(path: string): Promise<Buffer> {
    const file = `v3/${openApiV3FileName(path)}`;
    return readThrough(this.bytes, file, async () => {
      try {
        return await readFile(new URL(file, this.dir));
      } catch (err: unknown) {
        if (isNotFound(err)) throw new OpenApiDocumentNotFoundError(path, { cause: err });
        throw err;
      }
    });
  }

  /** The parsed v3 document of `path`; shared between callers, so treat it as read-only. */
  async v3(path: string): Promise<JsonObject> {
    const file = `v3/${openApiV3FileName(path)}`;
    return readThrough(this.parsed, file, async () => {
      const text = (await this.v3Bytes(path)).toString('utf8');
      let doc: unknown;
      try {
        doc = JSON.parse(text);
      } catch (err: unknown) {
        throw new OpenApiDocumentInvalidError(file, 'not JSON', { cause: err });
      }
      const components = isJsonObject(doc) ? doc['components'] : undefined;
      if (!isJsonObject(doc) || !isJsonObject(components) || !isJsonObject(components['schemas'])) {
        throw new OpenApiDocumentInvalidError(file, 'no components.schemas object');
      }
      return doc;
    });
  }

  /** The OpenAPI v2 document (`/openapi/v2`) exactly as shipped. */
  async v2Bytes(): Promise<Buffer> {
    return readThrough(this.bytes, 'v2/swagger.json', () =>
      readFile(new URL('v2/swagger.json', this.dir)),
    );
  }
}

/**
 * The package's own documents. Module state, but only a read-through cache of files that never
 * change while the process runs: no caller can observe another's use of it except as speed.
 */
const shipped = new OpenApiDocuments();

/** The parsed upstream OpenAPI v3 document of a group-version path (`api/v1`, `apis/apps/v1`). */
export function loadOpenApiV3(path: string): Promise<JsonObject> {
  return shipped.v3(path);
}

/** The same document as bytes, exactly as shipped. */
export function loadOpenApiV3Bytes(path: string): Promise<Buffer> {
  return shipped.v3Bytes(path);
}

/** The group-version paths with a shipped v3 document. */
export function listOpenApiV3(): Promise<string[]> {
  return shipped.listV3();
}
