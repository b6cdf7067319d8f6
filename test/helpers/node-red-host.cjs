/**
 * A real Node-RED runtime in a child process, for tests that must kill it (SIGKILL) and start it again on the same
 * user directory: `fork(this, [], { env: { NODE_RED_PACKAGE, USER_DIR, RUN } })`. The flow is USER_DIR/flows.json
 * (credentials in plain flows_cred.json); this package is installed there as a link. The parent sends
 * `{ inject: { node, msg } }` to hand a message to a node, as a wire would; function nodes in the flow answer
 * through `global.get('report')`, which posts `{ run, answer }` back. Posts `{ ready: true }` once flows started,
 * and `{ log }` for every warning or error a node logs, and every error of the runtime.
 *
 * With `KILL_ON=superseded` (or `dropped`) the runtime kills itself with SIGKILL as soon as a node sends its first
 * answer of that kind, before Node-RED hands it to the next node: a power cut inside the window between the outbox's
 * write and the answer leaving the node, at the same point every time.
 */
const http = require('node:http');

const RED = require(require.resolve(process.env.NODE_RED_PACKAGE || 'node-red'));
const run = Number(process.env.RUN || 0);
const post = (message) => process.connected && process.send(message);

const server = http.createServer();
RED.init(server, {
  userDir: process.env.USER_DIR,
  flowFile: 'flows.json',
  credentialSecret: false,
  httpAdminRoot: false,
  httpNodeRoot: false,
  telemetry: { enabled: false },
  externalModules: { autoInstall: false },
  functionGlobalContext: { report: (answer) => post({ run, answer }) },
  logging: {
    console: { level: 'off' },
    tester: {
      level: 'warn',
      handler: () => (entry) => {
        // The nodes' own warnings and errors, and the runtime's errors (not its start-up notices).
        if (entry.level <= 20 || (entry.level <= 30 && entry.type))
          post({ run, log: { level: entry.level, type: entry.type, msg: String(entry.msg) } });
      },
    },
  },
});

const killOn = process.env.KILL_ON;
if (killOn) {
  const answerOf = {
    superseded: (msg) => msg.payload && msg.payload.supersededBy !== undefined,
    dropped: (msg) => msg.error && msg.error.code === 'dropped',
  }[killOn];
  if (!answerOf) throw new Error(`KILL_ON must be superseded or dropped, not ${killOn}`);
  // onSend runs inside the node's send, before the message is routed (delivery is an event-loop turn later).
  RED.hooks.add('onSend', (events) => {
    if (events.some((event) => event.msg && answerOf(event.msg))) process.kill(process.pid, 'SIGKILL');
  });
}

process.on('message', (message) => {
  if (message && message.inject) {
    const node = RED.nodes.getNode(message.inject.node);
    if (node) node.receive(message.inject.msg);
    else post({ run, log: { level: 20, msg: `no node ${message.inject.node}` } });
  }
});

// Ready once the flows run (RED.start resolves before the nodes exist).
RED.events.on('flows:started', () => post({ run, ready: true }));
RED.start().then(
  () => undefined,
  (error) => {
    post({ run, log: { level: 20, msg: `Node-RED did not start: ${error && error.stack}` } });
    process.exit(1);
  },
);
