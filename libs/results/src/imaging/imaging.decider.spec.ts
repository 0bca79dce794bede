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
});
