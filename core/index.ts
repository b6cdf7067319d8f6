/**
 * aws-job-steps core: idempotent AWS steps for every wrapper (GitHub Action, Node-RED, command line). Nothing here
 * knows about any of them. This is the package's public surface: the five steps, the registry of operations, the
 * connection, the outbox, the errors, and the IoT Jobs transport interface a host implements to carry the steps'
 * requests its own way. Everything else is internal and may move.
 */
export {
  describeFailure,
  isStepError,
  StepError,
  StepErrorCode,
  type Delivery,
  type StepErrorDetails,
  type StepOperation,
} from './shared/errors';
export {
  Connection,
  DEFAULT_READINGS,
  StatusDetailsUpdate,
  StatusDetailsValueLength,
  type ConnectionSettings,
  type CredentialsProvider,
  type Readings,
  type RetryPolicy,
  type StaticCredentials,
  type TlsClientCertificate,
} from './shared/connection';
export type { AttemptLimits, StepLogger, StepOptions } from './shared/step-run';
export type { Clock, ClockTimer } from './shared/clock';
export type { FilePolicy } from './shared/input-files';
export type { OperationDefinition, StepResult } from './shared/operation';
export {
  allOperations,
  isOperationName,
  loadOperation,
  OPERATION_NAMES,
  runOperation,
  type OperationName,
  type OperationResults,
} from './operations';

// The five steps.
export {
  definition as updateJobExecutionOperation,
  parseUpdateJobExecutionInput,
  updateJobExecution,
  type UpdateJobExecutionInput,
  type UpdateJobExecutionInputRaw,
  type UpdateJobExecutionResult,
} from './iot-jobs/operations/update-job-execution';
export {
  describeJobExecution,
  type DescribeJobExecutionInput,
  type DescribeJobExecutionResult,
} from './iot-jobs/operations/describe-job-execution';
export {
  getPendingJobExecutions,
  type GetPendingJobExecutionsResult,
} from './iot-jobs/operations/get-pending-job-executions';
export {
  startNextPendingJobExecution,
  type StartNextPendingJobExecutionInput,
  type StartNextPendingJobExecutionResult,
} from './iot-jobs/operations/start-next-pending-job-execution';
export {
  parseUpdateJobInput,
  updateJob,
  type UpdateJobInput,
  type UpdateJobInputRaw,
  type UpdateJobResult,
} from './import-export/update-job';
export type { Artifact, JobType } from './import-export/importexport-client';

// What the IoT Jobs steps share with a host: the statuses, the answers' one form, and the transport interface.
export { DeviceJobStatus, NEXT_JOB_ID, TERMINAL_STATUSES } from './iot-jobs/job-execution-fields';
export type {
  ExecutionSnapshot,
  JobExecution,
  JobExecutionState,
  JobExecutionStatus,
  JobExecutionSummary,
} from './iot-jobs/model';
export { useJobsTransport } from './iot-jobs/service';
export {
  JobsRefusal,
  RefusalKind,
  type Answer,
  type Capability,
  type ControlPlaneRead,
  type DescribeJobExecutionRequest,
  type GetPendingJobExecutionsRequest,
  type JobsCapabilities,
  type JobsCapabilityName,
  type JobsTransport,
  type LinkEvent,
  type StartNextPendingJobExecutionRequest,
  type UpdateJobExecutionRequest,
} from './iot-jobs/transports/transport';

export {
  Outbox,
  OutboxFullError,
  OutboxUnavailableError,
  OUTBOX_LIMITS,
  OUTBOX_RETRY,
  SQLITE_NODE_VERSION,
  type Backlog,
  type OutboxAnswer,
  type OutboxListing,
  type OutboxSettings,
  type StoredReport,
} from './outbox/outbox';
