/**
 * Upstream's validation building blocks (v1.33): field errors and their Status formatting,
 * name/label/qualified-name rules with exact messages, and ObjectMeta checks on create and
 * update. Pure functions; every check returns its errors and never throws.
 */
export * from './field-error.ts';
export * from './field-path.ts';
export * from './go-format.ts';
export * from './labels.ts';
export * from './name-validators.ts';
export * from './names.ts';
export * from './object-meta.ts';
export * from './object-meta-update.ts';
