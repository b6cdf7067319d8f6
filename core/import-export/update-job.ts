/**
 * The update-job step: AWS Import/Export `UpdateJob`, made safe to re-run. Import/Export answers an update that
 * changes nothing exactly as one that does, so the step reads the job first (`GetStatus`) and knows the truth:
 * `changed` says whether the job's manifest was different before. A failure that can follow an update already
 * applied (a lost response, `UnableToUpdateJobIdException` on a re-run after the transfer started) is settled
 * by reading the job again.
 */
import { toStepError } from '../shared/aws-errors';
import { connectionFor, type Connection, type ConnectionSettings } from '../shared/connection';
import { invalidInput, StepError, StepErrorCode, type StepOperation } from '../shared/errors';
import {
  importExportClient,
  type Artifact,
  type GetStatusResponse,
  type JobType,
  type UpdateJobRequest,
} from './importexport-client';
import { fileReference, readInputFile, type FilePolicy } from '../shared/input-files';
import { manifestAccessKeyId, sameManifest } from './manifest';
import { fieldText, stringParameter, type OperationDefinition, type Parameter } from '../shared/operation';
import { checkKnownKeys, isGiven, parseBoolean, parseEnum, parseString } from '../shared/parse';
import { StepRun, type StepOptions } from '../shared/step-run';

/** UpdateJob's parameters (AWS Import/Export), in the model's order. */
const PARAMETERS: readonly Parameter[] = [
  stringParameter('job-id', 'JobId', 'Job id', 'A unique identifier which refers to a particular job.', true),
  {
    ...stringParameter(
      'manifest',
      'Manifest',
      'Manifest',
      'The UTF-8 encoded text of the manifest, or file://path to read it from. Never printed.',
      true,
    ),
    secret: true,
    file: true,
  },
  { ...stringParameter('job-type', 'JobType', 'Job type', 'Import or Export, in any case.', true), skeleton: 'Import' },
  {
    flag: 'validate-only',
    member: 'ValidateOnly',
    kind: 'boolean',
    required: false,
    help: 'Validate the manifest and parameters without changing the job.',
    label: 'Validate only',
  },
  stringParameter('api-version', 'APIVersion', 'API version', 'Specifies the version of the client tool.'),
];

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

/** What callers may pass. */
export interface UpdateJobInputRaw {
  JobId?: unknown;
  Manifest?: unknown;
  JobType?: unknown;
  ValidateOnly?: unknown;
  APIVersion?: unknown;
  jobId?: unknown;
  manifest?: unknown;
  jobType?: unknown;
  validateOnly?: unknown;
  apiVersion?: unknown;
}

/** The validated request. */
export type UpdateJobInput = UpdateJobRequest;

/** Each field by its AWS name, with the camelCase spelling accepted for it. */
const FIELDS = {
  JobId: 'jobId',
  Manifest: 'manifest',
  JobType: 'jobType',
  ValidateOnly: 'validateOnly',
  APIVersion: 'apiVersion',
} as const;
type Field = keyof typeof FIELDS;

const JOB_TYPES: readonly JobType[] = ['Import', 'Export'];
/** Job ids are short tokens such as `EX1ID`; white space or control characters mean a copy-paste went wrong. */
const JOB_ID = { min: 1, max: 64, pattern: /^[^\s\p{C}]+$/u, patternText: 'the job id without spaces' };

/**
 * The manifest text: given inline, or `file://path` read as UTF-8 under `files` (relative to its `cwd`; see
 * `readInputFile` for the bounds). Messages name the path, never the content.
 */
export async function readManifest(value: unknown, files?: FilePolicy): Promise<string> {
  const field = 'Manifest';
  const text = parseString(field, value);
  const reference = fileReference(text);
  if (reference === undefined) return text;
  const content = await readInputFile(field, reference, files);
  if (content.trim() === '') throw invalidInput(field, `file ${reference} is empty`, 'give a manifest with its fields');
  return content;
}

/**
 * Parses and validates an update-job input before anything is sent.
 *
 * @throws StepError `invalid-input` naming the field.
 * @example await parseUpdateJobInput({ JobId: 'EX1ID', Manifest: 'file://manifest.txt', JobType: 'import' })
 */
export async function parseUpdateJobInput(raw: unknown, files?: FilePolicy): Promise<UpdateJobInput> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw invalidInput('input', 'must be an object with JobId, Manifest and JobType', 'pass the AWS request shape');
  }
  const names = Object.keys(FIELDS) as Field[];
  checkKnownKeys(raw, [...names, ...Object.values(FIELDS)], 'UpdateJob');
  const r = raw as Record<string, unknown>;
  const value = (field: Field): unknown => {
    const [aws, camel] = [r[field], r[FIELDS[field]]];
    if (isGiven(aws) && isGiven(camel)) {
      throw invalidInput(field, `is given twice, as ${field} and ${FIELDS[field]}`, 'keep one');
    }
    return isGiven(aws) ? aws : camel;
  };
  const validateOnly = value('ValidateOnly');
  const apiVersion = value('APIVersion');
  const jobId = parseString('JobId', value('JobId'), JOB_ID);
  return {
    jobId,
    manifest: await readManifest(value('Manifest'), files),
    jobType: parseEnum('JobType', value('JobType'), JOB_TYPES),
    validateOnly: isGiven(validateOnly) ? parseBoolean('ValidateOnly', validateOnly) : false,
    ...(isGiven(apiVersion) && { apiVersion: parseString('APIVersion', apiVersion, { max: 64 }) }),
  };
}

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
  const client = importExportClient(aws);
  const run = new StepRun(aws.policy, options, aws.pacing);
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

/** update-job, for every wrapper. */
export const definition: OperationDefinition<UpdateJobResult> = {
  name: 'update-job',
  service: 'importexport',
  awsOperation: 'UpdateJob',
  summary:
    "Replaces an AWS Import/Export job's manifest (`UpdateJob`), safely: the job is read first (`GetStatus`), so " +
    'a re-run reports `changed: false` and an answer lost after the change was made is settled by reading again.',
  notes: [
    'With `ValidateOnly` the service checks the manifest and nothing changes. The manifest is never printed, and ' +
      'its `accessKeyId` is masked where the wrapper can mask.',
  ],
  reference: 'https://docs.aws.amazon.com/AWSImportExport/latest/DG/WebUpdateJob.html',
  parameters: PARAMETERS,
  subject: ['JobId'],
  response: [
    { name: 'Success', kind: 'boolean' },
    { name: 'WarningMessage' },
    { name: 'ArtifactList', item: [{ name: 'Description' }, { name: 'URL' }] },
  ],
  resultMembers: ['success', 'warningMessage', 'artifactList'],
  fields: [
    { name: 'success', help: "AWS's Success answer", value: (r) => String(r.success) },
    {
      name: 'warning-message',
      help: "AWS's warning, e.g. that the device will be erased",
      value: (r) => fieldText(r.warningMessage),
    },
    {
      name: 'artifact-list',
      help: "the job's artifacts as JSON, [{description, url}]",
      value: (r) => JSON.stringify(r.artifactList),
    },
  ],
  statusText: (r) => (r.changed ? 'updated' : r.success ? 'unchanged' : 'refused'),
  toResponse: (r) => ({
    Success: r.success,
    WarningMessage: r.warningMessage,
    ...(r.artifactList.length > 0 && {
      ArtifactList: r.artifactList.map((a) => ({ Description: a.description, URL: a.url })),
    }),
  }),
  // Read before the step, so a relative path is the wrapper's, and the key id in it is masked before anything prints.
  async prepare(input, files) {
    const manifest = input.Manifest ?? input.manifest;
    if (!isGiven(manifest)) return { input, secrets: [] };
    const text = await readManifest(manifest, files);
    const keyId = manifestAccessKeyId(text);
    const key = input.Manifest === undefined ? 'manifest' : 'Manifest';
    return { input: { ...input, [key]: text }, secrets: keyId ? [keyId] : [] };
  },
  run: updateJob,
};
