// The compiler worker: its source text, its message protocol, and the solc standard-JSON
// input/output mapping. Only solc.compile() and the AST reduction run in the thread; everything
// that interprets the output is typed TypeScript running in the parent (pool.ts).
import type { AbiItem } from '../api';
import type { CompileResult } from './pool';

/** Default source unit name when the caller gives none (appears in compiler messages). */
export const DEFAULT_FILE_NAME = 'Contract.sol';

/** Bytes of the SharedArrayBuffer the worker publishes solc.version() into (int32 length + utf8). */
export const VERSION_BUFFER_BYTES = 256;

/**
 * Why an eval'd CommonJS string and not a worker file: under `node dist/...` pool.js could point
 * a Worker at worker.js, but under vitest the sources are .ts files that a worker thread cannot
 * load without a TS loader, and tsc does not copy hand-written .js files (allowJs is off). A
 * string of plain ES2020 CommonJS runs identically in both, and the parent passes solc's absolute
 * path (require.resolve) so module resolution never depends on the worker's cwd or on execArgv.
 * The version is also written into a SharedArrayBuffer so `compilerVersion` can read it
 * synchronously with Atomics.wait; the thread keeps solc loaded between jobs (solc's first load
 * is the expensive part). Reducing the AST to declaration order here keeps multi-megabyte ASTs
 * of large sources off the gateway's event loop.
 */
export const WORKER_SOURCE = String.raw`
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const lengthSlot = new Int32Array(workerData.versionBuffer, 0, 1);
let solc;
let version;
try {
  solc = require(workerData.solcPath);
  version = String(solc.version());
} catch (err) {
  Atomics.store(lengthSlot, 0, -1);
  Atomics.notify(lengthSlot, 0);
  throw err;
}
const bytes = Buffer.from(version, 'utf8').subarray(0, workerData.versionBuffer.byteLength - 4);
new Uint8Array(workerData.versionBuffer, 4).set(bytes);
Atomics.store(lengthSlot, 0, bytes.length);
Atomics.notify(lengthSlot, 0);
parentPort.on('message', (job) => {
  let reply;
  try {
    const output = JSON.parse(solc.compile(job.input));
    const declarations = [];
    for (const [file, unit] of Object.entries(output.sources || {})) {
      const nodes = (unit && unit.ast && unit.ast.nodes) || [];
      for (const node of nodes) {
        if (node.nodeType === 'ContractDefinition') {
          declarations.push({ file, name: node.name, kind: node.contractKind, abstract: !!node.abstract });
        }
      }
      if (unit) delete unit.ast;
    }
    reply = { type: 'result', id: job.id, output, declarations };
  } catch (err) {
    reply = { type: 'failure', id: job.id, message: String((err && err.message) || err) };
  }
  parentPort.postMessage(reply);
});
parentPort.postMessage({ type: 'ready', version });
`;

/** Data handed to the worker thread at spawn. */
export interface WorkerInit {
  solcPath: string;
  versionBuffer: SharedArrayBuffer;
}

/** Parent → worker: one standard-JSON compile. */
export interface WorkerJob {
  id: number;
  input: string;
}

/** A top-level contract/interface/library declaration, in source order. */
export interface ContractDeclaration {
  file: string;
  name: string;
  kind: 'contract' | 'interface' | 'library';
  abstract: boolean;
}

/** The subset of solc's standard-JSON output this module reads. */
export interface SolcOutput {
  errors?: Array<{
    severity: 'error' | 'warning' | 'info';
    message: string;
    formattedMessage?: string;
    type?: string;
    sourceLocation?: { file: string; start: number; end: number };
  }>;
  contracts?: Record<string, Record<string, {
    abi?: AbiItem[];
    evm?: { bytecode?: { object?: string }; deployedBytecode?: { object?: string } };
  }>>;
}

/** Worker → parent messages. */
export type WorkerReply =
  | { type: 'ready'; version: string }
  | { type: 'result'; id: number; output: SolcOutput; declarations: ContractDeclaration[] }
  | { type: 'failure'; id: number; message: string };

/** Standard-JSON input: one source unit, optimizer 200 runs, ABI + creation/runtime bytecode. */
export function buildStandardInput(source: string, fileName: string): object {
  return {
    language: 'Solidity',
    sources: { [fileName]: { content: source } },
    settings: {
      optimizer: { enabled: true, runs: 200 },
      outputSelection: {
        // The AST is requested only for declaration order (solc's contracts map is sorted by
        // name); the worker strips it before replying.
        [fileName]: { '': ['ast'], '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object'] },
      },
    },
  };
}

/** Turns solc's output into a CompileResult, selecting `contractName` or the last deployable contract. */
export function interpretOutput(
  output: SolcOutput,
  declarations: ContractDeclaration[],
  fileName: string,
  contractName: string | undefined,
  compilerVersion: string,
): CompileResult {
  const fail = (...errors: string[]): CompileResult => ({ ok: false, errors, compilerVersion });
  const messages = output.errors ?? [];
  const text = (m: (typeof messages)[number]) => (m.formattedMessage ?? m.message).trimEnd();
  const errors = messages.filter((m) => m.severity === 'error').map(text);
  if (errors.length > 0) return fail(...errors);
  const warnings = messages.filter((m) => m.severity !== 'error').map(text);

  const compiled = output.contracts?.[fileName] ?? {};
  const declared = declarations.filter((d) => d.file === fileName);
  const describe = (d: ContractDeclaration) =>
    d.kind === 'contract' ? (d.abstract ? `${d.name} (abstract)` : d.name) : `${d.name} (${d.kind})`;
  const available = declared.length > 0 ? declared.map(describe).join(', ') : 'none';

  let name = contractName;
  if (name !== undefined) {
    if (!compiled[name]) return fail(`contract "${name}" not found in ${fileName}; available: ${available}`);
  } else {
    // "The last contract in the file": interfaces and abstract contracts have no bytecode, so
    // the last concrete contract wins; a file of libraries only falls back to its last library.
    const pick = declared.filter((d) => d.kind === 'contract' && !d.abstract).pop()
      ?? declared.filter((d) => d.kind === 'library').pop();
    if (!pick) return fail(`no deployable contract in ${fileName}; declared: ${available}`);
    name = pick.name;
  }

  const entry = compiled[name];
  const bytecode = entry?.evm?.bytecode?.object ?? '';
  if (!entry || bytecode === '') {
    return fail(`"${name}" in ${fileName} has no bytecode (interface or abstract contract); declared: ${available}`);
  }
  if (bytecode.includes('__$')) {
    // Public library functions are linked at deploy time; the placeholder must be replaced first.
    warnings.push(`bytecode of ${name} contains unlinked library placeholders (__$…$__); link before deploying`);
  }
  return {
    ok: true,
    contractName: name,
    bytecode: `0x${bytecode}`,
    deployedBytecode: `0x${entry.evm?.deployedBytecode?.object ?? ''}`,
    abi: entry.abi ?? [],
    warnings,
    compilerVersion,
  };
}

/** One compiler message placed in the source (Cloud IDE): line and column are 1-based, null when solc gives no place in this file. */
export interface Diagnostic {
  severity: 'ERROR' | 'WARNING' | 'INFO';
  message: string;
  line: number | null;
  column: number | null;
}

/** solc's messages as diagnostics; solc's offsets count UTF-8 bytes, lines and columns count characters. */
export function diagnosticsOf(output: SolcOutput, source: string, fileName: string): Diagnostic[] {
  const bytes = Buffer.from(source, 'utf8');
  return (output.errors ?? []).map((m) => {
    const at = m.sourceLocation;
    let line: number | null = null;
    let column: number | null = null;
    if (at && at.file === fileName && Number.isInteger(at.start) && at.start >= 0 && at.start <= bytes.length) {
      const before = bytes.subarray(0, at.start).toString('utf8');
      const lines = before.split('\n');
      line = lines.length;
      column = [...lines[lines.length - 1]].length + 1;
    }
    const severity = m.severity === 'error' ? 'ERROR' : m.severity === 'warning' ? 'WARNING' : 'INFO';
    return { severity, message: m.message, line, column };
  });
}
