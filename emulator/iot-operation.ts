/** What an IoT operation of the emulator sees and answers, shared by the modules that hold the operations. */
import type { CertificateAuthority } from './x509';
import type { IotState } from './jobs-model';
import type { EmulatorRequest, EmulatorSettings } from './types';

/** Where no signature names a region (an unsigned request), ARNs name this one. */
const DEFAULT_REGION = 'us-east-1';

/** The request, its path parameters, and the live store and settings. */
export interface OperationContext {
  readonly req: EmulatorRequest;
  readonly params: Readonly<Record<string, string>>;
  readonly state: IotState;
  readonly settings: EmulatorSettings;
  /** The account's CA, made on first use: it signs what CreateKeysAndCertificate issues. */
  readonly authority: () => Promise<CertificateAuthority>;
}

/** An operation's result: a JSON body, or `undefined` for an empty 200 (operations with no output shape). */
export type Handler = (ctx: OperationContext) => object | undefined | Promise<object | undefined>;

/** The region the request was signed for (`Credential=AKID/date/REGION/service/aws4_request`). */
export function signedRegion(req: EmulatorRequest): string {
  const authorization = req.headers.authorization ?? '';
  return /Credential=[^/,\s]+\/\d{8}\/([a-z0-9-]+)\//.exec(authorization)?.[1] ?? DEFAULT_REGION;
}
