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
}

/** What a service module answers; the front writes it, or loses it on purpose when a fault says so. */
export interface EmulatorResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** A routed request: the operation is known before it runs, so faults can target it and skip its effect. */
export interface RoutedOperation {
  readonly operation: string;
  readonly run: () => EmulatorResponse;
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
}

/** The readings AWS's documents most support (see each setting). */
export const DEFAULT_SETTINGS: Readonly<EmulatorSettings> = {
  terminalStateOnDescribe: true,
  conflictExecutionState: true,
  startNextUpdatesInProgress: false,
};

/** Every setting name, for the admin API and the command line. */
export const SETTING_NAMES = Object.keys(DEFAULT_SETTINGS) as (keyof EmulatorSettings)[];

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
