/**
 * The plan of a translation job, worked out before any image is translated: which inputs go where,
 * which cannot be translated and why, and how long the rest will take. Pure: the job (job.ts) looks at
 * the files and hands the facts in; nothing here touches the disk.
 */
import path from 'node:path';
import type { Direction } from '#contract';
import { estimateEta, type OutputFormat, outputRelativePath } from './naming.js';

/** One input file as the job found it: its size when it is an image that can be read, else why not. */
export interface ProbedInput {
  path: string;
  /** Path relative to its input folder ('/' separators): what its output's path mirrors. */
  relative: string;
  size?: { width: number; height: number };
  /** Why it is not a usable image. */
  problem?: string;
}

export interface PlannedItem {
  path: string;
  relative: string;
  width: number;
  height: number;
  output: string;
}

export interface WorkPlan {
  todo: PlannedItem[];
  failed: Array<{ path: string; reason: string }>;
  /** Pixels of every image to translate: the ETA's measure of work. */
  totalPixels: number;
}

export interface PlanOptions {
  naming: string;
  format: OutputFormat;
  direction: Direction;
  /** The model's name for {model}. */
  modelLabel: string;
  outDir: string;
}

export function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** The input folder the output folder lies in, if any: Duet writes there only when the user chose it. */
export function inputFolderHolding(outDir: string, inputRoots: string[]): string | undefined {
  return inputRoots.find((root) => isInside(outDir, root));
}

/**
 * Output paths for every readable input, each claimed once: an output that would replace an input image,
 * or that another input already writes, is refused with the reason (and how to fix the pattern).
 * `{index}` counts every input found, readable or not, so names do not shift when a file is bad.
 */
export function planWork(inputs: ProbedInput[], options: PlanOptions): WorkPlan {
  const inputPaths = new Set(inputs.map((i) => path.resolve(i.path)));
  const claimed = new Map<string, string>();
  const plan: WorkPlan = { todo: [], failed: [], totalPixels: 0 };
  for (const [index, item] of inputs.entries()) {
    if (!item.size) {
      plan.failed.push({ path: item.path, reason: item.problem ?? 'not an image' });
      continue;
    }
    const relative = outputRelativePath(options.naming, options.format, {
      relative: item.relative,
      direction: options.direction,
      model: options.modelLabel,
      index,
      total: inputs.length,
    });
    const output = path.join(options.outDir, ...relative.split('/'));
    if (inputPaths.has(output)) {
      plan.failed.push({ path: item.path, reason: `its output ${output} would overwrite an input image` });
      continue;
    }
    const other = claimed.get(output);
    if (other) {
      plan.failed.push({
        path: item.path,
        reason: `${other} already writes ${output}; use {index} or {ext} in the naming pattern`,
      });
      continue;
    }
    claimed.set(output, item.path);
    plan.todo.push({ path: item.path, relative: item.relative, ...item.size, output });
    plan.totalPixels += item.size.width * item.size.height;
  }
  return plan;
}

/**
 * Seconds left, measured in pixels: big images take longer, so a count of images would mislead.
 * `donePixels` includes the part of the current image already translated.
 */
export function etaSeconds(elapsedSeconds: number, donePixels: number, totalPixels: number): number | null {
  return estimateEta(elapsedSeconds, donePixels / Math.max(1, totalPixels));
}
