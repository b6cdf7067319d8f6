/**
 * The job summary a step leaves on the workflow run page: what was asked, what the remote state is, whether this
 * step changed it, how many requests it took, and a link back to the run. Never the manifest or a credential.
 */
import { EOL } from 'node:os';

import { StepErrorCode, type StepError } from '../core/shared/errors';
import type { StepResult } from '../core/shared/operation';
import type { ActionOperation } from './inputs';
import { appendSummary, workflowRunUrl } from './runner';

/** What was asked: the operation (unless it could not be told) and the AWS request fields, as far as they were read. */
export interface SummaryRequest {
  readonly operation: ActionOperation | undefined;
  readonly input: Readonly<Record<string, unknown>>;
}

/** How a step ended, for the summary. */
export type SummaryOutcome =
  | { readonly request: SummaryRequest; readonly result: StepResult }
  | { readonly request: SummaryRequest; readonly error: StepError | undefined; readonly message: string };

const text = (value: unknown): string => (value === undefined || value === null || value === '' ? '—' : String(value));

/** Result values longer than this are cut in the table (a job document, a list of executions): the outputs hold them whole. */
const MAX_CELL = 200;
const cell = (value: string): string => (value.length > MAX_CELL ? `${value.slice(0, MAX_CELL)}…` : text(value));

/** A result field's label: `version-number` → `Version number`. */
const label = (name: string): string => `${name[0]!.toUpperCase()}${name.slice(1).replace(/-/g, ' ')}`;

/**
 * The rows of the summary table: label and value, values as plain text (the summary escapes nothing itself). What
 * was asked is the operation's required parameters (by their labels), what came back its outcome in words (as a
 * node's status says it) and its result fields.
 */
export function summaryRows(outcome: SummaryOutcome): [string, string][] {
  const { operation, input } = outcome.request;
  const rows: [string, string][] = (operation?.parameters ?? [])
    .filter((p) => p.required && !p.secret)
    .map((p) => [p.label, text(input[p.member])]);
  if ('error' in outcome) {
    rows.push(
      ['Outcome', 'failed'],
      ['Error', text(outcome.error?.code ?? StepErrorCode.Internal)],
      ['Message', outcome.message],
    );
    if (outcome.error) rows.push(['Attempts', String(outcome.error.attempts)]);
    return rows;
  }
  const { result } = outcome;
  // What came of it in a few words, as a node's status says it: `started fw-42`, `no pending execution`.
  if (operation) rows.push(['Outcome', operation.statusText(result)]);
  for (const field of operation?.fields ?? []) {
    const value = field.value(result);
    const version = Number(value);
    // A change moves an execution's version on by one: before → after.
    if (field.name === 'version-number' && value !== '' && result.changed)
      rows.push(['Version', `${version - 1} → ${version}`]);
    else if (field.name === 'version-number') rows.push(['Version', text(value)]);
    else rows.push([label(field.name), cell(value)]);
  }
  rows.push(
    ['Changed', String(result.changed)],
    ['Attempts', String(result.attempts)],
    ['Request id', text(result.requestId)],
  );
  return rows;
}

/** Appends the summary to the job's summary file: a heading, the table, and a link to the workflow run. */
export function writeSummary(outcome: SummaryOutcome): void {
  const failed = 'error' in outcome;
  const cells = (tag: 'th' | 'td', row: readonly string[]): string =>
    `<tr>${row.map((cell) => `<${tag}>${cell}</${tag}>`).join('')}</tr>`;
  const table = [
    cells('th', ['Field', 'Value']),
    ...summaryRows(outcome).map(([l, v]) => cells('td', [l, escapeHtml(v)])),
  ];
  const url = workflowRunUrl();
  const markup = [
    `<h3>${failed ? '❌' : '✅'} aws-job-steps ${outcome.request.operation?.name ?? ''}</h3>`,
    `<table>${table.join('')}</table>`,
    ...(url ? [`<a href="${escapeHtml(url)}">Workflow run</a>`] : []),
  ];
  appendSummary(`${markup.join(EOL)}${EOL}`);
}

function escapeHtml(value: string): string {
  return value.replace(/[&<>"]/g, (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot' }[c]};`);
}
