import type * as fhir4 from 'fhir/r4';
import { containedOf, decodedText, mappedImaging, onlyDraft } from './imaging-fixtures';

const DCM = 'http://dicom.nema.org/resources/ontology/DCM';
const UID_CT = '1.2.156.112605.14038005400501.20240312093000.1';
const WADO_CT = `https://pacs.c002.example.cn/dicom-web/studies/${UID_CT}`;

describe('imaging HL7 v2 mapping: fixtures with their mapped values', () => {
  it('ORU^R01 v2.8: ARV skipped, the interpreter from PRT PI where OBR-32 is empty, OBX-29 ignored', () => {
    const draft = onlyDraft('cn-ris-oru-ct-head-prt-v28.hl7', 'C002');
    expect(draft.report?.resultsInterpreter).toEqual([
      {
        type: 'Practitioner',
        display: '刘影像',
        identifier: { system: 'urn:yilian:institution:C002:staff', value: 'D0456' },
      },
    ]);
    expect(draft.study?.modality?.[0]?.code).toBe('CT');
  });

  it('ORU^R01 v2.4 from a community centre RIS: CT chest, report and study (UID, counts, DICOMweb)', () => {
    const result = mappedImaging('cn-ris-oru-ct-chest-v24.hl7', 'C002');
    expect(result.type).toBe('ORU^R01');
    expect(result.patient).toMatchObject({
      residentId: '11010519491231002X',
      mrn: { value: 'C0020001234' },
      mrnAuthority: 'C002',
    });
    const draft = result.drafts[0]!;
    expect(draft).toMatchObject({ accession: 'CT20240312001', accessionAuthority: 'C002' });
    const study = draft.study!;
    expect(study.identifier).toEqual([{ system: 'urn:dicom:uid', value: `urn:oid:${UID_CT}` }]);
    expect(study.status).toBe('available');
    expect(study.modality).toEqual([{ system: DCM, code: 'CT', display: 'Computed Tomography' }]);
    expect([study.numberOfSeries, study.numberOfInstances]).toEqual([3, 245]);
    expect(study.started).toBe('2024-03-12T09:30:00+08:00');
    expect(study.procedureCode?.[0]?.text).toBe('胸部CT平扫');
    expect(study.endpoint).toEqual([{ reference: '#wado' }]);
    const endpoint = containedOf<fhir4.Endpoint>(study, 'wado');
    expect(endpoint.address).toBe(WADO_CT);
    expect(endpoint.connectionType.code).toBe('dicom-wado-rs');
    expect(containedOf<fhir4.BodyStructure>(study, 'bodysite').location?.coding?.[0]).toMatchObject({
      code: 'XB01',
      display: '胸部',
    });

    const report = draft.report!;
    expect(report.status).toBe('final');
    expect(report.category?.map((c) => c.coding?.[0]?.code)).toEqual(['RAD', 'CT']);
    expect(report.conclusion).toBe('右肺上叶磨玻璃结节，建议3个月后复查。');
    expect(report.conclusionCode?.[0]?.coding?.[0]).toMatchObject({
      system: 'http://hl7.org/fhir/sid/icd-10',
      code: 'R91',
    });
    expect(report.issued).toBe('2024-03-12T10:25:00+08:00');
    expect(report.resultsInterpreter).toEqual([
      {
        type: 'Practitioner',
        display: '李影像',
        identifier: { system: 'urn:yilian:institution:C002:staff', value: 'D0123' },
      },
    ]);
    const text = decodedText(report.presentedForm?.[0]);
    expect(text).toContain('影像所见：\n双肺纹理清晰');
    expect(text).toContain('\n纵隔内未见肿大淋巴结。');
    expect(text).not.toContain(UID_CT);
  });

  it('ORU^R01 v2.3.1 MR brain: FT line breaks, UID from ZDS, MRN without a resident ID', () => {
    const result = mappedImaging('cn-ris-oru-mr-brain-v231.hl7', 'H001');
    expect(result.patient).toMatchObject({ mrn: { value: 'H00088776' }, mrnAuthority: 'H001' });
    expect(result.patient.residentId).toBeUndefined();
    const draft = result.drafts[0]!;
    expect(draft.accession).toBe('MR20240314018');
    expect(draft.accessionAuthority).toBeUndefined();
    expect(draft.study?.identifier?.[0]?.value).toBe(
      'urn:oid:1.2.840.113619.2.55.3.604688119.868.1710397800.123',
    );
    expect(draft.study?.modality?.[0]?.code).toBe('MR');
    expect(draft.study?.numberOfInstances).toBeUndefined();
    expect(draft.study?.endpoint).toBeUndefined();
    expect(draft.report?.conclusion).toBe('头颅MRI平扫+DWI未见明显异常。');
    expect(decodedText(draft.report?.presentedForm?.[0])).toContain(
      '脑实质内未见异常信号。\nDWI序列未见弥散受限。\n脑室系统',
    );
    expect(draft.report?.category?.[1]?.coding?.[0]).toMatchObject({ system: DCM, code: 'MR' });
    expect(draft.report?.resultsInterpreter?.[0]?.display).toBe('周磊');
  });

  it('ORU^R01 v2.5 read remotely by the imaging centre: report only, accession assigned by C002', () => {
    const draft = onlyDraft('cn-ris-oru-us-remote-v25.hl7', 'H001');
    expect(draft).toMatchObject({ accession: 'US20240316002', accessionAuthority: 'C002' });
    expect(draft.study).toBeUndefined();
    expect(draft.report?.status).toBe('preliminary');
    expect(draft.report?.conclusion).toBe('脂肪肝（轻度）');
    expect(draft.report?.conclusionCode?.[0]?.coding?.[0]?.code).toBe('K76.0');
    expect(draft.report?.resultsInterpreter?.[0]).toMatchObject({
      display: '陈晓',
      identifier: { system: 'urn:yilian:institution:H001:staff', value: 'R017' },
    });
  });

  it('ORU^R01 v2.5.1 corrected DX: status corrected, modality from an OBX, no study without a UID', () => {
    const draft = onlyDraft('cn-ris-oru-dx-corrected-v251.hl7', 'C002');
    expect(draft.report?.status).toBe('corrected');
    expect(draft.report?.conclusion).toBe('右下肺炎（更正：原报告误写为左下肺）');
    expect(draft.report?.conclusionCode).toBeUndefined();
    expect(draft.report?.category?.[1]?.coding?.[0]).toMatchObject({ system: DCM, code: 'DX' });
    expect(draft.report?.effectiveDateTime).toBe('2024-03-15T13:55:00+08:00');
    expect(draft.study).toBeUndefined();
  });

  it("MDM^T02 v2.5 from the imaging centre: report on C002's study, radiologist and time from TXA-22", () => {
    const result = mappedImaging('cn-mdm-t02-ct-report-v25.hl7', 'H001');
    expect(result.type).toBe('MDM^T02');
    expect(result.patient).toMatchObject({ residentId: '11010519491231002X', mrnAuthority: 'C002' });
    const draft = result.drafts[0]!;
    expect(draft).toMatchObject({ accession: 'CT20240312001', accessionAuthority: 'C002' });
    expect(draft.accessionAt).toMatchObject({ segment: 'TXA', field: 15 });
    expect(draft.study).toBeUndefined();
    const report = draft.report!;
    expect(report.status).toBe('final');
    expect(report.code.coding?.[0]).toMatchObject({ system: 'http://loinc.org', code: '18748-4' });
    expect(report.identifier).toEqual([
      { system: 'urn:yilian:institution:H001:document', value: 'YXHZ-RPT-20240312-0009' },
    ]);
    expect(report.conclusion).toBe('右肺上叶磨玻璃结节（Lung-RADS 2类），建议12个月后低剂量CT复查。');
    expect(report.conclusionCode?.[0]?.coding?.[0]?.code).toBe('R91');
    expect(report.issued).toBe('2024-03-12T11:18:00+08:00');
    expect(report.effectiveDateTime).toBe('2024-03-12T09:30:00+08:00');
    expect(report.resultsInterpreter?.[0]).toMatchObject({ display: '刘远航' });
  });

  it('MDM^T02 v2.4 replacing a document (TXA-13): corrected', () => {
    const draft = onlyDraft('cn-mdm-t02-ct-corrected-v24.hl7', 'H001');
    expect(draft.report?.status).toBe('corrected');
    expect(draft.report?.conclusion).toContain('Lung-RADS 3类');
    expect(draft.report?.resultsInterpreter?.[0]?.display).toBe('孙主任');
  });
});
