/**
 * The step nodes' editor files, rendered from the operations' definitions: the editor (`aws-job-steps.html`: each
 * type's registration and form), the labels (`locales/en-US/aws-job-steps.json`) and the help
 * (`locales/en-US/aws-job-steps.html`). Node-RED needs them as static files; `npm run generate` writes them and
 * test/generated-files.test.ts fails, naming the file and line, when a committed one differs.
 */
import { StepErrorCode } from '../core/shared/errors';
import { OUTBOX_LIMITS } from '../core/outbox/outbox';
import { OutboxMode } from './node-outbox';
import type { OperationDefinition, Parameter, ParameterKind } from '../core/shared/operation';
import { nodeType } from './step-node';

type Operation = OperationDefinition;

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

const escapeHtml = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
/** Prose of a definition as HTML: escaped, `code` in backticks as <code>. */
const prose = (text: string): string => escapeHtml(text).replace(/`([^`]+)`/g, '<code>$1</code>');

const paletteLabel = (operation: Operation): string => operation.name.replace(/-/g, ' ');
/** The parameter read from `file://` paths, if the operation has one: the node offers to allow it. */
const fileParameter = (operation: Operation): Parameter | undefined => operation.parameters.find((p) => p.file);

/** The editor: one registration per type from a table, and each type's form. */
export function editorHtml(operations: readonly Operation[]): string {
  const types = Object.fromEntries(
    operations.map((o) => [
      nodeType(o),
      {
        paletteLabel: paletteLabel(o),
        files: fileParameter(o) !== undefined,
        outbox: o.outbox ? (o.outbox.byDefault ? 'auto' : 'off') : null,
        fields: o.parameters.map((p) => [p.member, TYPED_INPUT[p.kind]]),
      },
    ]),
  );
  const script = `<script type="text/javascript">
  // Generated from the operations' definitions in core/ by \`npm run generate\`: edit those, not this file.
  (function () {
    var TYPES = ${JSON.stringify(types)};
    var CONTEXT = ['msg', 'flow', 'global', 'env'];
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
        category: 'AWS IoT',
        color: '#F5A65B',
        defaults: defaults,
        inputs: 1,
        outputs: 2,
        icon: 'aws-job-steps.svg',
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
  return [script, ...operations.map(form)].join('\n');
}

function form(operation: Operation): string {
  const type = nodeType(operation);
  const label = (key: string, icon = ''): string =>
    `<label for="node-input-${key}">${icon}<span data-i18n="${type}.label.${key}"></span></label>`;
  const checkbox = (key: string): string => `<div class="form-row">
    <input type="checkbox" id="node-input-${key}" style="width: auto; margin: 0 8px 0 0" />
    <label for="node-input-${key}" style="width: auto"><span data-i18n="${type}.label.${key}"></span></label>
  </div>`;
  const rows = [
    `<div class="form-row">
    ${label('connection', '<i class="fa fa-cloud"></i> ')}
    <input type="text" id="node-input-connection" />
  </div>`,
    ...operation.parameters.map(
      (p) => `<div class="form-row">
    ${label(p.member)}
    <input type="text" id="node-input-${p.member}" style="width: 70%" />
    <input type="hidden" id="node-input-${p.member}Type" />
  </div>`,
    ),
    `<div class="form-row">
    ${label('concurrency')}
    <input type="text" id="node-input-concurrency" style="width: 60px" />
    <span><label for="node-input-queueLimit" style="margin-left: 20px"><span data-i18n="${type}.label.queueLimit"></span></label>
    <input type="text" id="node-input-queueLimit" style="width: 60px" /></span>
  </div>`,
    ...(operation.readOnly ? [] : [checkbox('skipUnchanged')]),
    ...(operation.outbox
      ? [
          `<div class="form-row">
    ${label('outbox', '<i class="fa fa-hdd-o"></i> ')}
    <select id="node-input-outbox" style="width: 70%">
      ${Object.values(OutboxMode)
        .map((mode) => `<option value="${mode}" data-i18n="${type}.outboxMode.${mode}"></option>`)
        .join('\n      ')}
    </select>
  </div>`,
          `<div class="form-row aws-job-steps-outbox-row">
    ${label('outboxEntries', '<i class="fa fa-database"></i> ')}
    <input type="text" id="node-input-outboxEntries" style="width: 80px" placeholder="${OUTBOX_LIMITS.entries}" />
    <label for="node-input-outboxMegabytes" style="margin-left: 20px"><span data-i18n="${type}.label.outboxMegabytes"></span></label>
    <input type="text" id="node-input-outboxMegabytes" style="width: 60px" placeholder="${OUTBOX_LIMITS.bytes / 1024 / 1024}" />
  </div>`,
        ]
      : []),
    checkbox('raiseErrors'),
    ...(fileParameter(operation)
      ? [
          checkbox('manifestFiles'),
          `<div class="form-row">
    ${label('manifestDir', '<i class="fa fa-folder"></i> ')}
    <input type="text" id="node-input-manifestDir" placeholder="/home/pi/manifests" />
  </div>`,
        ]
      : []),
    `<div class="form-row">
    ${label('name', '<i class="fa fa-tag"></i> ')}
    <input type="text" id="node-input-name" />
  </div>`,
  ];
  return `<script type="text/html" data-template-name="${type}">
  ${rows.join('\n  ')}
</script>
`;
}

/** The labels: the form's, the ports'. */
export function localeJson(operations: readonly Operation[]): string {
  const catalogue = Object.fromEntries(
    operations.map((o) => {
      const file = fileParameter(o);
      return [
        nodeType(o),
        {
          label: {
            ...(o.readOnly ? withoutSkipUnchanged : COMMON_LABELS),
            ...(o.outbox && {
              outbox: 'Keep reports until delivered',
              outboxEntries: 'Reports kept',
              outboxMegabytes: 'MB',
            }),
            ...(file && {
              manifestFiles: `Read file:// ${file.label.toLowerCase()}s named in messages`,
              manifestDir: 'From directory',
            }),
            name: 'Name',
            ...Object.fromEntries(o.parameters.map((p) => [p.member, p.label])),
          },
          ...(o.outbox && {
            outboxMode: {
              [OutboxMode.Auto]: 'on disk where this Node.js can (auto)',
              [OutboxMode.On]: 'on disk, or refuse reports (on)',
              [OutboxMode.Off]: 'no: a queue in memory (off)',
            },
          }),
          outputs: { result: 'result', error: 'error' },
        },
      ];
    }),
  );
  return `${JSON.stringify(catalogue, null, 2)}\n`;
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

/** The help sidebar's page for each type. */
export function helpHtml(operations: readonly Operation[]): string {
  return operations.map(helpPage).join('\n');
}

function helpPage(operation: Operation): string {
  const file = fileParameter(operation);
  const inputs = operation.parameters
    .map(
      (p) =>
        `<dt${p.required ? '' : ' class="optional"'}>payload.${p.member} <span class="property-type">${PROPERTY_TYPE[p.kind]}</span></dt>
    <dd>${escapeHtml(p.help)}</dd>`,
    )
    .join('\n    ');
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
  return `<script type="text/html" data-help-name="${nodeType(operation)}">
  <p>${prose(operation.summary)}</p>

  <h3>Inputs</h3>
  <p>
    Each parameter is read from <code>msg.payload.&lt;name&gt;</code> unless the node sets it, so a payload that is the
    AWS CLI <code>--cli-input-json</code> document works as it is. A value set in the node wins.
  </p>
  <dl class="message-properties">
    ${inputs}
  </dl>

  <h3>Outputs</h3>
  <ol class="node-ports">
    <li>
      Result
      <dl class="message-properties">
        <dt>payload <span class="property-type">object</span></dt>
        <dd><code>{ ${result} }</code>; the rest of the message is kept.</dd>
      </dl>
    </li>
    <li>
      Error
      <dl class="message-properties">
        <dt>error <span class="property-type">object</span></dt>
        <dd>
          <code>{ message, code, awsErrorName, requestId, retryable }</code> on the input message. <code>code</code> is
          one of ${codes}. Retry when <code>retryable</code> is true.
        </dd>
      </dl>
    </li>
  </ol>

  <h3>Details</h3>
  ${details.map((d) => `<p>${d}</p>`).join('\n  ')}

  <h3>References</h3>
  <ul>
    <li><a href="${operation.reference}">${operation.awsOperation}</a> - the AWS API reference</li>
  </ul>
</script>
`;
}
