/// <reference lib="dom" />
/**
 * The Node-RED editor in a real browser: the Chromium that ships inside the `@sparticuz/chromium` npm package
 * (installed by `npm ci`, no system package, no download at run time), driven by playwright-core, on the editor
 * `npm start` serves. Checks the palette, the edit dialog, the help sidebar, and an inject button producing a debug message
 * and a green status; saves screenshots for the README into docs/images/. Fails (never skips) when Chromium
 * cannot start.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { chromium, type Browser, type Page } from 'playwright-core';

import { chromiumExecutable } from './helpers/chromium';
import { OPERATION_NAMES } from '../core/operations';
import { freePort } from './helpers/ports';

const ROOT = join(__dirname, '..');
const IMAGES = join(ROOT, 'docs', 'images');
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
/** Ids from examples/report-job-progress.json. */
const START_INJECT = 'f1a1000000000001';
const REPORT_NODE = 'f1a1000000000003';
const REPORT_TAB = 'f1ab000000000001';

/** The editor's global API, as far as these tests call it. */
interface EditorWindow {
  RED: {
    nodes: { getType(type: string): unknown };
    workspaces: { show(id: string): void };
    sidebar: { show(id: string): void; help: { show(type: string): void } };
  };
}

let sandbox: ChildProcess;
let dir: string;
let editor: string;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sandbox-'));
  const [emulatorPort, editorPort] = [await freePort(), await freePort()];
  editor = `http://127.0.0.1:${editorPort}`;
  sandbox = spawn(
    process.execPath,
    [
      join(ROOT, 'lib', 'sandbox', 'start.js'),
      '--emulator-port',
      String(emulatorPort),
      '--editor-port',
      String(editorPort),
      '--dir',
      dir,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  await new Promise<void>((resolve, reject) => {
    const onData = (d: Buffer): void => {
      out += d.toString();
      if (out.includes('sandbox is running')) resolve();
    };
    sandbox.stdout?.on('data', onData);
    sandbox.stderr?.on('data', onData);
    sandbox.once('exit', (code) => reject(new Error(`the sandbox exited (${code}):\n${out}`)));
  });
  let executable = '(not unpacked)';
  try {
    executable = await chromiumExecutable();
    browser = await chromium.launch({ executablePath: executable, args: FLAGS });
  } catch (error) {
    throw new Error(
      `Chromium (${executable}, from @sparticuz/chromium) could not start: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(editor);
  await page.waitForSelector('.red-ui-palette-node', { timeout: 60_000 });
  mkdirSync(IMAGES, { recursive: true });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  if (sandbox) {
    const exited = new Promise((r) => sandbox.once('exit', r));
    sandbox.kill('SIGINT');
    await exited;
  }
  rmSync(dir, { recursive: true, force: true });
});

test('the palette lists the step nodes under AWS IoT', async () => {
  const category = page.locator('.red-ui-palette-category', {
    has: page.locator('.red-ui-palette-header', { hasText: 'AWS IoT' }),
  });
  await category.waitFor();
  const types = await category
    .locator('.red-ui-palette-node')
    .evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-palette-type')));
  expect(types.sort()).toEqual(OPERATION_NAMES.map((name) => `aws-${name}`).sort());
  // The config node is in the editor too: the configuration sidebar lists it.
  expect(
    await page.evaluate(
      () => (window as unknown as EditorWindow).RED.nodes.getType('aws-job-steps-connection') !== undefined,
    ),
  ).toBe(true);
  await category.screenshot({ path: join(IMAGES, 'palette.png') });
});

test('the edit dialog has TypedInputs and the connection selector; the help sidebar shows the node’s help', async () => {
  await page.evaluate((tab) => (window as unknown as EditorWindow).RED.workspaces.show(tab), REPORT_TAB);
  await page.locator(`[id="${REPORT_NODE}"]`).dblclick();
  const tray = page.locator('.red-ui-tray').last();
  await tray.locator('#node-input-jobId').waitFor({ state: 'attached' });
  expect(await tray.locator('.red-ui-typedInput-container').count()).toBe(9);
  expect(await tray.locator('#node-input-connection').inputValue()).toBe('c0nn0000000000a1');
  expect(await tray.locator('#node-input-jobId').inputValue()).toBe('payload.jobId');
  expect(await tray.locator('#node-input-jobIdType').inputValue()).toBe('msg');
  // A node saved before "Keep reports until delivered" existed shows the runtime's default; a new node gets it too.
  expect(
    await tray.locator('#node-input-outbox option').evaluateAll((o) => o.map((e) => e.getAttribute('value'))),
  ).toEqual(['auto', 'on', 'off']);
  expect(await tray.locator('#node-input-outbox').inputValue()).toBe('auto');
  expect(
    await page.evaluate(
      () =>
        (
          (window as unknown as EditorWindow).RED.nodes.getType('aws-update-job-execution') as {
            defaults: { outbox: { value: unknown } };
          }
        ).defaults.outbox.value,
    ),
  ).toBe('auto');
  await page.screenshot({ path: join(IMAGES, 'edit-dialog.png') });
  await tray.locator('#node-dialog-cancel').click();

  await page.evaluate(() => {
    const RED = (window as unknown as EditorWindow).RED;
    RED.sidebar.help.show('aws-update-job-execution');
  });
  const help = page.locator('.red-ui-help');
  await help.getByText('Messages for the same thing and job are handled one at a time').waitFor();
});

test('clicking the inject button gives a result in the debug sidebar and a green status', async () => {
  await page.evaluate((tab) => {
    const RED = (window as unknown as EditorWindow).RED;
    RED.workspaces.show(tab);
    RED.sidebar.show('debug');
  }, REPORT_TAB);
  await page.locator(`[id="${START_INJECT}"] .red-ui-flow-node-button-button`).click();
  const message = page.locator('.red-ui-debug-msg', { hasText: 'changed' }).first();
  await message.waitFor({ timeout: 30_000 });
  expect(await message.textContent()).toMatch(/node: result.*changed: true/);
  await page.waitForFunction(
    (id) => document.querySelector(`[id="${id}"] .red-ui-flow-node-status-label`)?.textContent === 'IN_PROGRESS v2',
    REPORT_NODE,
  );
  const dot = await page.locator(`[id="${REPORT_NODE}"] .red-ui-flow-node-status-dot-green`).count();
  expect(dot).toBe(1);
  await page.screenshot({ path: join(IMAGES, 'flow-with-status.png') });
});

/** Ids from examples/find-and-run-work.json. */
const WORK_TAB = 'f1d0000000000001';
const START_NEXT_INJECT = 'f1d0000000000004';
const START_NEXT_NODE = 'f1d0000000000005';
const REPORT_DONE_NODE = 'f1d0000000000007';
const WHAT_IS_NEXT_INJECT = 'f1d0000000000008';
const DESCRIBE_NEXT_NODE = 'f1d0000000000009';

test('the find-and-run-work example: start next, the job id it found reported SUCCEEDED, then "no work" on the result output', async () => {
  await page.evaluate((tab) => {
    const RED = (window as unknown as EditorWindow).RED;
    RED.workspaces.show(tab);
    RED.sidebar.show('debug');
  }, WORK_TAB);
  await page.locator(`[id="${START_NEXT_INJECT}"] .red-ui-flow-node-button-button`).click();
  const status = (id: string, text: string): Promise<unknown> =>
    page.waitForFunction(
      ([node, wanted]) =>
        document.querySelector(`[id="${node}"] .red-ui-flow-node-status-label`)?.textContent === wanted,
      [id, text] as const,
      { timeout: 30_000 },
    );
  await status(START_NEXT_NODE, 'started fw-42');
  await status(REPORT_DONE_NODE, 'SUCCEEDED v3');
  // gw-8 had one job: "what is next" now finds nothing pending, which is a result the switch routes to "no work".
  await page.locator(`[id="${WHAT_IS_NEXT_INJECT}"] .red-ui-flow-node-button-button`).click();
  await status(DESCRIBE_NEXT_NODE, 'no pending execution');
  expect(await page.locator(`[id="${DESCRIBE_NEXT_NODE}"] .red-ui-flow-node-status-dot-green`).count()).toBe(1);
  const noWork = page.locator('.red-ui-debug-msg', { hasText: 'noPendingExecution' }).first();
  await noWork.waitFor({ timeout: 30_000 });
  expect(await noWork.textContent()).toMatch(/node: no work.*noPendingExecution: true/);
  expect(await page.locator('.red-ui-debug-msg', { hasText: 'node: error' }).count()).toBe(0);
  await page.screenshot({ path: join(IMAGES, 'find-and-run-work.png') });
});
