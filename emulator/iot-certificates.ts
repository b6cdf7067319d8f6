/**
 * Device certificates on the control plane, as the `iot` model (botocore `iot/2015-05-28`) shapes them:
 * CreateKeysAndCertificate, RegisterCertificate, RegisterCertificateWithoutCA, DescribeCertificate, UpdateCertificate,
 * AttachThingPrincipal and ListThingPrincipals. A certificate belongs to a thing as on AWS: registered, ACTIVE, and
 * attached to the thing; the MQTT listener finds a connection's certificate by its id (the SHA-256 of its DER).
 */
import {
  IotError,
  IotErrorName,
  THING_NAME,
  checkEnum,
  checkString,
  optionalString,
  parseJsonBody,
} from './iot-validation';
import { ACCOUNT_ID, notFound, requireThing, type Certificate, type CertificateStatus } from './jobs-model';
import { signedRegion, type Handler, type OperationContext } from './iot-operation';
import { certificateId, clientCredentials, signedBy } from './x509';

const STATUSES: readonly CertificateStatus[] = [
  'ACTIVE',
  'INACTIVE',
  'REVOKED',
  'PENDING_TRANSFER',
  'REGISTER_INACTIVE',
  'PENDING_ACTIVATION',
];
/** `CertificatePem`: 1 to 65,536 characters. */
const CERTIFICATE_PEM = { min: 1, max: 65536 };
/** `CertificateId`: 64 hex digits. */
const CERTIFICATE_ID = { min: 64, max: 64, pattern: /^[0-9a-fA-F]+$/ };

function queryFlag(ctx: OperationContext, name: string): boolean {
  const value = ctx.req.query.get(name);
  if (value === null) return false;
  if (value !== 'true' && value !== 'false')
    throw new IotError(IotErrorName.InvalidRequest, `${name} must be true or false, not ${value}`);
  return value === 'true';
}

/** Stores a certificate; the same certificate twice is ResourceAlreadyExistsException, as AWS answers. */
function register(ctx: OperationContext, pem: string, status: CertificateStatus): Certificate {
  let id: string;
  try {
    id = certificateId(pem);
  } catch {
    throw new IotError(IotErrorName.CertificateValidation, 'The certificate is not a valid PEM X.509 certificate');
  }
  if (ctx.state.certificates.has(id))
    throw new IotError(IotErrorName.ResourceAlreadyExists, `The certificate ${id} is already registered`);
  const certificate: Certificate = {
    certificateId: id,
    certificateArn: `arn:aws:iot:${signedRegion(ctx.req)}:${ACCOUNT_ID}:cert/${id}`,
    certificatePem: pem,
    status,
    createdAt: ctx.req.now,
  };
  ctx.state.certificates.set(id, certificate);
  return certificate;
}

const createKeysAndCertificate: Handler = async (ctx) => {
  const active = queryFlag(ctx, 'setAsActive');
  const issued = await clientCredentials(await ctx.authority());
  const certificate = register(ctx, issued.certificatePem, active ? 'ACTIVE' : 'INACTIVE');
  return {
    certificateArn: certificate.certificateArn,
    certificateId: certificate.certificateId,
    certificatePem: certificate.certificatePem,
    keyPair: { PublicKey: issued.publicKeyPem, PrivateKey: issued.privateKeyPem },
  };
};

/** `status` when given, else ACTIVE with `setAsActive`, else INACTIVE. */
function statusOf(ctx: OperationContext, body: Record<string, unknown>): CertificateStatus {
  const status = body.status === undefined ? undefined : checkEnum(body.status, 'status', STATUSES);
  return status ?? (queryFlag(ctx, 'setAsActive') ? 'ACTIVE' : 'INACTIVE');
}

/**
 * RegisterCertificate: a certificate signed by a CA. The emulator keeps no CA registry (RegisterCACertificate is out
 * of scope): the CA is the `caCertificatePem` given, or the account's own CA; a certificate signed by neither is
 * refused (AWS's CertificateValidationException), and RegisterCertificateWithoutCA takes any.
 */
const registerCertificate: Handler = async (ctx) => {
  const body = parseJsonBody(ctx.req.body);
  const pem = checkString(body.certificatePem, 'certificatePem', CERTIFICATE_PEM);
  const caPem = optionalString(body, 'caCertificatePem', CERTIFICATE_PEM);
  const ca = caPem ?? (await ctx.authority()).certificatePem;
  let signed = false;
  try {
    signed = signedBy(pem, ca);
  } catch {
    throw new IotError(
      IotErrorName.CertificateValidation,
      'The certificate or its CA is not a valid PEM X.509 certificate',
    );
  }
  if (!signed)
    throw new IotError(
      IotErrorName.CertificateValidation,
      'The certificate is not signed by the given CA certificate (or by the account CA when none is given); register it with RegisterCertificateWithoutCA',
    );
  const certificate = register(ctx, pem, statusOf(ctx, body));
  return { certificateArn: certificate.certificateArn, certificateId: certificate.certificateId };
};

const registerCertificateWithoutCA: Handler = (ctx) => {
  const body = parseJsonBody(ctx.req.body);
  const pem = checkString(body.certificatePem, 'certificatePem', CERTIFICATE_PEM);
  const status = body.status === undefined ? 'INACTIVE' : checkEnum(body.status, 'status', STATUSES);
  const certificate = register(ctx, pem, status);
  return { certificateArn: certificate.certificateArn, certificateId: certificate.certificateId };
};

function requireCertificate(ctx: OperationContext): Certificate {
  const id = checkString(ctx.params.certificateId, 'certificateId', CERTIFICATE_ID).toLowerCase();
  const certificate = ctx.state.certificates.get(id);
  if (!certificate) throw notFound(`The certificate ${id} does not exist`);
  return certificate;
}

const describeCertificate: Handler = (ctx) => {
  const c = requireCertificate(ctx);
  return {
    certificateDescription: {
      certificateArn: c.certificateArn,
      certificateId: c.certificateId,
      status: c.status,
      certificatePem: c.certificatePem,
      ownedBy: ACCOUNT_ID,
      creationDate: c.createdAt / 1000,
      lastModifiedDate: c.createdAt / 1000,
    },
  };
};

const updateCertificate: Handler = (ctx) => {
  const certificate = requireCertificate(ctx);
  const status = ctx.req.query.get('newStatus');
  if (status === null) throw new IotError(IotErrorName.InvalidRequest, 'newStatus is required');
  certificate.status = checkEnum(status, 'newStatus', STATUSES);
  return undefined;
};

/** The certificate a principal ARN names, or a refusal naming it. */
function certificateOfPrincipal(ctx: OperationContext, principal: string): Certificate {
  const id = /^arn:aws:iot:[a-z0-9-]+:\d{12}:cert\/([0-9a-f]{64})$/.exec(principal)?.[1];
  const certificate = id === undefined ? undefined : ctx.state.certificates.get(id);
  if (!certificate) throw notFound(`The principal ${principal} is not a certificate of this account`);
  return certificate;
}

const attachThingPrincipal: Handler = (ctx) => {
  const thingName = checkString(ctx.params.thingName, 'thingName', THING_NAME);
  const principal = ctx.req.headers['x-amzn-principal'];
  if (typeof principal !== 'string' || principal.length === 0)
    throw new IotError(
      IotErrorName.InvalidRequest,
      "1 validation error detected: Value null at 'principal' failed to satisfy constraint: Member must not be null",
    );
  requireThing(ctx.state, thingName);
  const certificate = certificateOfPrincipal(ctx, principal);
  const attached = ctx.state.principals.get(thingName) ?? new Set<string>();
  attached.add(certificate.certificateArn);
  ctx.state.principals.set(thingName, attached);
  return {};
};

const listThingPrincipals: Handler = (ctx) => {
  const thingName = checkString(ctx.params.thingName, 'thingName', THING_NAME);
  requireThing(ctx.state, thingName);
  return { principals: [...(ctx.state.principals.get(thingName) ?? [])] };
};

/** The things a connection's certificate may act as: ACTIVE, and attached to each. Undefined: not registered/active. */
export function thingsOfCertificate(
  state: { certificates: Map<string, Certificate>; principals: Map<string, Set<string>> },
  id: string,
): string[] | undefined {
  const certificate = state.certificates.get(id);
  if (!certificate || certificate.status !== 'ACTIVE') return undefined;
  return [...state.principals].filter(([, arns]) => arns.has(certificate.certificateArn)).map(([thing]) => thing);
}

/** The routes, as the model writes their HTTP lines. */
export const certificateRoutes: readonly (readonly [string, string, Handler])[] = [
  ['POST /keys-and-certificate', 'CreateKeysAndCertificate', createKeysAndCertificate],
  ['POST /certificate/register', 'RegisterCertificate', registerCertificate],
  ['POST /certificate/register-no-ca', 'RegisterCertificateWithoutCA', registerCertificateWithoutCA],
  ['GET /certificates/{certificateId}', 'DescribeCertificate', describeCertificate],
  ['PUT /certificates/{certificateId}', 'UpdateCertificate', updateCertificate],
  ['PUT /things/{thingName}/principals', 'AttachThingPrincipal', attachThingPrincipal],
  ['GET /things/{thingName}/principals', 'ListThingPrincipals', listThingPrincipals],
];
