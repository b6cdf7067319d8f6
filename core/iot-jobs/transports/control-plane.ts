/**
 * The one AWS IoT control-plane call a device step may need: `DescribeJobExecution` (`GET
 * /things/{thingName}/jobs/{jobId}` on the `iot` endpoint, IAM action `iot:DescribeJobExecution`), which shows an
 * execution in a terminal state where the data plane answers 410 `TerminalStateException`. One small signed
 * rest-json request, as `aws iot describe-job-execution` sends it, instead of a second SDK client in every bundle.
 */
import type { NodeHttpHandler } from '@smithy/node-http-handler';

import type { CredentialsProvider } from '../../shared/connection';
import { detailsOf, type ExecutionSnapshot } from '../model';
import { AwsServiceError, SignedHttpClient } from '../../shared/signed-request';
import type { AttemptLimits } from '../../shared/step-run';

/** AWS IoT's control-plane endpoint for a region (botocore's endpoint rules for `iot`). */
export function iotControlEndpoint(region: string): string {
  return `https://iot.${region}.amazonaws.${region.startsWith('cn-') ? 'com.cn' : 'com'}`;
}

export interface IotControlClientConfig {
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: CredentialsProvider;
  readonly httpHandler: NodeHttpHandler;
}

type Json = Record<string, unknown>;

/** The error name as rest-json sends it: `x-amzn-ErrorType` (without its `:uri` suffix), else the body's. */
function errorName(headers: Readonly<Record<string, string | undefined>>, body: Json): string | undefined {
  const raw = headers['x-amzn-errortype'] ?? (body.__type as string | undefined) ?? (body.code as string | undefined);
  return typeof raw === 'string' ? raw.split(':')[0]!.split('#').at(-1) : undefined;
}

export class IotControlClient {
  private readonly http: SignedHttpClient;

  constructor(config: IotControlClientConfig) {
    this.http = new SignedHttpClient({ ...config, signing: { region: config.region, service: 'iot' } });
  }

  /**
   * The execution (the latest, or `executionNumber`), as the control plane shows it. Rejects with an
   * `AwsServiceError` for a refusal (403 AccessDeniedException when the credentials lack the permission).
   */
  async describeJobExecution(
    thingName: string,
    jobId: string,
    executionNumber: number | undefined,
    limits?: AttemptLimits,
  ): Promise<{ execution: ExecutionSnapshot; requestId: string | undefined }> {
    const response = await this.http.send(
      {
        method: 'GET',
        path: `/things/${encodeURIComponent(thingName)}/jobs/${encodeURIComponent(jobId)}`,
        ...(executionNumber !== undefined && { query: { executionNumber: String(executionNumber) } }),
      },
      limits,
    );
    const requestId = response.headers['x-amzn-requestid'];
    let body: Json = {};
    try {
      const parsed: unknown = response.body ? JSON.parse(response.body) : {};
      if (typeof parsed === 'object' && parsed !== null) body = parsed as Json;
    } catch {
      // Not JSON: the status decides below.
    }
    if (response.statusCode >= 300) {
      const message = (body.message ?? body.Message ?? `HTTP ${response.statusCode}`) as string;
      const failure = new AwsServiceError(
        errorName(response.headers, body) ?? `Http${response.statusCode}`,
        String(message),
        response.statusCode,
        requestId,
      );
      if (response.clockSkewCorrected) failure.$metadata.clockSkewCorrected = true;
      throw failure;
    }
    const execution = body.execution as Json | undefined;
    if (typeof execution?.status !== 'string' || typeof execution.versionNumber !== 'number') {
      throw new AwsServiceError('InvalidResponse', 'the answer held no execution', response.statusCode, requestId);
    }
    return {
      execution: {
        executionNumber: typeof execution.executionNumber === 'number' ? execution.executionNumber : undefined,
        status: execution.status,
        // The control plane wraps the details: `statusDetails.detailsMap`.
        statusDetails: detailsOf((execution.statusDetails as Json | undefined)?.detailsMap),
        versionNumber: execution.versionNumber,
      },
      requestId,
    };
  }
}
