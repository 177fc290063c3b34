/**
 * Label and field selectors as kube-apiserver parses, matches and prints them (v1.33), and the
 * per-kind field tables of field selection. Every error is a typed SelectorError that the API
 * server returns as 400 BadRequest with the error's message.
 */
export * from './errors.ts';
export * from './field-selector.ts';
export * from './label-requirement.ts';
export * from './label-selector.ts';
export * from './selectable-fields.ts';
