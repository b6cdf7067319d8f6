/**
 * The job summary a step leaves on the workflow run page: what was asked, what the remote state is, whether this
 * step changed it, how many requests it took, and a link back to the run. Never the manifest or a credential.
 */
import { EOL } from 'node:os';

import { StepErrorCode, type StepError } from '../core/errors';
import type { UpdateJobResult } from '../core/update-job';
import type { UpdateJobExecutionResult } from '../core/update-job-execution';
import { Operation } from './inputs';
import { appendSummary, workflowRunUrl } from './runner';

/** What was asked: the operation and the AWS request fields, as far as they could be read. */
export interface SummaryRequest {
  readonly operation: Operation;
  readonly input: Readonly<Record<string, unknown>>;
}

/** How a step ended, for the summary. */
export type SummaryOutcome =
  | { readonly request: SummaryRequest; readonly result: UpdateJobExecutionResult | UpdateJobResult }
  | { readonly request: SummaryRequest; readonly error: StepError | undefined; readonly message: string };

const text = (value: unknown): string => (value === undefined || value === null || value === '' ? '—' : String(value));

/** The rows of the summary table: label and value, values as plain text (the summary escapes nothing itself). */
export function summaryRows(outcome: SummaryOutcome): [string, string][] {
  const { request } = outcome;
  const input = request.input;
  const rows: [string, string][] =
    request.operation === Operation.UpdateJob
      ? [
          ['Job', text(input.JobId ?? input.jobId)],
          ['Job type', text(input.JobType ?? input.jobType)],
        ]
      : [
          ['Thing', text(input.thingName)],
          ['Job', text(input.jobId)],
          ['Requested status', text(input.status)],
        ];
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
  if (request.operation === Operation.UpdateJob) {
    const r = result as UpdateJobResult;
    rows.push(['Success', String(r.success)], ['Warning', text(r.warningMessage)]);
  } else {
    const state = (result as UpdateJobExecutionResult).executionState;
    const after = state?.versionNumber;
    // A change moved the version on by one; without one, before and after are the same state.
    const before = after === undefined ? undefined : result.changed ? after - 1 : after;
    rows.push(
      ['Status', `${result.changed ? '(before not read) → ' : ''}${text(state?.status)}`],
      ['Version', after === undefined ? '—' : result.changed ? `${before} → ${after}` : String(after)],
    );
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
    `<h3>${failed ? '❌' : '✅'} aws-job-steps ${outcome.request.operation}</h3>`,
    `<table>${table.join('')}</table>`,
    ...(url ? [`<a href="${escapeHtml(url)}">Workflow run</a>`] : []),
  ];
  appendSummary(`${markup.join(EOL)}${EOL}`);
}

function escapeHtml(value: string): string {
  return value.replace(/[&<>"]/g, (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot' }[c]};`);
}
