import { Controller, Inject, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { InstitutionDirectory } from '@yilian/config';
import { buildAcks, type Charset, decodeFrame, decodeText, encodeText, HL7_ERROR } from '@yilian/hl7v2';
import { authenticateInstitution, INSTITUTIONS, LOGGER, type Logger } from '@yilian/runtime';
import { INTAKE_METRICS, type IntakeMetrics } from '../metrics/intake-metrics';
import { MLLP_OPTIONS, type MllpOptions } from './mllp-intake.service';
import { Hl7MessageHandler } from './hl7-message.handler';

/** Content types an HL7 v2 message may come in over HTTP: the HL7-over-HTTP ones and plain text. */
const HL7_TYPES: ReadonlySet<string> = new Set([
  'application/hl7-v2',
  'x-application/hl7-v2+er7',
  'application/edi-hl7',
  'text/plain',
]);

/** Charset names a Content-Type may give, as the MLLP side names them. */
const CHARSETS: Readonly<Record<string, Charset>> = {
  'utf-8': 'utf8',
  utf8: 'utf8',
  'us-ascii': 'utf8',
  gb18030: 'gb18030',
  gbk: 'gb18030',
  gb2312: 'gb18030',
  big5: 'big5',
  'iso-8859-1': 'latin1',
  latin1: 'latin1',
};

const CHARSET_NAMES: Readonly<Record<Charset, string>> = {
  utf8: 'UTF-8',
  gb18030: 'GB18030',
  big5: 'Big5',
  latin1: 'ISO-8859-1',
};

const HANDLING_FAILED = {
  segment: 'MSH',
  sequence: 1,
  code: HL7_ERROR.applicationInternal,
  message: 'the hub could not process the message; nothing was recorded, please resend',
} as const;

class BodyError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * HL7 v2 over HTTP, for senders whose network allows HTTPS and not a raw MLLP socket:
 * `POST /hl7v2` with one message as the body (`application/hl7-v2`, `x-application/hl7-v2+er7`
 * or `text/plain`; the charset from the Content-Type, else MSH-18, else UTF-8 or GB18030 as on
 * MLLP), authenticated by the institution's API key (`Authorization: Bearer`). The answer is the
 * same as over MLLP — AA only after the durable append, AE / AR with ERR segments — as 200 with
 * the ACK as the body, in the request's charset; in enhanced mode the ACKs follow each other.
 * Refused before HL7: 401 (no key), 415 (not an HL7 content type), 413 (over the MLLP frame
 * limit), 400 (empty), each with a plain-text reason.
 */
@Controller('hl7v2')
export class Hl7HttpController {
  constructor(
    private readonly handler: Hl7MessageHandler,
    @Inject(INSTITUTIONS) private readonly institutions: InstitutionDirectory,
    @Inject(MLLP_OPTIONS) private readonly options: MllpOptions,
    @Inject(INTAKE_METRICS) private readonly metrics: IntakeMetrics,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @Post()
  async receive(@Req() req: Request, @Res() res: Response): Promise<void> {
    const institution = authenticateInstitution(req, this.institutions);
    const start = process.hrtime.bigint();
    let body: Buffer;
    let declared: Charset | undefined;
    try {
      declared = this.contentCharset(req);
      body = await readBody(req, this.options.maxFrameBytes ?? 1024 * 1024);
    } catch (e) {
      if (!(e instanceof BodyError)) throw e;
      req.resume();
      res.status(e.status).type('text/plain').send(`${e.message}\n`);
      return;
    }
    const { text, charset } = declared
      ? { text: decodeText(body, declared), charset: declared }
      : decodeFrame(body);
    const acks = await this.handler.handleFrom(text, institution).catch((e: unknown) => {
      // as over MLLP: a failure of ours is answered in HL7, never as a broken connection
      this.logger.warn(
        { institution: institution.code, err: (e as Error).message },
        'HL7 over HTTP: handling failed',
      );
      return buildAcks(text, 'internal-error', [HANDLING_FAILED], { now: new Date() });
    });
    this.metrics.hl7Answered(institution.code, text, acks, Number(process.hrtime.bigint() - start) / 1e9);
    res
      .status(200)
      .type(`application/hl7-v2; charset=${CHARSET_NAMES[charset]}`)
      .send(encodeText(acks.join(''), charset));
  }

  private contentCharset(req: Request): Charset | undefined {
    const header = req.headers['content-type'] ?? '';
    const [type = '', ...params] = header.split(';').map((p) => p.trim().toLowerCase());
    if (!HL7_TYPES.has(type)) {
      throw new BodyError(
        415,
        `send the HL7 v2 message as application/hl7-v2 (or x-application/hl7-v2+er7, text/plain), not ${type || 'no content type'}`,
      );
    }
    const name = params
      .find((p) => p.startsWith('charset='))
      ?.slice('charset='.length)
      .replace(/"/g, '');
    if (name === undefined) return undefined;
    const charset = CHARSETS[name];
    if (!charset)
      throw new BodyError(415, `charset ${name} is not one the hub reads (UTF-8, GB18030, Big5, ISO-8859-1)`);
    return charset;
  }
}

/** The request body, at most `limit` bytes (413 beyond; 400 when empty). */
function readBody(req: Request, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (declared > limit) return reject(new BodyError(413, `the message is larger than ${limit} bytes`));
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        reject(new BodyError(413, `the message is larger than ${limit} bytes`));
      } else chunks.push(chunk);
    });
    req.once('end', () => {
      if (size === 0) reject(new BodyError(400, 'the body is empty: send one HL7 v2 message'));
      else resolve(Buffer.concat(chunks, size));
    });
    req.once('error', reject);
  });
}
