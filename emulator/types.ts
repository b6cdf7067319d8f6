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

/** Behaviour switches where AWS's real behaviour is uncertain, settable at start and through the admin API. */
export interface EmulatorSettings {
  /**
   * DescribeJobExecution of an execution in a terminal state answers 410 TerminalStateException instead of the
   * execution. The model lists the error for that operation; whether AWS sends it for a terminal execution is not
   * documented precisely, so tests run both ways.
   */
  terminalStateOnDescribe: boolean;
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
