/**
 * Convolution gradients for the wasm backend, expressed as forward convolutions.
 *
 * Stock tfjs-backend-wasm 4.22 has no Conv2DBackpropFilter (training any conv fails) and a slow
 * Conv2DBackpropInput. Its forward Conv2D runs on XNNPACK, several times faster, so both gradients are
 * rewritten onto it:
 *
 * - dx, stride 1: a convolution of dy with the spatially flipped, in/out-swapped filter (full padding).
 * - dx, stride > 1: cols = dy · Wᵀ as a 1×1 convolution (a GEMM on XNNPACK), then col2im scatters the
 *   columns back; no zeros are inserted into dy, so no multiply is wasted on them.
 * - dW = im2colᵀ(x) · dy as a 1×1 convolution whose filter is dy itself (no copy, no transpose).
 *
 * The index shuffles (flip, transpose, im2col, col2im) run in JS directly on the wasm heap; they move
 * O(size of the tensors) floats against the O(size × channels) multiplies of the GEMM.
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import {
  backend_util,
  Conv2D,
  Conv2DBackpropFilter,
  type Conv2DBackpropFilterAttrs,
  Conv2DBackpropInput,
  type Conv2DBackpropInputAttrs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { backendKernel } from '../tfjs-internals.js';

type Shape4 = [number, number, number, number];
type ExplicitPad = [[number, number], [number, number], [number, number], [number, number]];

/** The wasm backend's own forward Conv2D (XNNPACK). */
function forwardConv(
  backend: BackendWasm,
  x: TensorInfo,
  filter: TensorInfo,
  strides: [number, number],
  pad: 'valid' | ExplicitPad,
): TensorInfo {
  const kernel = tf.getKernel(Conv2D, 'wasm');
  if (!kernel) throw new Error('The wasm backend has no Conv2D kernel: is @tensorflow/tfjs-backend-wasm loaded?');
  return kernel.kernelFunc({
    inputs: { x, filter },
    attrs: { strides, pad, dilations: [1, 1], dataFormat: 'NHWC', dimRoundingMode: undefined },
    backend,
  } as unknown as Parameters<KernelFunc>[0]) as TensorInfo;
}

/** A float32 view of a tensor on the wasm heap. Take it after the last allocation: growth detaches views. */
function heap(backend: BackendWasm, t: TensorInfo): Float32Array {
  return backend.typedArrayFromHeap(t) as Float32Array;
}

function assertNHWC(kernel: string, dataFormat: string | undefined): void {
  if (dataFormat !== undefined && dataFormat !== 'NHWC') {
    throw new Error(`${kernel} on wasm supports only the NHWC data format, got "${dataFormat}".`);
  }
}

function assertFloat(kernel: string, ...tensors: TensorInfo[]): void {
  for (const t of tensors) {
    if (t.dtype !== 'float32') throw new Error(`${kernel} on wasm needs float32 tensors, got ${t.dtype}.`);
  }
}

/**
 * Rearranged copies of filters, kept while the filter lives. A generator's weights serve several passes
 * per step (CycleGAN runs each generator three times), and the wasm Conv2D keeps its packed XNNPACK
 * operator per filter tensor: reusing one copy saves both the rearrangement and the repacking.
 */
type FilterForm = 'flipped' | 'transposed';
const filterForms = new Map<object, Map<FilterForm, TensorInfo>>();
let formsBackend: BackendWasm | undefined;

/** Frees copies whose source filter has been disposed (or all of them). Returns how many were freed. */
export function sweepFilterCache(all = false): number {
  const backend = formsBackend;
  let freed = 0;
  for (const [source, forms] of filterForms) {
    if (!all && backend?.dataIdMap.has(source)) continue;
    for (const info of forms.values()) {
      if (backend?.dataIdMap.has(info.dataId)) backend.disposeData(info.dataId);
      freed++;
    }
    filterForms.delete(source);
  }
  return freed;
}

/** Number of cached filter copies (tests). */
export function filterCacheSize(): number {
  let n = 0;
  for (const forms of filterForms.values()) n += forms.size;
  return n;
}

function cachedForm(
  backend: BackendWasm,
  filter: TensorInfo,
  form: FilterForm,
  shape: number[],
  fill: (src: Float32Array, dst: Float32Array) => void,
): TensorInfo {
  if (formsBackend !== backend) {
    filterForms.clear();
    formsBackend = backend;
  }
  sweepFilterCache();
  const forms = filterForms.get(filter.dataId) ?? new Map<FilterForm, TensorInfo>();
  const hit = forms.get(form);
  if (hit) return hit;
  const made = backend.makeOutput(shape, 'float32');
  fill(heap(backend, filter), heap(backend, made));
  forms.set(form, made);
  filterForms.set(filter.dataId, forms);
  return made;
}

/** Gradient of conv2d with respect to its input (also the forward pass of conv2dTranspose). */
export function conv2DBackpropInputWasm(args: {
  inputs: { dy: TensorInfo; filter: TensorInfo };
  backend: BackendWasm;
  attrs: Conv2DBackpropInputAttrs;
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { dy, filter } = inputs;
  const { inputShape, strides, pad, dataFormat, dimRoundingMode } = attrs;
  assertNHWC(Conv2DBackpropInput, dataFormat);
  assertFloat(Conv2DBackpropInput, dy, filter);
  const [N, H, W, CI] = inputShape as Shape4;
  const [FH, FW, fCI, CO] = filter.shape as Shape4;
  const [dN, OH, OW, dCO] = dy.shape as Shape4;
  if (fCI !== CI || dCO !== CO || dN !== N) {
    throw new Error(
      `Conv2DBackpropInput: shapes do not agree (input ${inputShape}, dy ${dy.shape}, filter ${filter.shape}).`,
    );
  }
  const info = backend_util.computeConv2DInfo(
    inputShape as Shape4,
    filter.shape as Shape4,
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    'channelsLast',
  );
  const { top, left } = info.padInfo;
  const { strideHeight: sh, strideWidth: sw } = info;

  // Stride 1: a plain convolution with the flipped filter and "full" padding.
  const padT = FH - 1 - top;
  const padL = FW - 1 - left;
  const padB = H - OH - padT + FH - 1;
  const padR = W - OW - padL + FW - 1;
  if (sh === 1 && sw === 1 && padT >= 0 && padL >= 0 && padB >= 0 && padR >= 0) {
    const flipped = cachedForm(backend, filter, 'flipped', [FH, FW, CO, CI], (src, dst) => {
      for (let kh = 0; kh < FH; kh++) {
        for (let kw = 0; kw < FW; kw++) {
          const from = (kh * FW + kw) * CI * CO;
          const to = ((FH - 1 - kh) * FW + (FW - 1 - kw)) * CO * CI;
          for (let ci = 0; ci < CI; ci++) {
            const row = from + ci * CO;
            for (let co = 0; co < CO; co++) dst[to + co * CI + ci] = src[row + co] as number;
          }
        }
      }
    });
    const pads: ExplicitPad = [
      [0, 0],
      [padT, padB],
      [padL, padR],
      [0, 0],
    ];
    return forwardConv(backend, dy, flipped, [1, 1], pads);
  }

  // Any stride: cols[p, (kh, kw, ci)] = Σ_co dy[p, co] · W[kh, kw, ci, co], then scatter-add.
  const K = FH * FW * CI;
  const wT = cachedForm(backend, filter, 'transposed', [1, 1, CO, K], (src, dst) => {
    for (let k = 0; k < K; k++) {
      const row = k * CO;
      for (let co = 0; co < CO; co++) dst[co * K + k] = src[row + co] as number;
    }
  });
  const cols = forwardConv(backend, dy, wT, [1, 1], 'valid');
  const dx = backend.makeOutput([N, H, W, CI], 'float32');
  const c = heap(backend, cols);
  const out = heap(backend, dx);
  out.fill(0);
  for (let n = 0; n < N; n++) {
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++) {
        const p = ((n * OH + oh) * OW + ow) * K;
        for (let kh = 0; kh < FH; kh++) {
          const h = oh * sh - top + kh;
          if (h < 0 || h >= H) continue;
          for (let kw = 0; kw < FW; kw++) {
            const w = ow * sw - left + kw;
            if (w < 0 || w >= W) continue;
            const to = ((n * H + h) * W + w) * CI;
            const from = p + (kh * FW + kw) * CI;
            for (let ci = 0; ci < CI; ci++) out[to + ci] = (out[to + ci] as number) + (c[from + ci] as number);
          }
        }
      }
    }
  }
  backend.disposeData(cols.dataId);
  return dx;
}

/** Floats of im2colᵀ built at once by the filter gradient (default 16 Mi floats, 64 MB). */
let im2colBudgetFloats = 16 * 1024 * 1024;

/** Change the im2colᵀ band budget (tests make it small to exercise the banded path); returns the old one. */
export function setIm2colBudget(floats: number): number {
  const old = im2colBudgetFloats;
  if (!(floats >= 1)) throw new Error(`The im2col budget must be at least 1 float, got ${floats}`);
  im2colBudgetFloats = floats;
  return old;
}

/** Gradient of conv2d with respect to its filter. */
export function conv2DBackpropFilterWasm(args: {
  inputs: { x: TensorInfo; dy: TensorInfo };
  backend: BackendWasm;
  attrs: Conv2DBackpropFilterAttrs;
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x, dy } = inputs;
  const { filterShape, strides, pad, dataFormat, dimRoundingMode } = attrs;
  assertNHWC(Conv2DBackpropFilter, dataFormat);
  assertFloat(Conv2DBackpropFilter, x, dy);
  const [N, H, W, CI] = x.shape as Shape4;
  const [FH, FW, fCI, CO] = filterShape as Shape4;
  const [dN, OH, OW, dCO] = dy.shape as Shape4;
  if (fCI !== CI || dCO !== CO || dN !== N) {
    throw new Error(`Conv2DBackpropFilter: shapes do not agree (x ${x.shape}, dy ${dy.shape}, filter ${filterShape}).`);
  }
  const info = backend_util.computeConv2DInfo(
    x.shape as Shape4,
    filterShape as Shape4,
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    'channelsLast',
  );
  const { top, left } = info.padInfo;
  const { strideHeight: sh, strideWidth: sw } = info;

  // dW[k, co] = Σ_p im2colᵀ(x)[k, p] · dy[p, co]: a 1×1 convolution of K one-pixel "images" with P
  // channels by a P→CO filter, whose output [K, 1, 1, CO] already is dW's [FH, FW, CI, CO] layout.
  //
  // im2colᵀ is built from whole contiguous runs rather than pixel by pixel. The padded input is split
  // into stride phases — plane (ci, a, b) holds x'[i·sh + a][j·sw + b] for i < Hs, j < Ws — so the
  // input that kernel tap (kh, kw) meets at output (oh, ow) is plane(ci, kh mod sh, kw mod sw) at
  // (oh + ⌊kh/sh⌋, ow + ⌊kw/sw⌋). Taking every output row Ws wide instead of OW, an im2colᵀ row is then
  // one run of OH·Ws floats per image, copied at memcpy speed; the Ws − OW extra columns meet zeros in a
  // widened dy, so they add nothing. (Pixel-by-pixel copies were most of this kernel's time: 5 of the 6 ms
  // of a 7×7 output layer's filter gradient at 64 px, for about 10% more multiplies now.)
  const extraH = Math.floor((FH - 1) / sh);
  const extraW = Math.floor((FW - 1) / sw);
  const Hs = OH + extraH;
  const Ws = OW + extraW;
  const image = Hs * Ws;
  // One block per (ci, a, b): N images, then extraW zeros that the last image's last run reads into.
  const block = N * image + extraW;
  const planes = new Float32Array(CI * sh * sw * block);
  {
    const xs = heap(backend, x);
    for (let n = 0; n < N; n++) {
      for (let h = 0; h < H; h++) {
        const hp = h + top;
        const i = Math.floor(hp / sh);
        if (i >= Hs) continue;
        const a = hp - i * sh;
        for (let w = 0; w < W; w++) {
          const wp = w + left;
          const j = Math.floor(wp / sw);
          if (j >= Ws) continue;
          const b = wp - j * sw;
          const from = ((n * H + h) * W + w) * CI;
          const to = (a * sw + b) * block + n * image + i * Ws + j;
          const phaseStride = sh * sw * block;
          for (let ci = 0; ci < CI; ci++) planes[ci * phaseStride + to] = xs[from + ci] as number;
        }
      }
    }
  }
  const run = OH * Ws;
  const P = N * run;
  // dy widened to Ws columns (zeros in the extra ones), as the P→CO filter [1, 1, P, CO].
  let dyAsFilter: TensorInfo;
  let widened: TensorInfo | undefined;
  if (Ws === OW) {
    dyAsFilter = { dataId: dy.dataId, shape: [1, 1, P, CO], dtype: 'float32' };
  } else {
    widened = backend.makeOutput([1, 1, P, CO], 'float32');
    const src = heap(backend, dy);
    const dst = heap(backend, widened);
    dst.fill(0);
    for (let r = 0; r < N * OH; r++) dst.set(src.subarray(r * OW * CO, (r + 1) * OW * CO), r * Ws * CO);
    dyAsFilter = widened;
  }
  // Rows of dW are independent, so im2colᵀ is built a band of kernel rows (kh) at a time when the whole
  // of it would be large: the 7×7 output layer of a ResNet generator at 256 px needs 3136 × 65536 floats
  // (822 MB) at once, a fifth of wasm's address space, where a band needs 117 MB.
  const rowFloats = FW * CI * P;
  const bandRows = Math.max(1, Math.min(FH, Math.floor(im2colBudgetFloats / rowFloats)));
  const bands: TensorInfo[] = [];
  for (let kh0 = 0; kh0 < FH; kh0 += bandRows) {
    const kh1 = Math.min(FH, kh0 + bandRows);
    const cols = backend.makeOutput([(kh1 - kh0) * FW * CI, 1, 1, P], 'float32');
    const c = heap(backend, cols);
    for (let kh = kh0; kh < kh1; kh++) {
      const a = kh % sh;
      const di = Math.floor(kh / sh);
      for (let kw = 0; kw < FW; kw++) {
        const b = kw % sw;
        const offset = (a * sw + b) * block + di * Ws + Math.floor(kw / sw);
        for (let ci = 0; ci < CI; ci++) {
          const to = (((kh - kh0) * FW + kw) * CI + ci) * P;
          const from = ci * sh * sw * block + offset;
          for (let n = 0; n < N; n++) {
            const f = from + n * image;
            c.set(planes.subarray(f, f + run), to + n * run);
          }
        }
      }
    }
    bands.push(forwardConv(backend, cols, dyAsFilter, [1, 1], 'valid'));
    backend.disposeData(cols.dataId);
  }
  if (widened) backend.disposeData(widened.dataId);
  if (bands.length === 1) return { dataId: bands[0]!.dataId, shape: [FH, FW, CI, CO], dtype: 'float32' };
  // Bands are consecutive kernel rows, so they concatenate into dW's layout as they are.
  const dW = backend.makeOutput([FH, FW, CI, CO], 'float32');
  const out = heap(backend, dW);
  let offset = 0;
  for (const band of bands) {
    const part = heap(backend, band);
    out.set(part, offset);
    offset += part.length;
    backend.disposeData(band.dataId);
  }
  return dW;
}

export const conv2DBackpropInputConfig: KernelConfig = backendKernel(
  'wasm',
  Conv2DBackpropInput,
  conv2DBackpropInputWasm,
);

export const conv2DBackpropFilterConfig: KernelConfig = backendKernel(
  'wasm',
  Conv2DBackpropFilter,
  conv2DBackpropFilterWasm,
);
