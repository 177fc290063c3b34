/**
 * The OpenAPI v2 document as the protobuf kubectl 1.27/1.28 ask for
 * (`application/com.github.proto-openapi.spec.v2@v1.0+protobuf`): swagger JSON compiled into
 * gnostic's `openapi.v2.Document` (data/proto/gnostic/), as upstream's handler does with
 * `openapi_v2.ParseDocument` + `proto.Marshal`. Keys map to fields by the proto's names, `x-`
 * keys become vendor extensions holding YAML text, and gnostic's oneofs are chosen by the same
 * tests (`$ref`, `in`, `type`). A key gnostic would reject is an OpenApiConversionError.
 */
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import type { Root, Type } from 'protobufjs';
import { stringify as stringifyYaml } from 'yaml';
import type { JsonValue } from '../../api/json.ts';
import { isJsonObject } from '../../api/json.ts';

/** data/proto/gnostic/ at the package root (three levels up from src/ and dist/ alike). */
export const GNOSTIC_PROTO_DIR = new URL('../../../data/proto/gnostic/', import.meta.url);

/** The swagger document cannot be expressed as gnostic's Document (gnostic would refuse it). */
export class OpenApiConversionError extends Error {
  readonly code = 'OPENAPI_V2_CONVERSION';
  readonly where: string;
  constructor(where: string, why: string) {
    super(`OpenAPI v2 ${where}: ${why}`);
    this.name = 'OpenApiConversionError';
    this.where = where;
  }
}

type Plain = Record<string, unknown>;

/** gnostic's pattern for Responses keys. */
const RESPONSE_CODE = /^([0-9]{3})$|^(default)$/;

const NON_BODY_IN: Readonly<Record<string, string>> = {
  header: 'header_parameter_sub_schema',
  formData: 'form_data_parameter_sub_schema',
  query: 'query_parameter_sub_schema',
  path: 'path_parameter_sub_schema',
};

/** `security_definitions` → `securityDefinitions`; `_ref` → `$ref`. */
function jsonKey(protoName: string): string {
  if (protoName === '_ref') return '$ref';
  return protoName.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
}

function loadRoot(dir: URL): Root {
  const base = fileURLToPath(dir);
  const root = new protobuf.Root();
  // google/protobuf/any.proto is built into protobufjs; everything else is under `dir`.
  root.resolvePath = (_origin, target) =>
    target.startsWith('google/protobuf/') ? target : `${base}${target}`;
  root.loadSync('openapiv2/OpenAPIv2.proto', { keepCase: true });
  return root;
}

/** Compiles swagger JSON into the gnostic `openapi.v2.Document` message. */
export class GnosticV2Encoder {
  readonly #root: Root;
  readonly #document: Type;
  /** Per message type: JSON key → proto field name. */
  readonly #keys = new Map<Type, Map<string, string>>();

  constructor(protoDir: URL = GNOSTIC_PROTO_DIR) {
    this.#root = loadRoot(protoDir);
    this.#document = this.#type('Document');
  }

  /** The protobuf bytes of a swagger document. */
  encode(swagger: JsonValue): Buffer {
    const plain = this.toPlain(swagger);
    return Buffer.from(this.#document.encode(this.#document.fromObject(plain)).finish());
  }

  /** The Document as a protobufjs plain object (proto field names). */
  toPlain(swagger: JsonValue): Plain {
    return this.#message(swagger, this.#document, '');
  }

  /** Decodes Document bytes back to a plain object (tests, debugging). */
  decode(bytes: Uint8Array): Plain {
    return this.#document.toObject(this.#document.decode(bytes), { longs: Number });
  }

  #type(name: string): Type {
    return this.#root.lookupType(`openapi.v2.${name}`);
  }

  #message(value: JsonValue, type: Type, where: string): Plain {
    switch (type.name) {
      case 'Any':
        return { yaml: stringifyYaml(value) };
      case 'TypeItem':
      case 'StringArray':
        return { value: typeof value === 'string' ? [value] : strings(value, where) };
      case 'ItemsItem':
        return {
          schema: (Array.isArray(value) ? value : [value]).map((v, i) =>
            this.#message(v, this.#type('Schema'), `${where}[${String(i)}]`),
          ),
        };
      case 'AdditionalPropertiesItem':
        return typeof value === 'boolean'
          ? { boolean: value }
          : { schema: this.#message(value, this.#type('Schema'), where) };
      case 'ParametersItem':
      case 'ResponseValue': {
        const obj = object(value, where);
        if (obj['$ref'] !== undefined) {
          return { json_reference: this.#message(obj, this.#type('JsonReference'), where) };
        }
        const member = type.name === 'ParametersItem' ? 'Parameter' : 'Response';
        return { [member.toLowerCase()]: this.#message(obj, this.#type(member), where) };
      }
      case 'Parameter': {
        const obj = object(value, where);
        return obj['in'] === 'body'
          ? { body_parameter: this.#message(obj, this.#type('BodyParameter'), where) }
          : { non_body_parameter: this.#message(obj, this.#type('NonBodyParameter'), where) };
      }
      case 'NonBodyParameter': {
        const obj = object(value, where);
        const field = typeof obj['in'] === 'string' ? NON_BODY_IN[obj['in']] : undefined;
        if (field === undefined) throw new OpenApiConversionError(where, 'invalid parameter "in"');
        const sub = type.fields[field]?.resolvedType;
        if (!(sub instanceof protobuf.Type)) throw new OpenApiConversionError(where, field);
        return { [field]: this.#message(obj, sub, where) };
      }
      case 'SchemaItem': {
        const obj = object(value, where);
        return obj['type'] === 'file'
          ? { file_schema: this.#message(obj, this.#type('FileSchema'), where) }
          : { schema: this.#message(obj, this.#type('Schema'), where) };
      }
      case 'SecurityDefinitionsItem':
        return this.#securityDefinition(object(value, where), where);
      case 'Paths':
        return this.#patterned(value, type, 'path', (k) => k.startsWith('/'), where);
      case 'Responses':
        return this.#patterned(value, type, 'response_code', (k) => RESPONSE_CODE.test(k), where);
      default:
        return this.#fields(value, type, where);
    }
  }

  /** A message whose only field is `repeated Named<X> additional_properties`, or a struct. */
  #fields(value: JsonValue, type: Type, where: string): Plain {
    const obj = object(value, where);
    const named = type.fields['additional_properties'];
    if (named?.repeated === true && type.fieldsArray.length === 1) {
      const valueType = namedValueType(named.resolvedType, where);
      return {
        additional_properties: Object.entries(obj).map(([name, v]) => ({
          name,
          value: valueType === undefined ? v : this.#message(v, valueType, `${where}/${name}`),
        })),
      };
    }
    const out: Plain = {};
    const keys = this.#keyMap(type);
    for (const [key, v] of Object.entries(obj)) {
      if (key.startsWith('x-') && type.fields['vendor_extension'] !== undefined) {
        const list = (out['vendor_extension'] ??= []) as Plain[];
        list.push({ name: key, value: this.#message(v, this.#type('Any'), `${where}/${key}`) });
        continue;
      }
      const name = keys.get(key);
      const field = name === undefined ? undefined : type.fields[name];
      if (name === undefined || field === undefined) {
        throw new OpenApiConversionError(
          where,
          `invalid key ${JSON.stringify(key)} in ${type.name}`,
        );
      }
      const sub = field.resolvedType;
      const at = `${where}/${key}`;
      if (sub instanceof protobuf.Type) {
        out[name] = field.repeated
          ? array(v, at).map((el, i) => this.#message(el, sub, `${at}[${String(i)}]`))
          : this.#message(v, sub, at);
      } else {
        out[name] = field.repeated
          ? array(v, at).map((el) => scalar(el, field.type, at))
          : scalar(v, field.type, at);
      }
    }
    return out;
  }

  /** Paths and Responses: pattern-matched keys as named entries, plus vendor extensions. */
  #patterned(
    value: JsonValue,
    type: Type,
    field: string,
    matches: (key: string) => boolean,
    where: string,
  ): Plain {
    const valueType = namedValueType(type.fields[field]?.resolvedType, where);
    const entries: Plain[] = [];
    const extensions: Plain[] = [];
    for (const [key, v] of Object.entries(object(value, where))) {
      if (key.startsWith('x-')) {
        extensions.push({
          name: key,
          value: this.#message(v, this.#type('Any'), `${where}/${key}`),
        });
      } else if (matches(key) && valueType !== undefined) {
        entries.push({ name: key, value: this.#message(v, valueType, `${where}/${key}`) });
      } else {
        throw new OpenApiConversionError(
          where,
          `invalid key ${JSON.stringify(key)} in ${type.name}`,
        );
      }
    }
    return { [field]: entries, vendor_extension: extensions };
  }

  #securityDefinition(obj: Record<string, JsonValue>, where: string): Plain {
    const kind = obj['type'];
    const flow = obj['flow'];
    const member =
      kind === 'basic'
        ? ['basic_authentication_security', 'BasicAuthenticationSecurity']
        : kind === 'apiKey'
          ? ['api_key_security', 'ApiKeySecurity']
          : kind === 'oauth2' && flow === 'implicit'
            ? ['oauth2_implicit_security', 'Oauth2ImplicitSecurity']
            : kind === 'oauth2' && flow === 'password'
              ? ['oauth2_password_security', 'Oauth2PasswordSecurity']
              : kind === 'oauth2' && flow === 'application'
                ? ['oauth2_application_security', 'Oauth2ApplicationSecurity']
                : kind === 'oauth2' && flow === 'accessCode'
                  ? ['oauth2_access_code_security', 'Oauth2AccessCodeSecurity']
                  : undefined;
    if (member === undefined)
      throw new OpenApiConversionError(where, 'invalid security definition');
    const [field, typeName] = member as [string, string];
    return { [field]: this.#message(obj, this.#type(typeName), where) };
  }

  #keyMap(type: Type): Map<string, string> {
    let keys = this.#keys.get(type);
    if (keys === undefined) {
      keys = new Map(type.fieldsArray.map((f) => [jsonKey(f.name), f.name]));
      this.#keys.set(type, keys);
    }
    return keys;
  }
}

/** The type of `value` in a `Named<X>` message; undefined for NamedString (a plain string). */
function namedValueType(named: unknown, where: string): Type | undefined {
  if (!(named instanceof protobuf.Type)) throw new OpenApiConversionError(where, 'not a map type');
  const value = named.fields['value']?.resolvedType;
  return value instanceof protobuf.Type ? value : undefined;
}

function object(value: JsonValue, where: string): Record<string, JsonValue> {
  if (!isJsonObject(value)) throw new OpenApiConversionError(where, 'expected an object');
  return value;
}

function array(value: JsonValue, where: string): JsonValue[] {
  if (!Array.isArray(value)) throw new OpenApiConversionError(where, 'expected an array');
  return value;
}

function strings(value: JsonValue, where: string): string[] {
  return array(value, where).map((v) => {
    if (typeof v !== 'string') throw new OpenApiConversionError(where, 'expected strings');
    return v;
  });
}

/** A scalar field; gnostic refuses a value of the wrong JSON type. */
function scalar(value: JsonValue, protoType: string, where: string): string | number | boolean {
  const want = protoType === 'string' ? 'string' : protoType === 'bool' ? 'boolean' : 'number';
  if (typeof value !== want) throw new OpenApiConversionError(where, `expected a ${want}`);
  return value as string | number | boolean;
}
