/**
 * The contract between the emulator's HTTP front (server.ts: parsing, auth, faults, logging) and the service
 * modules behind it (iot-jobs.ts for both IoT planes, importexport.ts). Service modules never touch sockets.
 */
import type { IncomingHttpHeaders } from 'node:http';

/** The three AWS services the emulator answers for; `importexport` is signed as `IngestionService`. */
export const ServiceName = {
  IotControl: 'iot',
  IotJobsData: 'iot-jobs-data',
  ImportExport: 'importexport',
} as const;
export type ServiceName = (typeof ServiceName)[keyof typeof ServiceName];

/** A request after the front has read it and decided which service it belongs to. */
export interface EmulatorRequest {
  readonly service: ServiceName;
  readonly method: string;
  /** Path as sent on the wire (still percent-encoded), without the query string. */
  readonly rawPath: string;
  /** Path segments, percent-decoded. */
  readonly segments: readonly string[];
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  /** Form parameters for query-protocol requests (body and query string merged), else empty. */
  readonly form: URLSearchParams;
  /** The access key id that signed the request, when it was signed (verified only with auth on). */
  readonly accessKeyId: string | undefined;
  readonly requestId: string;
  /** Emulator time in epoch milliseconds (the admin clock can move it forward). */
  readonly now: number;
  /** Set by a `lagging-read` fault: executions queued at or after this time are not yet visible to the read. */
  readonly visibleBefore?: number;
}

/** What a service module answers; the front writes it, or loses it on purpose when a fault says so. */
export interface EmulatorResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** A routed request: the operation is known before it runs, so faults can target it and skip its effect. */
export interface RoutedOperation<
  Answer extends EmulatorResponse | Promise<EmulatorResponse> = EmulatorResponse | Promise<EmulatorResponse>,
> {
  readonly operation: string;
  /** Runs it; an operation that must wait (signing a certificate) answers with a promise. */
  readonly run: () => Answer;
}

/**
 * Behaviour switches for the places where AWS's documents are silent or disagree, settable at start and through
 * the admin API. Each default is the reading the documents most support: the service models (botocore's
 * `iot-jobs-data/2017-09-29`) where they speak to the case, the developer guide where only it does; the other value
 * of each is the other reading, kept so that clients are tested under both.
 */
export interface EmulatorSettings {
  /**
   * DescribeJobExecution (data plane) of an execution in a terminal state answers 410 TerminalStateException: the
   * model lists that error for the operation ("The job is in a terminal state"). `false`: the execution is shown as
   * any other, which the developer guide's examples suggest.
   */
  terminalStateOnDescribe: boolean;
  /**
   * A 409 InvalidStateTransitionException from UpdateJobExecution carries the execution's `executionState`
   * (status, statusDetails, versionNumber) beside its message: the model's documentation of the error ("the body of
   * the error message also contains the executionState field"), as the Jobs MQTT API's InvalidStateTransition and
   * VersionMismatch errors do. `false`: the message alone, as the shape's only modelled member.
   */
  conflictExecutionState: boolean;
  /**
   * StartNextPendingJobExecution of an execution already IN_PROGRESS applies the request as an UpdateJobExecution
   * to IN_PROGRESS would: given `statusDetails` replace the execution's, given `stepTimeoutInMinutes` resets (or,
   * with -1, cancels) the step timer, and the change bumps `versionNumber` and is recorded in the history. This is
   * the model read literally: its `statusDetails` member says only "If not specified, the statusDetails are
   * unchanged", for QUEUED and IN_PROGRESS alike. `false` (the default): the execution is handed back as it is, as
   * the developer guide says outright ("If the next pending job execution is already IN_PROGRESS, its status details
   * don't change", Jobs device HTTP and MQTT API pages) and as the model's `stepTimeoutInMinutes` implies (the timer
   * is reset "by calling UpdateJobExecution, setting the status to IN_PROGRESS"). A request with neither member
   * hands the execution back unchanged under both readings.
   */
  startNextUpdatesInProgress: boolean;
  /**
   * Data-plane DescribeJobExecution of `$next` when the thing has nothing pending. AWS documents no answer for the
   * HTTPS call; an AWS maintainer says the MQTT answer simply carries no execution (aws/aws-iot-device-sdk-cpp-v2#101),
   * the developer guide says the same of StartNextPendingJobExecution over HTTPS, and a live capture reported by
   * ministack answers `{}`. `false` (the default): 200 `{}`, no `execution`. `true`: 404 ResourceNotFoundException,
   * the model's error for "the specified resource does not exist".
   */
  describeNextNotFound: boolean;
  /**
   * The longest `statusDetails` value, in UTF-16 units. 1,024 is the `DetailsValue` shape's maximum in the
   * `iot-jobs-data` model inside AWS CLI v2 (v1's botocore gives none); the developer guide's job-limits table says
   * 128. The default is the model's; 128 the table's.
   */
  statusDetailsValueLength: StatusDetailsValueLength;
  /**
   * What a request's `statusDetails` does to the execution's: the model says only "If not specified, the
   * statusDetails are unchanged". `replace` (the default, the map as the request sends it): the given map becomes the
   * execution's. `merge`: each given pair is set and the others are kept.
   */
  statusDetailsUpdate: StatusDetailsUpdate;
  /**
   * A job whose `jobExecutionsRetryConfig` retries TIMED_OUT (or ALL) without a `timeoutConfig`. The developer guide
   * (jobs-configurations-details) says "to retry execution because of a timeout failure, you must enable the timeout
   * configuration" but not what AWS does otherwise. `true` (the default): CreateJob refuses it (400
   * InvalidRequestException). `false`: the job is created and a timeout of its executions (a step timer's) is never
   * retried.
   */
  timeoutRetryNeedsTimeoutConfig: boolean;
  /**
   * StartNextPendingJobExecution with `stepTimeoutInMinutes: -1`. The model's member documentation says "1 to 10080"
   * for this operation (-1, cancelling the timer, is described only for UpdateJobExecution), but the shape is an
   * unbounded long and the AWS CLIs send -1 unchecked. `false` (the default, the documentation's reading): 400
   * InvalidRequestException. `true`: accepted, and the step timer is left unset.
   */
  startNextAcceptsCancel: boolean;
}

/** The two readings of the longest `statusDetails` value: the `iot-jobs-data` model's, the job-limits table's. */
export const STATUS_DETAILS_VALUE_LENGTHS = [1024, 128] as const;
export type StatusDetailsValueLength = (typeof STATUS_DETAILS_VALUE_LENGTHS)[number];

/** The two readings of what a request's `statusDetails` does to the execution's. */
export const STATUS_DETAILS_UPDATES = ['replace', 'merge'] as const;
export type StatusDetailsUpdate = (typeof STATUS_DETAILS_UPDATES)[number];

/** The readings AWS's documents most support (see each setting). */
export const DEFAULT_SETTINGS: Readonly<EmulatorSettings> = {
  terminalStateOnDescribe: true,
  conflictExecutionState: true,
  startNextUpdatesInProgress: false,
  describeNextNotFound: false,
  statusDetailsValueLength: 1024,
  statusDetailsUpdate: 'replace',
  timeoutRetryNeedsTimeoutConfig: true,
  startNextAcceptsCancel: false,
};

/** Every setting name, for the admin API and the command line. */
export const SETTING_NAMES = Object.keys(DEFAULT_SETTINGS) as (keyof EmulatorSettings)[];

/** Why `value` is not a value of setting `name`, or undefined when it is one (the admin API's and the flags' check). */
export function settingProblem(name: string, value: unknown): string | undefined {
  if (!(SETTING_NAMES as string[]).includes(name))
    return `unknown setting ${name}; the settings are ${SETTING_NAMES.join(', ')}`;
  const allowed: readonly unknown[] =
    name === 'statusDetailsValueLength'
      ? STATUS_DETAILS_VALUE_LENGTHS
      : name === 'statusDetailsUpdate'
        ? STATUS_DETAILS_UPDATES
        : [true, false];
  return allowed.includes(value)
    ? undefined
    : `${name} must be ${allowed.join(' or ')}, not ${typeof value === 'string' ? value : JSON.stringify(value)}`;
}

/** A service module: routes a request to one of its operations, or answers an error for an unknown route. */
export interface ServiceModule {
  route(req: EmulatorRequest): RoutedOperation;
  reset(): void;
  dump(): unknown;
  /**
   * Module-specific admin routes under `/_emulator/<segments…>` (e.g. moving an Import/Export job's transfer on);
   * `undefined` when the route is not the module's.
   */
  admin?(method: string, segments: readonly string[], body: unknown): { status: number; body: unknown } | undefined;
}
