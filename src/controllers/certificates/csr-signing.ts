/**
 * The csrsigning controller (upstream's pkg/controller/certificates/signer/signer.go) for the
 * kube-apiserver-client, kube-apiserver-client-kubelet and kubelet-serving signers, with the
 * cluster CA (`--cluster-signing-cert-file/--cluster-signing-key-file`). It signs approved,
 * not-failed, unsigned CSRs for those signers; a CSR that breaks its signer's rules gets a
 * `Failed` condition (SignerValidationFailure) instead. Validity: spec.expirationSeconds,
 * at least 10 min, at most `durationMs`, and never past the CA's own expiry. The
 * certificate goes to status.certificate through the `/status` subresource. legacy-unknown is
 * not served. The CA is loaded once per `run` (no reload on file change, unlike upstream).
 * Wiring: `csrSigningController` (the built-in table's entry) reads the CA files named by the
 * manager's config and, like upstream, does nothing when they are not set;
 * `csrSigningControllerFactory` takes the PEMs directly.
 */
import { readFile } from 'node:fs/promises';
import { isNotFound } from '../../client/index.ts';
import {
  CertificateAuthority,
  LEAF_VALIDITY_MS,
  isKeyUsage,
  signCertificateRequest,
} from '../../pki/index.ts';
import type { Controller, ControllerContext, ControllerFactory } from '../controller.ts';
import { RESOURCES } from '../controller.ts';
import { controllerManagerConfig } from '../controller-manager-config.ts';
import { newCertificateController } from './certificate-controller.ts';
import type { CertificateSigningRequest } from './csr-conditions.ts';
import { csrName, csrRequestPem, hasTrueCondition, isCsrApproved } from './csr-conditions.ts';
import {
  SIGNED_SIGNER_NAMES,
  SIGNER_VALIDATION_FAILURE_REASON,
  signerVerdict,
} from './csr-signer-rules.ts';
import { parseCsrRequest } from './parse-csr-request.ts';

export const CSR_SIGNING_CONTROLLER_NAME = 'csrsigning';

export interface CsrSigningOptions {
  /** The cluster CA certificate, PEM (`--cluster-signing-cert-file`). */
  readonly caCertPem: string;
  /** Its private key, PEM (`--cluster-signing-key-file`). A secret: never logged. */
  readonly caKeyPem: string;
  /** Longest validity granted (`--cluster-signing-duration`). Default: 1 year (8760h). */
  readonly durationMs?: number | undefined;
}

function updateStatus(
  ctx: ControllerContext,
  csr: CertificateSigningRequest,
  signal: AbortSignal,
): Promise<unknown> {
  return ctx.client
    .update({ ...RESOURCES.csrs, name: csrName(csr), subresource: 'status' }, csr, { signal })
    .catch((err: unknown) => {
      // A CSR deleted meanwhile needs nothing more.
      if (!isNotFound(err)) throw err;
    });
}

/** A csrsigning controller whose CA material `load` provides when it starts running. */
export function newCsrSigningController(
  ctx: ControllerContext,
  load: () => Promise<CsrSigningOptions>,
): Controller {
  let ca: CertificateAuthority | undefined;
  let durationMs = LEAF_VALIDITY_MS;

  const handle = async (csr: CertificateSigningRequest, signal: AbortSignal): Promise<void> => {
    if (ca === undefined) throw new Error('the signing CA is not loaded');
    if (!isCsrApproved(csr) || hasTrueCondition(csr, 'Failed')) return;
    if (!SIGNED_SIGNER_NAMES.has(csr.spec.signerName)) return;
    const req = await parseCsrRequest(csr);
    const usages = csr.spec.usages ?? [];
    const verdict = signerVerdict(csr.spec.signerName, req, usages);
    switch (verdict.kind) {
      case 'ignore':
        return;
      case 'fail': {
        const now = new Date(ctx.clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
        csr.status = {
          ...csr.status,
          conditions: [
            ...(csr.status?.conditions ?? []),
            {
              type: 'Failed',
              status: 'True',
              reason: SIGNER_VALIDATION_FAILURE_REASON,
              message: verdict.message,
              lastUpdateTime: now,
            },
          ],
        };
        await updateStatus(ctx, csr, signal);
        ctx.log('warn', 'CSR failed signer validation', {
          csr: csrName(csr),
          reason: verdict.message,
        });
        return;
      }
      case 'sign':
        break;
    }
    const keyUsages = usages.filter(isKeyUsage);
    if (keyUsages.length !== usages.length) {
      throw new Error(`error auto signing csr "${csrName(csr)}": unknown usages`);
    }
    const certificatePem = await signCertificateRequest(ca, csrRequestPem(csr), {
      usages: keyUsages,
      ...(csr.spec.expirationSeconds === undefined
        ? {}
        : { expirationSeconds: csr.spec.expirationSeconds }),
      maxDurationMs: durationMs,
      now: new Date(ctx.clock.now()),
    });
    csr.status = { ...csr.status, certificate: Buffer.from(certificatePem).toString('base64') };
    await updateStatus(ctx, csr, signal);
    ctx.log('info', 'signed CSR', { csr: csrName(csr), signerName: csr.spec.signerName });
  };

  return newCertificateController(ctx, {
    name: CSR_SIGNING_CONTROLLER_NAME,
    handle,
    prepare: async () => {
      const options = await load();
      ca = await CertificateAuthority.load(options.caCertPem, options.caKeyPem);
      durationMs = options.durationMs ?? LEAF_VALIDITY_MS;
    },
  });
}

/** A csrsigning factory for CA material already in memory. */
export function csrSigningControllerFactory(options: CsrSigningOptions): ControllerFactory {
  return (ctx) => newCsrSigningController(ctx, () => Promise.resolve(options));
}

/**
 * The `csrsigning` entry of the built-in controller table: signs with the files named by
 * `--cluster-signing-cert-file/--cluster-signing-key-file` (read when the controller starts).
 * Without both it only logs, as upstream skips the signer when they are unset.
 */
export const csrSigningController: ControllerFactory = (ctx) => {
  const config = controllerManagerConfig(ctx);
  const certFile = config.clusterSigningCertFile;
  const keyFile = config.clusterSigningKeyFile;
  if (certFile === undefined || keyFile === undefined || certFile === '' || keyFile === '') {
    return {
      name: CSR_SIGNING_CONTROLLER_NAME,
      run: () => {
        ctx.log('info', 'skipping CSR signer controller because no csr cert/key was specified');
        return Promise.resolve();
      },
    };
  }
  return newCsrSigningController(ctx, async () => ({
    caCertPem: await readFile(certFile, 'utf8'),
    caKeyPem: await readFile(keyFile, 'utf8'),
    durationMs: config.clusterSigningDurationMs,
  }));
};
