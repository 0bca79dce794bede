/**
 * MDM^T08 (edit), MDM^T10 (replacement), MDM^T11 (cancellation) of an imaging report document:
 * what each maps to, which document it names and where, and what is refused.
 */
import { mapImagingMessage } from '../../src';
import { setField, withSegment } from '../fixtures';
import { decodedText, imagingFixture, mappedImaging, onlyDraft } from './imaging-fixtures';

const DOCUMENT = 'urn:yilian:institution:H001:document';

function errorsOf(text: string) {
  const result = mapImagingMessage(text, { institution: 'H001' });
  if (result.ok) throw new Error('expected the message to be refused');
  return result.errors.map(({ segment, sequence, field, code }) => ({ segment, sequence, field, code }));
}

describe('imaging HL7 v2 mapping: revisions of a report document (MDM^T08 / T10 / T11)', () => {
  it('MDM^T08 v2.5 edit: the same document (TXA-12), its new content, final as TXA-17 says', () => {
    const result = mappedImaging('cn-mdm-t08-ct-edit-v25.hl7', 'H001');
    expect(result.type).toBe('MDM^T08');
    expect(result.patient).toMatchObject({ residentId: '11010519491231002X', mrnAuthority: 'C002' });
    const draft = result.drafts[0]!;
    expect(draft).toMatchObject({ accession: 'CT20240312001', accessionAuthority: 'C002' });
    expect(draft.revision).toEqual({
      kind: 'edit',
      document: { system: DOCUMENT, value: 'YXHZ-RPT-20240312-0009' },
      documentAt: { segment: 'TXA', sequence: 1, field: 12, component: 1 },
    });
    const report = draft.report!;
    // final here: whether it is `corrected` depends on the version before (the hub decides)
    expect(report.status).toBe('final');
    expect(report.identifier).toEqual([{ system: DOCUMENT, value: 'YXHZ-RPT-20240312-0009' }]);
    expect(report.conclusion).toBe('右肺上叶后段磨玻璃结节（Lung-RADS 2类），建议12个月后低剂量CT复查。');
    expect(decodedText(report.presentedForm?.[0])).toContain('影像所见：\n右肺上叶后段见一直径约6mm');
    expect(report.issued).toBe('2024-03-12T14:00:00+08:00');
  });

  it('MDM^T10 v2.5 replacement: names the replaced document (TXA-13), carries the new one (TXA-12)', () => {
    const result = mappedImaging('cn-mdm-t10-ct-replace-v25.hl7', 'H001');
    expect(result.type).toBe('MDM^T10');
    const draft = result.drafts[0]!;
    expect(draft.revision).toEqual({
      kind: 'replace',
      document: { system: DOCUMENT, value: 'YXHZ-RPT-20240312-0009' },
      documentAt: { segment: 'TXA', sequence: 1, field: 13, component: 1 },
    });
    const report = draft.report!;
    expect(report.status).toBe('final');
    expect(report.identifier).toEqual([{ system: DOCUMENT, value: 'YXHZ-RPT-20240313-0004' }]);
    expect(report.conclusion).toContain('Lung-RADS 3类');
    expect(report.resultsInterpreter?.[0]).toMatchObject({ display: '孙主任' });
    expect(report.issued).toBe('2024-03-13T09:05:00+08:00');
  });

  it('a T10 without TXA-13 names its own TXA-12 (a replacement in place)', () => {
    const text = withSegment(imagingFixture('cn-mdm-t10-ct-replace-v25.hl7'), 'TXA', 1, (l) =>
      setField(l, 13, ''),
    );
    const draft = mapImagingMessage(text, { institution: 'H001' });
    expect(draft.ok && draft.drafts[0]?.revision).toEqual({
      kind: 'replace',
      document: { system: DOCUMENT, value: 'YXHZ-RPT-20240313-0004' },
      documentAt: { segment: 'TXA', sequence: 1, field: 12, component: 1 },
    });
  });

  it('MDM^T11 v2.5 cancellation (MDM_T01, no OBX): entered-in-error, the document is TXA-12', () => {
    const result = mappedImaging('cn-mdm-t11-ct-cancel-v25.hl7', 'H001');
    expect(result.type).toBe('MDM^T11');
    const draft = result.drafts[0]!;
    expect(draft.accession).toBe('CT20240312001');
    expect(draft.revision).toEqual({
      kind: 'cancel',
      document: { system: DOCUMENT, value: 'YXHZ-RPT-20240313-0004' },
      documentAt: { segment: 'TXA', sequence: 1, field: 12, component: 1 },
    });
    expect(draft.report?.status).toBe('entered-in-error');
    expect(draft.report?.presentedForm).toBeUndefined();
    expect(draft.report?.issued).toBe('2024-03-14T08:25:00+08:00');
    // a cancellation needs no completion status
    const bare = withSegment(imagingFixture('cn-mdm-t11-ct-cancel-v25.hl7'), 'TXA', 1, (l) =>
      setField(l, 17, ''),
    );
    const mapped = mapImagingMessage(bare, { institution: 'H001' });
    expect(mapped.ok && mapped.drafts[0]?.report?.status).toBe('entered-in-error');
  });

  it('an MDM^T02 is no revision, and still corrected when it names a parent document', () => {
    expect(onlyDraft('cn-mdm-t02-ct-report-v25.hl7', 'H001').revision).toBeUndefined();
    expect(onlyDraft('cn-mdm-t02-ct-corrected-v24.hl7', 'H001')).toMatchObject({
      report: { status: 'corrected' },
    });
    expect(onlyDraft('cn-mdm-t02-ct-corrected-v24.hl7', 'H001').revision).toBeUndefined();
  });

  it('refuses an edit or replacement without content (100 at OBX), a revision without TXA-12 (101)', () => {
    const edit = imagingFixture('cn-mdm-t08-ct-edit-v25.hl7');
    const noContent = [1, 1, 1].reduce((t, n) => withSegment(t, 'OBX', n, () => null), edit);
    expect(errorsOf(noContent)).toEqual([{ segment: 'OBX', sequence: 1, field: undefined, code: 100 }]);
    expect(errorsOf(withSegment(edit, 'TXA', 1, (l) => setField(l, 12, '')))).toEqual([
      { segment: 'TXA', sequence: 1, field: 12, code: 101 },
    ]);
    const cancel = imagingFixture('cn-mdm-t11-ct-cancel-v25.hl7');
    expect(errorsOf(withSegment(cancel, 'TXA', 1, (l) => setField(l, 12, '')))).toEqual([
      { segment: 'TXA', sequence: 1, field: 12, code: 101 },
    ]);
  });

  it('keeps the document checks of T02: not imaging → 103 at TXA-2, no accession → 101 at TXA-15', () => {
    const replace = imagingFixture('cn-mdm-t10-ct-replace-v25.hl7');
    expect(errorsOf(withSegment(replace, 'TXA', 1, (l) => setField(l, 2, 'DS^Discharge summary')))).toEqual([
      { segment: 'TXA', sequence: 1, field: 2, code: 103 },
    ]);
    expect(errorsOf(withSegment(replace, 'TXA', 1, (l) => setField(setField(l, 14, ''), 15, '')))).toEqual([
      { segment: 'TXA', sequence: 1, field: 15, code: 101 },
    ]);
  });
});
