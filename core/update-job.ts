/**
 * The update-job step: AWS Import/Export `UpdateJob`, made safe to re-run. Import/Export answers an update that
 * changes nothing exactly as one that does, so the step reads the job first (`GetStatus`) and knows the truth:
 * `changed` says whether the job's manifest was different before. A failure that can follow an update already
 * applied (a lost response, `UnableToUpdateJobIdException` on a re-run after the transfer started) is settled
 * by reading the job again.
 */
import { toStepError } from './aws-errors';
import { connectionFor, type Connection, type ConnectionSettings } from './connection';
import { StepError, StepErrorCode, type StepOperation } from './errors';
import type { Artifact, GetStatusResponse } from './importexport-client';
import { parseUpdateJobInput, type UpdateJobInput, type UpdateJobInputRaw } from './job-input';
import { sameManifest } from './manifest';
import { StepRun, type StepOptions } from './step-run';

/** What the step did. */
export interface UpdateJobResult {
  /** True when the job's manifest (or type) was different before this step and now is the requested one. */
  readonly changed: boolean;
  /** The service's `Success`: true, or the step fails (`unconfirmed`); true as well when the job already had the manifest. */
  readonly success: boolean;
  /** The service's warning, e.g. that a device will be erased. Absent when nothing was sent. */
  readonly warningMessage?: string | undefined;
  /** The artifacts the answer listed: UpdateJob's own (often none), or the job's from GetStatus when nothing was sent. */
  readonly artifactList: Artifact[];
  /** Requests sent: reads and retries included. */
  readonly attempts: number;
  readonly requestId?: string | undefined;
}

/** Import/Export error codes, beyond the common ones. */
const IMPORT_EXPORT_ERROR_NAMES: Readonly<Record<string, StepErrorCode>> = {
  InvalidJobIdException: StepErrorCode.NotFound,
  ExpiredJobIdException: StepErrorCode.InvalidTransition,
  CanceledJobIdException: StepErrorCode.InvalidTransition,
  UnableToUpdateJobIdException: StepErrorCode.InvalidTransition,
  UnableToCancelJobIdException: StepErrorCode.InvalidTransition,
  InvalidAccessKeyIdException: StepErrorCode.Auth,
  MissingParameterException: StepErrorCode.InvalidRequest,
  InvalidParameterException: StepErrorCode.InvalidRequest,
  InvalidVersionException: StepErrorCode.InvalidRequest,
  MalformedManifestException: StepErrorCode.InvalidRequest,
  MissingManifestFieldException: StepErrorCode.InvalidRequest,
  InvalidManifestFieldException: StepErrorCode.InvalidRequest,
  InvalidAddressException: StepErrorCode.InvalidRequest,
  InvalidFileSystemException: StepErrorCode.InvalidRequest,
  InvalidCustomsException: StepErrorCode.InvalidRequest,
  MissingCustomsException: StepErrorCode.InvalidRequest,
  MultipleRegionsException: StepErrorCode.InvalidRequest,
  NoSuchBucketException: StepErrorCode.InvalidRequest,
  BucketPermissionException: StepErrorCode.Auth,
};

/** Whether the job already has what the request asks for. */
function alreadyAsAsked(request: UpdateJobInput, status: GetStatusResponse): boolean {
  return status.jobType === request.jobType && sameManifest(status.currentManifest ?? '', request.manifest);
}

/**
 * Replaces an Import/Export job's manifest, idempotently.
 *
 * `input` is the AWS shape (`JobId`, `Manifest`, `JobType`, `ValidateOnly`, `APIVersion`; camelCase accepted);
 * `Manifest` may be `file://manifest.txt`. With `ValidateOnly` the service checks the manifest and nothing
 * changes. With `skipUnchanged` nothing is sent after the read when the job already has the manifest.
 *
 * @throws StepError with `code` `invalid-input` (nothing sent), `not-found`, `invalid-transition` (canceled,
 *   expired, or its data transfer has started), `invalid-request` (a manifest the service refuses), `auth`,
 *   `throttled`, `unavailable`, `network`, `timeout` or `aborted`. Messages never contain the manifest.
 * @example
 * const { changed } = await updateJob({ JobId: 'EX1ID', Manifest: 'file://manifest.txt', JobType: 'Import' });
 */
export async function updateJob(
  input: UpdateJobInputRaw | UpdateJobInput,
  connection?: Connection | ConnectionSettings,
  options: StepOptions = {},
): Promise<UpdateJobResult> {
  const request = await parseUpdateJobInput(input, options.files);
  const aws = connectionFor(connection);
  const client = aws.importExportClient();
  const run = new StepRun(aws.policy, options);
  const subject = request.jobId;
  const classify = (operation: StepOperation) => (error: unknown) =>
    toStepError(error, operation, subject, IMPORT_EXPORT_ERROR_NAMES);
  const getStatus = (): Promise<GetStatusResponse> =>
    run.call('GetStatus', subject, (limits) => client.getStatus(request.jobId, limits), classify('GetStatus'));
  const done = (changed: boolean, status: GetStatusResponse): UpdateJobResult => ({
    changed,
    success: true,
    artifactList: status.artifactList,
    attempts: run.attempts,
    requestId: status.requestId,
  });

  if (request.validateOnly) {
    const out = await run.call(
      'UpdateJob',
      subject,
      (limits) => client.updateJob(request, limits),
      classify('UpdateJob'),
    );
    return {
      changed: false,
      success: out.success,
      warningMessage: out.warningMessage,
      artifactList: out.artifactList,
      attempts: run.attempts,
      requestId: out.requestId,
    };
  }

  const before = await getStatus();
  const wasAsAsked = alreadyAsAsked(request, before);
  if (wasAsAsked && options.skipUnchanged) {
    options.logger?.debug(`UpdateJob ${subject}: the job already has this manifest; nothing sent`);
    return done(false, before);
  }

  type Sent =
    | { kind: 'sent'; out: Awaited<ReturnType<typeof client.updateJob>> }
    | { kind: 'settled'; status: GetStatusResponse };
  /** After a failure whose effect is unknown: the job has the manifest now, so the update was applied. */
  const settle = async (): Promise<Sent | undefined> => {
    const now = await getStatus();
    return alreadyAsAsked(request, now) ? { kind: 'settled', status: now } : undefined;
  };
  let sent: Sent;
  try {
    sent = await run.call<Sent>(
      'UpdateJob',
      subject,
      async (limits) => {
        const out = await client.updateJob(request, limits);
        // `Success: false` is a 200 that did not do what was asked: settle by reading the job, else retry.
        if (!out.success)
          throw new StepError(
            `the service answered Success false${out.warningMessage ? `: ${out.warningMessage}` : ''}`,
            {
              code: StepErrorCode.Unconfirmed,
              operation: 'UpdateJob',
              subject,
              requestId: out.requestId,
              retryable: true,
            },
          );
        return { kind: 'sent', out };
      },
      classify('UpdateJob'),
      settle,
    );
  } catch (error) {
    // Refused now (or never confirmed), but perhaps applied by an attempt whose answer was lost, or by an earlier run.
    const settleable =
      error instanceof StepError &&
      (error.code === StepErrorCode.Unconfirmed ||
        (error.code === StepErrorCode.InvalidTransition && error.awsErrorName !== 'CanceledJobIdException'));
    if (!settleable) throw error;
    const now = await settle();
    if (!now) {
      error.attempts = run.attempts;
      throw error;
    }
    sent = now;
  }
  if (sent.kind === 'settled') return done(!wasAsAsked, sent.status);
  return {
    changed: !wasAsAsked,
    success: sent.out.success,
    warningMessage: sent.out.warningMessage,
    artifactList: sent.out.artifactList,
    attempts: run.attempts,
    requestId: sent.out.requestId,
  };
}
