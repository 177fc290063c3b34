/**
 * Certificate subjects as Kubernetes reads them: CN is the user name, each O is a group. Names
 * are encoded in Go's pkix.Name order (O before CN) with all O values in one RDN, as kubeadm's
 * certificates are, so `openssl x509 -subject` prints the same `O = ..., CN = ...` for both.
 */
import type * as x509 from '@peculiar/x509';
import { PkiInvalidArgumentError } from './errors.ts';

export interface Subject {
  readonly commonName: string;
  /** Groups, in order. Default: none. */
  readonly organizations?: readonly string[];
}

/** The JSON form @peculiar/x509 encodes; throws if the CN is empty. */
export function subjectToName(subject: Subject): x509.JsonName {
  if (subject.commonName.length === 0) {
    throw new PkiInvalidArgumentError('must specify a CommonName');
  }
  const organizations = subject.organizations ?? [];
  const name: x509.JsonName = [];
  if (organizations.length > 0) name.push({ O: [...organizations] });
  name.push({ CN: [subject.commonName] });
  return name;
}

/** CN (first one, '' if absent) and every O of a parsed name. */
export function readSubject(name: x509.Name): Required<Subject> {
  return {
    commonName: name.getField('CN')[0] ?? '',
    organizations: name.getField('O'),
  };
}
