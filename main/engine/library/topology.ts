/**
 * What a generator's topology (its `model.json`) would build, counted before anything is built: the
 * layer classes Duet's generators use, and an upper bound on their parameters from the layer configs and
 * the channels flowing between them. Import refuses a file whose topology names another layer class or
 * would build more than MAX_GENERATOR_PARAMETERS weights, so a few bytes of JSON can't make the engine
 * allocate gigabytes.
 */

/** 250 M float32 weights (1 GB): room for Duet's largest practical generator (unet_256 at ngf 128: 218 M). */
export const MAX_GENERATOR_PARAMETERS = 250_000_000;
const MAX_LAYERS = 4000;
const MAX_FILTERS = 8192;
const MAX_KERNEL = 31;
const MAX_INPUT_CHANNELS = 16;
/** The most colours a flat-colour output (DuetPaletteMix) may draw in; the training settings allow 64. */
const MAX_PALETTE_COLOURS = 256;

/** Layer classes without weights whose output has the channels of their (first) input. */
const PASS_THROUGH = new Set([
  'Activation',
  'LeakyReLU',
  'ReLU',
  'Dropout',
  'ZeroPadding2D',
  'DuetReflectionPad2d',
  'DuetCropTopLeft',
  'DuetSeededDropout',
  'DuetBlurDownsample',
  'DuetBlurUpsample',
]);

export class TopologyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TopologyError';
  }
}

interface LayerJson {
  name?: unknown;
  class_name?: unknown;
  config?: Record<string, unknown>;
  inbound_nodes?: unknown;
}

function int(value: unknown, what: string, min: number, max: number): number {
  if (!Number.isSafeInteger(value) || (value as number) < min || (value as number) > max) {
    throw new TopologyError(`${what} must be a whole number from ${min} to ${max}, not ${JSON.stringify(value)}`);
  }
  return value as number;
}

function kernelArea(value: unknown, layer: string): number {
  const sizes = Array.isArray(value) ? value : [value, value];
  if (sizes.length !== 2) throw new TopologyError(`${layer}: kernel_size must have two numbers`);
  return sizes.reduce((a: number, k) => a * int(k, `${layer}: kernel_size`, 1, MAX_KERNEL), 1);
}

/** Names of the layers feeding a layer (first node; shared layers keep their channels). */
function inboundNames(layer: LayerJson, label: string): string[] {
  const nodes = layer.inbound_nodes;
  if (!Array.isArray(nodes)) throw new TopologyError(`${label} has no inbound_nodes list`);
  const first = nodes[0];
  if (first === undefined) return [];
  if (!Array.isArray(first)) throw new TopologyError(`${label} has a malformed inbound node`);
  return first.map((entry) => {
    if (!Array.isArray(entry) || typeof entry[0] !== 'string') {
      throw new TopologyError(`${label} has a malformed inbound node`);
    }
    return entry[0];
  });
}

/**
 * An upper bound on the parameters the topology builds; throws TopologyError naming the first thing
 * Duet will not build (an unknown layer class, an absurd size, a layer fed by one not yet defined).
 */
export function topologyParameterBound(modelTopology: unknown): number {
  const topo = modelTopology as { class_name?: unknown; config?: { layers?: unknown } } | null;
  if (!topo || typeof topo !== 'object' || typeof topo.class_name !== 'string') {
    throw new TopologyError('the topology is not a tfjs-layers model');
  }
  let layers = topo.config?.layers;
  if (topo.class_name === 'Sequential' && Array.isArray(layers)) {
    // A Sequential model: each layer feeds the next; the first one declares the input.
    const name = (l: LayerJson, i: number) => String(l?.config?.name ?? `layer_${i}`);
    layers = (layers as LayerJson[]).flatMap((l, i, all) => {
      const self = {
        ...l,
        name: name(l, i),
        inbound_nodes: [[[i === 0 ? 'input' : name(all[i - 1]!, i - 1), 0, 0, {}]]],
      };
      if (i > 0) return [self];
      const input = {
        name: 'input',
        class_name: 'InputLayer',
        config: { batch_input_shape: l?.config?.batch_input_shape },
      };
      return [{ ...input, inbound_nodes: [] }, self];
    });
  } else if (topo.class_name !== 'Model' && topo.class_name !== 'Functional') {
    throw new TopologyError('the topology is not a tfjs-layers model');
  }
  if (!Array.isArray(layers) || layers.length === 0) throw new TopologyError('the topology lists no layers');
  if (layers.length > MAX_LAYERS)
    throw new TopologyError(`the topology has ${layers.length} layers (at most ${MAX_LAYERS})`);
  const channels = new Map<string, number>();
  let total = 0;
  for (const raw of layers as LayerJson[]) {
    if (!raw || typeof raw !== 'object' || typeof raw.name !== 'string' || typeof raw.class_name !== 'string') {
      throw new TopologyError('the topology has a layer without a name or class');
    }
    const name = raw.name;
    const cls = raw.class_name;
    const label = `layer ${name} (${cls})`;
    const config = raw.config && typeof raw.config === 'object' ? raw.config : {};
    if (channels.has(name)) throw new TopologyError(`two layers are named ${name}`);
    const inputs = inboundNames(raw, label).map((n) => {
      const c = channels.get(n);
      if (c === undefined) throw new TopologyError(`${label} is fed by ${n}, which is not defined before it`);
      return c;
    });
    const first = inputs[0];
    if (cls !== 'InputLayer' && first === undefined) throw new TopologyError(`${label} has no input`);
    let out: number;
    let params = 0;
    switch (cls) {
      case 'InputLayer': {
        const shape = config.batch_input_shape ?? config.batchInputShape;
        if (!Array.isArray(shape) || shape.length !== 4) throw new TopologyError(`${label} is not an image input`);
        out = int(shape[3], `${label}: channels`, 1, MAX_INPUT_CHANNELS);
        break;
      }
      case 'Conv2D':
      case 'Conv2DTranspose': {
        out = int(config.filters, `${label}: filters`, 1, MAX_FILTERS);
        params =
          kernelArea(config.kernel_size, label) * (first as number) * out + (config.use_bias === false ? 0 : out);
        break;
      }
      case 'BatchNormalization':
        out = first as number;
        params = 4 * out;
        break;
      case 'DuetInstanceNorm':
        out = first as number;
        params = 2 * out;
        break;
      case 'Concatenate': {
        const axis = config.axis ?? -1;
        out = axis === -1 || axis === 3 ? inputs.reduce((a, b) => a + b, 0) : Math.max(...inputs);
        break;
      }
      case 'Add':
        out = Math.max(...inputs);
        break;
      case 'DuetPaletteMix': {
        // A flat-colour output: one input channel (logit) per palette colour, out come the colours' channels.
        const palette = config.palette;
        if (!Array.isArray(palette) || palette.length < 2 || palette.length > MAX_PALETTE_COLOURS) {
          throw new TopologyError(`${label}: the palette must list 2 to ${MAX_PALETTE_COLOURS} colours`);
        }
        out = int(Array.isArray(palette[0]) ? palette[0].length : 0, `${label}: colour channels`, 1, 4);
        if (palette.some((c) => !Array.isArray(c) || c.length !== out)) {
          throw new TopologyError(`${label}: every palette colour needs ${out} channels`);
        }
        if (first !== palette.length) {
          throw new TopologyError(
            `${label}: ${palette.length} colours need ${palette.length} input channels, not ${first}`,
          );
        }
        break;
      }
      default:
        if (!PASS_THROUGH.has(cls)) throw new TopologyError(`${label}: Duet's generators do not use ${cls} layers`);
        out = first as number;
    }
    total += params;
    if (total > MAX_GENERATOR_PARAMETERS) {
      throw new TopologyError(
        `it would build more than ${MAX_GENERATOR_PARAMETERS.toLocaleString('en')} parameters (at ${label})`,
      );
    }
    channels.set(name, out);
  }
  return total;
}
