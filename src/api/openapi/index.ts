/**
 * The upstream OpenAPI documents shipped with k8ts (data/openapi/), shared by the patch engines
 * (patch metadata) and the API server's /openapi/v2 and /openapi/v3 handlers.
 */
export {
  OPENAPI_DATA_DIR,
  OpenApiDocuments,
  groupVersionPath,
  listOpenApiV3,
  loadOpenApiV3,
  loadOpenApiV3Bytes,
  openApiV3FileName,
} from './openapi-documents.ts';
export {
  OpenApiDocumentInvalidError,
  OpenApiDocumentNotFoundError,
  OpenApiError,
} from './errors.ts';
export type { OpenApiErrorCode } from './errors.ts';
