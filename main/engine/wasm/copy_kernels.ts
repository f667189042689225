/**
 * Slice, SplitV and Concat for the wasm backend, copying whole runs of memory.
 *
 * The stock kernels copy one innermost row at a time through `subarray` + `set`. On NHWC images that row
 * is often a handful of channels: concatenating A and B for pix2pix's discriminator copies 3 floats a
 * call, cropping a feature map copies C floats a call, 4096 calls a 64 px image. These kernels merge
 * every trailing dimension that is taken whole into one run, copy long runs with `copyWithin` on the
 * heap (a memmove) and short ones element by element.
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import {
  backend_util,
  Concat,
  type ConcatAttrs,
  type KernelConfig,
  Slice,
  type SliceAttrs,
  SplitV,
  type SplitVAttrs,
  slice_util,
  type TensorInfo,
  util,
} from '@tensorflow/tfjs-core';
import { backendKernel } from '../tfjs-internals.js';
import { stockWasmKernel } from './index.js';

/** Below this many values a run is copied element by element (cheaper than a typed-array call). */
const SHORT_RUN = 24;

/** The whole wasm heap as 32-bit words (copied as bits: no float canonicalises an int32's pattern). */
type Heap = Int32Array;

/** A tensor's first word on the heap. Take it after the last allocation: growth detaches views. */
function wordOffset(backend: BackendWasm, t: TensorInfo): number {
  return (backend.typedArrayFromHeap(t) as Float32Array | Int32Array).byteOffset / 4;
}

function wholeHeap(backend: BackendWasm, t: TensorInfo): Heap {
  return new Int32Array((backend.typedArrayFromHeap(t) as Float32Array | Int32Array).buffer);
}

/** Dtypes whose values are 4-byte words on the heap, which these kernels copy. */
function copyable(dtype: string): boolean {
  return dtype === 'float32' || dtype === 'int32';
}

/** Copies `n` words from `src` to `dst`: a memmove for long runs, element by element for short ones. */
function copyRun(heap: Heap, dst: number, src: number, n: number): void {
  if (n < SHORT_RUN) {
    for (let k = 0; k < n; k++) heap[dst + k] = heap[src + k]!;
  } else {
    heap.copyWithin(dst, src, src + n);
  }
}

/**
 * Copies the box `begin`…`begin + size` of a row-major array of `shape` (at word `from` of `heap`) to
 * word `to`, contiguously. Trailing dimensions taken whole are merged into one run first.
 */
export function copyBox(
  heap: Heap,
  from: number,
  shape: readonly number[],
  begin: readonly number[],
  size: readonly number[],
  to: number,
): void {
  const rank = shape.length;
  if (size.some((s) => s === 0)) return;
  // The run: trailing dims taken whole, times the size of the first dim (from the right) that is not.
  let d = rank - 1;
  let run = 1;
  while (d >= 0 && begin[d] === 0 && size[d] === shape[d]) {
    run *= shape[d]!;
    d--;
  }
  if (d >= 0) run *= size[d]!;
  // Outer dims 0 … d−1 are walked with an odometer; dim d's offset is folded into the base.
  const strides = util.computeStrides(shape as number[]);
  const stride = (i: number) => (i === rank - 1 ? 1 : strides[i]!);
  let base = from;
  for (let i = 0; i < rank; i++) base += begin[i]! * stride(i);
  if (d < 0) {
    heap.copyWithin(to, base, base + run);
    return;
  }
  const outer = d; // number of odometer dims
  const counts = size.slice(0, outer);
  const index = new Array<number>(outer).fill(0);
  let src = base;
  let dst = to;
  const total = counts.reduce((a, b) => a * b, 1);
  for (let n = 0; n < total; n++) {
    copyRun(heap, dst, src, run);
    dst += run;
    // advance the odometer
    for (let i = outer - 1; i >= 0; i--) {
      index[i]!++;
      src += stride(i);
      if (index[i]! < counts[i]!) break;
      src -= counts[i]! * stride(i);
      index[i] = 0;
    }
  }
}

function sliceWasm(args: { inputs: { x: TensorInfo }; backend: BackendWasm; attrs: SliceAttrs }): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x } = inputs;
  if (!copyable(x.dtype)) return stock(Slice).kernelFunc(args as never) as TensorInfo;
  const [begin, size] = slice_util.parseSliceParams(x as never, attrs.begin, attrs.size) as [number[], number[]];
  const out = backend.makeOutput(size, x.dtype);
  // Offsets after the allocation: a heap that grew has detached the older views.
  copyBox(wholeHeap(backend, out), wordOffset(backend, x), x.shape, begin, size, wordOffset(backend, out));
  return out;
}

function splitVWasm(args: { inputs: { x: TensorInfo }; backend: BackendWasm; attrs: SplitVAttrs }): TensorInfo[] {
  const { inputs, backend, attrs } = args;
  const { x } = inputs;
  if (!copyable(x.dtype)) return stock(SplitV).kernelFunc(args as never) as TensorInfo[];
  const axis = util.parseAxisParam(attrs.axis, x.shape)[0]!;
  const sizes = backend_util.prepareSplitSize(x as never, attrs.numOrSizeSplits, axis);
  const begin = new Array<number>(x.shape.length).fill(0);
  return sizes.map((s) => {
    const size = [...x.shape];
    size[axis] = s;
    const out = backend.makeOutput(size, x.dtype);
    copyBox(wholeHeap(backend, out), wordOffset(backend, x), x.shape, begin, size, wordOffset(backend, out));
    begin[axis]! += s;
    return out;
  });
}

function concatWasm(args: { inputs: TensorInfo[]; backend: BackendWasm; attrs: ConcatAttrs }): TensorInfo {
  const { inputs, backend, attrs } = args;
  if (inputs.length === 0 || !copyable(inputs[0]!.dtype)) return stock(Concat).kernelFunc(args as never) as TensorInfo;
  const axis = util.parseAxisParam(attrs.axis, inputs[0]!.shape)[0]!;
  backend_util.assertParamsConsistent(
    inputs.map((t) => t.shape),
    axis,
  );
  const outShape = backend_util.computeOutShape(
    inputs.map((t) => t.shape),
    axis,
  );
  const parts = inputs.filter((t) => util.sizeFromShape(t.shape) > 0);
  const out = backend.makeOutput(outShape, inputs[0]!.dtype);
  if (util.sizeFromShape(outShape) === 0) return out;
  const heap = wholeHeap(backend, out);
  const outer = util.sizeFromShape(outShape.slice(0, axis));
  const inner = parts.map((t) => util.sizeFromShape(t.shape.slice(axis)));
  const starts = parts.map((t) => wordOffset(backend, t));
  let dst = wordOffset(backend, out);
  for (let b = 0; b < outer; b++) {
    for (let i = 0; i < parts.length; i++) {
      const n = inner[i]!;
      const src = starts[i]! + b * n;
      copyRun(heap, dst, src, n);
      dst += n;
    }
  }
  return out;
}

/** The stock wasm kernel, for the dtypes these kernels leave to it (strings, bools, complex). */
function stock(name: string): KernelConfig {
  const k = stockWasmKernel(name);
  if (!k) throw new Error(`The stock wasm ${name} kernel was not kept when Duet's replaced it`);
  return k;
}

export const sliceConfig: KernelConfig = backendKernel('wasm', Slice, sliceWasm);

export const splitVConfig: KernelConfig = backendKernel('wasm', SplitV, splitVWasm);

export const concatConfig: KernelConfig = backendKernel('wasm', Concat, concatWasm);
