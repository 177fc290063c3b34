/**
 * How each protobuf field of the Kubernetes types appears in JSON, read from
 * data/proto/go-json-tags.json (the Go struct tags of k8s.io/api and k8s.io/apimachinery, see
 * data/proto/README.md). protobuf alone cannot say this: a Go pointer (`replicas: 0` is kept) and
 * an `omitempty` zero value (`hostPort: 0` is dropped) look the same on the wire.
 */

/** One field's Go JSON encoding, as `encoding/json` applies its struct tag. */
export interface GoJsonField {
  /** The JSON property name (the proto field name for every field found so far). */
  readonly jsonName: string;
  /** A Go pointer: present on the wire means non-nil, so even a zero value is written. */
  readonly isPointer: boolean;
  /** `omitempty`: a Go "empty" value (0, "", false, nil or empty slice or map) is left out. */
  readonly isOmitEmpty: boolean;
  /** An embedded struct tagged `json:",inline"`: its fields are promoted into the parent. */
  readonly isInline: boolean;
  /** Tagged `json:"-"`: never written. */
  readonly isSkipped: boolean;
}

export interface GoJsonTags {
  /** The tags of a message's fields by proto field name; undefined when the message is unknown. */
  message(fullName: string): ReadonlyMap<string, GoJsonField> | undefined;
  /** Messages that wrap a Go named slice (`Verbs []string`): JSON writes them as an array. */
  isSliceMessage(fullName: string): boolean;
}

/** Parses one table entry: an optional `*` (pointer) then the Go json tag (`name,omitempty`). */
export function parseGoJsonTag(entry: string): GoJsonField {
  const isPointer = entry.startsWith('*');
  const tag = isPointer ? entry.slice(1) : entry;
  if (tag === '-') {
    return { jsonName: '', isPointer, isOmitEmpty: false, isInline: false, isSkipped: true };
  }
  const [jsonName = '', ...options] = tag.split(',');
  const isInline = options.includes('inline');
  if (jsonName === '' && !isInline) throw new Error(`Go json tag without a name: "${entry}"`);
  return {
    jsonName,
    isPointer,
    isOmitEmpty: options.includes('omitempty'),
    isInline,
    isSkipped: false,
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Validates the parsed go-json-tags.json document; a malformed table is a startup bug. */
export function parseGoJsonTags(document: unknown): GoJsonTags {
  if (!isRecord(document)) throw new Error('go-json-tags: not an object');
  const { messages, sliceMessages } = document;
  if (!isRecord(messages)) throw new Error('go-json-tags: "messages" is not an object');
  if (!Array.isArray(sliceMessages) || !sliceMessages.every((s) => typeof s === 'string')) {
    throw new Error('go-json-tags: "sliceMessages" is not a list of names');
  }
  const byMessage = new Map<string, ReadonlyMap<string, GoJsonField>>();
  for (const [name, fields] of Object.entries(messages)) {
    if (!isRecord(fields)) throw new Error(`go-json-tags: ${name} is not an object`);
    const parsed = new Map<string, GoJsonField>();
    for (const [field, entry] of Object.entries(fields)) {
      if (typeof entry !== 'string') throw new Error(`go-json-tags: ${name}.${field} not a string`);
      parsed.set(field, parseGoJsonTag(entry));
    }
    byMessage.set(name, parsed);
  }
  const slices = new Set<string>(sliceMessages);
  return {
    message: (fullName) => byMessage.get(fullName),
    isSliceMessage: (fullName) => slices.has(fullName),
  };
}
