/**
 * certificates.k8s.io/v1 CertificateSigningRequest (pkg/apis/certificates/v1 defaults,
 * pkg/registry/certificates and pkg/apis/certificates/validation, v1.33): conditions' status
 * defaults to True; an empty status on create; validation of the PEM request block, usages,
 * signerName, expirationSeconds and conditions; on update no removed Approved/Denied/Failed
 * condition and no change to an issued certificate. The requesting user's identity is stamped
 * into spec on create by the API server (apiserver/admission/csr-requestor.ts: it needs the
 * request). Updates keep the stored spec, as upstream. Not done: parsing the request's DER.
 */
import type { JsonObject } from '../json.ts';
import type { ResourceStrategy } from '../resource.ts';
import type { FieldError } from '../validation/field-error.ts';
import {
  duplicate,
  forbidden,
  invalid,
  notSupported,
  required,
  tooLong,
} from '../validation/field-error.ts';
import { childPath, indexPath } from '../validation/field-path.ts';
import { utf8Length } from '../validation/go-format.ts';
import {
  DNS1123_LABEL_MAX_LENGTH,
  DNS1123_SUBDOMAIN_MAX_LENGTH,
  isDNS1123Label,
  isDNS1123Subdomain,
} from '../validation/names.ts';
import { goBytes } from './go-literal.ts';
import { defaultEmpty, num, obj, objs, str, strs } from './json-fields.ts';

const VALID_USAGES = [
  'any',
  'cert sign',
  'client auth',
  'code signing',
  'content commitment',
  'crl sign',
  'data encipherment',
  'decipher only',
  'digital signature',
  'email protection',
  'encipher only',
  'ipsec end system',
  'ipsec tunnel',
  'ipsec user',
  'key agreement',
  'key encipherment',
  'microsoft sgc',
  'netscape sgc',
  'ocsp signing',
  's/mime',
  'server auth',
  'signing',
  'timestamping',
];

/** Upstream's ValidateSignerName. */
export function validateSignerName(path: string, signerName: string): FieldError[] {
  if (signerName === '') return [required(path)];
  const segments = signerName.split('/');
  const domain = segments[0] ?? '';
  if (segments.length < 2) {
    return [
      invalid(
        path,
        signerName,
        "must be a fully qualified domain and path of the form 'example.com/signer-name'",
      ),
    ];
  }
  const errs: FieldError[] = [];
  if (utf8Length(domain) > DNS1123_SUBDOMAIN_MAX_LENGTH) {
    errs.push(tooLong(path, DNS1123_SUBDOMAIN_MAX_LENGTH));
  }
  const labels = domain.split('.');
  for (const label of labels) {
    const msgs = isDNS1123Label(label);
    if (msgs.length === 0) continue;
    for (const m of msgs) errs.push(invalid(path, domain, `validating label "${label}": ${m}`));
    break;
  }
  if (labels.length < 2) {
    errs.push(
      invalid(path, domain, 'should be a domain with at least two segments separated by dots'),
    );
  }
  let pathLength = 0;
  for (const segment of segments.slice(1)) {
    for (const m of isDNS1123Subdomain(segment)) {
      errs.push(invalid(path, segment, `validating component "${segment}": ${m}`));
    }
    pathLength += utf8Length(segment) + 1;
  }
  const maxPath = DNS1123_SUBDOMAIN_MAX_LENGTH + DNS1123_LABEL_MAX_LENGTH;
  if (pathLength > maxPath) errs.push(tooLong(path, maxPath));
  return errs;
}

/** The request as Go holds it: the base64-decoded bytes, or undefined for nil. */
function requestBytes(spec: JsonObject | undefined): Uint8Array | undefined {
  const v = spec?.['request'];
  return typeof v === 'string' ? Buffer.from(v, 'base64') : undefined;
}

/** The first PEM block's type, as pem.Decode finds it. */
function pemBlockType(bytes: Uint8Array): string | undefined {
  const text = Buffer.from(bytes).toString('latin1');
  const m = /-----BEGIN ([^\r\n-]*)-----\r?\n[\s\S]*?-----END \1-----/.exec(text);
  return m?.[1];
}

function validateConditions(csr: JsonObject): FieldError[] {
  const errs: FieldError[] = [];
  const path = 'status.conditions';
  const seen = new Set<string>();
  let approved = false;
  let denied = false;
  objs(obj(csr, 'status'), 'conditions').forEach((c, i) => {
    const type = str(c, 'type');
    if (type === '') errs.push(required(childPath(indexPath(path, i), 'type')));
    if (type === 'Approved') {
      approved = true;
      if (denied) {
        errs.push(
          invalid(path, type, 'Approved condition may not be set once the Denied condition is set'),
        );
      }
    } else if (type === 'Denied') {
      denied = true;
      if (approved) {
        errs.push(
          invalid(path, type, 'Denied condition may not be set once the Approved condition is set'),
        );
      }
    }
    if (seen.has(type)) errs.push(duplicate(childPath(indexPath(path, i), 'type'), type));
    seen.add(type);
  });
  return errs;
}

export function validateCSR(csr: JsonObject): FieldError[] {
  const spec = obj(csr, 'spec');
  const errs: FieldError[] = [];
  const request = requestBytes(spec);
  if (request === undefined || pemBlockType(request) !== 'CERTIFICATE REQUEST') {
    errs.push(
      invalid('spec.request', goBytes(request), 'PEM block type must be CERTIFICATE REQUEST'),
    );
  }
  const usages = strs(spec, 'usages');
  if (usages.length === 0) errs.push(required('spec.usages'));
  usages.forEach((u, i) => {
    if (!VALID_USAGES.includes(u))
      errs.push(notSupported(indexPath('spec.usages', i), u, VALID_USAGES));
  });
  const seen = new Set<string>();
  usages.forEach((u, i) => {
    if (seen.has(u)) errs.push(duplicate(indexPath('spec.usages', i), u));
    seen.add(u);
  });
  const signerName = str(spec, 'signerName');
  if (signerName === 'kubernetes.io/legacy-unknown') {
    errs.push(
      invalid(
        'spec.signerName',
        signerName,
        'the legacy signerName is not allowed via this API version',
      ),
    );
  } else errs.push(...validateSignerName('spec.signerName', signerName));
  const expiration = num(spec, 'expirationSeconds');
  if (expiration !== undefined && expiration < 600) {
    errs.push(
      invalid(
        'spec.expirationSeconds',
        expiration,
        'may not specify a duration less than 600 seconds (10 minutes)',
      ),
    );
  }
  errs.push(...validateConditions(csr));
  return errs;
}

export function validateCSRUpdate(csr: JsonObject, old: JsonObject): FieldError[] {
  const errs = validateCSR(csr);
  const count = (o: JsonObject, type: string): number =>
    objs(obj(o, 'status'), 'conditions').filter((c) => str(c, 'type') === type).length;
  for (const type of ['Approved', 'Denied', 'Failed']) {
    if (count(csr, type) < count(old, type)) {
      errs.push(
        forbidden('status.conditions', `updates may not remove a condition of type "${type}"`),
      );
    }
  }
  const oldCert = str(obj(old, 'status'), 'certificate');
  if (oldCert !== '' && oldCert !== str(obj(csr, 'status'), 'certificate')) {
    errs.push(
      invalid(
        'status.certificate',
        '<certificate data>',
        'updates may not modify existing certificate content',
      ),
    );
  }
  return errs;
}

export const csrStrategy: ResourceStrategy = {
  defaults: (csr) => {
    for (const c of objs(obj(csr, 'status'), 'conditions')) defaultEmpty(c, 'status', 'True');
  },
  prepareForCreate: (csr) => {
    csr['status'] = {};
  },
  // Upstream's PrepareForUpdate of every CSR endpoint: the spec (the request and who made it)
  // never changes after create; a changed spec in an update is silently dropped.
  prepareForUpdate: (csr, old) => {
    if (old['spec'] === undefined) delete csr['spec'];
    else csr['spec'] = old['spec'];
  },
  validate: validateCSR,
  validateUpdate: validateCSRUpdate,
};
