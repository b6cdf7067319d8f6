/**
 * A small, exact client for AWS Import/Export (API 2010-06-01, query protocol), which has no v3 SDK client.
 * It sends what the AWS CLI sends: a form body `Action=<Op>&Version=2010-06-01&<params in model order>`, encoded
 * as Python's `urlencode` does, signed with SigV4 for `us-east-1`/`IngestionService` (botocore's endpoint data
 * for `importexport`) by the SDK's own `@smithy/signature-v4`. Answers are XML; errors are `<ErrorResponse>`.
 * Retries are not here: the steps retry, through `StepRun`.
 */
import type { NodeHttpHandler } from '@smithy/node-http-handler';
import { XMLParser } from 'fast-xml-parser';

import type { Connection, CredentialsProvider, ServiceClientFactory } from '../shared/connection';
import { AwsServiceError, SignedHttpClient } from '../shared/signed-request';
import type { AttemptLimits } from '../shared/step-run';

/** The Import/Export API version every request names. */
export const IMPORT_EXPORT_API_VERSION = '2010-06-01';
/** AWS's endpoint for the service (global; signed for us-east-1). */
export const IMPORT_EXPORT_ENDPOINT = 'https://importexport.amazonaws.com';
/** The SigV4 scope the AWS CLI uses for `importexport`, from botocore's endpoint data. */
export const IMPORT_EXPORT_SIGNING = { region: 'us-east-1', service: 'IngestionService' } as const;

/** The operations this client sends. */
export const ImportExportOperation = {
  CreateJob: 'CreateJob',
  UpdateJob: 'UpdateJob',
  GetStatus: 'GetStatus',
  CancelJob: 'CancelJob',
} as const;
export type ImportExportOperation = (typeof ImportExportOperation)[keyof typeof ImportExportOperation];

export type JobType = 'Import' | 'Export';

/** One artifact (a signature file, shipping instructions…) as the service lists it. */
export interface Artifact {
  readonly description: string;
  readonly url: string;
}

export interface UpdateJobRequest {
  readonly jobId: string;
  readonly manifest: string;
  readonly jobType: JobType;
  readonly validateOnly: boolean;
  readonly apiVersion?: string | undefined;
}

export interface UpdateJobResponse {
  readonly success: boolean;
  readonly warningMessage: string | undefined;
  readonly artifactList: Artifact[];
  readonly requestId: string | undefined;
}

export interface GetStatusResponse {
  readonly jobId: string;
  readonly jobType: string | undefined;
  readonly progressCode: string | undefined;
  readonly locationCode: string | undefined;
  readonly currentManifest: string | undefined;
  readonly artifactList: Artifact[];
  readonly requestId: string | undefined;
}

export interface CreateJobRequest {
  readonly manifest: string;
  readonly jobType: JobType;
  readonly validateOnly: boolean;
  readonly manifestAddendum?: string | undefined;
  readonly apiVersion?: string | undefined;
}

export interface CreateJobResponse {
  readonly jobId: string;
  readonly jobType: string | undefined;
  readonly warningMessage: string | undefined;
  readonly artifactList: Artifact[];
  readonly requestId: string | undefined;
}

/** An Import/Export refusal (`name` is its error code); its message is the service's own and holds no manifest. */
export class ImportExportServiceError extends AwsServiceError {}

/**
 * `application/x-www-form-urlencoded` exactly as Python's `urllib.parse.urlencode` (botocore) writes it: every
 * byte but A-Z a-z 0-9 _ . - ~ percent-encoded in upper-case hex, spaces as `+`. (URLSearchParams differs on * and ~.)
 */
export function encodeForm(params: readonly (readonly [string, string])[]): string {
  const encode = (text: string): string =>
    encodeURIComponent(text)
      .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
      .replace(/%20/g, '+');
  return params.map(([key, value]) => `${encode(key)}=${encode(value)}`).join('&');
}

/** Lists arrive as `<member>` elements; everything stays text so ids and manifests are not turned into numbers. */
const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: false,
  isArray: (name) => name === 'member',
});

type XmlNode = Record<string, unknown>;

function child(node: unknown, name: string): XmlNode | undefined {
  const value = (node as XmlNode | undefined)?.[name];
  return typeof value === 'object' && value !== null ? (value as XmlNode) : undefined;
}

function text(node: XmlNode | undefined, name: string): string | undefined {
  const value = node?.[name];
  return typeof value === 'string' ? value : undefined;
}

function artifacts(result: XmlNode | undefined): Artifact[] {
  const members = child(result, 'ArtifactList')?.member;
  if (!Array.isArray(members)) return [];
  return members.map((m: XmlNode) => ({ description: text(m, 'Description') ?? '', url: text(m, 'URL') ?? '' }));
}

/** What the client needs from a connection. */
export interface ImportExportClientConfig {
  readonly endpoint: string;
  readonly credentials: CredentialsProvider;
  readonly httpHandler: NodeHttpHandler;
}

/**
 * The client. One instance per connection; each method sends one signed request and resolves with the parsed
 * answer or rejects with an `ImportExportServiceError` (service errors) or the transport's error.
 */
export class ImportExportClient {
  private readonly http: SignedHttpClient;

  constructor(config: ImportExportClientConfig) {
    this.http = new SignedHttpClient({ ...config, signing: IMPORT_EXPORT_SIGNING });
  }

  /** Sends one operation; resolves with its `<{Op}Result>` element and the request id. */
  async send(
    operation: ImportExportOperation,
    params: readonly (readonly [string, string | boolean | undefined])[],
    limits?: AttemptLimits,
  ): Promise<{ result: XmlNode | undefined; requestId: string | undefined }> {
    const pairs: [string, string][] = [
      ['Action', operation],
      ['Version', IMPORT_EXPORT_API_VERSION],
    ];
    for (const [key, value] of params) if (value !== undefined) pairs.push([key, String(value)]);
    const response = await this.http.send(
      {
        method: 'POST',
        path: '/',
        query: { Operation: operation },
        headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
        body: encodeForm(pairs),
      },
      limits,
    );
    const headerId = response.headers['x-amzn-requestid'];
    let doc: XmlNode;
    try {
      doc = parser.parse(response.body) as XmlNode;
    } catch {
      doc = {};
    }
    if (response.statusCode >= 300) {
      const envelope = child(doc, 'ErrorResponse');
      const error = child(envelope, 'Error');
      const failure = new ImportExportServiceError(
        text(error, 'Code') ?? `Http${response.statusCode}`,
        text(error, 'Message') ?? `HTTP ${response.statusCode}`,
        response.statusCode,
        text(envelope, 'RequestId') ?? headerId,
      );
      if (response.clockSkewCorrected) failure.$metadata.clockSkewCorrected = true;
      throw failure;
    }
    const envelope = child(doc, `${operation}Response`);
    // A 200 that is not the operation's answer (aws/aws-sdk-js#2539): nothing says it was done.
    if (!envelope)
      throw new ImportExportServiceError(
        'InvalidResponse',
        `the answer was not a ${operation}Response`,
        response.statusCode,
        headerId,
      );
    return {
      result: child(envelope, `${operation}Result`),
      requestId: text(child(envelope, 'ResponseMetadata'), 'RequestId') ?? headerId,
    };
  }

  async updateJob(request: UpdateJobRequest, limits?: AttemptLimits): Promise<UpdateJobResponse> {
    const { result, requestId } = await this.send(
      ImportExportOperation.UpdateJob,
      [
        ['JobId', request.jobId],
        ['Manifest', request.manifest],
        ['JobType', request.jobType],
        ['ValidateOnly', request.validateOnly],
        ['APIVersion', request.apiVersion],
      ],
      limits,
    );
    return {
      success: text(result, 'Success') === 'true',
      warningMessage: text(result, 'WarningMessage') || undefined,
      artifactList: artifacts(result),
      requestId,
    };
  }

  async getStatus(jobId: string, limits?: AttemptLimits): Promise<GetStatusResponse> {
    const { result, requestId } = await this.send(ImportExportOperation.GetStatus, [['JobId', jobId]], limits);
    return {
      jobId: text(result, 'JobId') ?? jobId,
      jobType: text(result, 'JobType'),
      progressCode: text(result, 'ProgressCode'),
      locationCode: text(result, 'LocationCode'),
      currentManifest: text(result, 'CurrentManifest'),
      artifactList: artifacts(result),
      requestId,
    };
  }

  async createJob(request: CreateJobRequest, limits?: AttemptLimits): Promise<CreateJobResponse> {
    const { result, requestId } = await this.send(
      ImportExportOperation.CreateJob,
      [
        ['JobType', request.jobType],
        ['Manifest', request.manifest],
        ['ManifestAddendum', request.manifestAddendum],
        ['ValidateOnly', request.validateOnly],
        ['APIVersion', request.apiVersion],
      ],
      limits,
    );
    return {
      jobId: text(result, 'JobId') ?? '',
      jobType: text(result, 'JobType'),
      warningMessage: text(result, 'WarningMessage') || undefined,
      artifactList: artifacts(result),
      requestId,
    };
  }

  async cancelJob(jobId: string, limits?: AttemptLimits): Promise<{ success: boolean; requestId: string | undefined }> {
    const { result, requestId } = await this.send(ImportExportOperation.CancelJob, [['JobId', jobId]], limits);
    return { success: text(result, 'Success') === 'true', requestId };
  }
}

const FACTORY: ServiceClientFactory<ImportExportClient> = {
  create: (connection) =>
    new ImportExportClient({
      endpoint: connection.endpoint('importexport') ?? IMPORT_EXPORT_ENDPOINT,
      credentials: connection.credentials(),
      httpHandler: connection.httpHandler(),
    }),
};

/** The connection's Import/Export client, on its handler and credentials; it always signs SigV4. */
export function importExportClient(connection: Connection): ImportExportClient {
  return connection.client(FACTORY);
}
