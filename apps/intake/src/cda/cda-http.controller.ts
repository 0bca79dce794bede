import { Controller, Inject, Post, Req, Res, UseFilters } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { InstitutionDirectory } from '@yilian/config';
import type { fhir4 } from '@yilian/contracts';
import { type CdaFault, describeFault } from '@yilian/cda';
import {
  authenticateInstitution,
  FhirExceptionFilter,
  FhirHttpError,
  INSTITUTIONS,
  LOGGER,
  type Logger,
  tokenHeader,
} from '@yilian/runtime';
import { CdaIntake } from './cda-intake.service';

/** Largest CDA document taken over HTTP (a lab or imaging report is a few tens of KiB). */
export const CDA_MAX_BYTES = 2 * 1024 * 1024;

const CDA_TYPES: ReadonlySet<string> = new Set(['application/xml', 'text/xml', 'application/hl7-cda+xml']);
const DECODERS: Readonly<Record<string, string>> = {
  'utf-8': 'utf-8',
  utf8: 'utf-8',
  gb18030: 'gb18030',
  gbk: 'gb18030',
  gb2312: 'gb18030',
};

const ISSUE_CODES: Readonly<Record<CdaFault['code'], fhir4.OperationOutcomeIssue['code']>> = {
  required: 'required',
  value: 'value',
  'code-invalid': 'code-invalid',
  structure: 'structure',
  'not-supported': 'not-supported',
};

/** The faults as an OperationOutcome: one issue each, the XPath in `expression` and `location`. */
export function faultOutcome(faults: readonly CdaFault[]): fhir4.OperationOutcome {
  return {
    resourceType: 'OperationOutcome',
    issue: faults.map((f) => ({
      severity: 'error',
      code: ISSUE_CODES[f.code],
      diagnostics: describeFault(f),
      expression: [f.xpath],
      location: [f.xpath],
    })),
  };
}

/**
 * WS/T 500 CDA documents over HTTP: `POST /cda` with one ClinicalDocument as the body
 * (`application/hl7-cda+xml`, `application/xml` or `text/xml`; UTF-8, or GB18030 / GBK by the
 * Content-Type's charset or the XML declaration), authenticated by the institution's API key as
 * the FHIR intake is. 201 with what was recorded (stream, version, the DiagnosticReport), 200 for
 * a document recorded before; 422 OperationOutcome with the XPath of each template fault (and of
 * an institution that is not the credential's); 400 not XML, 413 over 2 MiB, 415 another type.
 */
@Controller('cda')
@UseFilters(FhirExceptionFilter)
export class CdaHttpController {
  constructor(
    private readonly cda: CdaIntake,
    @Inject(INSTITUTIONS) private readonly institutions: InstitutionDirectory,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @Post()
  async receive(@Req() req: Request, @Res() res: Response): Promise<void> {
    const institution = authenticateInstitution(req, this.institutions).code;
    const charset = this.contentCharset(req);
    const body = await readBody(req).catch((e: unknown) => {
      req.resume();
      throw e;
    });
    const xml = decode(body, charset);
    const correlationId = tokenHeader(req, 'x-correlation-id');
    const outcome = await this.cda.record({
      xml,
      institution,
      now: new Date(),
      ...(correlationId ? { correlationId } : {}),
    });
    if (!outcome.ok) {
      this.logger.info({ institution, refused: outcome.kind }, 'CDA document refused');
      if (outcome.kind === 'not-xml') throw FhirHttpError.of(400, 'structure', outcome.message);
      if (outcome.kind === 'conflict') throw FhirHttpError.of(409, 'conflict', outcome.message);
      throw new FhirHttpError(422, faultOutcome(outcome.faults));
    }
    const location = `${outcome.resource}/_history/${outcome.version}`;
    res
      .status(outcome.duplicate ? 200 : 201)
      .location(location)
      .json({
        recorded: !outcome.duplicate,
        document: outcome.document,
        stream: outcome.stream,
        version: outcome.version,
        resource: outcome.resource,
        location,
      });
  }

  private contentCharset(req: Request): string | undefined {
    const header = req.headers['content-type'] ?? '';
    const [type = '', ...params] = header.split(';').map((p) => p.trim().toLowerCase());
    if (!CDA_TYPES.has(type)) {
      throw FhirHttpError.of(
        415,
        'not-supported',
        `send the CDA document as application/hl7-cda+xml (or application/xml, text/xml), not ${type.slice(0, 64) || 'no content type'}`,
      );
    }
    const name = params
      .find((p) => p.startsWith('charset='))
      ?.slice('charset='.length)
      .replace(/"/g, '');
    if (name === undefined) return undefined;
    const charset = DECODERS[name];
    if (!charset)
      throw FhirHttpError.of(
        415,
        'not-supported',
        `charset ${name.slice(0, 32)} is not one the hub reads (UTF-8, GB18030)`,
      );
    return charset;
  }
}

/** The text of the body: the Content-Type's charset, else the XML declaration's, else UTF-8. */
function decode(body: Buffer, charset: string | undefined): string {
  const declared = /^\uFEFF?<\?xml[^>]*encoding=["']([A-Za-z0-9_-]+)["']/.exec(
    body.subarray(0, 200).toString('latin1'),
  );
  const name = charset ?? DECODERS[declared?.[1]?.toLowerCase() ?? ''] ?? 'utf-8';
  return new TextDecoder(name).decode(body);
}

function readBody(req: Request): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const tooLarge = () =>
      FhirHttpError.of(413, 'too-costly', `the document is larger than ${CDA_MAX_BYTES} bytes`);
    if (Number(req.headers['content-length'] ?? NaN) > CDA_MAX_BYTES) return reject(tooLarge());
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > CDA_MAX_BYTES) {
        req.removeAllListeners('data');
        reject(tooLarge());
      } else chunks.push(chunk);
    });
    req.once('end', () => {
      if (size === 0)
        reject(FhirHttpError.of(400, 'required', 'the body is empty: send one CDA ClinicalDocument'));
      else resolve(Buffer.concat(chunks, size));
    });
    req.once('error', reject);
  });
}
