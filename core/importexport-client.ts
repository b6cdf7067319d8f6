/**
 * A small, exact client for AWS Import/Export (API 2010-06-01, query protocol), which has no v3 SDK client.
 * It sends what the AWS CLI sends: a form body `Action=<Op>&Version=2010-06-01&<params in model order>`, encoded
 * as Python's `urlencode` does, signed with SigV4 for `us-east-1`/`IngestionService` (botocore's endpoint data
 * for `importexport`) by the SDK's own `@smithy/signature-v4`. Answers are XML; errors are `<ErrorResponse>`.
 * Retries are not here: the steps retry, through `StepRun`.
 */
import type { IncomingMessage } from 'node:http';

import { Hash } from '@smithy/hash-node';
import type { NodeHttpHandler } from '@smithy/node-http-handler';
import { SignatureV4 } from '@smithy/signature-v4';
import { XMLParser } from 'fast-xml-parser';

import type { CredentialsProvider } from './connection';
import type { AttemptLimits } from './step-run';

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

/**
 * A service error, shaped like the SDK's exceptions (`name` is the AWS code, `$metadata` the status and request
 * id) so that one mapping turns both into StepErrors. Its message is the service's own and holds no manifest.
 */
export class ImportExportServiceError extends Error {
  readonly $metadata: {
    readonly httpStatusCode: number;
    readonly requestId: string | undefined;
    /** Set when the answer showed our clock off by 5 minutes or more and the offset was corrected: retry. */
    clockSkewCorrected?: boolean;
  };
  readonly $fault: 'client' | 'server';

  constructor(name: string, message: string, httpStatusCode: number, requestId: string | undefined) {
    super(message);
    this.name = name;
    this.$metadata = { httpStatusCode, requestId };
    this.$fault = httpStatusCode >= 500 ? 'server' : 'client';
  }
}

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

async function readBody(stream: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
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
/** AWS refuses signatures more than 5 minutes away from its clock. */
const MAX_SKEW_MS = 5 * 60 * 1000;

export class ImportExportClient {
  private readonly url: URL;
  private readonly signer: SignatureV4;
  /**
   * Added to the local clock when signing, learnt from the service's Date header when the two differ by 5 minutes
   * or more (as the v3 SDK does), so a gateway with a wrong clock still gets through.
   */
  private clockOffsetMs = 0;

  /** Learns the service's time from an answer; true when that changed the offset. */
  private learnClock(dateHeader: string | undefined): boolean {
    const serverTime = dateHeader ? Date.parse(dateHeader) : NaN;
    if (Number.isNaN(serverTime)) return false;
    if (Math.abs(Date.now() + this.clockOffsetMs - serverTime) < MAX_SKEW_MS) return false;
    this.clockOffsetMs = serverTime - Date.now();
    return true;
  }

  constructor(private readonly config: ImportExportClientConfig) {
    this.url = new URL(config.endpoint);
    this.signer = new SignatureV4({
      ...IMPORT_EXPORT_SIGNING,
      credentials: config.credentials,
      sha256: Hash.bind(null, 'sha256'),
      // The AWS CLI signs no x-amz-content-sha256 header for query services; neither do we.
      applyChecksum: false,
    });
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
    const body = encodeForm(pairs);
    const { protocol, hostname, port, pathname } = this.url;
    const signed = await this.signer.sign(
      {
        method: 'POST',
        protocol,
        hostname,
        ...(port && { port: Number(port) }),
        path: pathname === '' ? '/' : pathname,
        query: { Operation: operation },
        headers: {
          host: this.url.host,
          'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
        },
        body,
      },
      { signingDate: new Date(Date.now() + this.clockOffsetMs) },
    );
    signed.headers['content-length'] = String(Buffer.byteLength(body));
    const { response } = await this.config.httpHandler.handle(
      signed as Parameters<NodeHttpHandler['handle']>[0],
      limits,
    );
    const xml = await readBody(response.body as IncomingMessage);
    const headerId = response.headers['x-amzn-requestid'];
    const clockSkewCorrected = this.learnClock(response.headers.date);
    let doc: XmlNode;
    try {
      doc = parser.parse(xml) as XmlNode;
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
      if (clockSkewCorrected) failure.$metadata.clockSkewCorrected = true;
      throw failure;
    }
    const envelope = child(doc, `${operation}Response`);
    if (!envelope) {
      throw new ImportExportServiceError('InvalidResponse', `the answer was not a ${operation}Response`, 502, headerId);
    }
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
