import {
  checkOutpatientVolumeReportedV1,
  downcastOutpatientVolumeReportedV2,
  downcastToPublished,
  latestSchemaVersion,
  OUTPATIENT_VOLUME_REPORTED,
  parseOutpatientVolumeReported,
  parseOutpatientVolumeReportedV2,
  publishedSchemaVersion,
  upcastRecordedEvent,
} from '../index';

const v1 = { institution: 'C001', day: '2026-11-22', visits: 812, reportedAt: '2026-11-23T09:00:00+08:00' };
const v2 = { ...v1, visits: { total: 812, outpatient: 790, emergency: 22 } };

describe('OutpatientVolumeReported v2', () => {
  it('upcasting: a v1 event read through upcastRecordedEvent is a valid v2 with the same total', () => {
    const up = upcastRecordedEvent({ type: OUTPATIENT_VOLUME_REPORTED, schemaVersion: 1, data: v1 });
    expect(up).toEqual({
      type: OUTPATIENT_VOLUME_REPORTED,
      schemaVersion: 2,
      data: { ...v1, visits: { total: 812 } },
    });
    expect(parseOutpatientVolumeReportedV2(up).ok).toBe(true);
    expect(latestSchemaVersion(OUTPATIENT_VOLUME_REPORTED)).toBe(2);
  });

  it('downcasting: a v2 given to a consumer of v1 is a valid v1 carrying the total', () => {
    const down = downcastOutpatientVolumeReportedV2(v2);
    expect(down).toEqual(v1);
    expect(checkOutpatientVolumeReportedV1(down, 'data')).toEqual([]);
    expect(
      parseOutpatientVolumeReported({ type: OUTPATIENT_VOLUME_REPORTED, schemaVersion: 1, data: down }).ok,
    ).toBe(true);
  });

  it('leaves v2, other types and a v1 that does not fit its schema as they are', () => {
    const asV2 = { type: OUTPATIENT_VOLUME_REPORTED, schemaVersion: 2, data: v2 };
    expect(upcastRecordedEvent(asV2)).toBe(asV2);
    const other = { type: 'ReferralAccepted', schemaVersion: 1, data: {} };
    expect(upcastRecordedEvent(other)).toBe(other);
    const broken = { type: OUTPATIENT_VOLUME_REPORTED, schemaVersion: 1, data: { ...v1, visits: -1 } };
    expect(upcastRecordedEvent(broken)).toBe(broken);
    expect(parseOutpatientVolumeReportedV2(broken).ok).toBe(false);
  });

  it('publication: downcastToPublished gives the published version (v1), the rest of the envelope kept', () => {
    expect(publishedSchemaVersion(OUTPATIENT_VOLUME_REPORTED)).toBe(1);
    expect(publishedSchemaVersion('ReferralAccepted')).toBe(1);
    const recorded = { id: 'e-1', hash: 'h', type: OUTPATIENT_VOLUME_REPORTED, schemaVersion: 2, data: v2 };
    expect(downcastToPublished(recorded)).toEqual({ ...recorded, schemaVersion: 1, data: v1 });
    const asV1 = { type: OUTPATIENT_VOLUME_REPORTED, schemaVersion: 1, data: v1 };
    expect(downcastToPublished(asV1)).toBe(asV1);
    // a v2 that does not fit v2 is published as recorded (the consumer's check says why)
    const broken = {
      type: OUTPATIENT_VOLUME_REPORTED,
      schemaVersion: 2,
      data: { ...v1, visits: { total: -1 } },
    };
    expect(downcastToPublished(broken)).toBe(broken);
  });

  it('refuses a split that does not add up or comes half', () => {
    const parse = (visits: unknown) =>
      parseOutpatientVolumeReportedV2({
        type: OUTPATIENT_VOLUME_REPORTED,
        schemaVersion: 2,
        data: { ...v1, visits },
      });
    expect(parse({ total: 812, outpatient: 800, emergency: 22 })).toEqual({
      ok: false,
      problems: ['data.visits.total: must be outpatient + emergency (822)'],
    });
    expect(parse({ total: 812, outpatient: 790 })).toEqual({
      ok: false,
      problems: ['data.visits: outpatient and emergency come together or not at all'],
    });
  });
});
