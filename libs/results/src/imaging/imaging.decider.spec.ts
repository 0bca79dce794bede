import {
  checkImagingReportRecordedV1,
  checkImagingStudyRecordedV1,
  IMAGING_REPORT_RECORDED,
  IMAGING_STUDY_RECORDED,
  type fhir4,
  type NewEvent,
} from '@yilian/contracts';
import type { ImagingCommand, RecordImagingReport, RecordImagingStudy } from './imaging.commands';
import { decideImaging } from './imaging.decider';
import { evolveImaging, initialImagingState } from './imaging.state';
import { normalizeImagingReport, normalizeImagingStudy } from './imaging.normalize';

const PK = 'pk_7xq2m4k5v6w3nbrt2jd6hyl4ce';
const UID = '1.2.156.112605.14038005400501.20240312093000.1';
const base = {
  performer: 'C002',
  accession: 'CT20240312001',
  patientKey: PK,
  correlationId: 'c-1',
  now: '2024-03-12T10:30:00+08:00',
};

function study(status: fhir4.ImagingStudy['status'] = 'available', instances = 245): RecordImagingStudy {
  const sent: fhir4.ImagingStudy = {
    resourceType: 'ImagingStudy',
    status,
    subject: {},
    identifier: [{ system: 'urn:dicom:uid', value: `urn:oid:${UID}` }],
    modality: [{ system: 'http://dicom.nema.org/resources/ontology/DCM', code: 'CT' }],
    started: '2024-03-12T09:30:00+08:00',
    numberOfSeries: 3,
    numberOfInstances: instances,
  };
  return {
    ...base,
    type: 'RecordImagingStudy',
    study: normalizeImagingStudy({ ...base, study: sent }),
    source: { institution: 'C002', messageId: `PACS-${status}-${instances}`, protocol: 'hl7v2' },
    eventId: `00000000-0000-8000-8000-${String(instances).padStart(6, '0')}${status.length.toString().padStart(6, '0')}`,
  };
}

function report(
  conclusion = '右肺上叶磨玻璃结节',
  opts: Partial<RecordImagingReport> = {},
  status: fhir4.DiagnosticReport['status'] = 'final',
): RecordImagingReport {
  const reporter = opts.reporter ?? 'H001';
  const sent: fhir4.DiagnosticReport = {
    resourceType: 'DiagnosticReport',
    status,
    code: { text: '胸部CT平扫' },
    conclusion,
    issued: '2024-03-12T10:25:00+08:00',
  };
  return {
    ...base,
    type: 'RecordImagingReport',
    reporter,
    performerBasis: 'study',
    report: normalizeImagingReport({ ...base, reporter, report: sent }),
    source: { institution: reporter, messageId: `MDM-${conclusion.length}-${status}`, protocol: 'hl7v2' },
    eventId: `00000000-0000-8000-9000-${String(conclusion.length).padStart(6, '0')}${status.length.toString().padStart(6, '0')}`,
    ...opts,
  };
}

const DOCUMENT = 'urn:yilian:institution:H001:document';

/** The report as an MDM document numbered `number` (TXA-12), optionally revising one. */
function document(
  number: string,
  conclusion: string,
  status: fhir4.DiagnosticReport['status'] = 'final',
  revises?: RecordImagingReport['revises'],
): RecordImagingReport {
  const sent = report(conclusion, {}, status);
  const withNumber = {
    ...sent.report,
    identifier: [...(sent.report.identifier ?? []), { system: DOCUMENT, value: number }],
  };
  return {
    ...sent,
    report: withNumber,
    ...(revises ? { revises } : {}),
    eventId: `${sent.eventId.slice(0, -6)}${number.slice(-6)}`,
  };
}
const edit = (number: string) => ({ kind: 'edit' as const, document: { system: DOCUMENT, value: number } });
const replace = (number: string) => ({
  kind: 'replace' as const,
  document: { system: DOCUMENT, value: number },
});
const cancel = (number: string) => ({
  kind: 'cancel' as const,
  document: { system: DOCUMENT, value: number },
});
const reportOf = (e: NewEvent) => (e.data as { report: fhir4.DiagnosticReport }).report;
const documentOf = (r: fhir4.DiagnosticReport) => r.identifier?.find((i) => i.system === DOCUMENT)?.value;

/** given(commands already decided).when(command) → its events or its rejection. */
function given(...history: ImagingCommand[]) {
  const state = history.reduce((s, c) => decideImaging(c, s).reduce(evolveImaging, s), initialImagingState);
  return {
    when: (command: ImagingCommand) => {
      const decide = () => decideImaging(command, state);
      return {
        then(type: string, check: (e: NewEvent) => void = () => undefined) {
          const events = decide();
          expect(events.map((e) => e.type)).toEqual([type]);
          const contract =
            type === IMAGING_STUDY_RECORDED ? checkImagingStudyRecordedV1 : checkImagingReportRecordedV1;
          expect(contract(events[0]!.data, 'data')).toEqual([]);
          check(events[0]!);
        },
        thenNothing: () => expect(decide()).toEqual([]),
        thenRejects: (code: string) => expect(decide).toThrow(expect.objectContaining({ code }) as Error),
      };
    },
  };
}

describe('imaging decider', () => {
  it('records a study with its UID, modalities and performer', () => {
    given()
      .when(study())
      .then(IMAGING_STUDY_RECORDED, (e) => {
        expect(e.data).toMatchObject({ performer: 'C002', studyInstanceUid: UID, modalities: ['CT'] });
        expect(e.metadata).toMatchObject({ patientKey: PK, occurredAt: '2024-03-12T09:30:00+08:00' });
      });
  });

  it('recognises the same study content sent again under a new message id', () => {
    given(study())
      .when({ ...study(), eventId: '00000000-0000-8000-8000-ffffffffffff' })
      .thenNothing();
  });

  it('records a changed study as a new version', () => {
    given(study()).when(study('available', 300)).then(IMAGING_STUDY_RECORDED);
  });

  it('lays a partial update onto the latest study: what it leaves out is kept, nothing new is nothing', () => {
    const { numberOfSeries: _s, numberOfInstances: _i, ...uidOnly } = study().study;
    const fromRis = {
      ...study(),
      study: uidOnly,
      partial: true,
      eventId: '00000000-0000-8000-8000-aaaaaaaaaaaa',
    };
    given(study()).when(fromRis).thenNothing();
    given(study())
      .when({ ...fromRis, study: { ...uidOnly, description: '胸部CT平扫' } })
      .then(IMAGING_STUDY_RECORDED, (e) => {
        const merged = (e.data as { study: fhir4.ImagingStudy }).study;
        expect([merged.numberOfInstances, merged.description]).toEqual([245, '胸部CT平扫']);
      });
    given(study())
      .when({ ...fromRis, partial: false })
      .then(IMAGING_STUDY_RECORDED);
  });

  it('records the reporting centre apart from the performer', () => {
    given(study())
      .when(report())
      .then(IMAGING_REPORT_RECORDED, (e) => {
        expect(e.data).toMatchObject({ performer: 'C002', reporter: 'H001', performerBasis: 'study' });
        const r = (e.data as { report: fhir4.DiagnosticReport }).report;
        expect(r.performer).toEqual([{ reference: 'Organization/C002' }]);
        expect(r.resultsInterpreter).toEqual([{ reference: 'Organization/H001' }]);
      });
  });

  it('refuses a report that names a study the hub does not have', () => {
    given().when(report()).thenRejects('unknown-study');
  });

  it('accepts a report before its study when the sender named the performer', () => {
    given()
      .when(report('结论', { performerBasis: 'explicit' }))
      .then(IMAGING_REPORT_RECORDED);
  });

  it('records a correction as a new version, and only from the institution that reported', () => {
    given(study(), report())
      .when(report('右肺上叶磨玻璃结节，较前无变化', {}, 'corrected'))
      .then(IMAGING_REPORT_RECORDED);
    given(study(), report())
      .when(report('另一结论', { reporter: 'C002' }))
      .thenRejects('not-the-owner');
  });

  it('records a cancellation, after which nothing more is recorded', () => {
    given(study(), report())
      .when(report('作废', {}, 'entered-in-error'))
      .then(IMAGING_REPORT_RECORDED);
    given(study(), report('作废', {}, 'entered-in-error'))
      .when(report('重新发布'))
      .thenRejects('terminal-state');
    given(study()).when(study('cancelled')).then(IMAGING_STUDY_RECORDED);
    given(study(), study('cancelled')).when(study('available', 300)).thenRejects('terminal-state');
  });

  it('refuses a report about another patient than the study', () => {
    given(study())
      .when(report('结论', { patientKey: 'pk_aaaaaaaaaaaaaaaaaaaaaaaaaa' }))
      .thenRejects('patient-mismatch');
  });

  it('lets only the performer or the first recorder change a study', () => {
    const other = study('available', 999);
    const fromElsewhere = { ...other, source: { ...other.source, institution: 'H009' } };
    given(study()).when(fromElsewhere).thenRejects('not-the-owner');
  });

  describe('revisions of a report document (HL7 v2 MDM^T08 edit, T10 replacement, T11 cancellation)', () => {
    it('refuses a revision of a report the hub never recorded', () => {
      given(study())
        .when(document('RPT-0001', '结论', 'final', edit('RPT-0001')))
        .thenRejects('unknown-report');
      given()
        .when(document('RPT-0001', '作废', 'entered-in-error', cancel('RPT-0001')))
        .thenRejects('unknown-report');
    });

    it('records an edit of a released report as corrected, of a preliminary one as it is', () => {
      given(study(), document('RPT-0001', '右肺上叶磨玻璃结节'))
        .when(document('RPT-0001', '右肺上叶后段磨玻璃结节', 'final', edit('RPT-0001')))
        .then(IMAGING_REPORT_RECORDED, (e) => {
          expect(reportOf(e)).toMatchObject({ status: 'corrected', conclusion: '右肺上叶后段磨玻璃结节' });
        });
      given(study(), document('RPT-0001', '初步意见', 'preliminary'))
        .when(document('RPT-0001', '右肺上叶后段磨玻璃结节', 'final', edit('RPT-0001')))
        .then(IMAGING_REPORT_RECORDED, (e) => expect(reportOf(e).status).toBe('final'));
      given(study(), document('RPT-0001', '初步意见', 'preliminary'))
        .when(document('RPT-0001', '初步意见（修改）', 'preliminary', edit('RPT-0001')))
        .then(IMAGING_REPORT_RECORDED, (e) => expect(reportOf(e).status).toBe('preliminary'));
    });

    it('recognises an edit sent again under a new message id (the same corrected content)', () => {
      const first = document('RPT-0001', '右肺上叶后段磨玻璃结节', 'final', edit('RPT-0001'));
      given(study(), document('RPT-0001', '右肺上叶磨玻璃结节'), first)
        .when({ ...first, eventId: '00000000-0000-8000-9000-eeeeeeeeeeee' })
        .thenNothing();
    });

    it('records a replacement naming the replaced document; the replaced number is no longer the report', () => {
      const original = document('RPT-0001', '结节6mm');
      const replacement = document('RPT-0002', '结节8mm（Lung-RADS 3类）', 'final', replace('RPT-0001'));
      given(study(), original)
        .when(replacement)
        .then(IMAGING_REPORT_RECORDED, (e) => {
          expect(reportOf(e).status).toBe('corrected');
          expect(documentOf(reportOf(e))).toBe('RPT-0002');
        });
      given(study(), original)
        .when(document('RPT-0002', '结节8mm', 'final', replace('RPT-0099')))
        .thenRejects('unknown-report');
      given(study(), original, replacement)
        .when(document('RPT-0001', '再次修改', 'final', edit('RPT-0001')))
        .thenRejects('unknown-report');
      given(study(), original, replacement)
        .when(document('RPT-0002', '再次修改', 'final', edit('RPT-0002')))
        .then(IMAGING_REPORT_RECORDED);
    });

    it('takes a revision of a report that came without document numbers (ORU^R01, FHIR) by its accession', () => {
      given(study(), report())
        .when(document('RPT-0001', '右肺上叶后段磨玻璃结节', 'final', edit('RPT-0001')))
        .then(IMAGING_REPORT_RECORDED, (e) => expect(reportOf(e).status).toBe('corrected'));
    });

    it('records a cancellation as the latest version entered in error, after which nothing more is recorded', () => {
      const original = document('RPT-0001', '右肺上叶磨玻璃结节');
      const cancellation = document('RPT-0001', '', 'entered-in-error', cancel('RPT-0001'));
      const voided = {
        ...cancellation,
        report: { ...cancellation.report, conclusion: undefined, issued: '2024-03-14T08:25:00+08:00' },
      };
      given(study(), original)
        .when(voided)
        .then(IMAGING_REPORT_RECORDED, (e) => {
          expect(reportOf(e)).toMatchObject({
            status: 'entered-in-error',
            conclusion: '右肺上叶磨玻璃结节',
            issued: '2024-03-14T08:25:00+08:00',
          });
          expect(e.metadata.occurredAt).toBe('2024-03-14T08:25:00+08:00');
        });
      given(study(), original, voided)
        .when(document('RPT-0001', '重新发布', 'final', edit('RPT-0001')))
        .thenRejects('terminal-state');
      given(study(), original)
        .when(document('RPT-0002', '', 'entered-in-error', cancel('RPT-0002')))
        .thenRejects('unknown-report');
    });

    it("refuses another institution's revision as not the owner, before saying which document the report is", () => {
      const fromC002 = document('RPT-0009', '改写', 'final', edit('RPT-0009'));
      given(study(), document('RPT-0001', '结论'))
        .when({ ...fromC002, reporter: 'C002', source: { ...fromC002.source, institution: 'C002' } })
        .thenRejects('not-the-owner');
    });
  });
});
