/** The CDA-in-MDM hook: with a CDA intake registered, an MDM carrying a CDA goes to it and is
 * answered with its outcome; the imaging path is not asked. */
import { classifyImagingMessage, parseHl7 } from '@yilian/hl7v2';
import { createLogger } from '@yilian/runtime';
import { setField, withSegment } from '../../../../libs/hl7v2/test/fixtures';
import { imagingFixture } from '../../../../libs/hl7v2/test/imaging/imaging-fixtures';
import type { EmbeddedCdaIntake } from './embedded-cda.port';
import { ImagingHl7Intake } from './imaging-hl7.intake';
import type { ImagingIntake } from './imaging-intake.service';

const CDA = '<ClinicalDocument xmlns="urn:hl7-org:v3"><title>检查报告</title></ClinicalDocument>';

describe('ImagingHl7Intake: the embedded CDA hook', () => {
  it('hands an MDM with a CDA in OBX ED to the registered CDA intake and answers its outcome', async () => {
    const text = withSegment(imagingFixture('cn-mdm-t02-mr-report-v26.hl7'), 'OBX', 1, (l) =>
      setField(setField(l, 2, 'ED'), 5, `^TEXT^XML^Base64^${Buffer.from(CDA).toString('base64')}`),
    );
    const parsed = parseHl7(text);
    if (!parsed.ok) throw new Error('does not parse');
    const calls: string[] = [];
    const cda: EmbeddedCdaIntake = {
      record: (doc, ctx) => {
        calls.push(`${ctx.institution} ${ctx.controlId} ${doc.at.segment}^${doc.at.sequence} ${doc.xml}`);
        return Promise.resolve({
          outcome: 'content-error',
          errors: [{ ...doc.at, code: 102, message: '/ClinicalDocument/recordTarget: missing' }],
        });
      },
    };
    const imaging = {} as ImagingIntake; // never asked
    const intake = new ImagingHl7Intake(imaging, createLogger('test', 'silent'), cda);
    const [ack] = await intake.handle(
      parsed.message,
      classifyImagingMessage(parsed.message)!,
      'H001',
      new Date(0),
    );
    expect(calls).toEqual([`H001 MDM26-0002 OBX^1 ${CDA}`]);
    expect(ack).toContain('MSA|AE|MDM26-0002');
    expect(ack).toContain('ERR||OBX^1^5|102');
  });
});
