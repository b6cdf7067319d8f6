/**
 * An emulator with its MQTT listener, in a process of its own as `npm run emulator` runs it (aedes is ESM-only, and
 * Jest's module system cannot load it in-process), and an MQTT.js client that asks the Jobs plane and waits for its
 * answer.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';

import { EmulatorClient } from '../../emulator/client';
import { FIXTURE_CREDENTIALS } from './aws-cli';

export interface MqttEmulator {
  readonly url: string;
  /** `mqtt://127.0.0.1:<port>` */
  readonly tcp: string;
  /** `mqtts://127.0.0.1:<port>` */
  readonly tls: string;
  readonly fx: EmulatorClient;
  /** The CA a TLS client trusts. */
  caPem(): Promise<string>;
  /** `GET /_emulator/mqtt`'s counts. */
  counts(): Promise<MqttCounts>;
  close(): Promise<void>;
}

export interface MqttCounts {
  connections: number;
  refusedConnections: number;
  disconnected: Record<string, number>;
  publishesDiscarded: number;
  subscriptionsRefused: Record<string, number>;
  requests: number;
  replies: number;
  notifications: number;
}

/** Starts `lib/emulator/main.js` (built by `npm run build`) with MQTT on both listeners; `args` add flags. */
export async function startMqttEmulator(args: readonly string[] = []): Promise<MqttEmulator> {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      join(__dirname, '..', '..', 'lib', 'emulator', 'main.js'),
      '--port',
      '0',
      '--mqtt-port',
      '0',
      '--mqtts-port',
      '0',
      ...args,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(out);
    });
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => reject(new Error(`the emulator exited (${code}): ${out}`)));
  });
  const url = /http:\/\/127\.0\.0\.1:\d+/.exec(line)?.[0] ?? '';
  const tcp = /mqtt:\/\/127\.0\.0\.1:\d+/.exec(line)?.[0] ?? '';
  const tls = /mqtts:\/\/127\.0\.0\.1:\d+/.exec(line)?.[0] ?? '';
  const fx = new EmulatorClient(url, FIXTURE_CREDENTIALS);
  const report = async () => (await fx.admin('GET', 'mqtt')) as { caPem: string; counts: MqttCounts };
  return {
    url,
    tcp,
    tls,
    fx,
    caPem: async () => (await report()).caPem,
    counts: async () => (await report()).counts,
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill();
      }),
  };
}

/** An MQTT 3.1.1 client that does not reconnect (a test sees each disconnect). */
export function connect(brokerUrl: string, clientId: string, options: IClientOptions = {}): Promise<MqttClient> {
  return mqtt.connectAsync(brokerUrl, {
    clientId,
    protocolVersion: 4,
    reconnectPeriod: 0,
    connectTimeout: 10_000,
    ...options,
  });
}

/** Resolves when the client's connection closes. */
export function closed(client: MqttClient): Promise<void> {
  return new Promise((resolve) => (client.connected ? client.once('close', () => resolve()) : resolve()));
}

/** A reply: which topic it came on and its JSON. */
export interface Reply {
  readonly topic: string;
  readonly body: Record<string, unknown>;
}

/** The next message on any of `topics`, parsed. */
export function next(client: MqttClient, topics: readonly string[]): Promise<Reply> {
  return new Promise((resolve) => {
    const on = (topic: string, payload: Buffer) => {
      if (!topics.includes(topic)) return;
      client.off('message', on);
      resolve({ topic, body: JSON.parse(payload.toString('utf8')) as Record<string, unknown> });
    };
    client.on('message', on);
  });
}

/** Publishes a request and resolves with its reply (`/accepted` or `/rejected`), without subscribing to either. */
export async function ask(client: MqttClient, topic: string, payload: unknown): Promise<Reply> {
  const reply = next(client, [`${topic}/accepted`, `${topic}/rejected`]);
  await client.publishAsync(topic, typeof payload === 'string' ? payload : JSON.stringify(payload), { qos: 1 });
  return reply;
}

/** Subscribes and resolves with the granted QoS of each topic (128: refused), refusals included. */
export async function subscribe(client: MqttClient, topics: string | string[], qos: 0 | 1 | 2 = 1): Promise<number[]> {
  try {
    return (await client.subscribeAsync(topics, { qos })).map((g) => g.qos);
  } catch (error) {
    const granted = (error as { packet?: { granted?: unknown[] } }).packet?.granted;
    if (!granted) throw error;
    return granted.map((g) => (typeof g === 'number' ? g : (g as { qos: number }).qos));
  }
}
