/**
 * A throwaway PKI for TLS tests, made with the `openssl` CLI: a CA, a server certificate for
 * 127.0.0.1/localhost (server and client auth, as etcd members use one certificate for both)
 * and a client certificate. Valid for one day; never use it outside tests.
 */
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TestPki {
  readonly caFile: string;
  readonly serverCertFile: string;
  readonly serverKeyFile: string;
  readonly clientCertFile: string;
  readonly clientKeyFile: string;
  /** PEM contents of the CA certificate, the client certificate and its key. */
  readonly ca: Buffer;
  readonly clientCert: Buffer;
  readonly clientKey: Buffer;
}

/** Writes the PKI's files into `dir` (which must exist). Bounded: each step times out. */
export async function createTestPki(dir: string, openssl = '/usr/bin/openssl'): Promise<TestPki> {
  const path = (name: string): string => join(dir, name);
  const ssl = (args: string[]): Promise<unknown> => run(openssl, args, { timeout: 20_000 });
  const newKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await ssl(
    ['req', '-x509', ...newKey, '-keyout', path('ca.key'), '-out', path('ca.crt')].concat([
      '-days',
      '1',
      '-subj',
      '/CN=k8ts-test-etcd-ca',
    ]),
  );
  const sign = async (name: string, cn: string, extensions: string): Promise<void> => {
    await writeFile(path(`${name}.ext`), extensions);
    await ssl(
      ['req', ...newKey, '-keyout', path(`${name}.key`), '-out', path(`${name}.csr`)].concat([
        '-subj',
        `/CN=${cn}`,
      ]),
    );
    await ssl(
      ['x509', '-req', '-in', path(`${name}.csr`), '-CA', path('ca.crt')]
        .concat(['-CAkey', path('ca.key'), '-CAcreateserial', '-days', '1'])
        .concat(['-out', path(`${name}.crt`), '-extfile', path(`${name}.ext`)]),
    );
  };
  await sign(
    'server',
    'etcd-server',
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n',
  );
  await sign('client', 'k8ts-apiserver-etcd-client', 'extendedKeyUsage=clientAuth\n');
  return {
    caFile: path('ca.crt'),
    serverCertFile: path('server.crt'),
    serverKeyFile: path('server.key'),
    clientCertFile: path('client.crt'),
    clientKeyFile: path('client.key'),
    ca: await readFile(path('ca.crt')),
    clientCert: await readFile(path('client.crt')),
    clientKey: await readFile(path('client.key')),
  };
}
