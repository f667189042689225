import { describe, expect, it } from 'vitest';
import { crossFieldErrors, enumOptions, numberLimits, validateNumber } from '../../../renderer/src/lib/settingsForm';

describe('settings form rules from the schema', () => {
  it('reads limits and options from TrainingSettingsSchema', () => {
    expect(numberLimits('size')).toMatchObject({ min: 16, max: 1024, integer: true });
    expect(numberLimits('lr')).toMatchObject({ min: 0, max: 1, exclusiveMin: true, integer: false });
    expect(enumOptions('generator')).toContain('resnet_9blocks');
  });

  it('explains what is wrong in plain words', () => {
    expect(validateNumber('size', '8')).toEqual({ ok: false, message: 'Must be at least 16.' });
    expect(validateNumber('size', '2000')).toEqual({ ok: false, message: 'Must be at most 1024.' });
    expect(validateNumber('size', '12.5')).toEqual({ ok: false, message: 'Enter a whole number.' });
    expect(validateNumber('size', 'abc')).toEqual({ ok: false, message: 'Enter a number.' });
    expect(validateNumber('size', '')).toEqual({ ok: false, message: 'Required.' });
    expect(validateNumber('lr', '0')).toEqual({ ok: false, message: 'Must be greater than 0.' });
    expect(validateNumber('size', '64')).toEqual({ ok: true, value: 64 });
    expect(validateNumber('iterations', '')).toEqual({ ok: true, value: undefined });
  });

  it('checks fields against each other', () => {
    expect(crossFieldErrors({ size: 64, loadSize: 32 }).loadSize).toMatch(/at least the crop size/);
    expect(crossFieldErrors({ size: 66, generator: 'resnet_6blocks' }).size).toMatch(/multiple of 4/);
    expect(crossFieldErrors({ size: 64, loadSize: 72, generator: 'resnet_6blocks' })).toEqual({});
    expect(crossFieldErrors({ size: 96, generator: 'unet_64' }).size).toBe(
      'U-Net 64 needs a size that is a multiple of 64.',
    );
    expect(crossFieldErrors({ size: 128, generator: 'unet_256' }).size).toMatch(/multiple of 256/);
    expect(crossFieldErrors({ size: 64, loadSize: 96, generator: 'unet_32' })).toEqual({});
  });
});
