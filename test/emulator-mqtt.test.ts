/**
 * The emulator's Jobs plane over MQTT, driven by MQTT.js (a client nobody here wrote) over plain TCP and TLS with a
 * client certificate: the lifecycle of jobs-mqtt-api, both notification streams of jobs-comm-notifications, the
 * message broker's limits, the faults, and the same store as the HTTPS planes.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { MqttClient } from 'mqtt';

import { awsCli } from './helpers/aws-cli';
import { ask, closed, connect, next, startMqttEmulator, subscribe, type MqttEmulator } from './helpers/mqtt-emulator';

const THING = 'gw-1';
const OTHER = 'gw-2';
const JOBS = `$aws/things/${THING}/jobs`;
const ARN = (thing: string) => `arn:aws:iot:us-east-1:123456789012:thing/${thing}`;

let emulator: MqttEmulator;
const clients: MqttClient[] = [];

async function device(id = THING, options = {}): Promise<MqttClient> {
  const client = await connect(emulator.tcp, id, options);
  clients.push(client);
  return client;
}

async function createJob(jobId: string, targets: readonly string[], document = '{"action":"reboot"}'): Promise<void> {
  const reply = await emulator.fx.signed('iot', 'PUT', `/jobs/${jobId}`, { targets: targets.map(ARN), document });
  expect(reply.status).toBe(200);
}

beforeAll(async () => {
  emulator = await startMqttEmulator();
});

beforeEach(async () => {
  await emulator.fx.reset();
  await emulator.fx.seed([THING, OTHER], []);
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.endAsync(true).catch(() => undefined)));
});

afterAll(async () => {
  await emulator.close();
});

describe('the lifecycle over MQTT', () => {
  test('get pending, start next, describe by id and $next, a refused transition and a stale version, both notification streams, the queue emptying', async () => {
    const gw = await device();
    await gw.subscribeAsync([`${JOBS}/notify`, `${JOBS}/notify-next`], { qos: 1 });

    // Nothing pending: $next has no execution, notify-next has said nothing yet.
    const empty = await ask(gw, `${JOBS}/$next/get`, { clientToken: 'c0' });
    expect(empty.topic).toBe(`${JOBS}/$next/get/accepted`);
    expect(empty.body).toEqual({ clientToken: 'c0', timestamp: expect.any(Number) });

    // A job created on the control plane (HTTPS) notifies the MQTT subscribers.
    const notified = next(gw, [`${JOBS}/notify`]);
    const nextNotified = next(gw, [`${JOBS}/notify-next`]);
    await createJob('job-1', [THING]);
    expect((await notified).body).toEqual({
      timestamp: expect.any(Number),
      jobs: { QUEUED: [expect.objectContaining({ jobId: 'job-1', versionNumber: 1, executionNumber: 1 })] },
    });
    expect((await nextNotified).body).toEqual({
      timestamp: expect.any(Number),
      execution: expect.objectContaining({
        jobId: 'job-1',
        thingName: THING,
        status: 'QUEUED',
        jobDocument: { action: 'reboot' },
      }),
    });

    const pending = await ask(gw, `${JOBS}/get`, { clientToken: 'c1' });
    expect(pending).toEqual({
      topic: `${JOBS}/get/accepted`,
      body: {
        inProgressJobs: [],
        queuedJobs: [
          {
            jobId: 'job-1',
            queuedAt: expect.any(Number),
            lastUpdatedAt: expect.any(Number),
            versionNumber: 1,
            executionNumber: 1,
          },
        ],
        timestamp: expect.any(Number),
        clientToken: 'c1',
      },
    });
    // Timestamps are epoch seconds over MQTT.
    expect(pending.body.timestamp).toBeLessThan(1e11);

    // Starting it changes the pending list (notify) but not which execution is next (no notify-next).
    const startNotified = next(gw, [`${JOBS}/notify`, `${JOBS}/notify-next`]);
    const started = await ask(gw, `${JOBS}/start-next`, { statusDetails: { step: 'download' }, clientToken: 'c2' });
    expect(started.topic).toBe(`${JOBS}/start-next/accepted`);
    expect(started.body.execution).toEqual(
      expect.objectContaining({
        jobId: 'job-1',
        status: 'IN_PROGRESS',
        statusDetails: { step: 'download' },
        versionNumber: 2,
        jobDocument: { action: 'reboot' },
      }),
    );
    expect((await startNotified).topic).toBe(`${JOBS}/notify`);

    const byId = await ask(gw, `${JOBS}/job-1/get`, { includeJobDocument: false, clientToken: 'c3' });
    expect(byId.body.execution).toEqual(expect.objectContaining({ status: 'IN_PROGRESS', versionNumber: 2 }));
    expect(byId.body.execution).not.toHaveProperty('jobDocument');
    const byNext = await ask(gw, `${JOBS}/$next/get`, {});
    expect(byNext.body.execution).toEqual(
      expect.objectContaining({ jobId: 'job-1', jobDocument: { action: 'reboot' } }),
    );
    // No clientToken sent, none echoed.
    expect(byNext.body).not.toHaveProperty('clientToken');

    const stale = await ask(gw, `${JOBS}/job-1/update`, { status: 'SUCCEEDED', expectedVersion: 1, clientToken: 'c4' });
    expect(stale).toEqual({
      topic: `${JOBS}/job-1/update/rejected`,
      body: {
        code: 'VersionMismatch',
        message: expect.any(String),
        clientToken: 'c4',
        timestamp: expect.any(Number),
        executionState: { status: 'IN_PROGRESS', statusDetails: { step: 'download' }, versionNumber: 2 },
      },
    });

    // The queue empties: notify with no jobs, notify-next without an execution.
    const emptied = next(gw, [`${JOBS}/notify`]);
    const emptiedNext = next(gw, [`${JOBS}/notify-next`]);
    const done = await ask(gw, `${JOBS}/job-1/update`, {
      status: 'SUCCEEDED',
      expectedVersion: 2,
      includeJobExecutionState: true,
      includeJobDocument: true,
      clientToken: 'c5',
    });
    expect(done.body).toEqual({
      executionState: { status: 'SUCCEEDED', statusDetails: { step: 'download' }, versionNumber: 3 },
      jobDocument: { action: 'reboot' },
      timestamp: expect.any(Number),
      clientToken: 'c5',
    });
    expect((await emptied).body).toEqual({ timestamp: expect.any(Number), jobs: {} });
    expect((await emptiedNext).body).toEqual({ timestamp: expect.any(Number) });

    const refused = await ask(gw, `${JOBS}/job-1/update`, { status: 'IN_PROGRESS', clientToken: 'c6' });
    expect(refused.body).toEqual(
      expect.objectContaining({
        code: 'InvalidStateTransition',
        clientToken: 'c6',
        executionState: expect.objectContaining({ status: 'SUCCEEDED', versionNumber: 3 }),
      }),
    );
    const terminal = await ask(gw, `${JOBS}/job-1/get`, {});
    expect(terminal.body.code).toBe('TerminalStateReached');

    // What MQTT did is what the HTTPS control plane reads.
    const control = await emulator.fx.signed('iot', 'GET', `/things/${THING}/jobs/job-1`);
    expect(JSON.parse(control.text).execution).toEqual(
      expect.objectContaining({ status: 'SUCCEEDED', versionNumber: 3 }),
    );
  });

  test('an update over HTTPS is what MQTT reads, and notifies', async () => {
    await createJob('job-2', [THING]);
    const gw = await device();
    await gw.subscribeAsync(`${JOBS}/notify`, { qos: 1 });
    const notified = next(gw, [`${JOBS}/notify`]);
    const update = await emulator.fx.deviceUpdate(THING, 'job-2', { status: 'IN_PROGRESS' });
    expect(update.status).toBe(200);
    expect((await notified).body.jobs).toEqual({
      IN_PROGRESS: [expect.objectContaining({ jobId: 'job-2', versionNumber: 2 })],
    });
    const read = await ask(gw, `${JOBS}/job-2/get`, {});
    expect(read.body.execution).toEqual(expect.objectContaining({ status: 'IN_PROGRESS', versionNumber: 2 }));
  });

  test('a reply reaches the requesting client alone, subscribed or not (the policy off, so others may listen)', async () => {
    const open = await startMqttEmulator(['--no-mqtt-policy']);
    try {
      await open.fx.seed([THING], []);
      const eavesdropper = await connect(open.tcp, 'eavesdropper');
      const gw = await connect(open.tcp, THING);
      clients.push(eavesdropper, gw);
      await eavesdropper.subscribeAsync('$aws/things/+/jobs/#', { qos: 1 });
      const heard: string[] = [];
      eavesdropper.on('message', (topic) => heard.push(topic));
      expect((await ask(gw, `${JOBS}/get`, { clientToken: 'mine' })).body.clientToken).toBe('mine');
      // The request itself is an ordinary publish the eavesdropper may hear; the reply is not. Its own request's
      // reply, which the broker sends after any copy of the first, is the only reply it hears.
      await ask(eavesdropper, `$aws/things/${THING}/jobs/get`, { clientToken: 'theirs' });
      expect(heard.filter((t) => t.endsWith('/accepted'))).toEqual([`${JOBS}/get/accepted`]);
    } finally {
      await open.close();
    }
  });
});

describe('bad requests get AWS refusals and never stop the listener', () => {
  test.each([
    ['malformed JSON', `${JOBS}/get`, '{"clientToken":', 'InvalidJson'],
    ['a JSON array', `${JOBS}/get`, '[]', 'InvalidJson'],
    ['a topic no API maps to', `${JOBS}/job-1/cancel`, '{}', 'InvalidTopic'],
    ['a status of the wrong type', `${JOBS}/job-1/update`, '{"status":5}', 'InvalidRequest'],
    ['a status a device may not set', `${JOBS}/job-1/update`, '{"status":"CANCELED"}', 'InvalidRequest'],
    ['an unknown job', `${JOBS}/nope/update`, '{"status":"SUCCEEDED"}', 'ResourceNotFound'],
    ['a clientToken of the wrong type', `${JOBS}/get`, '{"clientToken":7}', 'InvalidRequest'],
  ])('%s', async (_what, topic, payload, code) => {
    await createJob('job-1', [THING]);
    const gw = await device();
    const reply = await ask(gw, topic, payload);
    expect(reply.topic).toBe(`${topic}/rejected`);
    expect(reply.body).toEqual(
      expect.objectContaining({ code, message: expect.any(String), timestamp: expect.any(Number) }),
    );
    // Still serving.
    expect((await ask(gw, `${JOBS}/get`, {})).topic).toBe(`${JOBS}/get/accepted`);
  });
});

describe("the message broker's limits", () => {
  test('a publish over 128 KB disconnects the client', async () => {
    const gw = await device();
    const gone = closed(gw);
    gw.publish(`${JOBS}/get`, Buffer.alloc(129 * 1024, 0x20));
    await gone;
    expect((await emulator.counts()).disconnected.payloadTooLarge).toBe(1);
  });

  test("a publish to a foreign thing's topic disconnects the client; a subscription to one is refused", async () => {
    const gw = await device();
    expect(await subscribe(gw, `$aws/things/${OTHER}/jobs/notify`)).toEqual([128]);
    const gone = closed(gw);
    gw.publish(`$aws/things/${OTHER}/jobs/get`, '{}');
    await gone;
    const counts = await emulator.counts();
    expect(counts.disconnected.notAuthorized).toBe(1);
    expect(counts.subscriptionsRefused.notAuthorized).toBe(1);
  });

  test('a client id that is no thing is refused at CONNECT under the usual thing policy', async () => {
    await expect(connect(emulator.tcp, 'not-a-thing')).rejects.toThrow(/Not authorized/i);
  });

  test('the 101st publish in a second is discarded, and counted', async () => {
    const gw = await device();
    const replies: string[] = [];
    gw.on('message', (topic) => replies.push(topic));
    // One synchronous burst: all 101 leave in the same few milliseconds, far inside the second.
    for (let i = 0; i < 101; i++) gw.publish(`${JOBS}/get`, JSON.stringify({ clientToken: `t${i}` }), { qos: 0 });
    for (let i = 0; i < 200 && replies.length < 100; i++) await new Promise((r) => setTimeout(r, 25));
    expect(replies.length).toBe(100);
    expect((await emulator.counts()).publishesDiscarded).toBe(1);
  });

  test('a second connection with the same client id ends the first', async () => {
    const first = await device();
    const gone = closed(first);
    await device();
    await gone;
    expect((await emulator.counts()).disconnected.takenOver).toBe(1);
  });

  test('QoS 2 is not supported: a publish at QoS 2 disconnects, a subscription at QoS 2 is granted QoS 1', async () => {
    const gw = await device();
    expect(await subscribe(gw, `${JOBS}/notify`, 2)).toEqual([1]);
    const gone = closed(gw);
    gw.publish(`${JOBS}/get`, '{}', { qos: 2 });
    await gone;
    expect((await emulator.counts()).disconnected.qos2).toBe(1);
  });

  test('at most 8 subscriptions per SUBSCRIBE and 50 per connection; a topic of more than 7 slashes disconnects', async () => {
    const gw = await device();
    const nine = Array.from({ length: 9 }, (_, i) => `${JOBS}/job-${i}/get/accepted`);
    expect(await subscribe(gw, nine)).toEqual(Array(9).fill(128));
    for (let batch = 0; batch < 7; batch++) {
      const topics = Array.from({ length: 8 }, (_, i) => `${JOBS}/j${batch}-${i}/get/accepted`);
      const granted = await subscribe(gw, topics);
      // 50 in all: the first six batches (48) and two of the seventh.
      expect(granted).toEqual(batch < 6 ? Array(8).fill(1) : [1, 1, 128, 128, 128, 128, 128, 128]);
    }
    const counts = await emulator.counts();
    expect(counts.subscriptionsRefused).toEqual({ notAuthorized: 0, perConnection: 6, perSubscribe: 9 });
    const gone = closed(gw);
    gw.publish(`${JOBS}/a/b/c/d/e`, '{}');
    await gone;
    expect((await emulator.counts()).disconnected.topicTooDeep).toBe(1);
  });
});

describe('faults', () => {
  test('a reply dropped after the update was applied', async () => {
    await createJob('job-1', [THING]);
    const gw = await device();
    await emulator.fx.fault({ kind: 'drop-reply', plane: 'mqtt', operation: 'UpdateJobExecution' });
    const answered: string[] = [];
    gw.on('message', (topic) => answered.push(topic));
    await gw.publishAsync(`${JOBS}/job-1/update`, JSON.stringify({ status: 'IN_PROGRESS' }), { qos: 1 });
    // The next request's answer comes after the first's would have.
    const later = await ask(gw, `${JOBS}/job-1/get`, {});
    expect(later.body.execution).toEqual(expect.objectContaining({ status: 'IN_PROGRESS', versionNumber: 2 }));
    expect(answered.filter((t) => t.includes('/update/'))).toEqual([]);
  });

  test('RequestThrottled, nothing applied', async () => {
    await createJob('job-1', [THING]);
    const gw = await device();
    await emulator.fx.fault({ kind: 'throttle', plane: 'mqtt', operation: 'StartNextPendingJobExecution' });
    const throttled = await ask(gw, `${JOBS}/start-next`, { clientToken: 'x' });
    expect(throttled.body).toEqual(expect.objectContaining({ code: 'RequestThrottled', clientToken: 'x' }));
    expect((await ask(gw, `${JOBS}/job-1/get`, {})).body.execution).toEqual(
      expect.objectContaining({ status: 'QUEUED' }),
    );
  });

  test('a disconnect instead of an answer', async () => {
    await createJob('job-1', [THING]);
    const gw = await device();
    await emulator.fx.fault({ kind: 'apply-then-reset', plane: 'mqtt', operation: 'UpdateJobExecution' });
    const gone = closed(gw);
    gw.publish(`${JOBS}/job-1/update`, JSON.stringify({ status: 'IN_PROGRESS' }));
    await gone;
    const again = await device();
    expect((await ask(again, `${JOBS}/job-1/get`, {})).body.execution).toEqual(
      expect.objectContaining({ versionNumber: 2 }),
    );
  });

  test('notify reaches the device before $next can see the job', async () => {
    const gw = await device();
    await gw.subscribeAsync(`${JOBS}/notify-next`, { qos: 1 });
    await emulator.fx.fault({
      kind: 'lagging-read',
      plane: 'mqtt',
      operation: 'DescribeJobExecution',
      latencyMs: 60_000,
    });
    const notified = next(gw, [`${JOBS}/notify-next`]);
    await createJob('job-1', [THING]);
    expect((await notified).body.execution).toEqual(expect.objectContaining({ jobId: 'job-1' }));
    const lagging = await ask(gw, `${JOBS}/$next/get`, {});
    expect(lagging.body).not.toHaveProperty('execution');
    const caughtUp = await ask(gw, `${JOBS}/$next/get`, {});
    expect(caughtUp.body.execution).toEqual(expect.objectContaining({ jobId: 'job-1' }));
  });
});

describe('TLS with a client certificate registered for the thing', () => {
  test('made with the AWS CLI (create-keys-and-certificate, attach-thing-principal), connected with ALPN x-amzn-mqtt-ca', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mqtt-cert-'));
    try {
      const created = await awsCli(emulator.url, [
        'iot',
        'create-keys-and-certificate',
        '--set-as-active',
        '--certificate-pem-outfile',
        join(dir, 'cert.pem'),
        '--private-key-outfile',
        join(dir, 'private.key'),
      ]);
      expect(created.code).toBe(0);
      const { certificateArn } = JSON.parse(created.stdout) as { certificateArn: string };
      const attached = await awsCli(emulator.url, [
        'iot',
        'attach-thing-principal',
        '--thing-name',
        THING,
        '--principal',
        certificateArn,
      ]);
      expect(attached.code).toBe(0);
      await createJob('job-1', [THING]);

      const tls = {
        key: readFileSync(join(dir, 'private.key')),
        cert: readFileSync(join(dir, 'cert.pem')),
        ca: await emulator.caPem(),
        ALPNProtocols: ['x-amzn-mqtt-ca'],
        servername: 'localhost',
      };
      const gw = await connect(emulator.tls, THING, tls);
      clients.push(gw);
      const pending = await ask(gw, `${JOBS}/get`, {});
      expect(pending.body.queuedJobs).toEqual([expect.objectContaining({ jobId: 'job-1' })]);

      // The certificate acts only as the thing it is attached to.
      await expect(connect(emulator.tls, OTHER, tls)).rejects.toThrow(/Not authorized/i);
      // An INACTIVE certificate does not connect.
      const id = certificateArn.split('/')[1];
      const deactivated = await awsCli(emulator.url, [
        'iot',
        'update-certificate',
        '--certificate-id',
        id!,
        '--new-status',
        'INACTIVE',
      ]);
      expect(deactivated.code).toBe(0);
      await expect(connect(emulator.tls, THING, { ...tls, clientId: `${THING}` })).rejects.toThrow(/Not authorized/i);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a certificate the account does not know is refused', async () => {
    const created = (
      await emulator.fx.signed('iot', 'POST', '/keys-and-certificate', undefined, { setAsActive: 'true' })
    ).text;
    const { certificatePem, keyPair } = JSON.parse(created) as {
      certificatePem: string;
      keyPair: { PrivateKey: string };
    };
    // Registered and ACTIVE, but attached to no thing.
    await expect(
      connect(emulator.tls, THING, {
        key: keyPair.PrivateKey,
        cert: certificatePem,
        ca: await emulator.caPem(),
        servername: 'localhost',
      }),
    ).rejects.toThrow(/Not authorized/i);
  });
});
