/**
 * An offline AWS for the two APIs aws-job-steps calls: AWS IoT Jobs (data plane, plus the control-plane calls a
 * sandbox needs to seed itself) and AWS Import/Export, over their real wire protocols.
 *
 * @example
 * const emulator = await startEmulator({ port: 0, auth: { credentials: [{ accessKeyId, secretAccessKey }] } });
 * // point any AWS client at emulator.url, then:
 * await emulator.close();
 */
import { Emulator, type EmulatorOptions, type RunningEmulator } from './server';

export type { EmulatorOptions, RunningEmulator, RequestLogEntry } from './server';
export type { EmulatorCredential } from './sigv4';
export type { EmulatorSettings } from './types';
export { DEFAULT_QUOTAS, type QuotaSettings } from './quotas';
export { FaultKind } from './faults';

/** Starts an emulator on 127.0.0.1 (port 0 = any free port); resolves once it accepts connections. */
export function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  return new Emulator(options).listen();
}
