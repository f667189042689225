/**
 * `duet translate --model M --in PATH --out DIR`: translate images or folders (recursively) with a library
 * model or a run's latest checkpoint, at each image's own size, with a progress bar. Ctrl-C cancels
 * cleanly (no half-written file); a second Ctrl-C exits at once.
 *
 * Exit status: 0 when every image was translated (or already there), 2 when some failed, 130 on cancel.
 */
import path from 'node:path';
import cliProgress from 'cli-progress';
import { type Command, InvalidArgumentError } from 'commander';
import {
  DirectionSchema,
  type DuetApi,
  type JobEvent,
  type JobStarted,
  StartTranslateRequestSchema,
  type TranslateReport,
} from '#contract';
import { describeBackend, selectBackend } from '../engine/backend.js';
import { resolveWorkspace } from '../engine/workspace.js';
import { summaryOf } from './commands.js';
import { openEngine } from './engine.js';

interface TranslateCliOptions {
  model: string;
  in: string[];
  out?: string;
  direction: string;
  format: string;
  quality: string;
  naming: string;
  tile?: string;
  overwrite?: boolean;
  keepMetadata?: boolean;
  memory?: string;
  workspace?: string;
  backend?: string;
  json?: boolean;
}

export function parseIntOption(name: string, min: number, max: number) {
  return (value: string): string => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`${name} must be a whole number from ${min} to ${max}`);
    }
    return value;
  };
}

function formatEta(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '--';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export function summarizeTranslation(report: TranslateReport, outDir: string): string {
  const lines = [
    `${report.cancelled ? 'Cancelled' : 'Done'} in ${report.seconds.toFixed(1)} s: ${report.translated.length} translated, ` +
      `${report.existing.length} already there (use --overwrite to replace), ${report.failed.length} not translated.`,
    `Output: ${outDir}`,
  ];
  if (report.failed.length > 0) {
    lines.push('', 'Not translated:');
    for (const f of report.failed) lines.push(`  ${f.path} — ${f.reason}`);
  }
  return lines.join('\n');
}

/**
 * Start a translation job and follow its events to the end: resolves with the job's report, rejects with
 * the job's error. `onStarted` hears the job's id first; `onEvent` every event of the job.
 */
export async function followTranslation(
  api: DuetApi,
  request: Parameters<DuetApi['startTranslate']>[0],
  handlers: { onStarted(job: JobStarted): void; onEvent(event: JobEvent): void },
): Promise<TranslateReport> {
  let jobId: string | undefined;
  // Events that arrive before the start's answer wait until the job's id is known.
  const early: JobEvent[] = [];
  let settle: (event: JobEvent) => void = (e) => early.push(e);
  const off = api.onJobEvent((e) => (jobId === undefined ? early.push(e) : e.jobId === jobId && settle(e)));
  try {
    const job = await api.startTranslate(request);
    jobId = job.jobId;
    handlers.onStarted(job);
    return await new Promise<TranslateReport>((resolve, reject) => {
      settle = (e) => {
        handlers.onEvent(e);
        if (e.type === 'failed') reject(new Error(e.error ?? 'the translation failed'));
        else if (e.type === 'done' || e.type === 'cancelled') {
          if (e.report) resolve(e.report);
          else reject(new Error(`the translation ended (${e.type}) without its report`));
        }
      };
      for (const e of early.splice(0)) if (e.jobId === jobId) settle(e);
    });
  } finally {
    off();
  }
}

export function registerTranslate(program: Command): void {
  program
    .command('translate')
    .description(summaryOf('translate'))
    .requiredOption('--model <id>', 'library model id, or a run (id or name: its latest checkpoint)')
    .requiredOption('--in <paths...>', 'image files or folders to translate')
    .option('--out <dir>', 'output folder (default: a new folder under <workspace>/translations)')
    .option('--direction <dir>', 'AtoB or BtoA', 'AtoB')
    .option('--format <fmt>', 'png, jpeg or webp', 'png')
    .option('--quality <q>', 'JPEG/WebP quality 1–100', parseIntOption('--quality', 1, 100), '90')
    .option('--naming <pattern>', 'output names: {name} {ext} {direction} {model} {index}', '{name}')
    .option(
      '--tile <n>',
      'tile side in pixels (default: tile only above the memory budget)',
      parseIntOption('--tile', 32, 4096),
    )
    .option('--overwrite', 'replace outputs that already exist (default: skip them)')
    .option('--keep-metadata', "copy the input's EXIF into the output (tagged sRGB)")
    .option('--memory <mb>', 'memory budget for one network pass, in MB', parseIntOption('--memory', 16, 1_048_576))
    .option('--workspace <dir>', 'workspace folder')
    .option('--backend <name>', 'force a backend: tfjs-node-gpu, webgpu, tfjs-node, wasm, cpu (also DUET_BACKEND)')
    .option('--json', 'print the report as JSON')
    .action(async (opts: TranslateCliOptions) => {
      const workspace = resolveWorkspace(opts.workspace);
      const direction = DirectionSchema.safeParse(opts.direction);
      if (!direction.success) throw new Error(`--direction must be AtoB or BtoA, not "${opts.direction}"`);
      const parsed = StartTranslateRequestSchema.safeParse({
        modelId: opts.model,
        direction: direction.data,
        inputs: opts.in.map((p) => path.resolve(p)),
        outDir: opts.out === undefined ? undefined : path.resolve(opts.out),
        format: opts.format,
        quality: Number(opts.quality),
        naming: opts.naming,
        overwrite: opts.overwrite === true,
        tile: opts.tile === undefined ? undefined : Number(opts.tile),
        keepMetadata: opts.keepMetadata === true,
        memoryMB: opts.memory === undefined ? undefined : Number(opts.memory),
      });
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new Error(`Invalid option ${issue?.path.join('.')}: ${issue?.message}`);
      }
      const backend = await selectBackend({ preference: opts.backend });
      const engine = openEngine(workspace, backend);
      let jobId: string | undefined;
      let interrupts = 0;
      const cancel = () => {
        if (jobId) engine.api.cancelTranslate({ jobId }).catch(() => undefined); // it may have just ended
      };
      const onSigint = () => {
        interrupts++;
        if (interrupts > 1) process.exit(130);
        process.stderr.write('\nCancelling after the current tile… (Ctrl-C again to quit at once)\n');
        cancel();
      };
      process.on('SIGINT', onSigint);
      const showBar = !opts.json && process.stderr.isTTY;
      const bar = new cliProgress.SingleBar(
        {
          format: 'Translating |{bar}| {value}/{total} images | ETA {etaText} | {file}',
          stream: process.stderr,
          hideCursor: true,
          clearOnComplete: false,
        },
        cliProgress.Presets.shades_classic,
      );
      let started = false;
      let job: JobStarted | undefined;
      let report: TranslateReport;
      try {
        report = await followTranslation(engine.api, parsed.data, {
          onStarted: (j) => {
            job = j;
            jobId = j.jobId;
            if (interrupts > 0) cancel();
            if (!opts.json && j.model) {
              process.stderr.write(
                `Model ${j.model.id} (${j.model.source}, ${j.model.iterations} iterations), ${direction.data}, on ${describeBackend(backend)}\n`,
              );
            }
          },
          onEvent: (e) => {
            if (!showBar || e.type === 'failed') return;
            const payload = { etaText: formatEta(e.etaSeconds), file: e.input ? path.basename(e.input) : '' };
            if (!started) {
              bar.start(e.total, e.done, payload);
              started = true;
            } else {
              bar.update(e.done, payload);
            }
          },
        });
      } finally {
        if (started) bar.stop();
        process.off('SIGINT', onSigint);
        await engine.close();
      }
      const outDir = job?.outDir ?? '';
      if (opts.json) {
        process.stdout.write(
          `${JSON.stringify({ model: job?.model?.id ?? opts.model, direction: direction.data, outDir, ...report }, null, 2)}\n`,
        );
      } else {
        process.stdout.write(`${summarizeTranslation(report, outDir)}\n`);
      }
      process.exitCode = report.cancelled ? 130 : report.failed.length > 0 ? 2 : 0;
    });
}
