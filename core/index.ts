/**
 * aws-job-steps core: idempotent AWS steps for every wrapper (GitHub Action, Node-RED, command line).
 * Nothing here knows about any of them.
 */
export {
  describeFailure,
  StepError,
  StepErrorCode,
  isStepError,
  type StepErrorDetails,
  type StepOperation,
} from './shared/errors';
export {
  Connection,
  connectionFor,
  DEFAULT_READINGS,
  resolveEndpoint,
  ServiceEndpointVariable,
  StatusDetailsUpdate,
  StatusDetailsValueLength,
  type ConnectionSettings,
  type CredentialsProvider,
  type Readings,
  type RetryPolicy,
  type ServiceId,
  type StaticCredentials,
  type TlsClientCertificate,
} from './shared/connection';
export type { StepLogger, StepOptions } from './shared/step-run';
export { DeviceJobStatus, NEXT_JOB_ID, TERMINAL_STATUSES } from './iot-jobs/job-execution-fields';
export {
  parseUpdateJobExecutionInput,
  updateJobExecution,
  type UpdateJobExecutionInput,
  type UpdateJobExecutionInputRaw,
  type UpdateJobExecutionResult,
} from './iot-jobs/operations/update-job-execution';
export {
  encodeForm,
  IMPORT_EXPORT_API_VERSION,
  IMPORT_EXPORT_ENDPOINT,
  IMPORT_EXPORT_SIGNING,
  ImportExportClient,
  importExportClient,
  ImportExportOperation,
  ImportExportServiceError,
  type Artifact,
  type CreateJobRequest,
  type CreateJobResponse,
  type GetStatusResponse,
  type JobType,
  type UpdateJobRequest,
  type UpdateJobResponse,
} from './import-export/importexport-client';
export { fileReference, MAX_INPUT_FILE_BYTES, readInputFile, type FilePolicy } from './shared/input-files';
export { manifestAccessKeyId, maskManifest, normalizeManifest, sameManifest } from './import-export/manifest';
export {
  parseUpdateJobInput,
  readManifest,
  updateJob,
  type UpdateJobInput,
  type UpdateJobInputRaw,
  type UpdateJobResult,
} from './import-export/update-job';
export {
  Outbox,
  OutboxFullError,
  OutboxUnavailableError,
  outboxUnavailable,
  OUTBOX_LIMITS,
  OUTBOX_RETRY,
  SQLITE_NODE_VERSION,
  type Backlog,
  type OutboxAnswer,
  type OutboxListing,
  type OutboxSettings,
  type StoredReport,
} from './outbox/outbox';
export { definition as updateJobExecutionOperation } from './iot-jobs/operations/update-job-execution';
