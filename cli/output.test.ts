/**
 * The output formats, compared with what AWS CLI v2's own formatters print for the same value: awscli.formatter
 * run by v2's Python (Debian's /usr/bin/python3, which has v2's packages), one process per batch of cases. Values that
 * are not objects reach v2 as a `--query` would hand them over (`v` of `{"v": value}`); objects as a response.
 * The json, text and table formats are compared with v1's formatters too (the pip `python` first on the PATH), which
 * print the same: their code is v2's, reformatted. v1 has no yaml.
 */

// get-east-asian-width (the table's character widths) is an ES module, which Jest's module registry runs neither by
// require() nor by import(). A node of its own asks the real package once for every code point, and this mock answers
// from that table.
jest.mock('get-east-asian-width', () => {
  const { execFileSync } = jest.requireActual<typeof import('node:child_process')>('node:child_process');
  const { dirname } = jest.requireActual<typeof import('node:path')>('node:path');
  const script = [
    "import { eastAsianWidth } from 'get-east-asian-width';",
    'const wide = []; let start = -1;',
    'for (let cp = 0; cp <= 0x110000; cp++) {',
    '  const two = cp < 0x110000 && eastAsianWidth(cp, { ambiguousAsWide: true }) === 2;',
    '  if (two && start < 0) start = cp;',
    '  if (!two && start >= 0) { wide.push([start, cp - 1]); start = -1; }',
    '}',
    'process.stdout.write(JSON.stringify(wide));',
  ].join('\n');
  const wide = JSON.parse(
    execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: dirname(__dirname),
      encoding: 'utf8',
    }),
  ) as [number, number][];
  return {
    eastAsianWidth(codePoint: number, options?: { ambiguousAsWide?: boolean }): number {
      if (!options?.ambiguousAsWide) throw new Error('this mock answers only with ambiguousAsWide');
      let [lo, hi] = [0, wide.length - 1];
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        const [first, last] = wide[mid]!;
        if (codePoint < first) hi = mid - 1;
        else if (codePoint > last) lo = mid + 1;
        else return 2;
      }
      return 1;
    },
  };
});

import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { describeWithAwsCliV2 } from '../test/helpers/aws-cli';
import { formatOutput, OUTPUT_FORMATS, type OutputFormat } from './output';

/** v2's Python: Debian's, which has v2's awscli and ruamel.yaml. */
const V2_PYTHON = '/usr/bin/python3';
/** v1's: the pip install first on the PATH. */
const V1_PYTHON = 'python';

/**
 * For each case of stdin's JSON list: the formatter of `format` (args as the CLI makes them: `--color off`, the query
 * compiled by jmespath) given `response`, titled `title`; the terminal `width` where the table formatter asks the
 * terminal for it. Prints a JSON list of `{"stdout": …}` or, where the formatter raised, `{"error": str(exception)}`.
 */
const FORMATTERS = `
import io, json, sys
import jmespath
import awscli.table
from awscli.formatter import get_formatter

class Args:
    pass

printed = []
for case in json.loads(sys.stdin.read()):
    if case['width'] is not None:
        awscli.table.determine_terminal_width = (lambda w: lambda default_width=80: w)(case['width'])
    args = Args()
    args.output = case['format']
    args.color = 'off'
    args.query = jmespath.compile(case['query']) if case['query'] else None
    stream = io.StringIO()
    try:
        get_formatter(case['format'], args)(case['title'], json.loads(case['response']), stream)
        printed.append({'stdout': stream.getvalue()})
    except Exception as e:
        printed.append({'error': str(e)})
sys.stdout.write(json.dumps(printed))
`;

interface Case {
  /** What formatOutput is given. */
  readonly value: unknown;
  /** The response v2 is given, as JSON text; by default `value`, or `{"v": value}` queried with `v` for a non-object. */
  readonly response?: string;
  readonly query?: string;
  readonly title?: string;
  readonly width?: number;
}

type Printed = { readonly stdout: string } | { readonly error: string };

const isObjectValue = (v: unknown): boolean => typeof v === 'object' && v !== null && !Array.isArray(v);

function pythonCase(c: Case, format: string, width: number | null): Record<string, unknown> {
  const asResponse = c.response === undefined && !isObjectValue(c.value);
  return {
    format,
    width,
    title: c.title ?? 'DescribeJobExecution',
    response: c.response ?? JSON.stringify(asResponse ? { v: c.value } : c.value),
    query: c.query ?? (asResponse ? 'v' : null),
  };
}

/** What the AWS CLI's formatters (run by `python`) print for each case in each format, in that order. */
function awsCli(python: string, cases: readonly Case[], formats: readonly string[], pinWidth = true): Printed[] {
  const batch = cases.flatMap((c) => formats.map((f) => pythonCase(c, f, pinWidth ? (c.width ?? 80) : null)));
  const out = execFileSync(python, ['-c', FORMATTERS], {
    input: JSON.stringify(batch),
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, PYTHONIOENCODING: 'utf-8' },
  });
  return JSON.parse(out) as Printed[];
}

async function ours(c: Case, format: OutputFormat): Promise<Printed> {
  try {
    return {
      stdout: await formatOutput(c.value, format, {
        title: c.title ?? 'DescribeJobExecution',
        width: c.width ?? 80,
      }),
    };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

/** Python's error for sorting mixed keys names the two types in the order its randomised string hashes put them. */
const sortOrder = (printed: Printed): Printed =>
  'error' in printed
    ? { error: printed.error.replace(/instances of '(int|bool)' and 'str'/, "instances of 'str' and '$1'") }
    : printed;

/** The cases whose output differs from the CLI's in some format, each with both outputs (an empty list when none). */
async function differences(
  python: string,
  cases: readonly Case[],
  formats: readonly OutputFormat[],
): Promise<{ value: string; format: string; ours: Printed; theirs: Printed }[]> {
  const theirs = awsCli(python, cases, formats);
  const found = [];
  for (const [i, c] of cases.entries())
    for (const [j, format] of formats.entries()) {
      const expected = theirs[i * formats.length + j]!;
      const actual = await ours(c, format);
      if (JSON.stringify(sortOrder(actual)) !== JSON.stringify(sortOrder(expected)))
        found.push({ value: c.response ?? JSON.stringify(c.value), format, ours: actual, theirs: expected });
    }
  return found;
}

// ---- the project's responses, as shapeResponse makes them ---------------------------------------------------------

const JOB_DOCUMENT = '{"operation":"firmware-update","url":"https://firmware.example.com/gw/4.2.bin","size":1048576}';
const EXECUTION = {
  jobId: 'firmware-2026-12',
  thingName: 'gateway-7',
  status: 'IN_PROGRESS',
  statusDetails: { step: 'download', progress: '42%', firmware: 'ü 4.2' },
  queuedAt: 1764547200,
  startedAt: 1764547260,
  lastUpdatedAt: 1764547300,
  approximateSecondsBeforeTimedOut: 3540,
  versionNumber: 3,
  executionNumber: 1,
  jobDocument: JOB_DOCUMENT,
};
const summary = (jobId: string, versionNumber: number): Record<string, unknown> => ({
  jobId,
  queuedAt: 1764547200 + versionNumber,
  lastUpdatedAt: 1764547300 + versionNumber,
  versionNumber,
  executionNumber: versionNumber,
});
const QUEUED = [summary('firmware-2026-12', 1), summary('config-rollout', 2), summary('reboot', 3)];
const PENDING_NONE = { inProgressJobs: [], queuedJobs: [] };
const PENDING_ONE = { inProgressJobs: [], queuedJobs: [QUEUED[0]] };
const PENDING_THREE = {
  inProgressJobs: [{ ...summary('certificate-rotation', 7), startedAt: 1764547999 }],
  queuedJobs: QUEUED,
};
const UPDATED = {
  executionState: {
    status: 'SUCCEEDED',
    statusDetails: { result: 'ok', firmware: '4.2', 漢字: '更新済み' },
    versionNumber: 4,
  },
  jobDocument: JOB_DOCUMENT,
};
const UPDATE_JOB = {
  Success: true,
  WarningMessage: 'Your device will be erased before it is returned. Back up its data before you ship it.',
  ArtifactList: [
    { Description: 'Address label', URL: 'https://s3.amazonaws.com/importexport/label-ABCDE.pdf' },
    { Description: 'Signature', URL: 'https://s3.amazonaws.com/importexport/signature-ABCDE' },
  ],
};

const RESPONSES: readonly (readonly [string, Case])[] = [
  ['describe-job-execution', { value: { execution: EXECUTION } }],
  ['get-pending-job-executions, none queued', { value: PENDING_NONE, title: 'GetPendingJobExecutions' }],
  ['get-pending-job-executions, one queued', { value: PENDING_ONE, title: 'GetPendingJobExecutions' }],
  ['get-pending-job-executions, three queued', { value: PENDING_THREE, title: 'GetPendingJobExecutions' }],
  ['start-next-pending-job-execution', { value: { execution: EXECUTION }, title: 'StartNextPendingJobExecution' }],
  ['update-job-execution with its state and document', { value: UPDATED, title: 'UpdateJobExecution' }],
  ['update-job (Import/Export)', { value: UPDATE_JOB, title: 'UpdateJob' }],
  ['update-job, no warning', { value: { Success: false, ArtifactList: [] }, title: 'UpdateJob' }],
];

// ---- what --query makes of them: every kind of JSON value -----------------------------------------------------------

const QUERIES: readonly (readonly [string, unknown])[] = [
  ['null (a query that selects nothing)', null],
  ['an empty string', ''],
  ['a string', 'IN_PROGRESS'],
  ['0', 0],
  ['an integer', 3],
  ['a float', 1.5],
  ['a large integer', 9007199254740991],
  ['false', false],
  ['true', true],
  ['an empty list', []],
  ['an empty object', {}],
  ['execution.[jobId, versionNumber]', ['firmware-2026-12', 3]],
  ['queuedJobs[].jobId', QUEUED.map((j) => j.jobId)],
  ['queuedJobs[*].[jobId, versionNumber]', QUEUED.map((j) => [j.jobId, j.versionNumber])],
  ['queuedJobs (a list of objects)', QUEUED],
  ['execution.statusDetails (an object of strings)', EXECUTION.statusDetails],
  [
    '[execution.statusDetails, queuedJobs[0]] (a list of objects with other keys)',
    [EXECUTION.statusDetails, QUEUED[0]],
  ],
  ['a list of scalars of every type', ['a', 1, 2.5, true, false, null, '']],
  ['a list of lists and scalars', [['a', 1], 'b', [[], ['c']], [null, true]]],
  [
    'lists in objects in lists',
    [
      { a: [1, 2], b: { c: [{ d: 1 }, { e: 2 }] } },
      { a: [], f: 'x' },
    ],
  ],
  ['a dict with a key scalar in one item and nested in another', [{ k: 1, x: 'a' }, { k: { deep: true } }]],
  ['an object of empty things', { a: [], b: {}, c: '', d: null, e: 0, f: false }],
];

const NON_ASCII: readonly (readonly [string, unknown])[] = [
  ['ü (East Asian Ambiguous: 2 columns in a table)', { firmware: 'ü 4.2' }],
  ['CJK', { 名前: '漢字', status: '完了', note: 'ｶﾀｶﾅ half-width' }],
  ['emoji beyond U+FFFF', { done: '✅ 😀 🚀', step: 'ok' }],
  ['combining marks, box drawing, arrows, private use', { a: 'e\u0301', b: '─→…', c: '\ue000x', d: '×÷°' }],
  ['a code point Unicode 14 does not assign (CPython: Fullwidth)', { a: 'x\u0378y' }],
  [
    'non-ASCII in a list of objects',
    [
      { name: 'ü', id: 1 },
      { name: '漢字漢字', id: 2 },
    ],
  ],
];

const TABLES: readonly (readonly [string, Case])[] = [
  [
    'too wide for 80 columns: vertical',
    { value: { execution: { ...EXECUTION, jobDocument: JOB_DOCUMENT.repeat(2) } } },
  ],
  ['describe-job-execution in 40 columns', { value: { execution: EXECUTION }, width: 40 }],
  ['describe-job-execution in 200 columns', { value: { execution: EXECUTION }, width: 200 }],
  ['get-pending-job-executions in 40 columns', { value: PENDING_THREE, title: 'GetPendingJobExecutions', width: 40 }],
  ['get-pending-job-executions in 200 columns', { value: PENDING_THREE, title: 'GetPendingJobExecutions', width: 200 }],
  ['update-job in 40 columns', { value: UPDATE_JOB, title: 'UpdateJob', width: 40 }],
  ['many columns in 20', { value: [{ a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7, h: 8 }], width: 20 }],
  ['a title wider than its table', { value: { a: 1 }, title: 'AVeryLongOperationNameIndeed' }],
  ['a scalar: a title and a rule', { value: 'abc' }],
  ['rows of unequal length (v2 stops: ValueError)', { value: [[1, 2], [3]] }],
  ['a list starting with an object, then a string (v2 stops: TypeError)', { value: [{ a: 1 }, 'x'] }],
  ['a list starting with an object, then an empty one', { value: [{ a: [1] }, []] }],
  ['a list of indices beside an object (v2 cannot sort int and str headers)', { value: [{}, [0], { a: 1 }] }],
  ['a list of boolean indices beside an object (v2 names bool)', { value: [{ a: true }, [false]] }],
  ['a list of indices beside objects without scalars (v2 stops: no .get)', { value: [{ b: [] }, [0]] }],
];

const YAML_STRINGS = [
  'yes',
  'no',
  'on',
  'true',
  'True',
  'null',
  '~',
  '1.5',
  '1_000',
  '0x1F',
  '0o17',
  '.inf',
  '-.5',
  '1e3',
  '2026-12-01',
  '2026-12-01 10:00:00',
  '2026-12-01T10:00:00Z',
  ': x',
  'a: b',
  'a:b',
  '#a',
  'a #b',
  'a#b',
  '',
  ' lead',
  'trail ',
  '- x',
  '-x',
  '?',
  '---',
  '...',
  '<<',
  '=',
  '&a',
  '*a',
  '!tag',
  '%x',
  '@x',
  '`x',
  '{"a":1}',
  '[1, 2]',
  "it's",
  'say "hi"',
  'back\\slash',
  'tab\there',
  'multi\nline',
  'ends with a newline\n',
  '\n',
  'line\u2028separator',
  'next\u0085line',
  'bell\u0007',
  'bom\ufeff',
  'nul\u0000',
  'del\u007f',
  'nbsp\u00a0',
  'ü 漢字',
  '😀',
  'x'.repeat(200),
  ('word '.repeat(40) + 'end').trim(),
  'a  b'.repeat(30),
  `'${'quoted '.repeat(20)}'`,
  `${'double "q" '.repeat(15)}\tand a tab`,
  'spaces   inside and a long line that goes on well past the eightieth column of the terminal',
];

const JSON_VALUES: readonly (readonly [string, Case])[] = [
  ['floats', { value: { a: 1.0, b: 0.1, c: 1e-7, d: 1e-4, e: 123456.789, f: 1e21, g: -2.5e-300, h: 1e16 } }],
  ['integers', { value: { a: 0, b: -1, c: 2 ** 53, d: 10 ** 20, e: -(10 ** 15) } }],
  ['control characters and quotes', { value: { a: '\u0000\u0001\u001f\u007f', b: '"\\/', c: '\b\f\n\r\t' } }],
  ['non-BMP and separators', { value: { a: '😀\u2028\u2029', b: '\ud83d\ude80' } }],
  [
    'numbers too large for a double (inf)',
    { value: { a: Infinity, b: -Infinity }, response: '{"a": 1e999, "b": -1e999}' },
  ],
  ['infinity at the top', { value: Infinity, response: '{"v": 1e999}', query: 'v' }],
  ['nested empties', { value: { a: [[]], b: [{}], c: { d: {} } } }],
];

const FORMATS: readonly OutputFormat[] = OUTPUT_FORMATS;

describeWithAwsCliV2('the output formats, as AWS CLI v2 prints them', () => {
  test("OUTPUT_FORMATS are v2's, in its order", () => {
    const v2 = execFileSync(
      V2_PYTHON,
      ['-c', 'import awscli.formatter as f, json; print(json.dumps(list(f.CLI_OUTPUT_FORMATS)))'],
      {
        encoding: 'utf8',
      },
    );
    expect(OUTPUT_FORMATS).toEqual(JSON.parse(v2));
  });

  const all: [string, Case][] = [
    ...RESPONSES.map(([name, c]): [string, Case] => [`response: ${name}`, c]),
    ...QUERIES.map(([name, value]): [string, Case] => [`query: ${name}`, { value }]),
    ...NON_ASCII.map(([name, value]): [string, Case] => [`non-ASCII: ${name}`, { value }]),
    ...TABLES.map(([name, c]): [string, Case] => [`table: ${name}`, c]),
    ...JSON_VALUES.map(([name, c]): [string, Case] => [`json: ${name}`, c]),
    ['yaml: strings that need quotes, or not', { value: Object.fromEntries(YAML_STRINGS.map((s, i) => [`k${i}`, s])) }],
    ['yaml: the same strings in a list', { value: YAML_STRINGS }],
    ['yaml: the same strings as keys', { value: Object.fromEntries(YAML_STRINGS.map((s, i) => [s, i])) }],
    [
      'yaml: keys over 128 bytes and multi-line keys',
      { value: { ['k'.repeat(129)]: 1, ['漢'.repeat(43)]: 2, 'a\nb': [1] } },
    ],
    [
      'yaml: long strings deep in lists and maps',
      { value: { a: [{ b: [YAML_STRINGS.at(-3), YAML_STRINGS.at(-1)] }] } },
    ],
    [
      'yaml: the same object twice (a query such as [execution, execution])',
      (() => {
        const execution = { jobId: 'j', statusDetails: { a: 'b' }, list: [1, 2] };
        return {
          value: [execution, execution, { x: execution.statusDetails, y: execution.list }],
          response: JSON.stringify({ execution }),
          query: '[execution, execution, {x: execution.statusDetails, y: execution.list}]',
        };
      })(),
    ],
  ];
  const v2 = new Map<string, Printed[]>();

  beforeAll(() => {
    const printed = awsCli(
      V2_PYTHON,
      all.map(([, c]) => c),
      FORMATS,
    );
    all.forEach(([name], i) => v2.set(name, printed.slice(i * FORMATS.length, (i + 1) * FORMATS.length)));
  });

  test.each(all)('%s', async (name, c) => {
    const mine: Record<string, Printed> = {};
    const theirs: Record<string, Printed> = {};
    for (const [i, format] of FORMATS.entries()) {
      mine[format] = sortOrder(await ours(c, format));
      theirs[format] = sortOrder(v2.get(name)![i]!);
    }
    expect(mine).toEqual(theirs);
  });

  test('an empty response prints nothing in any format', async () => {
    for (const format of FORMATS)
      expect(await formatOutput({}, format, { title: 'UpdateJobExecution', width: 80 })).toBe('');
    expect(awsCli(V2_PYTHON, [{ value: {} }], FORMATS)).toEqual(FORMATS.map(() => ({ stdout: '' })));
  });

  test("v2's table fits the terminal of its stdout, not COLUMNS: piped, it is 80 columns wide whatever COLUMNS says", async () => {
    const wide = { value: { name: 'x'.repeat(60), note: 'y'.repeat(30) }, title: 'UpdateJob' }; // 101 columns
    const piped = execFileSync(V2_PYTHON, ['-c', FORMATTERS], {
      input: JSON.stringify([pythonCase(wide, 'table', null)]),
      encoding: 'utf8',
      env: { ...process.env, COLUMNS: '200' },
    });
    expect(JSON.parse(piped)).toEqual([await ours({ ...wide, width: 80 }, 'table')]);
    expect(JSON.parse(piped)).not.toEqual([await ours({ ...wide, width: 200 }, 'table')]);
  });

  /** JSON-ish values of the kinds responses and queries hold, with the characters the formats treat specially. */
  const jsonish = (() => {
    const unit = fc.constantFrom(
      ...['a', 'b', 'Z', '0', '1', ' ', ' ', ':', '#', '-', '?', ',', '[', '{', "'", '"', '\\', '\n', '\t', '.', 'e'],
      ...['ü', '漢', '😀', '─', '\u0378', '\u2028', '\u0085', '\u00a0', '~', '&', '*', '!', '|', '>', '%', '@', '`'],
      ...['true', 'null', 'yes', '2026-12-01', '---', '<<', '=', 'word ', 'x'.repeat(40)],
    );
    const text = fc.string({ unit, maxLength: 8 });
    const scalar = fc.oneof(
      text,
      fc.integer(),
      fc.constantFrom(0, 1.5, -0.25, 1e-7, 2 ** 53, 1e21, 0.1 + 0.2),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.boolean(),
      fc.constant(null),
    );
    const { value } = fc.letrec<{ value: unknown }>((tie) => ({
      value: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        scalar,
        fc.dictionary(text, tie('value'), { maxKeys: 4 }),
        fc.array(tie('value'), { maxLength: 4 }),
      ),
    }));
    return value;
  })();

  test('random JSON values print the same in every format (200 values, one v2 process)', async () => {
    const seed = Date.now();
    const cases = fc
      .sample(fc.tuple(jsonish, fc.integer({ min: 10, max: 220 })), { numRuns: 200, seed })
      .map(([value, width]) => ({ value, width }));
    expect({ seed, differences: await differences(V2_PYTHON, cases, FORMATS) }).toEqual({ seed, differences: [] });
  });

  // v1's json, text and table formatters are v2's code, reformatted: every value the comparisons with v2 use prints
  // the same with v1, errors included. Where v1 differs: it has no yaml or yaml-stream (`--output` offers json, text,
  // table), and its JSON encoder turns bytes into base64 (no JSON value holds bytes). Outside the formatters v1 also
  // prints timestamps as the service sent them where v2 writes ISO 8601; shapeResponse's values are past that point.
  test('v1 prints json, text and table the same', async () => {
    const seed = Date.now();
    const cases = [...all.map(([, c]) => c), ...fc.sample(jsonish, { numRuns: 200, seed }).map((value) => ({ value }))];
    expect({ seed, differences: await differences(V1_PYTHON, cases, ['json', 'text', 'table']) }).toEqual({
      seed,
      differences: [],
    });
  });
});

// ---- without the CLIs ------------------------------------------------------------------------------------------------

const context = { title: 'UpdateJobExecution', width: 80 };
const response = { executionState: { status: 'SUCCEEDED', statusDetails: { b: '2', a: 'ü' }, versionNumber: 3 } };

test('json is Python json.dumps with indent 4 and non-ASCII kept', async () => {
  expect(await formatOutput(response, 'json', context)).toBe(
    '{\n    "executionState": {\n        "status": "SUCCEEDED",\n        "statusDetails": {\n            "b": "2",\n            "a": "ü"\n        },\n        "versionNumber": 3\n    }\n}\n',
  );
});

test('text puts scalars on one tab-separated line, nested maps on lines named in upper case, keys sorted', async () => {
  expect(await formatOutput(response, 'text', context)).toBe('EXECUTIONSTATE\tSUCCEEDED\t3\nSTATUSDETAILS\tü\t2\n');
});

test('yaml sorts keys and does not indent a list in a map', async () => {
  expect(await formatOutput({ b: [1, 'yes', null], a: 'null' }, 'yaml', context)).toBe(
    "a: 'null'\nb:\n- 1\n- yes\n- null\n",
  );
  expect(await formatOutput({ b: 1 }, 'yaml-stream', context)).toBe('- b: 1\n');
});

test('table counts East Asian Ambiguous characters as 2 columns (ü is padded as if 2 wide, as v2 pads it)', async () => {
  expect(await formatOutput({ firmware: 'ü 4.2' }, 'table', context)).toBe(
    [
      '------------------------',
      '|  UpdateJobExecution  |',
      '+-----------+----------+',
      '|  firmware |  ü 4.2  |',
      '+-----------+----------+',
      '',
    ].join('\n'),
  );
});

test('an empty response prints nothing; other empty or false values print as v2 prints them', async () => {
  for (const format of OUTPUT_FORMATS) expect(await formatOutput({}, format, context)).toBe('');
  expect(await formatOutput(null, 'json', context)).toBe('null\n');
  expect(await formatOutput(null, 'text', context)).toBe('None\n');
  expect(await formatOutput(null, 'yaml', context)).toBe('null\n');
  expect(await formatOutput(null, 'yaml-stream', context)).toBe('- null\n');
  expect(await formatOutput(null, 'table', context)).toBe('');
  expect(await formatOutput([], 'json', context)).toBe('[]\n');
  expect(await formatOutput(false, 'text', context)).toBe('False\n');
});
