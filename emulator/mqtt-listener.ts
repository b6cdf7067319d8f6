/**
 * The emulator's MQTT 3.1.1 listener: a real broker (aedes, maintained; MQTT 5 only in its 2.0 beta, so the emulator
 * speaks 3.1.1 only) carrying the Jobs plane of `jobs-mqtt.ts` over the same store as the HTTPS planes, on plain TCP
 * (for tests) and on TLS with client certificates (port 8883's role, and 443's with ALPN `x-amzn-mqtt-ca`).
 *
 * It enforces what AWS IoT's message broker does (AWS IoT Core endpoints and quotas, "Message broker and protocol
 * limits and quotas"; the developer guide's "MQTT" page): a publish over 128 KB, one the policy does not allow, one at
 * QoS 2, or one to a topic of more than 7 slashes disconnects the client; at most 100 publishes a second per
 * connection, the excess discarded silently; keep-alive 30 to 1,200 s (aedes disconnects after 1.5× without
 * traffic); 50 subscriptions per connection and 8 per SUBSCRIBE, the rest refused (SUBACK 0x80); a second connection
 * with the same client id ends the first. The usual thing policy (jobs-mqtt-api's example policy: a client's id is its
 * thing's name and it may use only `$aws/things/<its thing>/jobs/...`) is on unless turned off.
 */
import { createServer as createTcpServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import { createHash } from 'node:crypto';

import type { Aedes, AuthenticateError, Client, PublishPacket, Subscription } from 'aedes';

import type { FaultKind, FaultRule } from './faults';
import type { IotJobsModule } from './iot-jobs';
import { JobsErrorCode, JobsNotifier, routeJobsRequest, type JobsMessage, type JobsRequest } from './jobs-mqtt';
import { serverCredentials } from './x509';

/** "Maximum MQTT payload size: 128 KB" — a larger publish disconnects the client. */
export const MAX_PAYLOAD_BYTES = 128 * 1024;
/** "Publish requests per second per connection: 100"; the excess is discarded. */
export const MAX_PUBLISHES_PER_SECOND = 100;
/** "Subscriptions per connection: 50" and "per subscribe request: 8". */
export const MAX_SUBSCRIPTIONS = 50;
export const MAX_SUBSCRIPTIONS_PER_SUBSCRIBE = 8;
/** "Maximum number of slashes in topic and topic filter: 7". */
export const MAX_TOPIC_SLASHES = 7;
/** "Keep-alive period: 30 to 1,200 seconds"; 0 (none) is taken as the most. */
export const KEEPALIVE_SECONDS = { min: 30, max: 1200 } as const;
/** The ALPN protocol AWS IoT takes MQTT over mutual TLS by on port 443. */
export const ALPN_MQTT = 'x-amzn-mqtt-ca';
/** Where a discarded publish goes: a topic no client can subscribe to (aedes keeps `$` topics from `#`). */
const DISCARDED_TOPIC = '$emulator/discarded';

export interface MqttListenerOptions {
  /** Plain TCP (0 = any free port); no plain listener when undefined. */
  readonly port?: number;
  /** TLS with client certificates (0 = any free port); no TLS listener when undefined. */
  readonly tlsPort?: number;
  /** 127.0.0.1 unless told otherwise. */
  readonly host?: string;
  /** The usual thing policy (true by default): client id = a thing, only its own Jobs topics. */
  readonly policy?: boolean;
}

/** What the listener needs from the emulator around it: its store, clock, quotas, faults and request log. */
export interface MqttHost {
  readonly jobs: IotJobsModule;
  /** Emulator time (the admin clock moves it). */
  now(): number;
  /** Whether the account's quota admits one more of `operation` (the same quota as over HTTPS). */
  admit(operation: string): boolean;
  /** The fault queued for an MQTT request of `operation`, taken. */
  fault(operation: string): FaultRule | undefined;
  /** Resolves when held requests are let go. */
  hold(): Promise<void>;
  record(entry: { operation: string; path: string; status: MqttOutcome; fault?: FaultKind; overQuota?: true }): void;
}

/** How an MQTT request ended, in the request log. */
export type MqttOutcome = 'accepted' | 'rejected' | 'disconnected';

/** What the listener has seen, for `GET /_emulator/mqtt`. */
export interface MqttCounts {
  connections: number;
  refusedConnections: number;
  disconnected: {
    payloadTooLarge: number;
    notAuthorized: number;
    qos2: number;
    topicTooDeep: number;
    takenOver: number;
    keepAliveTimeout: number;
    fault: number;
  };
  publishesDiscarded: number;
  subscriptionsRefused: { notAuthorized: number; perConnection: number; perSubscribe: number };
  requests: number;
  replies: number;
  notifications: number;
}

function zeroCounts(): MqttCounts {
  return {
    connections: 0,
    refusedConnections: 0,
    disconnected: {
      payloadTooLarge: 0,
      notAuthorized: 0,
      qos2: 0,
      topicTooDeep: 0,
      takenOver: 0,
      keepAliveTimeout: 0,
      fault: 0,
    },
    publishesDiscarded: 0,
    subscriptionsRefused: { notAuthorized: 0, perConnection: 0, perSubscribe: 0 },
    requests: 0,
    replies: 0,
    notifications: 0,
  };
}

/** A connected client's own state. */
interface Session {
  /** Publish times (ms) in the last second, for the rate limit. */
  readonly publishes: number[];
  readonly subscriptions: Set<string>;
}

function refusal(message: string): AuthenticateError {
  // 5: "Connection Refused, not authorized" (MQTT 3.1.1, 3.2.2.3).
  return Object.assign(new Error(message), { returnCode: 5 }) as AuthenticateError;
}

function slashes(topic: string): number {
  return topic.split('/').length - 1;
}

/** Whether a client of `thing` may use a topic (filter) under the usual thing policy. */
function ownTopic(thing: string, topic: string): boolean {
  return topic.startsWith(`$aws/things/${thing}/jobs/`);
}

export class MqttListener {
  counts: MqttCounts = zeroCounts();
  private readonly sessions = new WeakMap<Client, Session>();
  private readonly byId = new Map<string, Client>();
  /** Subscriptions that came in a SUBSCRIBE of more than 8: refused. */
  private readonly oversized = new WeakSet<Subscription>();
  private readonly notifier = new JobsNotifier();
  private readonly servers: NetServer[] = [];
  private readonly sockets = new Set<Socket>();
  /** Where it listens: `mqtt://host:port` and `mqtts://host:port`. */
  readonly endpoints: { tcp?: string; tls?: string } = {};

  private constructor(
    private readonly broker: Aedes,
    private readonly host: MqttHost,
    private readonly policy: boolean,
    /** The CA that signed the TLS listener's certificate, PEM: what a client trusts (Amazon Root CA 1's role). */
    readonly caPem: string,
  ) {}

  static async start(host: MqttHost, options: MqttListenerOptions): Promise<MqttListener> {
    // aedes is ESM-only; the emulator is CommonJS.
    const { Aedes } = await import('aedes');
    const authority = await host.jobs.authority();
    const broker = await Aedes.createBroker({ heartbeatInterval: 60_000 });
    const listener = new MqttListener(broker, host, options.policy ?? true, authority.certificatePem);
    listener.wire();
    const address = options.host ?? '127.0.0.1';
    const shown = address.includes(':') ? `[${address}]` : address;
    if (options.port !== undefined) {
      const server = createTcpServer((socket) => listener.accept(socket));
      listener.endpoints.tcp = `mqtt://${shown}:${await listener.listen(server, options.port, address)}`;
    }
    if (options.tlsPort !== undefined) {
      const names = [...new Set(['localhost', '127.0.0.1', address])];
      const own = await serverCredentials(authority, names);
      const server = createTlsServer(
        {
          key: own.privateKeyPem,
          cert: own.certificatePem,
          // A certificate is checked against the registry (registered, ACTIVE), as AWS does, not against a CA: one
          // registered without a CA connects too.
          requestCert: true,
          rejectUnauthorized: false,
          // A client that offers ALPN must offer AWS's; one that offers none is the port-8883 case.
          ALPNProtocols: [ALPN_MQTT],
        },
        (socket) => listener.accept(socket),
      );
      listener.endpoints.tls = `mqtts://${shown}:${await listener.listen(server, options.tlsPort, address)}`;
    }
    return listener;
  }

  private listen(server: NetServer, port: number, address: string): Promise<number> {
    this.servers.push(server);
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, address, () => {
        server.off('error', reject);
        resolve((server.address() as AddressInfo).port);
      });
    });
  }

  private accept(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    // A client that goes away mid-write is its own business, never the emulator's.
    socket.on('error', () => undefined);
    const client = this.broker.handle(socket);
    // Seen before aedes handles the packet: a SUBSCRIBE's size, which its hooks do not show.
    const parser = (client as unknown as { _parser: NodeJS.EventEmitter })._parser;
    parser.prependListener('packet', (packet: { cmd: string; subscriptions?: Subscription[] }) => {
      if (packet.cmd !== 'subscribe') return;
      const subscriptions = packet.subscriptions ?? [];
      for (const sub of subscriptions) {
        if (subscriptions.length > MAX_SUBSCRIPTIONS_PER_SUBSCRIBE) this.oversized.add(sub);
        // "AWS IoT does not support … QoS 2": a subscription asking for it is granted QoS 1 (the SUBACK says so).
        if (sub.qos > 1) sub.qos = 1;
      }
    });
  }

  private wire(): void {
    const broker = this.broker;
    broker.preConnect = (_client, packet, done) => {
      const asked = packet.keepalive ?? 0;
      packet.keepalive =
        asked === 0 ? KEEPALIVE_SECONDS.max : Math.min(Math.max(asked, KEEPALIVE_SECONDS.min), KEEPALIVE_SECONDS.max);
      done(null, true);
    };
    broker.authenticate = (client, _username, _password, done) => {
      const problem = this.identify(client);
      if (problem) {
        this.counts.refusedConnections++;
        return done(refusal(problem), false);
      }
      // aedes closes the earlier connection of this id as it registers this one.
      const earlier = this.byId.get(client.id);
      if (earlier && earlier !== client && !earlier.closed) this.counts.disconnected.takenOver++;
      done(null, true);
    };
    broker.authorizePublish = (client, packet, done) => {
      if (!client) return done(null);
      const problem = this.publishProblem(client, packet);
      if (problem) return done(new Error(problem));
      if (this.overRate(client)) {
        this.counts.publishesDiscarded++;
        packet.topic = DISCARDED_TOPIC;
        return done(null);
      }
      done(null);
      const request = routeJobsRequest(packet.topic, Buffer.from(packet.payload));
      if (request) void this.serve(client, request);
    };
    broker.authorizeSubscribe = (client, sub, done) => {
      const session = this.session(client);
      if (this.oversized.has(sub)) {
        this.counts.subscriptionsRefused.perSubscribe++;
        return done(null, null);
      }
      if (slashes(sub.topic) > MAX_TOPIC_SLASHES) {
        this.counts.disconnected.topicTooDeep++;
        return done(new Error(`a topic filter has at most ${MAX_TOPIC_SLASHES} slashes`));
      }
      if (this.policy && !ownTopic(client.id, sub.topic)) {
        this.counts.subscriptionsRefused.notAuthorized++;
        return done(null, null);
      }
      if (!session.subscriptions.has(sub.topic) && session.subscriptions.size >= MAX_SUBSCRIPTIONS) {
        this.counts.subscriptionsRefused.perConnection++;
        return done(null, null);
      }
      session.subscriptions.add(sub.topic);
      this.watch(sub.topic);
      done(null, sub);
    };
    broker.on('unsubscribe', (topics, client) => {
      for (const topic of topics) this.session(client).subscriptions.delete(topic);
    });
    broker.on('client', (client) => {
      this.counts.connections++;
      this.byId.set(client.id, client);
      if (this.host.jobs.hasThing(client.id)) this.notifier.watch(this.stateOf(), client.id);
    });
    broker.on('clientDisconnect', (client) => {
      if (this.byId.get(client.id) === client) this.byId.delete(client.id);
    });
    broker.on('keepaliveTimeout', () => this.counts.disconnected.keepAliveTimeout++);
    // A client's protocol error closes that client (aedes does); it is never the listener's.
    broker.on('clientError', () => undefined);
    broker.on('connectionError', () => undefined);
  }

  private stateOf() {
    return this.host.jobs.device(this.host.now()).state;
  }

  /** Why a connecting client is refused, or undefined. */
  private identify(client: Client): string | undefined {
    const conn = client.conn as Partial<TLSSocket>;
    if (typeof conn.getPeerCertificate === 'function') {
      const peer = conn.getPeerCertificate();
      if (!peer.raw) return 'a client certificate is required';
      const id = createHash('sha256').update(peer.raw).digest('hex');
      const things = this.host.jobs.thingsOfCertificate(id);
      if (!things) return 'the client certificate is not registered and ACTIVE in this account';
      if (this.policy && !things.includes(client.id))
        return `the client id ${client.id} is not a thing the certificate is attached to`;
      return undefined;
    }
    if (this.policy && !this.host.jobs.hasThing(client.id))
      return `the client id ${client.id} is not a thing of this account (the usual thing policy)`;
    return undefined;
  }

  /** Why a publish disconnects its client, or undefined. */
  private publishProblem(client: Client, packet: PublishPacket): string | undefined {
    const size = Buffer.byteLength(packet.payload as Buffer | string);
    if (size > MAX_PAYLOAD_BYTES) {
      this.counts.disconnected.payloadTooLarge++;
      return `a payload of ${size} bytes is over ${MAX_PAYLOAD_BYTES}`;
    }
    if (packet.qos === 2) {
      this.counts.disconnected.qos2++;
      return 'QoS 2 is not supported';
    }
    if (slashes(packet.topic) > MAX_TOPIC_SLASHES) {
      this.counts.disconnected.topicTooDeep++;
      return `a topic has at most ${MAX_TOPIC_SLASHES} slashes`;
    }
    if (this.policy && !ownTopic(client.id, packet.topic)) {
      this.counts.disconnected.notAuthorized++;
      return `the policy does not allow ${client.id} to publish to ${packet.topic}`;
    }
    return undefined;
  }

  /** Counts a publish against its connection's second; true when it is over the limit. */
  private overRate(client: Client): boolean {
    const times = this.session(client).publishes;
    // Wall-clock time: the limit is the broker's, not the service state's (whose clock a test may freeze).
    const now = performance.now();
    while (times.length > 0 && now - (times[0] ?? 0) >= 1000) times.shift();
    if (times.length >= MAX_PUBLISHES_PER_SECOND) return true;
    times.push(now);
    return false;
  }

  private session(client: Client): Session {
    let session = this.sessions.get(client);
    if (!session) {
      session = { publishes: [], subscriptions: new Set() };
      this.sessions.set(client, session);
    }
    return session;
  }

  /** Watches the thing a subscription names, for notifications; `+` in its place watches every thing. */
  private watch(topic: string): void {
    const thing = /^\$aws\/things\/([^/]+)\//.exec(topic)?.[1] ?? (topic === '#' ? '+' : undefined);
    if (thing === undefined) return;
    const state = this.stateOf();
    for (const name of thing === '+' || thing === '#' ? state.things.keys() : [thing])
      if (state.things.has(name)) this.notifier.watch(state, name);
  }

  /** Runs one Jobs request: quota, fault, the request, its reply to the requester alone, then notifications. */
  private async serve(client: Client, request: JobsRequest): Promise<void> {
    this.counts.requests++;
    const topic = `$aws/things/${request.thingName}/jobs`;
    if (!this.host.admit(request.operation)) {
      this.host.record({ operation: request.operation, path: topic, status: 'rejected', overQuota: true });
      return this.reply(client, request.refuse(JobsErrorCode.RequestThrottled, 'Rate exceeded', this.host.now()));
    }
    const fault = this.host.fault(request.operation);
    const logged = (status: MqttOutcome) =>
      this.host.record({ operation: request.operation, path: topic, status, ...(fault && { fault: fault.kind }) });
    if (fault?.kind === 'latency') await new Promise((r) => setTimeout(r, fault.latencyMs).unref());
    if (fault?.kind === 'hold') await this.host.hold();
    if (fault?.kind === 'throttle' || fault?.kind === 'unavailable') {
      logged('rejected');
      const code = fault.kind === 'throttle' ? JobsErrorCode.RequestThrottled : JobsErrorCode.InternalError;
      return this.reply(client, request.refuse(code, 'fault injected by the emulator', this.host.now()));
    }
    if (fault?.kind === 'reset') {
      logged('disconnected');
      this.counts.disconnected.fault++;
      return client.close();
    }
    const now = this.host.now();
    const lag = fault?.kind === 'lagging-read' ? now - (fault.latencyMs ?? 0) : undefined;
    const answer = request.apply(this.host.jobs.device(now, lag));
    logged(answer.topic.endsWith('/accepted') ? 'accepted' : 'rejected');
    if (fault?.kind === 'apply-then-reset') {
      this.counts.disconnected.fault++;
      client.close();
    } else if (fault?.kind !== 'drop-reply') {
      this.reply(client, answer);
    }
    this.notify();
  }

  /** A reply goes to the requesting client whether or not it subscribed, and to no one else. */
  private reply(client: Client, message: JobsMessage): void {
    if (client.closed) return;
    this.counts.replies++;
    client.publish(
      {
        cmd: 'publish',
        topic: message.topic,
        payload: Buffer.from(JSON.stringify(message.payload)),
        qos: 0,
        retain: false,
        dup: false,
      },
      () => undefined,
    );
  }

  /** Publishes the notifications the store's changes call for; the emulator calls it after every request. */
  notify(): void {
    for (const message of this.notifier.changes(this.stateOf(), this.host.now())) {
      this.counts.notifications++;
      this.broker.publish(
        {
          cmd: 'publish',
          topic: message.topic,
          payload: Buffer.from(JSON.stringify(message.payload)),
          qos: 1,
          retain: false,
          dup: false,
        },
        () => undefined,
      );
    }
  }

  /** Forgets what it counted and watched (the admin reset); connections stay. */
  reset(): void {
    this.counts = zeroCounts();
    this.notifier.clear();
  }

  /** The admin view. */
  report(): object {
    return {
      endpoints: this.endpoints,
      policy: this.policy,
      caPem: this.caPem,
      clients: [...this.byId.values()].map((c) => ({
        clientId: c.id,
        subscriptions: [...this.session(c).subscriptions],
      })),
      counts: this.counts,
      limits: {
        payloadBytes: MAX_PAYLOAD_BYTES,
        publishesPerSecond: MAX_PUBLISHES_PER_SECOND,
        subscriptions: MAX_SUBSCRIPTIONS,
        subscriptionsPerSubscribe: MAX_SUBSCRIPTIONS_PER_SUBSCRIBE,
        topicSlashes: MAX_TOPIC_SLASHES,
        keepAliveSeconds: KEEPALIVE_SECONDS,
      },
    };
  }

  close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    return new Promise((resolve) => {
      let open = this.servers.length + 1;
      const one = () => --open === 0 && resolve();
      for (const server of this.servers) server.close(one);
      this.broker.close(one);
    });
  }
}
