/**
 * aws-job-steps core: idempotent AWS steps for every wrapper (GitHub Action, Node-RED, command line).
 * Nothing here knows about any of them.
 */
export { describeFailure, StepError, StepErrorCode, isStepError, type StepErrorDetails, type StepOperation } from './errors';
export {
  Connection,
  connectionFor,
  resolveEndpoint,
  ServiceEndpointVariable,
  type ConnectionSettings,
  type CredentialsProvider,
  type RetryPolicy,
  type ServiceId,
  type StaticCredentials,
  type TlsClientCertificate,
} from './connection';
export type { StepLogger, StepOptions } from './step-run';
export {
  DeviceJobStatus,
  parseUpdateJobExecutionInput,
  TERMINAL_STATUSES,
  type UpdateJobExecutionInput,
  type UpdateJobExecutionInputRaw,
} from './job-execution-input';
export { updateJobExecution, type UpdateJobExecutionResult } from './update-job-execution';
export {
  encodeForm,
  IMPORT_EXPORT_API_VERSION,
  IMPORT_EXPORT_ENDPOINT,
  IMPORT_EXPORT_SIGNING,
  ImportExportClient,
  ImportExportOperation,
  ImportExportServiceError,
  type Artifact,
  type CreateJobRequest,
  type CreateJobResponse,
  type GetStatusResponse,
  type JobType,
  type UpdateJobRequest,
  type UpdateJobResponse,
} from './importexport-client';
export { fileReference, MAX_INPUT_FILE_BYTES, readInputFile, type FilePolicy } from './input-files';
export { parseUpdateJobInput, readManifest, type UpdateJobInput, type UpdateJobInputRaw } from './job-input';
export { manifestAccessKeyId, maskManifest, normalizeManifest, sameManifest } from './manifest';
export { updateJob, type UpdateJobResult } from './update-job';
