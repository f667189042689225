import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';

// Sources live in top-level main/, preload/ and renderer/ (not src/).
export default defineConfig({
  main: {
    build: {
      // Optional native packages are not in `dependencies`, which is all externalizeDeps reads: name them, or
      // the bundler copies Dawn's loader into a chunk, where it cannot find its dawn.node.
      externalizeDeps: { include: ['webgpu', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'] },
      rollupOptions: {
        // The engine process is its own entry: utilityProcess.fork (and the CLI's child_process.fork) runs
        // out/main/engine.js. The command line is one more: bin/duet.js runs out/main/cli.js.
        input: {
          index: resolve(__dirname, 'main/index.ts'),
          engine: resolve(__dirname, 'main/engine/process/child.ts'),
          cli: resolve(__dirname, 'main/cli/run.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      // A sandboxed preload can't require packages: bundle zod and the contract into it.
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve(__dirname, 'preload/index.ts') },
        output: { format: 'cjs' },
      },
    },
  },
  renderer: {
    root: resolve(__dirname, 'renderer'),
    build: {
      rollupOptions: { input: resolve(__dirname, 'renderer/index.html') },
    },
    plugins: [react()],
  },
});
