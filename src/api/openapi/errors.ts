/**
 * Errors of the OpenAPI document store, with stable codes. A missing document is the API
 * server's 404 for `/openapi/v3/<path>`; an unreadable or unparsable one is a packaging fault.
 */

export type OpenApiErrorCode = 'OPENAPI_DOCUMENT_NOT_FOUND' | 'OPENAPI_DOCUMENT_INVALID';

export abstract class OpenApiError extends Error {
  abstract readonly code: OpenApiErrorCode;
}

/** No document for this group-version path (or the path is not a group-version path). */
export class OpenApiDocumentNotFoundError extends OpenApiError {
  readonly code = 'OPENAPI_DOCUMENT_NOT_FOUND';
  readonly groupVersionPath: string;
  constructor(groupVersionPath: string, options?: { cause?: unknown }) {
    super(`no OpenAPI v3 document for ${JSON.stringify(groupVersionPath)}`, options);
    this.name = 'OpenApiDocumentNotFoundError';
    this.groupVersionPath = groupVersionPath;
  }
}

/** The file exists but is not a JSON object with `components.schemas`. */
export class OpenApiDocumentInvalidError extends OpenApiError {
  readonly code = 'OPENAPI_DOCUMENT_INVALID';
  readonly file: string;
  constructor(file: string, why: string, options?: { cause?: unknown }) {
    super(`OpenAPI document ${file} is invalid: ${why}`, options);
    this.name = 'OpenApiDocumentInvalidError';
    this.file = file;
  }
}
