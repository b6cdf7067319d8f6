/**
 * The AWS IoT Jobs service on a connection: the transport its requests travel by and the memory of what its steps
 * last saw of each execution. Made once per connection, over HTTPS unless a host gives another transport
 * (`useJobsTransport`); the connection holds it without knowing what it is.
 */
import type { Connection, ServiceClientFactory } from '../shared/connection';
import { ExecutionMemory } from './execution-memory';
import { HttpsJobsTransport } from './transports/https';
import type { JobsTransport } from './transports/transport';

export interface JobsService {
  readonly transport: JobsTransport;
  /** What this connection's steps last saw of each execution: evidence for an honest `changed`. */
  readonly memory: ExecutionMemory;
}

const FACTORY: ServiceClientFactory<JobsService> = {
  create: (connection) => ({ transport: new HttpsJobsTransport(connection), memory: new ExecutionMemory() }),
  destroy: (service) => service.transport.close(),
};

/** The connection's IoT Jobs service, made on first use. */
export function iotJobs(connection: Connection): JobsService {
  return connection.client(FACTORY);
}

/**
 * Makes `transport` carry the connection's IoT Jobs requests from now on (a fresh memory with it: what one transport
 * saw is not evidence about another's requests).
 */
export function useJobsTransport(connection: Connection, transport: JobsTransport): void {
  connection.use(FACTORY, { transport, memory: new ExecutionMemory() });
}
