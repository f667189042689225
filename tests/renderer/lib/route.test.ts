import { describe, expect, it } from 'vitest';
import { formatRoute, parseRoute } from '../../../renderer/src/lib/route';

describe('routes', () => {
  it('round-trips a screen and a project id', () => {
    const r = { screen: 'monitor' as const, projectId: 'p 1/x' };
    expect(parseRoute(formatRoute(r))).toEqual(r);
  });
  it('falls back to projects for an unknown screen', () => {
    expect(parseRoute('#/nope')).toEqual({ screen: 'projects' });
    expect(parseRoute('')).toEqual({ screen: 'projects' });
  });
});
