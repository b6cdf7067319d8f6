/**
 * AWS Import/Export (API 2010-06-01) behind the emulator's front: the query protocol as botocore's model defines
 * it. Requests arrive as form parameters (`Action=UpdateJob&Version=2010-06-01&…`; botocore posts them to `/`
 * even though the model's requestUri says `/?Operation=…`), answers are `<{Op}Response>` XML and errors are
 * `<ErrorResponse>` XML whose `Code` botocore reports as the error name.
 *
 * Jobs are owned by the access key that created them: another key's request sees InvalidJobIdException, which is
 * what AWS answers for a job "not associated with the AWS account" (the emulator has keys, not accounts). A job
 * can be updated or canceled only before its data transfer starts, i.e. while its device is `NotReceived` and its
 * progress is `Pending`; the admin route `POST /_emulator/importexport/jobs/{JobId}/progress` moves it on.
 */
import { createHmac } from 'node:crypto';

import { JobType, isManifestError, validateManifest } from './importexport-manifest';
import type { EmulatorRequest, EmulatorResponse, RoutedOperation, ServiceModule } from './types';
import { queryError, xmlEscape } from './wire';

const XML_NAMESPACE = 'http://importexport.amazonaws.com/doc/2010-06-01/';
const API_VERSION = '2010-06-01';

/** The operations of the 2010-06-01 model. */
export const ImportExportOperation = {
  CreateJob: 'CreateJob',
  GetStatus: 'GetStatus',
  UpdateJob: 'UpdateJob',
  CancelJob: 'CancelJob',
  ListJobs: 'ListJobs',
  GetShippingLabel: 'GetShippingLabel',
} as const;
export type ImportExportOperation = (typeof ImportExportOperation)[keyof typeof ImportExportOperation];

/** Job progress codes and their messages, from AWS's "Job and Device Status Codes" table. */
export const ProgressCode = {
  Pending: 'Pending',
  InProgress: 'InProgress',
  Complete: 'Complete',
  SuccessWithErrors: 'SuccessWithErrors',
  Canceled: 'Canceled',
  Expired: 'Expired',
  DeviceError: 'DeviceError',
  InvalidSignature: 'InvalidSignature',
  MissingDevice: 'MissingDevice',
  MissingSignature: 'MissingSignature',
  UnsupportedDeviceType: 'UnsupportedDeviceType',
  UnsupportedFileFormat: 'UnsupportedFileFormat',
  UnsupportedPowerSupply: 'UnsupportedPowerSupply',
} as const;
export type ProgressCode = (typeof ProgressCode)[keyof typeof ProgressCode];

const PROGRESS_MESSAGES: Readonly<Record<ProgressCode, string>> = {
  Pending: 'The specified job has not started.',
  InProgress: 'The data on your device is currently being loaded.',
  Complete: 'The data loaded successfully.',
  SuccessWithErrors: 'The data load completed with errors.',
  Canceled: 'The job was canceled.',
  Expired: 'The job expired.',
  DeviceError: 'The job was aborted. Your device would not function properly.',
  InvalidSignature: 'The job was aborted. The SIGNATURE file was invalid.',
  MissingDevice: 'The job was aborted. Your device, power supply, or device connectors were missing.',
  MissingSignature: 'The job was aborted. The SIGNATURE file was missing.',
  UnsupportedDeviceType: 'The job was aborted. The device type is not supported.',
  UnsupportedFileFormat: 'The job was aborted. The file format is not supported.',
  UnsupportedPowerSupply: 'The job was aborted. The power supply is not supported.',
};

/**
 * Device location codes. AWS documents NotReceived, AtAWS and Returned; `InTransit` is the emulator's name for a
 * device shipped but not yet at AWS (AWS's guide describes that stage without giving it a code).
 */
export const LocationCode = {
  NotReceived: 'NotReceived',
  InTransit: 'InTransit',
  AtAWS: 'AtAWS',
  Returned: 'Returned',
} as const;
export type LocationCode = (typeof LocationCode)[keyof typeof LocationCode];

const LOCATION_MESSAGES: Readonly<Record<LocationCode, string>> = {
  NotReceived: 'AWS has not received your device.',
  InTransit: 'Your device is on its way to AWS.',
  AtAWS: 'Your device is at AWS.',
  Returned: 'Your device has been returned.',
};

/** The warning AWS gives (and the AWS CLI example prints) for a manifest with `eraseDevice: yes`. */
export const ERASE_DEVICE_WARNING = '**** Device will be erased before being returned. ****';

/** Where artifact and label URLs point: AWS's reserved documentation bucket, so they look real and go nowhere. */
const ARTIFACT_BASE = 'https://s3.amazonaws.com/amzn-s3-demo-bucket';

/** Signs the SIGNATURE file; a constant, because the file only has to be stable per job, not secret. */
const SIGNATURE_KEY = 'aws-job-steps-importexport-emulator';

const DEFAULT_MAX_JOBS = 1000;

/** The answer of an admin route; `undefined` from `admin()` means "not mine". */
export interface AdminAnswer {
  readonly status: number;
  readonly body: unknown;
}

/** The Import/Export service module, with the admin hook the front mounts under `/_emulator/`. */
export interface ImportExportModule extends ServiceModule {
  /** Import/Export answers in the same turn. */
  route(req: EmulatorRequest): RoutedOperation<EmulatorResponse>;
  /**
   * Handles `POST importexport/jobs/{JobId}/progress` (body `{"progressCode": "InProgress"}` or
   * `{"locationCode": "AtAWS"}`; a location code given as `progressCode` is taken as the location),
   * `GET importexport/jobs` and `GET importexport/jobs/{JobId}`; `segments` follow `/_emulator/`.
   */
  admin(method: string, segments: readonly string[], body: unknown): AdminAnswer | undefined;
}

interface Job {
  readonly id: string;
  readonly type: JobType;
  manifest: string;
  canceled: boolean;
  progressCode: ProgressCode;
  locationCode: LocationCode;
  updateCount: number;
  readonly ownerAccessKeyId: string | undefined;
  readonly createdAt: number;
  /** Creation order, to list jobs created in the same millisecond newest first. */
  readonly seq: number;
  readonly signature: string;
}

/** A refusal in AWS's terms; thrown inside an operation and turned into `<ErrorResponse>` by `answer`. */
class ImportExportError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

const ErrorCode = {
  InvalidAction: 'InvalidAction',
  InvalidVersion: 'InvalidVersionException',
  MissingParameter: 'MissingParameterException',
  InvalidParameter: 'InvalidParameterException',
  InvalidJobId: 'InvalidJobIdException',
  CanceledJobId: 'CanceledJobIdException',
  UnableToUpdateJobId: 'UnableToUpdateJobIdException',
  UnableToCancelJobId: 'UnableToCancelJobIdException',
  InvalidAccessKeyId: 'InvalidAccessKeyIdException',
} as const;

// ---- XML ----------------------------------------------------------------------------------------------------------

function element(name: string, value: string | number | boolean | undefined): string {
  return value === undefined ? '' : `<${name}>${xmlEscape(String(value))}</${name}>`;
}

function members(name: string, items: readonly string[]): string {
  return `<${name}>${items.map((item) => `<member>${item}</member>`).join('')}</${name}>`;
}

function success(operation: string, requestId: string, result: string): EmulatorResponse {
  return {
    status: 200,
    headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId },
    body:
      `<${operation}Response xmlns="${XML_NAMESPACE}"><${operation}Result>${result}</${operation}Result>` +
      `<ResponseMetadata><RequestId>${xmlEscape(requestId)}</RequestId></ResponseMetadata></${operation}Response>`,
  };
}

/** ISO 8601 to the second, as AWS writes CreationDate (`2015-05-27T18:58:21Z`). */
function isoSeconds(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

// ---- parameters ---------------------------------------------------------------------------------------------------

function required(form: URLSearchParams, name: string): string {
  const value = form.get(name);
  if (value === null) {
    throw new ImportExportError(ErrorCode.MissingParameter, `The request must contain the parameter ${name}.`);
  }
  return value;
}

/** JobType as the model spells it; AWS's own CLI examples send `import`, so case does not matter. */
function jobType(form: URLSearchParams): JobType {
  const value = required(form, 'JobType').toLowerCase();
  if (value === 'import') return JobType.Import;
  if (value === 'export') return JobType.Export;
  throw new ImportExportError(ErrorCode.InvalidParameter, 'The parameter JobType must be Import or Export.');
}

function booleanParam(form: URLSearchParams, name: string): boolean {
  const value = required(form, name).toLowerCase();
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new ImportExportError(ErrorCode.InvalidParameter, `The parameter ${name} must be true or false.`);
}

function maxJobs(form: URLSearchParams): number {
  const value = form.get('MaxJobs');
  if (value === null) return DEFAULT_MAX_JOBS;
  if (!/^\d+$/.test(value) || Number(value) < 1) {
    throw new ImportExportError(ErrorCode.InvalidParameter, 'The parameter MaxJobs must be a positive integer.');
  }
  return Math.min(Number(value), DEFAULT_MAX_JOBS);
}

/** `jobIds.member.N`, the query protocol's list encoding, in N order. */
function memberList(form: URLSearchParams, name: string): string[] {
  const prefix = `${name}.member.`;
  return [...form.entries()]
    .filter(([key]) => key.startsWith(prefix) && /^\d+$/.test(key.slice(prefix.length)))
    .sort(([a], [b]) => Number(a.slice(prefix.length)) - Number(b.slice(prefix.length)))
    .map(([, value]) => value);
}

// ---- the service --------------------------------------------------------------------------------------------------

/** Deterministic ids: `JOB01`, `JOB02`, … `JOBZZ`, `JOB100` (base 36), restarting after `reset()`. */
function jobIdFor(counter: number): string {
  return `JOB${counter.toString(36).toUpperCase().padStart(2, '0')}`;
}

function signatureFor(id: string): string {
  return createHmac('sha1', SIGNATURE_KEY).update(id).digest('base64');
}

/** The SIGNATURE file's text, in the layout AWS's get-status example shows. */
function signatureFileContents(job: Job): string {
  return `version:2.0\nsigningMethod:HmacSHA1\njobId:${job.id}\nsignature:${job.signature}`;
}

function artifactList(job: Job): string {
  const artifacts = [
    { description: 'Signature file', url: `${ARTIFACT_BASE}/importexport/${job.id}/SIGNATURE` },
    { description: 'Shipping instructions', url: `${ARTIFACT_BASE}/importexport/${job.id}/shipping-instructions.pdf` },
  ];
  return members(
    'ArtifactList',
    artifacts.map((a) => element('Description', a.description) + element('URL', a.url)),
  );
}

/** Whether the data transfer has begun: the device left the customer or AWS started on the job. */
function transferStarted(job: Job): boolean {
  return job.locationCode !== LocationCode.NotReceived || job.progressCode !== ProgressCode.Pending;
}

function dumpJob(job: Job): Record<string, unknown> {
  return {
    id: job.id,
    type: job.type,
    manifest: job.manifest,
    canceled: job.canceled,
    progressCode: job.progressCode,
    locationCode: job.locationCode,
    updateCount: job.updateCount,
    ownerAccessKeyId: job.ownerAccessKeyId ?? null,
    creationDate: isoSeconds(job.createdAt),
  };
}

function isProgressCode(value: unknown): value is ProgressCode {
  return typeof value === 'string' && Object.hasOwn(ProgressCode, value);
}

function isLocationCode(value: unknown): value is LocationCode {
  return typeof value === 'string' && Object.hasOwn(LocationCode, value);
}

class ImportExportService implements ImportExportModule {
  private jobs = new Map<string, Job>();
  private counter = 0;

  route(req: EmulatorRequest): RoutedOperation<EmulatorResponse> {
    const action = req.form.get('Action') ?? req.query.get('Operation') ?? '';
    return { operation: action || 'Unknown', run: () => this.answer(req, action) };
  }

  reset(): void {
    this.jobs.clear();
    this.counter = 0;
  }

  dump(): unknown {
    return { jobs: this.ordered().map(dumpJob) };
  }

  admin(method: string, segments: readonly string[], body: unknown): AdminAnswer | undefined {
    if (segments[0] !== 'importexport' || segments[1] !== 'jobs') return undefined;
    const path = segments.slice(1);
    if (method === 'GET' && path.length === 1) return { status: 200, body: this.dump() };
    const job = path[1] === undefined ? undefined : this.jobs.get(path[1]);
    if (method === 'GET' && path.length === 2) {
      return job ? { status: 200, body: dumpJob(job) } : { status: 404, body: { message: 'no such job' } };
    }
    if (method === 'POST' && path.length === 3 && path[2] === 'progress') {
      if (!job) return { status: 404, body: { message: 'no such job' } };
      return this.moveJob(job, body);
    }
    return undefined;
  }

  private moveJob(job: Job, body: unknown): AdminAnswer {
    const { progressCode, locationCode } = (body ?? {}) as { progressCode?: unknown; locationCode?: unknown };
    const location = isLocationCode(progressCode) ? progressCode : locationCode;
    const progress = isLocationCode(progressCode) ? undefined : progressCode;
    if (
      (progress !== undefined && !isProgressCode(progress)) ||
      (location !== undefined && !isLocationCode(location))
    ) {
      return {
        status: 400,
        body: {
          message: 'progressCode must be a job progress code and locationCode a device location code',
          progressCodes: Object.values(ProgressCode),
          locationCodes: Object.values(LocationCode),
        },
      };
    }
    if (progress === undefined && location === undefined) {
      return { status: 400, body: { message: 'give progressCode and/or locationCode' } };
    }
    if (progress !== undefined) job.progressCode = progress;
    if (location !== undefined) job.locationCode = location;
    if (progress !== undefined) job.canceled = progress === ProgressCode.Canceled;
    return { status: 200, body: dumpJob(job) };
  }

  /** Newest first, as ListJobs answers. */
  private ordered(): Job[] {
    return [...this.jobs.values()].sort((a, b) => b.createdAt - a.createdAt || b.seq - a.seq);
  }

  private answer(req: EmulatorRequest, action: string): EmulatorResponse {
    try {
      const handler = this.handlerFor(action);
      const version = required(req.form, 'Version');
      if (version !== API_VERSION) {
        throw new ImportExportError(ErrorCode.InvalidVersion, `The API version must be ${API_VERSION}.`);
      }
      return success(action, req.requestId, handler(req));
    } catch (err) {
      if (err instanceof ImportExportError) return queryError(err.status, err.code, err.message, req.requestId);
      throw err;
    }
  }

  private handlerFor(action: string): (req: EmulatorRequest) => string {
    switch (action) {
      case ImportExportOperation.CreateJob:
        return (req) => this.createJob(req);
      case ImportExportOperation.GetStatus:
        return (req) => this.getStatus(req);
      case ImportExportOperation.UpdateJob:
        return (req) => this.updateJob(req);
      case ImportExportOperation.CancelJob:
        return (req) => this.cancelJob(req);
      case ImportExportOperation.ListJobs:
        return (req) => this.listJobs(req);
      case ImportExportOperation.GetShippingLabel:
        return (req) => this.getShippingLabel(req);
      default:
        // The wording of AWS's query services for an unknown Action; the action itself is not echoed.
        throw new ImportExportError(ErrorCode.InvalidAction, 'The action is not valid for this web service.');
    }
  }

  /** A job the caller may see; another key's job is "not associated with the AWS account". */
  private findJob(req: EmulatorRequest, id: string): Job {
    const job = this.jobs.get(id);
    const caller = req.accessKeyId;
    if (!job || (caller !== undefined && job.ownerAccessKeyId !== undefined && job.ownerAccessKeyId !== caller)) {
      throw new ImportExportError(
        ErrorCode.InvalidJobId,
        'The JOBID was missing, not found, or not associated with the AWS account.',
      );
    }
    return job;
  }

  private notCanceled(job: Job): void {
    if (job.canceled) {
      throw new ImportExportError(
        ErrorCode.CanceledJobId,
        'The specified job ID has been canceled and is no longer valid.',
      );
    }
  }

  /** Validates a manifest for a job type and the signing key; returns the warning to give, if any. */
  private checkManifest(req: EmulatorRequest, manifest: string, type: JobType): string | undefined {
    const validated = validateManifest(manifest, type);
    if (isManifestError(validated)) throw new ImportExportError(validated.code, validated.message);
    // An unsigned request (auth off, no credentials) has no key to compare; AWS never sees one.
    if (
      validated.accessKeyId !== undefined &&
      req.accessKeyId !== undefined &&
      validated.accessKeyId !== req.accessKeyId
    ) {
      throw new ImportExportError(
        ErrorCode.InvalidAccessKeyId,
        "The AWS Access Key ID specified in the request did not match the manifest's accessKeyId value.",
      );
    }
    return validated.eraseDevice ? ERASE_DEVICE_WARNING : undefined;
  }

  private createJob(req: EmulatorRequest): string {
    const type = jobType(req.form);
    const manifest = required(req.form, 'Manifest');
    const validateOnly = booleanParam(req.form, 'ValidateOnly');
    const warning = this.checkManifest(req, manifest, type);
    if (validateOnly) return element('JobType', type) + element('WarningMessage', warning);
    const id = jobIdFor(++this.counter);
    const job: Job = {
      id,
      type,
      manifest,
      canceled: false,
      progressCode: ProgressCode.Pending,
      locationCode: LocationCode.NotReceived,
      updateCount: 0,
      ownerAccessKeyId: req.accessKeyId,
      createdAt: req.now,
      seq: this.counter,
      signature: signatureFor(id),
    };
    this.jobs.set(id, job);
    return (
      element('JobId', id) +
      element('JobType', type) +
      element('Signature', job.signature) +
      element('SignatureFileContents', signatureFileContents(job)) +
      element('WarningMessage', warning) +
      artifactList(job)
    );
  }

  /** A canceled job still answers, with progress Canceled: that is what the progress code exists for. */
  private getStatus(req: EmulatorRequest): string {
    const job = this.findJob(req, required(req.form, 'JobId'));
    return (
      element('JobId', job.id) +
      element('JobType', job.type) +
      element('LocationCode', job.locationCode) +
      element('LocationMessage', LOCATION_MESSAGES[job.locationCode]) +
      element('ProgressCode', job.progressCode) +
      element('ProgressMessage', PROGRESS_MESSAGES[job.progressCode]) +
      element('ErrorCount', 0) +
      element('Signature', job.signature) +
      element('SignatureFileContents', signatureFileContents(job)) +
      element('CurrentManifest', job.manifest) +
      element('CreationDate', isoSeconds(job.createdAt)) +
      artifactList(job)
    );
  }

  /**
   * Replaces the manifest of a job whose transfer has not started. The answer carries no ArtifactList: the AWS CLI's
   * update-job example prints exactly `True    **** Device will be erased before being returned. ****`.
   */
  private updateJob(req: EmulatorRequest): string {
    const id = required(req.form, 'JobId');
    const manifest = required(req.form, 'Manifest');
    const type = jobType(req.form);
    const validateOnly = booleanParam(req.form, 'ValidateOnly');
    const job = this.findJob(req, id);
    this.notCanceled(job);
    if (transferStarted(job)) {
      throw new ImportExportError(
        ErrorCode.UnableToUpdateJobId,
        'AWS Import/Export cannot update the job: its data transfer has started.',
      );
    }
    if (type !== job.type) {
      throw new ImportExportError(ErrorCode.InvalidParameter, `The parameter JobType does not match the job's type.`);
    }
    const warning = this.checkManifest(req, manifest, type);
    if (!validateOnly) {
      job.manifest = manifest;
      job.updateCount += 1;
    }
    return element('Success', true) + element('WarningMessage', warning);
  }

  private cancelJob(req: EmulatorRequest): string {
    const job = this.findJob(req, required(req.form, 'JobId'));
    this.notCanceled(job);
    if (transferStarted(job)) {
      throw new ImportExportError(
        ErrorCode.UnableToCancelJobId,
        'AWS Import/Export cannot cancel the job: its data transfer has started.',
      );
    }
    job.canceled = true;
    job.progressCode = ProgressCode.Canceled;
    return element('Success', true);
  }

  /** Newest first; `Marker` is the last JobId of the previous page. */
  private listJobs(req: EmulatorRequest): string {
    const limit = maxJobs(req.form);
    const marker = req.form.get('Marker');
    let visible = this.ordered().filter(
      (job) =>
        req.accessKeyId === undefined || job.ownerAccessKeyId === undefined || job.ownerAccessKeyId === req.accessKeyId,
    );
    if (marker !== null && marker !== '') {
      const at = visible.findIndex((job) => job.id === marker);
      if (at < 0)
        throw new ImportExportError(ErrorCode.InvalidParameter, 'The parameter Marker is not a listed JobId.');
      visible = visible.slice(at + 1);
    }
    const page = visible.slice(0, limit);
    const jobs = page.map(
      (job) =>
        element('JobId', job.id) +
        element('CreationDate', isoSeconds(job.createdAt)) +
        element('IsCanceled', job.canceled) +
        element('JobType', job.type),
    );
    return members('Jobs', jobs) + element('IsTruncated', visible.length > page.length);
  }

  /** A label URL for jobs that are the caller's and not canceled (the address fields are optional overrides). */
  private getShippingLabel(req: EmulatorRequest): string {
    const ids = memberList(req.form, 'jobIds');
    if (ids.length === 0) {
      throw new ImportExportError(ErrorCode.MissingParameter, 'The request must contain the parameter jobIds.');
    }
    for (const id of ids) this.notCanceled(this.findJob(req, id));
    return element('ShippingLabelURL', `${ARTIFACT_BASE}/shipping-label-${ids.join('-')}.pdf`);
  }
}

/** Creates an empty AWS Import/Export service; each emulator owns one. */
export function createImportExport(): ImportExportModule {
  return new ImportExportService();
}
