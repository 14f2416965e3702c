import { describe, expect, it } from 'vitest';
import { ACTIVITY_CATEGORIES, TEAM_SPECIALTIES, canSignUp, nextStatus, reminderWindow } from '../../shared/domain/activities.js';

describe('activity status changes', () => {
  it('a draft can be published or cancelled', () => {
    expect(nextStatus('draft', 'publish')).toEqual({ ok: true, status: 'published' });
    expect(nextStatus('draft', 'cancel')).toEqual({ ok: true, status: 'cancelled' });
  });

  it('a published activity can be cancelled but not published again', () => {
    expect(nextStatus('published', 'cancel')).toEqual({ ok: true, status: 'cancelled' });
    expect(nextStatus('published', 'publish')).toMatchObject({ ok: false, detail: expect.stringMatching(/already published/) });
  });

  it('a cancelled activity is final: it can be neither published nor cancelled again', () => {
    expect(nextStatus('cancelled', 'publish')).toMatchObject({ ok: false, detail: expect.stringMatching(/cannot be published/) });
    expect(nextStatus('cancelled', 'cancel')).toMatchObject({ ok: false, detail: expect.stringMatching(/already cancelled/) });
  });
});

describe('signing up', () => {
  const endsAt = '2024-05-01T12:00:00+08:00';

  it('is open for a published activity that has started but not ended', () => {
    expect(canSignUp({ status: 'published', endsAt }, new Date('2024-05-01T11:00:00+08:00'))).toEqual({ ok: true });
  });

  it('is closed from the moment the activity ends', () => {
    expect(canSignUp({ status: 'published', endsAt }, new Date('2024-05-01T12:00:00+08:00'))).toMatchObject({ ok: false });
  });

  it('is closed for drafts and cancelled activities', () => {
    const before = new Date('2024-04-01T00:00:00Z');
    expect(canSignUp({ status: 'draft', endsAt }, before)).toMatchObject({ ok: false });
    expect(canSignUp({ status: 'cancelled', endsAt }, before)).toMatchObject({ ok: false });
  });
});

describe('reminders', () => {
  it('look 24 hours ahead from now, as UTC instants', () => {
    expect(reminderWindow(new Date('2024-05-01T08:00:00+08:00'))).toEqual({
      from: '2024-05-01T00:00:00.000Z',
      to: '2024-05-02T00:00:00.000Z',
    });
  });
});

describe('codes', () => {
  it('activity categories and team specialties are unique kebab-case codes', () => {
    for (const list of [ACTIVITY_CATEGORIES, TEAM_SPECIALTIES]) {
      expect(new Set(list).size).toBe(list.length);
      for (const code of list) expect(code).toMatch(/^[a-z]+(-[a-z]+)*$/);
    }
  });

  it('categories cover the veteran-support work of the programme', () => {
    expect(ACTIVITY_CATEGORIES).toEqual(
      expect.arrayContaining(['holiday-visit', 'honour-plaque', 'martyr-commemoration', 'six-deliveries', 'other']),
    );
  });
});
