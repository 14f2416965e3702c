import { describe, expect, it } from 'vitest';
import { FUNCTIONS, QUEUES, queueFunctions, toAwsCron, visibilityTimeoutOf, timeoutOf } from '../../shared/functions.js';

describe('function declarations', () => {
  it('daily 09:00 becomes an EventBridge cron with ? for day-of-week', () => {
    expect(toAwsCron('0 9 * * *')).toBe('cron(0 9 * * ? *)');
  });

  it('croner steps (*/15) become EventBridge steps (0/15)', () => {
    expect(toAwsCron('*/15 * * * *')).toBe('cron(0/15 * * * ? *)');
  });

  it('day-of-week numbers move from croner (Sunday 0) to EventBridge (Sunday 1)', () => {
    expect(toAwsCron('0 8 * * 0')).toBe('cron(0 8 ? * 1 *)');
    expect(toAwsCron('0 8 * * 1-5')).toBe('cron(0 8 ? * 2-6 *)');
    expect(toAwsCron('0 8 * * 6,7')).toBe('cron(0 8 ? * 7,1 *)');
  });

  it('every queue has exactly one consumer and a visibility timeout six times its timeout', () => {
    for (const queue of Object.keys(QUEUES) as (keyof typeof QUEUES)[]) {
      const consumers = queueFunctions().filter((f) => f.queue === queue);
      expect(consumers).toHaveLength(1);
      expect(visibilityTimeoutOf(queue)).toBe(timeoutOf(consumers[0]) * 6);
    }
  });

  it('function names are unique and every route is declared once', () => {
    const names = FUNCTIONS.map((f) => f.name);
    expect(new Set(names).size).toBe(names.length);
    const routes = FUNCTIONS.flatMap((f) => (f.kind === 'http' ? [`${f.method} ${f.path}`] : []));
    expect(new Set(routes).size).toBe(routes.length);
  });
});
