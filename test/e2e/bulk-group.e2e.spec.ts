/**
 * Bulk Data Group-level export (FHIR Bulk Data Access v2.0.0, `GET|POST /fhir/Group/<id>/$export`):
 * a Group per alliance (医联体) — the patients its current members have a part in. H001 and C002
 * are the alliance's members, X003 is not: a patient only X003 treated is not in the group's
 * export; a member patient's results from X003 are (their compartment). An institution sees only
 * the groups of its alliances. Driven by the IG-written client of bulk-data.e2e.spec.ts.
 */
import { fhirPatientId, type fhir4 } from '@yilian/contracts';
import { validateFhirResource } from '@yilian/fhir';
import { labReportBundle } from '@yilian/testing';
import { BulkDataClient } from './bulk-data-client';
import { postFhir } from './hub-harness';
import {
  ALLIANCE,
  eventually,
  keyer,
  KEYS,
  type ReferralsHub,
  setUpAlliance,
  startReferralsHub,
} from './referrals-harness';

describe('Bulk Data: Group-level export of an alliance', () => {
  let hub: ReferralsHub;
  // as FHIR names them (Patient id pk-…, contracts/src/patients/fhir-patient-id.ts)
  const inH001 = fhirPatientId(keyer.forMrn('H001', 'G-M1'));
  const inC002 = fhirPatientId(keyer.forMrn('C002', 'G-M3'));
  const onlyX003 = keyer.forMrn('X003', 'G-M2').slice(3);

  beforeAll(async () => {
    hub = await startReferralsHub('bulk_group');
    await setUpAlliance(hub);
    const sends: [string, string, string, string][] = [
      ['H001', KEYS.H001, 'G-L1', 'G-M1'],
      ['C002', KEYS.C002, 'G-L3', 'G-M3'],
      ['X003', KEYS.X003, 'G-L2', 'G-M2'],
    ];
    for (const [institution, key, accession, mrn] of sends) {
      const res = await postFhir(
        hub,
        '',
        labReportBundle({ accession, mrn: { institution, value: mrn } }),
        key,
      );
      expect(res.status).toBeLessThan(300);
    }
    await eventually(
      async () =>
        (await fetch(`${hub.httpUrl}/fhir/Group/${ALLIANCE}`, { headers: auth(KEYS.platform) })).json(),
      (g) => (g as fhir4.Group).quantity === 2,
    );
  });
  afterAll(async () => {
    await hub?.stop();
  });

  const auth = (key: string) => ({ Authorization: `Bearer ${key}` });

  it('serves the alliance as a Group (type person, actual, its members as characteristics) and lists it', async () => {
    const group = (await (
      await fetch(`${hub.httpUrl}/fhir/Group/${ALLIANCE}`, { headers: auth(KEYS.platform) })
    ).json()) as fhir4.Group;
    expect(group).toMatchObject({
      resourceType: 'Group',
      id: ALLIANCE,
      type: 'person',
      actual: true,
      quantity: 2,
    });
    expect(group.characteristic!.map((c) => c.valueReference!.identifier!.value)).toEqual(['C002', 'H001']);
    expect(validateFhirResource(group).filter((i) => i.severity === 'error')).toEqual([]);
    const listed = (await (
      await fetch(`${hub.httpUrl}/fhir/Group`, { headers: auth(KEYS.platform) })
    ).json()) as fhir4.Bundle;
    expect(listed.entry!.map((e) => e.resource!.id)).toEqual([ALLIANCE]);
    const outsider = (await (
      await fetch(`${hub.httpUrl}/fhir/Group`, { headers: auth(KEYS.X003) })
    ).json()) as fhir4.Bundle;
    expect(outsider.entry ?? []).toEqual([]);
    expect((await fetch(`${hub.httpUrl}/fhir/Group/${ALLIANCE}`, { headers: auth(KEYS.X003) })).status).toBe(
      404,
    );
    expect(
      (await fetch(`${hub.httpUrl}/fhir/Group/no-such-group`, { headers: auth(KEYS.platform) })).status,
    ).toBe(404);
  });

  it.each([
    ['GET', false],
    ['POST', true],
  ])('%s kick-off: the members’ patients and their results, nobody else’s', async (_method, post) => {
    const bulk = new BulkDataClient(`${hub.httpUrl}/fhir`, KEYS.platform);
    const manifest = await bulk.poll(
      await bulk.kickOff(`Group/${ALLIANCE}/$export`, {
        params: { _type: 'Patient,DiagnosticReport' },
        post,
      }),
    );
    expect(manifest.request).toContain(`/fhir/Group/${ALLIANCE}/$export`);
    const files = await bulk.downloadAll(manifest);
    expect((files.get('Patient') ?? []).map((p) => p['id']).sort()).toEqual([inH001, inC002].sort());
    const reports = (files.get('DiagnosticReport') ?? []).map((r) => r['id']).sort();
    expect(reports).toEqual(['C002.G-L3', 'H001.G-L1']);
    expect(JSON.stringify([...files.values()])).not.toContain(onlyX003);
  });

  it('a member institution exports its alliance’s group within its own reach; an unknown group is 404', async () => {
    const bulk = new BulkDataClient(`${hub.httpUrl}/fhir`, KEYS.C002);
    const files = await bulk.downloadAll(
      await bulk.poll(await bulk.kickOff(`Group/${ALLIANCE}/$export`, { params: { _type: 'Patient' } })),
    );
    expect((files.get('Patient') ?? []).map((p) => p['id'])).toEqual([inC002]);
    const unknown = await fetch(`${hub.httpUrl}/fhir/Group/nope/$export`, {
      headers: { ...auth(KEYS.platform), prefer: 'respond-async', accept: 'application/fhir+json' },
    });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as fhir4.OperationOutcome).resourceType).toBe('OperationOutcome');
  });
});
