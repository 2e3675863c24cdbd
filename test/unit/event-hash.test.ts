// The hash of an event is part of every stored chain: it must stay byte for byte what it was when
// the events were written. These vectors were computed before the hashed fields became one list
// (HASHED_FIELDS); a change of order, of a field or of the canonical JSON breaks them.
import { describe, expect, it } from 'vitest';
import { Event, EventKind } from '../../src/modules/event/event.entity';
import { eventHash, HASHED_FIELDS, hashedContent } from '../../src/modules/event/event.hash';

const written = {
  sequence: 42,
  consortiumId: '6f1c2d3e-0000-4000-8000-000000000001',
  kind: 'MEMBER_FROZEN',
  actorUserId: '6f1c2d3e-0000-4000-8000-000000000002',
  actorOrganizationId: null,
  actingMembershipId: '6f1c2d3e-0000-4000-8000-000000000003',
  subjectType: 'Membership',
  subjectId: '6f1c2d3e-0000-4000-8000-000000000004',
  audienceOrganizationId: '6f1c2d3e-0000-4000-8000-000000000005',
  payload: { status: 'FROZEN', membershipId: '6f1c2d3e-0000-4000-8000-000000000004', nested: { b: 1, a: [true, null, 'x'] } },
  createdAt: new Date('2026-12-01T10:20:30.456Z'),
  prevHash: 'ab'.repeat(32),
};

describe('event hash', () => {
  it('is what it was for events already written', () => {
    expect(eventHash(written)).toBe('229b88ce4d8e837c01f381c5834f9789387ef47bdcbf9e0a97b2988999a297f4');
    expect(eventHash({ ...written, prevHash: null, payload: {} })).toBe('152cc4ab12919a202f7563212bd94a6a834f8926e3cec9f7af171adb6285cebd');
  });

  it('covers every hashed field: changing any one changes the hash', () => {
    const base = eventHash(written);
    for (const field of HASHED_FIELDS) {
      const changed = { ...written, [field]: field === 'createdAt' ? new Date(0) : field === 'sequence' ? 43 : field === 'payload' ? { other: 1 } : 'changed' };
      expect(eventHash(changed), field).not.toBe(base);
    }
  });

  it('reads a stored event with absent optional fields as null', () => {
    const stored = Object.assign(new Event(), { ...written, kind: EventKind.MEMBER_FROZEN, actorOrganizationId: undefined, hash: 'x' });
    expect(eventHash(hashedContent(stored))).toBe(eventHash(written));
    expect(Object.keys(hashedContent(stored))).toEqual([...HASHED_FIELDS]);
  });
});
