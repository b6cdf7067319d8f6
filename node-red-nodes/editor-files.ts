/**
 * The editor files of a set of node kinds, rendered from their tables (node-kind.ts): the editor
 * (`aws-job-steps.html`: each kind's registration and form), the labels (`locales/en-US/aws-job-steps.json`) and the
 * help (`locales/en-US/aws-job-steps.html`). Node-RED needs them as static files; `npm run generate` writes them and
 * test/generated-files.test.ts fails, naming the file and line, when a committed one differs.
 */
import type { EditorDefault, FormInput, FormRow, HelpProperty, NodeKind, SharedScript } from './node-kind';

export const escapeHtml = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
/** Prose as HTML: escaped, `code` in backticks as <code>. */
export const prose = (text: string): string => escapeHtml(text).replace(/`([^`]+)`/g, '<code>$1</code>');

/** The editor: each kind's registration (a shared script once for all its kinds), then each kind's form. */
export function editorHtml(kinds: readonly NodeKind[]): string {
  const scripts: string[] = [];
  const shared = new Set<SharedScript>();
  for (const kind of kinds) {
    const { registration } = kind.editor;
    if ('defaults' in registration) scripts.push(ownRegistration(kind, registration.defaults));
    else if (!shared.has(registration.shared)) {
      shared.add(registration.shared);
      scripts.push(registration.shared.render(kinds.filter((k) => sharedScript(k) === registration.shared)));
    }
  }
  return [...scripts, ...kinds.map(form)].join('\n');
}

const sharedScript = (kind: NodeKind): SharedScript | undefined =>
  'shared' in kind.editor.registration ? kind.editor.registration.shared : undefined;

/** The registration of a kind on its own, from its table. */
function ownRegistration(kind: NodeKind, defaults: Readonly<Record<string, EditorDefault>>): string {
  const type = JSON.stringify(kind.type);
  const typed = kind.editor.rows.flatMap((row) =>
    row.kind === 'input' ? [row.input, ...(row.beside ? [row.beside.input] : [])] : [],
  );
  const typedInputs = typed.flatMap((input) =>
    input.kind === 'typed'
      ? [
          `        $('#node-input-${input.key}').typedInput({ default: ${JSON.stringify(input.types[0])}, types: ${JSON.stringify(input.types)}, typeField: '#node-input-${input.key}Type' });`,
        ]
      : [],
  );
  return `<script type="text/javascript">
  // Generated from the node kind's table by \`npm run generate\`: edit that, not this file.
  (function () {
    var PORTS = ${JSON.stringify(Object.keys(kind.outputs))};
    RED.nodes.registerType(${type}, {
      category: ${JSON.stringify(kind.category)},
      color: ${JSON.stringify(kind.color)},
      defaults: ${JSON.stringify(defaults)},
      inputs: ${kind.inputs},
      outputs: PORTS.length,
      icon: ${JSON.stringify(kind.icon)},
      paletteLabel: ${JSON.stringify(kind.paletteLabel)},
      outputLabels: function (index) {
        return this._(${type} + '.outputs.' + PORTS[index]);
      },
      label: function () {
        return this.name || ${JSON.stringify(kind.paletteLabel)};
      },
      oneditprepare: function () {
${typedInputs.join('\n')}
      },
    });
  })();
</script>
`;
}

/** A kind's form, row by row. */
function form(kind: NodeKind): string {
  const { type } = kind;
  const i18n = (key: string): string => `<span data-i18n="${type}.label.${key}"></span>`;
  const input = (field: FormInput): string => {
    switch (field.kind) {
      case 'text':
        return `<input type="text" id="node-input-${field.key}"${field.style ? ` style="${field.style}"` : ''}${field.placeholder ? ` placeholder="${field.placeholder}"` : ''} />`;
      case 'typed':
        return `<input type="text" id="node-input-${field.key}" style="width: 70%" />
    <input type="hidden" id="node-input-${field.key}Type" />`;
      case 'select':
        return `<select id="node-input-${field.key}" style="width: 70%">
      ${field.options.map((o) => `<option value="${o}" data-i18n="${type}.${field.texts}.${o}"></option>`).join('\n      ')}
    </select>`;
    }
  };
  const row = (r: FormRow): string => {
    if (r.kind === 'checkbox')
      return `<div class="form-row">
    <input type="checkbox" id="node-input-${r.key}" style="width: auto; margin: 0 8px 0 0" />
    <label for="node-input-${r.key}" style="width: auto">${i18n(r.key)}</label>
  </div>`;
    const icon = r.icon ? `<i class="fa fa-${r.icon}"></i> ` : '';
    const beside = r.beside
      ? `<label for="node-input-${r.beside.input.key}" style="margin-left: 20px">${i18n(r.beside.input.key)}</label>
    ${input(r.beside.input)}`
      : undefined;
    return `<div class="form-row${r.className ? ` ${r.className}` : ''}">
    <label for="node-input-${r.input.key}">${icon}${i18n(r.input.key)}</label>
    ${input(r.input)}${beside === undefined ? '' : r.beside?.wrapped ? `\n    <span>${beside}</span>` : `\n    ${beside}`}
  </div>`;
  };
  return `<script type="text/html" data-template-name="${type}">
  ${kind.editor.rows.map(row).join('\n  ')}
</script>
`;
}

/** The labels: each kind's form's, its other words', its ports'. */
export function localeJson(kinds: readonly NodeKind[]): string {
  const catalogue = Object.fromEntries(
    kinds.map((kind) => [kind.type, { label: kind.editor.labels, ...kind.editor.texts, outputs: kind.outputs }]),
  );
  return `${JSON.stringify(catalogue, null, 2)}\n`;
}

/** The help sidebar's page for each kind. */
export function helpHtml(kinds: readonly NodeKind[]): string {
  return kinds.map(helpPage).join('\n');
}

/** A `message-properties` list, its lines indented by `indent`. */
function properties(list: readonly HelpProperty[], indent: string): string {
  return list
    .map((p) => {
      const description =
        typeof p.description === 'string'
          ? p.description
          : `\n${p.description.map((line) => `${indent}  ${line}`).join('\n')}\n${indent}`;
      return `<dt${p.optional ? ' class="optional"' : ''}>${p.name} <span class="property-type">${p.type}</span></dt>
${indent}<dd>${description}</dd>`;
    })
    .join(`\n${indent}`);
}

function helpPage(kind: NodeKind): string {
  const { help } = kind;
  const inputs = help.inputs
    ? `  <h3>Inputs</h3>
${help.inputs.intro ? `  <p>\n${help.inputs.intro.map((line) => `    ${line}`).join('\n')}\n  </p>\n` : ''}  <dl class="message-properties">
    ${properties(help.inputs.properties, '    ')}
  </dl>

`
    : '';
  const ports = help.outputs
    .map(
      (output) => `    <li>
      ${output.port}
      <dl class="message-properties">
        ${properties(output.properties, '        ')}
      </dl>
    </li>`,
    )
    .join('\n');
  return `<script type="text/html" data-help-name="${kind.type}">
  <p>${help.summary}</p>

${inputs}  <h3>Outputs</h3>
  <ol class="node-ports">
${ports}
  </ol>

  <h3>Details</h3>
  ${help.details.map((d) => `<p>${d}</p>`).join('\n  ')}

  <h3>References</h3>
  <ul>
    ${help.references.map((r) => `<li><a href="${r.href}">${r.text}</a> - ${r.note}</li>`).join('\n    ')}
  </ul>
</script>
`;
}
