/**
 * A training process for the fault tests: starts (or resumes) a tiny run and prints its events as JSON
 * lines, so the test can SIGKILL it at a chosen moment. With DUET_FAULT_HANG_CHECKPOINT=N, the write of
 * checkpoint N stops after its first file (until the test kills the process).
 *
 *   node --import tsx fault-child.ts start <workspace> <dataA> <dataB> <settings-json>
 *   node --import tsx fault-child.ts resume <runDir> <workspace>
 */
import { selectBackend } from '../../main/engine/backend.js';
import { type CheckpointIo, DEFAULT_CHECKPOINT_IO } from '../../main/engine/runs/checkpoints.js';
import { resumeRun, startRun } from '../../main/engine/runs/run.js';

const hangAt = process.env.DUET_FAULT_HANG_CHECKPOINT;
const io: CheckpointIo = {
  async writeFile(file, data) {
    await DEFAULT_CHECKPOINT_IO.writeFile(file, data);
    if (hangAt && file.includes(`.tmp-${hangAt.padStart(8, '0')}-`)) {
      process.stdout.write(`${JSON.stringify({ type: 'writing-checkpoint', file })}\n`);
      await new Promise(() => {}); // the test kills us here, mid-checkpoint
    }
  },
};

await selectBackend({ env: { DUET_BACKEND: 'wasm' } });
const [mode, ...args] = process.argv.slice(2);
const run =
  mode === 'start'
    ? await startRun({
        workspace: args[0]!,
        dataA: args[1]!,
        dataB: args[2]!,
        settings: JSON.parse(args[3]!),
        name: 'fault',
        checkpointIo: io,
      })
    : await resumeRun(args[0]!, { workspace: args[1]!, checkpointIo: io });
process.stdout.write(`${JSON.stringify({ type: 'started', dir: run.dir, iteration: run.iteration })}\n`);
run.on((e) => process.stdout.write(`${JSON.stringify(e)}\n`));
const result = await run.done;
process.stdout.write(`${JSON.stringify({ type: 'done', ...result })}\n`);
