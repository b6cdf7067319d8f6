/**
 * An operation as a node kind: the step node of the core's registry (`aws-<operation>`), its editor form, labels and
 * help written from the operation's definition (its parameter table, notes and reference). Every operation becomes
 * a kind through this one adapter, so a new operation needs no new node file.
 */
import { StepErrorCode } from '../core/shared/errors';
import { OUTBOX_LIMITS } from '../core/outbox/outbox';
import type { OperationDefinition, Parameter, ParameterKind, StepResult } from '../core/shared/operation';
import { escapeHtml, prose } from './editor-files';
import type { FormRow, KindHelp, NodeKind, SharedScript } from './node-kind';
import { OutboxMode } from './node-outbox';
import { nodeType, startStepNode, type StepNodeConfig } from './step-node';

type Operation = OperationDefinition<StepResult>;

/** Where a TypedInput's value may come from, beside a value of the parameter's own kind. */
const CONTEXT = ['msg', 'flow', 'global', 'env'];
/** The TypedInput type beside msg/flow/global/env for each kind. */
const TYPED_INPUT: Readonly<Record<ParameterKind, string>> = {
  string: 'str',
  integer: 'num',
  boolean: 'bool',
  map: 'json',
};
/** How the help names each kind. */
const PROPERTY_TYPE: Readonly<Record<ParameterKind, string>> = {
  string: 'string',
  integer: 'number',
  boolean: 'boolean',
  map: 'object | string',
};

/** The labels every step node has, beside its parameters'. */
const COMMON_LABELS = {
  connection: 'Connection',
  concurrency: 'Targets at once',
  queueLimit: 'Queue limit',
  skipUnchanged: 'Read first; send nothing when already as asked',
  raiseErrors: 'Also raise errors to Catch nodes',
};

const { skipUnchanged: _reads, ...withoutSkipUnchanged } = COMMON_LABELS;

/** The parameter read from `file://` paths, if the operation has one: the node offers to allow it. */
const fileParameter = (operation: Operation): Parameter | undefined => operation.parameters.find((p) => p.file);

/** What the step nodes' shared editor code needs of each: its fields' types, whether it reads files or keeps reports. */
interface StepSpec {
  readonly paletteLabel: string;
  readonly files: boolean;
  readonly outbox: OutboxMode | null;
  readonly fields: readonly (readonly [string, string])[];
}

/**
 * The step nodes' registration: one table of their specs and one piece of code for all, which builds each one's
 * defaults and wires its TypedInputs and outbox rows. They share their category, colour, ports and icon.
 */
const STEP_SCRIPT: SharedScript = {
  render(kinds) {
    const first = kinds[0]!;
    const odd = kinds.find((k) => k.category !== first.category || k.color !== first.color || k.icon !== first.icon);
    if (odd) throw new Error(`${odd.type} shares the step nodes' editor code but not their category, colour or icon`);
    const types = Object.fromEntries(
      kinds.map((k) => [k.type, 'spec' in k.editor.registration ? k.editor.registration.spec : undefined]),
    );
    return `<script type="text/javascript">
  // Generated from the operations' definitions in core/ by \`npm run generate\`: edit those, not this file.
  (function () {
    var TYPES = ${JSON.stringify(types)};
    var CONTEXT = [${CONTEXT.map((c) => `'${c}'`).join(', ')}];
    Object.keys(TYPES).forEach(function (type) {
      var spec = TYPES[type];
      var defaults = {
        name: { value: '' },
        connection: { value: '', type: 'aws-job-steps-connection', required: true },
        concurrency: { value: 4, validate: RED.validators.number() },
        queueLimit: { value: 100, validate: RED.validators.number() },
        skipUnchanged: { value: false },
        raiseErrors: { value: false },
      };
      if (spec.files) {
        defaults.manifestFiles = { value: false };
        defaults.manifestDir = { value: '' };
      }
      if (spec.outbox !== null) {
        // A node saved before these settings existed has none of them: the runtime uses the defaults, so may the form.
        var unsetOrNumber = function (v) {
          return v === undefined || v === '' || !isNaN(Number(v));
        };
        // Three values; true and false are what earlier editors saved (a ticked box was the default, so it reads auto).
        defaults.outbox = {
          value: spec.outbox,
          validate: function (v) {
            return v === undefined || v === '' || ['auto', 'on', 'off', true, false].indexOf(v) !== -1;
          },
        };
        defaults.outboxEntries = { value: ${OUTBOX_LIMITS.entries}, validate: unsetOrNumber };
        defaults.outboxMegabytes = { value: ${OUTBOX_LIMITS.bytes / 1024 / 1024}, validate: unsetOrNumber };
      }
      // Each AWS parameter is a TypedInput that reads msg.payload.<awsName> unless set otherwise.
      spec.fields.forEach(function (field) {
        defaults[field[0]] = { value: 'payload.' + field[0] };
        defaults[field[0] + 'Type'] = { value: 'msg' };
      });
      RED.nodes.registerType(type, {
        category: '${first.category}',
        color: '${first.color}',
        defaults: defaults,
        inputs: ${first.inputs},
        outputs: ${Object.keys(first.outputs).length},
        icon: '${first.icon}',
        paletteLabel: spec.paletteLabel,
        outputLabels: function (index) {
          return this._(type + '.outputs.' + (index === 0 ? 'result' : 'error'));
        },
        label: function () {
          return this.name || spec.paletteLabel;
        },
        labelStyle: function () {
          return this.name ? 'node_label_italic' : '';
        },
        oneditprepare: function () {
          // The queue in memory is for a node that does not keep reports; the outbox's limits for one that does.
          // "auto" may fall back to the queue in memory, so both rows show for it.
          $('#node-input-outbox').on('change', function () {
            var mode = $(this).val();
            $('.aws-job-steps-outbox-row').toggle(mode !== 'off');
            $('#node-input-queueLimit').closest('span').toggle(mode !== 'on');
          });
          // Shown as the runtime reads it: unset (saved before the option) is the operation's default, an earlier
          // editor's ticked box is auto, its unticked box off.
          if (spec.outbox !== null) {
            var saved = this.outbox;
            var mode = saved === undefined || saved === '' ? spec.outbox : saved === true ? 'auto' : saved === false ? 'off' : saved;
            $('#node-input-outbox').val(mode);
          }
          $('#node-input-outbox').trigger('change');
          spec.fields.forEach(function (field) {
            $('#node-input-' + field[0]).typedInput({
              default: 'msg',
              types: CONTEXT.concat([field[1]]),
              typeField: '#node-input-' + field[0] + 'Type',
            });
          });
        },
      });
    });
  })();
</script>
`;
  },
};

/** The form: connection, the parameters, the queue, then what the operation offers (read first, outbox, files). */
function rows(operation: Operation): FormRow[] {
  return [
    { kind: 'input', icon: 'cloud', input: { kind: 'text', key: 'connection' } },
    ...operation.parameters.map((p): FormRow => ({
      kind: 'input',
      input: { kind: 'typed', key: p.member, types: [...CONTEXT, TYPED_INPUT[p.kind]] },
    })),
    {
      kind: 'input',
      input: { kind: 'text', key: 'concurrency', style: 'width: 60px' },
      // Wrapped: the editor hides the queue in memory for a node that keeps every report.
      beside: { input: { kind: 'text', key: 'queueLimit', style: 'width: 60px' }, wrapped: true },
    },
    ...(operation.readOnly ? [] : [{ kind: 'checkbox', key: 'skipUnchanged' } as const]),
    ...(operation.outbox
      ? ([
          {
            kind: 'input',
            icon: 'hdd-o',
            input: { kind: 'select', key: 'outbox', options: Object.values(OutboxMode), texts: 'outboxMode' },
          },
          {
            kind: 'input',
            icon: 'database',
            className: 'aws-job-steps-outbox-row',
            input: {
              kind: 'text',
              key: 'outboxEntries',
              style: 'width: 80px',
              placeholder: `${OUTBOX_LIMITS.entries}`,
            },
            beside: {
              input: {
                kind: 'text',
                key: 'outboxMegabytes',
                style: 'width: 60px',
                placeholder: `${OUTBOX_LIMITS.bytes / 1024 / 1024}`,
              },
            },
          },
        ] as const)
      : []),
    { kind: 'checkbox', key: 'raiseErrors' },
    ...(fileParameter(operation)
      ? ([
          { kind: 'checkbox', key: 'manifestFiles' },
          {
            kind: 'input',
            icon: 'folder',
            input: { kind: 'text', key: 'manifestDir', placeholder: '/home/pi/manifests' },
          },
        ] as const)
      : []),
    { kind: 'input', icon: 'tag', input: { kind: 'text', key: 'name' } },
  ];
}

/** The form's labels: the common ones, what the operation offers, the parameters'. */
function labels(operation: Operation): Record<string, string> {
  const file = fileParameter(operation);
  return {
    ...(operation.readOnly ? withoutSkipUnchanged : COMMON_LABELS),
    ...(operation.outbox && {
      outbox: 'Keep reports until delivered',
      outboxEntries: 'Reports kept',
      outboxMegabytes: 'MB',
    }),
    ...(file && {
      manifestFiles: `Read file:// ${file.label.toLowerCase()}s named in messages`,
      manifestDir: 'From directory',
    }),
    name: 'Name',
    ...Object.fromEntries(operation.parameters.map((p) => [p.member, p.label])),
  };
}

/** The error codes a step node reports: the core's, and the node's own. */
const NODE_ERROR_CODES = [...Object.values(StepErrorCode), 'queue-full', 'invalid-message'];
/** The outbox's own codes, for a node that keeps reports. */
const OUTBOX_ERROR_CODES = ['outbox-unavailable', 'dropped'];

/** Who the messages are ordered for, in words: `thing and job`. */
function targetWords(operation: Operation): string {
  return operation.subject
    .map((member) => operation.parameters.find((p) => p.member === member)?.label.toLowerCase() ?? member)
    .map((words) => words.replace(/ id$/, ''))
    .join(' and ');
}

/** What the help says of "Keep reports until delivered": what survives what, and how to see and drop what waits. */
function outboxHelp(operation: Operation): string[] {
  return [
    `<b>Keep reports until delivered</b>: <i>auto</i>${operation.outbox!.byDefault ? ' (the default, also for a node saved before the option)' : ''} keeps them when this runtime can: Node.js 22.13 or later (whose built-in <code>node:sqlite</code> needs no flag) and a user directory Node-RED can write. Where it cannot (Node.js 20, 22 before 22.13, a read-only image), the node delivers from a queue in memory as with <i>off</i>, logs why once, and its status says <code>not kept across restarts</code> for as long as it runs. <i>on</i> never sends a report unkept: on such a runtime it is an error at deploy and every message is answered <code>outbox-unavailable</code>. <i>off</i> is the queue in memory. A message that passes validation is written to a file under the Node-RED user directory (<code>aws-job-steps/outbox-&lt;node id&gt;.sqlite</code>, SQLite with synchronous writes) before the node takes it; bad input is answered at once and never kept. What is kept survives a lost link, a restart or redeploy of Node-RED, a killed process and a power failure: it is delivered in arrival order per ${targetWords(operation)}, on start-up, as soon as any report is accepted again (the link is back), and on a timer, retried with a backoff of up to a minute for as long as it takes, past the connection's deadline, until AWS accepts it or finally refuses it (then the error output answers, with the stored message after a restart). A report found on disk after a restart, or retried, reads the execution first and sends nothing when it already is as asked, so nothing is applied twice.`,
    `Each message gets one answer in the run of Node-RED that settles it: its result; its final error; <code>payload.supersededBy</code> when a newer <code>IN_PROGRESS</code> report for the same execution replaced it while it waited (only the latest details matter; never across a terminal status, a version check or a step timer the newer one leaves out); or the error <code>dropped</code>. The answer carries <code>msg.delivery</code> (<code>{ report, acceptedAt, attempts }</code>). A message taken before a restart is answered after it with the message as it was stored (what cannot be JSON, such as an http in's <code>req</code> and <code>res</code>, is not kept); one answered in the last moments before a crash may be answered again after it.`,
    'While reports wait the status shows how many, and the age of the oldest. When <i>Reports kept</i> or <i>MB</i> is reached, a new message is answered at once with <code>queue-full</code>; nothing is dropped silently. Send <code>msg.outbox = "list"</code> to get what waits as <code>payload.reports</code> (id, target, request, attempts, last error), and <code>msg.outbox = { drop: id }</code> to remove one (it is answered <code>dropped</code>). Deleting the node does not delete its file: reports left in it are delivered if a node with the same id is deployed again. A file that cannot be read is moved aside (<code>.corrupt-&lt;time&gt;</code>) with a warning and a new one started.',
  ];
}

/** The help: the parameters as inputs, the result and the error, the operation's notes, the AWS reference. */
function help(operation: Operation): KindHelp {
  const file = fileParameter(operation);
  const result = ['changed', ...operation.resultMembers, 'attempts', 'requestId'].join(', ');
  const codes = [...NODE_ERROR_CODES, ...(operation.outbox ? OUTBOX_ERROR_CODES : [])]
    .map((c) => `<code>${c}</code>`)
    .join(', ');
  const details = [
    `Messages for the same ${targetWords(operation)} are handled one at a time in arrival order; other targets run at the same time, up to <i>Targets at once</i>. When <i>Queue limit</i> messages are waiting, a new one goes to the error output with <code>queue-full</code>${operation.outbox ? ' (without the outbox; a node that keeps reports until delivered is bounded by <i>Reports kept</i> and <i>MB</i> instead)' : ''}.`,
    '5xx and network errors are retried with backoff by the connection, within its attempts and deadline; throttling is retried within the deadline alone (it uses up no attempt), and a throttled connection paces its requests.',
    ...operation.notes.map(prose),
    ...(file
      ? [
          `A <code>file://</code> ${file.label.toLowerCase()} in a message is refused unless <i>Read file:// ${file.label.toLowerCase()}s</i> is ticked, and then only a regular file of at most 64 kB inside <i>From directory</i> is read (never a device, a pipe or a file elsewhere on the gateway): messages may come from outside the flow.`,
        ]
      : []),
    ...(operation.outbox ? outboxHelp(operation) : []),
    'The status shows the number queued while busy, then the result in a few words, or the error code.',
  ];
  return {
    summary: prose(operation.summary),
    inputs: {
      intro: [
        'Each parameter is read from <code>msg.payload.&lt;name&gt;</code> unless the node sets it, so a payload that is the',
        'AWS CLI <code>--cli-input-json</code> document works as it is. A value set in the node wins.',
      ],
      properties: operation.parameters.map((p) => ({
        name: `payload.${p.member}`,
        type: PROPERTY_TYPE[p.kind],
        optional: !p.required,
        description: escapeHtml(p.help),
      })),
    },
    outputs: [
      {
        port: 'Result',
        properties: [
          {
            name: 'payload',
            type: 'object',
            description: `<code>{ ${result} }</code>; the rest of the message is kept.`,
          },
        ],
      },
      {
        port: 'Error',
        properties: [
          {
            name: 'error',
            type: 'object',
            description: [
              '<code>{ message, code, awsErrorName, requestId, retryable }</code> on the input message. <code>code</code> is',
              `one of ${codes}. Retry when <code>retryable</code> is true.`,
            ],
          },
        ],
      },
    ],
    details,
    references: [{ href: operation.reference, text: operation.awsOperation, note: 'the AWS API reference' }],
  };
}

/** An operation's node kind. */
export function operationKind(operation: Operation): NodeKind<StepNodeConfig> {
  const paletteLabel = operation.name.replace(/-/g, ' ');
  const spec: StepSpec = {
    paletteLabel,
    files: fileParameter(operation) !== undefined,
    outbox: operation.outbox ? (operation.outbox.byDefault ? OutboxMode.Auto : OutboxMode.Off) : null,
    fields: operation.parameters.map((p) => [p.member, TYPED_INPUT[p.kind]] as const),
  };
  return {
    type: nodeType(operation),
    category: 'AWS IoT',
    color: '#F5A65B',
    icon: 'aws-job-steps.svg',
    paletteLabel,
    inputs: 1,
    outputs: { result: 'result', error: 'error' },
    editor: {
      registration: { shared: STEP_SCRIPT, spec },
      rows: rows(operation),
      labels: labels(operation),
      ...(operation.outbox && {
        texts: {
          outboxMode: {
            [OutboxMode.Auto]: 'on disk where this Node.js can (auto)',
            [OutboxMode.On]: 'on disk, or refuse reports (on)',
            [OutboxMode.Off]: 'no: a queue in memory (off)',
          },
        },
      }),
    },
    help: help(operation),
    start: (RED, node, config) => startStepNode(RED, node, config, operation),
  };
}
