/**
 * The fleet figures of `npm run bench`: N gateways, each with a connection of its own (its own sockets, its own
 * pacing), report IN_PROGRESS then SUCCEEDED for one job at the same moment, against an emulator enforcing AWS's
 * default account quotas (200 data-plane writes a second, shared). The requests the emulator admitted and throttled
 * are its own counts; an update "given up" is one whose step (or SDK call) ended in an error, leaving its execution
 * short of SUCCEEDED.
 */
import {
  GetPendingJobExecutionsCommand,
  IoTJobsDataPlaneClient,
  UpdateJobExecutionCommand,
} from '@aws-sdk/client-iot-jobs-data-plane';

import { Connection, updateJobExecution } from '../core';
import { getPendingJobExecutions } from '../core/iot-jobs/operations/get-pending-job-executions';
import { EmulatorClient } from '../emulator/client';

/** Who sends the fleet's reports. */
export type FleetClient = 'step' | 'sdk-standard' | 'sdk-adaptive';

export interface FleetResult {
  readonly client: FleetClient;
  readonly gateways: number;
  /** Seconds from the first report until every gateway's two reports were answered (or given up). */
  readonly seconds: number;
  /** 2N / the write quota: the least time the quota allows. */
  readonly limitSeconds: number;
  /** Requests the emulator saw from the fleet (admitted and throttled) per update. */
  readonly requestsPerUpdate: number;
  /** Gateways whose SUCCEEDED did not land (an update given up). */
  readonly givenUp: number;
}

const WRITES_PER_SECOND = 200;

interface Counts {
  counts: Record<string, { admitted: number; throttled: number }>;
}

/** A gateway: `connect` finds its work (opening its connection), `report` sends its two reports, false if given up. */
interface Gateway {
  connect(): Promise<unknown>;
  report(): Promise<boolean>;
}

function gateway(
  client: FleetClient,
  url: string,
  credentials: { accessKeyId: string; secretAccessKey: string },
  thingName: string,
): Gateway {
  if (client === 'step') {
    const connection = new Connection({ region: 'us-east-1', endpoint: url, credentials });
    return {
      connect: () => getPendingJobExecutions({ thingName }, connection),
      report: async () => {
        try {
          for (const status of ['IN_PROGRESS', 'SUCCEEDED'] as const)
            await updateJobExecution({ thingName, jobId: 'fw-1', status }, connection);
          return true;
        } catch {
          return false;
        } finally {
          connection.destroy();
        }
      },
    };
  }
  const sdk = new IoTJobsDataPlaneClient({
    region: 'us-east-1',
    endpoint: url,
    credentials,
    retryMode: client === 'sdk-adaptive' ? 'adaptive' : 'standard',
  });
  return {
    connect: () => sdk.send(new GetPendingJobExecutionsCommand({ thingName })),
    report: async () => {
      try {
        for (const status of ['IN_PROGRESS', 'SUCCEEDED'] as const)
          await sdk.send(new UpdateJobExecutionCommand({ thingName, jobId: 'fw-1', status }));
        return true;
      } catch {
        return false;
      } finally {
        sdk.destroy();
      }
    },
  };
}

/**
 * Runs one fleet of `gateways` against the emulator at `url` (reset and seeded here, its quotas at AWS's defaults).
 */
export async function fleetRun(
  url: string,
  credentials: { accessKeyId: string; secretAccessKey: string },
  gateways: number,
  client: FleetClient,
): Promise<FleetResult> {
  const admin = new EmulatorClient(url, credentials);
  await admin.reset();
  const names = Array.from({ length: gateways }, (_, i) => `gw-${i}`);
  await admin.seed(names, [{ jobId: 'fw-1', targets: names, document: '{}' }]);
  // Every gateway connected and its work found before the clock starts (quotas off meanwhile: a fleet comes online
  // over minutes, not at once): what is timed is the reporting, not one process setting up N devices.
  const fleet = names.map((name) => gateway(client, url, credentials, name));
  await admin.quotas({ enabled: false });
  await Promise.all(fleet.map((g) => g.connect()));
  await admin.reset(); // the request counts too; then the fleet's job again, every bucket full
  await admin.seed(names, [{ jobId: 'fw-1', targets: names, document: '{}' }]);
  const started = performance.now();
  const outcomes = await Promise.all(fleet.map((g) => g.report()));
  const seconds = (performance.now() - started) / 1000;
  const { counts } = (await admin.quotas({})) as Counts;
  // Every request the fleet sent: the writes, and any read a step sent to settle an answer it lost.
  const sent = Object.entries(counts)
    .filter(([bucket]) => bucket !== 'control CreateJob')
    .reduce((sum, [, c]) => sum + c.admitted + c.throttled, 0);
  return {
    client,
    gateways,
    seconds,
    limitSeconds: (2 * gateways) / WRITES_PER_SECOND,
    requestsPerUpdate: sent / (2 * gateways),
    givenUp: outcomes.filter((ok) => !ok).length,
  };
}
