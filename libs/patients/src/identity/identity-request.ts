/**
 * What a registration message asks of the hub's identity, whatever protocol it came in
 * (HL7 v2 ADT, FHIR Patient), and the commands it becomes. The keying rules live here once:
 *
 * - a record is named by the resident ID number's key when it has one (its results are keyed
 *   so), else by its MRN's key;
 * - an MRN that comes with a resident ID number is linked to that number's key
 *   (`same-resident-id`) — whatever else the message asks;
 * - a merge moves the prior record's MRN key into the survivor; a separation undoes what joined
 *   the prior record's MRN key to the survivor (named by any of its identifiers);
 * - a confirmed match (`seealso`) links the sender's record, one without a resident ID number,
 *   to the other record's patient.
 */
import type { PatientDemographics } from '@yilian/contracts';
import type { PatientKeyer } from '../patient-key';
import type { PatientIdentityCommand } from './patient-identity.commands';

/** A record's identifiers: the resident ID number (checked) and an MRN with its institution. */
export interface RecordIdentifiers {
  readonly residentId?: string;
  readonly mrn?: { readonly institution: string; readonly value: string };
}

export type IdentityRequest =
  | {
      readonly kind: 'update';
      readonly record: RecordIdentifiers;
      readonly demographics?: PatientDemographics;
    }
  | { readonly kind: 'merge'; readonly survivor: RecordIdentifiers; readonly prior: RecordIdentifiers }
  | { readonly kind: 'separate'; readonly survivor: RecordIdentifiers; readonly prior: RecordIdentifiers }
  | { readonly kind: 'see-also'; readonly record: RecordIdentifiers; readonly other: RecordIdentifiers };

export class IdentityRequestError extends Error {
  constructor(
    /** Which record of the request is at fault. */
    readonly side: 'record' | 'survivor' | 'prior' | 'other',
    message: string,
  ) {
    super(message);
    this.name = 'IdentityRequestError';
  }
}

export class IdentityKeys {
  constructor(private readonly keyer: PatientKeyer) {}

  /** The key a record's results are filed under: resident ID number first, else the MRN. */
  subjectKey(record: RecordIdentifiers, side: IdentityRequestError['side'] = 'record'): string {
    if (record.residentId) return this.keyer.forResidentId(record.residentId);
    if (record.mrn) return this.keyer.forMrn(record.mrn.institution, record.mrn.value);
    throw new IdentityRequestError(side, 'the record has neither a resident ID number nor an MRN');
  }

  /** Every key the record is known by (resident ID number's, MRN's). */
  keysOf(record: RecordIdentifiers): string[] {
    return [
      ...(record.residentId ? [this.keyer.forResidentId(record.residentId)] : []),
      ...(record.mrn ? [this.keyer.forMrn(record.mrn.institution, record.mrn.value)] : []),
    ];
  }

  mrnKey(record: RecordIdentifiers, side: IdentityRequestError['side']): string {
    if (!record.mrn) throw new IdentityRequestError(side, 'this record needs its MRN here');
    return this.keyer.forMrn(record.mrn.institution, record.mrn.value);
  }

  /** LinkIdentifiers for an MRN that came with a resident ID number; none otherwise. */
  sameResidentIdLink(record: RecordIdentifiers, institution: string): PatientIdentityCommand[] {
    if (!record.residentId || !record.mrn) return [];
    return [
      {
        type: 'LinkIdentifiers',
        memberKey: this.keyer.forMrn(record.mrn.institution, record.mrn.value),
        patientKey: this.keyer.forResidentId(record.residentId),
        institution,
        reason: 'same-resident-id',
      },
    ];
  }

  /** The commands a request becomes, in the order to append them. Throws IdentityRequestError
   * when a record lacks the identifier its role needs. */
  commandsFor(request: IdentityRequest, institution: string): PatientIdentityCommand[] {
    switch (request.kind) {
      case 'update': {
        const demographics = request.demographics ?? {};
        const patientKey = this.subjectKey(request.record);
        return [
          ...this.sameResidentIdLink(request.record, institution),
          ...(Object.keys(demographics).length > 0
            ? [{ type: 'RecordDemographics' as const, patientKey, institution, demographics }]
            : []),
        ];
      }
      case 'merge':
        return [
          ...this.sameResidentIdLink(request.survivor, institution),
          {
            type: 'MergePatients',
            mergedKey: this.mrnKey(request.prior, 'prior'),
            survivorKey: this.subjectKey(request.survivor, 'survivor'),
            institution,
          },
        ];
      case 'separate': {
        const fromKeys = this.keysOf(request.survivor);
        if (fromKeys.length === 0)
          throw new IdentityRequestError(
            'survivor',
            'the record has neither a resident ID number nor an MRN',
          );
        return [
          { type: 'SeparatePatients', key: this.mrnKey(request.prior, 'prior'), fromKeys, institution },
        ];
      }
      case 'see-also':
        return this.seeAlso(request.record, request.other, institution);
    }
  }

  /** A confirmed match joins the sender's record (its MRN) to the other record: the patient
   * of that record's resident ID number, or of its MRN (any institution's). */
  private seeAlso(record: RecordIdentifiers, other: RecordIdentifiers, institution: string) {
    if (record.residentId) {
      throw new IdentityRequestError(
        'record',
        'a record with a resident ID number is joined by it already; a seealso link joins a record without one',
      );
    }
    return [
      {
        type: 'LinkIdentifiers' as const,
        memberKey: this.mrnKey(record, 'record'),
        patientKey: this.subjectKey(other, 'other'),
        institution,
        reason: 'patient-link' as const,
      },
    ];
  }
}
