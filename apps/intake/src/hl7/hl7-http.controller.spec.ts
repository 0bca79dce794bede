import { Readable } from 'node:stream';
import type { Request, Response } from 'express';
import { hashApiKey, InstitutionDirectory } from '@yilian/config';
import { createLogger } from '@yilian/runtime';
import { oruR01, SAMPLE_RESIDENT_ID } from '@yilian/testing';
import { IntakeMetrics } from '../metrics/intake-metrics';
import { Hl7HttpController } from './hl7-http.controller';
import type { Hl7MessageHandler } from './hl7-message.handler';

const KEY = 'key-h001-0123456789abcdef';

function request(body: string): Request {
  return Object.assign(Readable.from([Buffer.from(body)]), {
    headers: { 'content-type': 'application/hl7-v2', authorization: `Bearer ${KEY}` },
  }) as unknown as Request;
}

function response() {
  const sent: { status?: number; type?: string; body?: Buffer } = {};
  const res = {
    status: (s: number) => ((sent.status = s), res),
    type: (t: string) => ((sent.type = t), res),
    send: (b: Buffer) => ((sent.body = b), res),
  };
  return { res: res as unknown as Response, sent };
}

describe('HL7 v2 over HTTP when handling fails on our side', () => {
  it('answers AR with an application internal error in HL7, not a broken request', async () => {
    const failing = {
      handleFrom: () => Promise.reject(new Error('store unreachable')),
    } as unknown as Hl7MessageHandler;
    const controller = new Hl7HttpController(
      failing,
      new InstitutionDirectory([{ code: 'H001', name: 'H', apiKeySha256: hashApiKey(KEY) }]),
      { host: '127.0.0.1' },
      new IntakeMetrics(),
      createLogger('test', 'silent'),
    );
    const { res, sent } = response();
    await controller.receive(
      request(oruR01({ controlId: 'F-1', accession: 'F-1', residentId: SAMPLE_RESIDENT_ID })),
      res,
    );
    expect(sent.status).toBe(200);
    const ack = sent.body!.toString('utf8');
    expect(ack).toContain('\rMSA|AR|F-1');
    expect(ack).toContain('please resend');
  });
});
