/**
 * Column-definition builders for the printers: upstream's `metav1.TableColumnDefinition` literals
 * (name, type, format, description, priority), with the shared Name and Age columns. Descriptions
 * come from `SWAGGER_DOC` where upstream reads a field's SwaggerDoc, else are upstream's literals.
 */
import type { TableColumn } from '../resource.ts';
import type { SwaggerDocKey } from './swagger-docs.ts';
import { SWAGGER_DOC } from './swagger-docs.ts';

/** A column description: a SwaggerDoc key, or `{ text }` for upstream's literal strings. */
export type Description = SwaggerDocKey | { readonly text: string };

interface ColumnOptions {
  /** Default: "string". */
  readonly type?: TableColumn['type'];
  /** Default: "" (upstream leaves Format unset except for the name column). */
  readonly format?: string;
  /** Default: 0; 1 means "only with -o wide". */
  readonly priority?: number;
}

export function column(
  name: string,
  description: Description,
  options: ColumnOptions = {},
): TableColumn {
  return {
    name,
    type: options.type ?? 'string',
    format: options.format ?? '',
    description: typeof description === 'string' ? SWAGGER_DOC[description] : description.text,
    priority: options.priority ?? 0,
  };
}

/** Shorthand for a wide-only (priority 1) column. */
export function wideColumn(
  name: string,
  description: Description,
  options: Omit<ColumnOptions, 'priority'> = {},
): TableColumn {
  return column(name, description, { ...options, priority: 1 });
}

/** The "Name" column every upstream printer starts with (format "name"). */
export const NAME_COLUMN: TableColumn = column('Name', 'meta/v1 ObjectMeta.name', {
  format: 'name',
});

/** The "Age" column: `translateTimestampSince(obj.CreationTimestamp)`. */
export const AGE_COLUMN: TableColumn = column('Age', 'meta/v1 ObjectMeta.creationTimestamp');

/** Upstream's literal description of the wide Containers column. */
export const CONTAINERS_COLUMN: TableColumn = wideColumn('Containers', {
  text: 'Names of each container in the template.',
});

/** Upstream's literal description of the wide Images column. */
export const IMAGES_COLUMN: TableColumn = wideColumn('Images', {
  text: 'Images referenced by each container in the template.',
});
