/**
 * Printers for Lease (HOLDER), CertificateSigningRequest (AGE first, then SIGNERNAME, REQUESTOR,
 * REQUESTEDDURATION, CONDITION like "Approved,Issued") and PodDisruptionBudget (MIN AVAILABLE,
 * MAX UNAVAILABLE as int-or-string, "N/A" when unset; ALLOWED DISRUPTIONS).
 */
import type { JsonObject, JsonValue } from '../json.ts';
import type { Printer } from '../resource.ts';
import { ageCell } from './age.ts';
import { AGE_COLUMN, column, NAME_COLUMN } from './columns.ts';
import {
  isSet,
  nameOf,
  numberAt,
  objectsAt,
  optionalNumberAt,
  stringAt,
  valueAt,
} from './fields.ts';
import { humanDuration } from './human-duration.ts';

export const leasePrinter: Printer = {
  columns: [NAME_COLUMN, column('Holder', 'coordination/v1 LeaseSpec.holderIdentity'), AGE_COLUMN],
  cells: (lease, now) => [
    nameOf(lease),
    stringAt(lease, 'spec', 'holderIdentity'),
    ageCell(lease, now),
  ],
};

/** `extractCSRStatus`: Denied over Approved over Pending, then ",Failed" and ",Issued". */
function csrCondition(csr: JsonObject): string {
  const types = new Set(objectsAt(csr, 'status', 'conditions').map((c) => stringAt(c, 'type')));
  let status = types.has('Denied') ? 'Denied' : types.has('Approved') ? 'Approved' : 'Pending';
  if (types.has('Failed')) status += ',Failed';
  if (stringAt(csr, 'status', 'certificate').length > 0) status += ',Issued';
  return status;
}

function requestedDuration(csr: JsonObject): string {
  const seconds = optionalNumberAt(csr, 'spec', 'expirationSeconds');
  return seconds === undefined ? '<none>' : humanDuration(seconds * 1000);
}

export const certificateSigningRequestPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    AGE_COLUMN,
    column('SignerName', 'certificates/v1beta1 CertificateSigningRequestSpec.signerName'),
    column('Requestor', 'certificates/v1beta1 CertificateSigningRequestSpec.request'),
    column(
      'RequestedDuration',
      'certificates/v1beta1 CertificateSigningRequestSpec.expirationSeconds',
    ),
    column('Condition', 'certificates/v1beta1 CertificateSigningRequestStatus.conditions'),
  ],
  cells: (csr, now) => [
    nameOf(csr),
    ageCell(csr, now),
    stringAt(csr, 'spec', 'signerName') || '<none>',
    stringAt(csr, 'spec', 'username'),
    requestedDuration(csr),
    csrCondition(csr),
  ],
};

/** `intstr.IntOrString.String()`, or "N/A" when the field is unset. */
function intOrStringCell(value: JsonValue | undefined): string {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return value;
  return 'N/A';
}

export const podDisruptionBudgetPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    column('Min Available', { text: 'The minimum number of pods that must be available.' }),
    column('Max Unavailable', { text: 'The maximum number of pods that may be unavailable.' }),
    column(
      'Allowed Disruptions',
      { text: 'Calculated number of pods that may be disrupted at this time.' },
      {
        type: 'integer',
      },
    ),
    AGE_COLUMN,
  ],
  cells: (pdb, now) => [
    nameOf(pdb),
    isSet(pdb, 'spec', 'minAvailable')
      ? intOrStringCell(valueAt(pdb, 'spec', 'minAvailable'))
      : 'N/A',
    isSet(pdb, 'spec', 'maxUnavailable')
      ? intOrStringCell(valueAt(pdb, 'spec', 'maxUnavailable'))
      : 'N/A',
    numberAt(pdb, 'status', 'disruptionsAllowed'),
    ageCell(pdb, now),
  ],
};
