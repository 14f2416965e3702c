import { describe, expect, it } from 'vitest';
import { CORRECTABLE_FIELDS, DELETED_VOLUNTEER_NAME, correctionAuditValues, isReservedName, decideRequest, maskForAudit, maskPersonName } from '../../shared/domain/rights.js';
import { correctionBody, auditQuery } from '../../shared/schemas/rights.js';

describe('data-subject requests', () => {
  it('only a pending request is decided, once', () => {
    expect(decideRequest('pending', 'accept')).toEqual({ ok: true, status: 'accepted' });
    expect(decideRequest('pending', 'reject')).toEqual({ ok: true, status: 'rejected' });
    expect(decideRequest('accepted', 'reject').ok).toBe(false);
    expect(decideRequest('rejected', 'accept').ok).toBe(false);
  });

  it('name, phone, skills and veteran details may be corrected; hour records may not', () => {
    expect([...CORRECTABLE_FIELDS]).toEqual(['name', 'phone', 'skills', 'veteran']);
    expect(correctionBody.safeParse({ field: 'minutes', proposedValue: 600, reason: 'x' }).success).toBe(false);
    expect(correctionBody.safeParse({ field: 'phone', proposedValue: '12345', reason: 'x' }).success).toBe(false);
    expect(correctionBody.parse({ field: 'phone', proposedValue: '+86 138 1234 1234', reason: '换号' }).proposedValue).toBe('13812341234');
    expect(correctionBody.safeParse({ field: 'veteran', proposedValue: { enlistmentYear: 1990, dischargeYear: 1980 }, reason: 'x' }).success).toBe(false);
    expect(correctionBody.safeParse({ field: 'name', proposedValue: '', reason: 'x' }).success).toBe(false);
    expect(correctionBody.safeParse({ field: 'skills', proposedValue: ['急救'], reason: '' }).success).toBe(false);
  });

  it('an audit query whose from lies after its to is refused', () => {
    expect(auditQuery.safeParse({ from: '2025-02-01T00:00:00Z', to: '2025-01-01T00:00:00Z' }).success).toBe(false);
    expect(auditQuery.safeParse({ from: '2025-01-01T00:00:00+08:00', to: '2025-02-01T00:00:00Z' }).success).toBe(true);
  });
});

describe('masking for the audit trail', () => {
  it('masks names, phones and identity numbers at any depth and leaves the rest', () => {
    expect(maskPersonName('张建国')).toBe('张*国');
    expect(maskPersonName('李四')).toBe('李*');
    expect(
      maskForAudit({ name: '张建国', phone: '13812341234', idNumber: '11010519491231002X', skills: ['急救'], veteran: { branch: '陆军' }, orgUnitId: 'futian' }),
    ).toEqual({ name: '张*国', phone: '138****1234', idNumber: '110***********002X', skills: ['急救'], veteran: { branch: '陆军' }, orgUnitId: 'futian' });
  });

  it('a phone correction keeps only masked numbers in before and after', () => {
    const values = correctionAuditValues('phone', '13812341234', '13999998888');
    expect(values).toEqual({ before: { phone: '138****1234' }, after: { phone: '139****8888' } });
    expect(JSON.stringify(values)).not.toMatch(/1381234|1399999/);
  });

  it('the pseudonym is the one rankings and certificates show', () => {
    expect(DELETED_VOLUNTEER_NAME).toBe('已注销志愿者');
  });

  it('nobody may be named what reads as the pseudonym, invisible characters or look-alike forms included', () => {
    const lookAlikes = [
      DELETED_VOLUNTEER_NAME,
      '已注销\u200E志愿者', // left-to-right mark
      '已注\u00AD销志愿者', // soft hyphen
      '已注销志愿者\uFE0F', // variation selector
      '已注销 志愿者', // ideographic space
      '\u2066已注销志愿者\u2069', // bidi isolates
    ];
    for (const name of lookAlikes) {
      expect(isReservedName(name), JSON.stringify(name)).toBe(true);
      expect(correctionBody.safeParse({ field: 'name', proposedValue: name, reason: '改名' }).success, JSON.stringify(name)).toBe(false);
    }
    // A real name that merely contains similar characters is fine.
    for (const name of ['已注销', '志愿者', '注销志愿者', '张已注销志愿者']) {
      expect(isReservedName(name)).toBe(false);
      expect(correctionBody.safeParse({ field: 'name', proposedValue: name, reason: '改名' }).success).toBe(true);
    }
  });
});
