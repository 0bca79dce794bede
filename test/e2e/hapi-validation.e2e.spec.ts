/**
 * The official HAPI FHIR R4 instance validator over what the hub's FHIR endpoints return
 * (scripts/hapi: the real hub fed with the HL7 v2, FHIR and CDA fixtures, every resource type
 * read back): no error but the known ones (KNOWN_HAPI_ERRORS, each with why). Needs the
 * validator's jars (`npm run hapi:build`, into .cache/hapi); without them this is skipped, and
 * says so in its name.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase } from '@yilian/testing';
import { collectHubOutputs } from '../../scripts/hapi/hub-outputs';
import { errorsOf, hapiBuilt, report, runHapi } from '../../scripts/hapi/validate-hub';

const built = hapiBuilt();
const SKIPPED = 'skipped: the HAPI validator is not built (.cache/hapi/libs; npm run hapi:build)';
if (!built) console.log(`hapi-validation.e2e: ${SKIPPED}`);

(built ? describe : describe.skip)(
  built ? 'HAPI FHIR R4 validator over the hub’s FHIR answers' : `HAPI FHIR R4 validator (${SKIPPED})`,
  () => {
    const dir = mkdtempSync(join(tmpdir(), 'yilian-hapi-e2e-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('finds no error in reads, searches, _history, $everything, AuditEvent, metadata, errors, Bulk NDJSON', async () => {
      const collected = await collectHubOutputs(
        await createTestDatabase('hapi_validation'),
        join(dir, 'out'),
      );
      expect(collected.files.length).toBeGreaterThan(300);
      const result = runHapi(join(dir, 'out'));
      console.log(report(result));
      // every resource type the read side serves was there to be validated
      expect(Object.keys(result.summary.byType)).toEqual(
        expect.arrayContaining([
          'AuditEvent',
          'Bundle',
          'CapabilityStatement',
          'DiagnosticReport',
          'ImagingStudy',
          'Observation',
          'OperationOutcome',
          'Patient',
          'ServiceRequest',
          'Task',
        ]),
      );
      const { unexpected } = errorsOf(result);
      expect(unexpected.map((e) => `${e.input.split('/').pop()} ${e.location}: ${e.message}`)).toEqual([]);
    }, 600_000);
  },
);
