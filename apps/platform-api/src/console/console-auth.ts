import { Inject, Injectable, Optional } from '@nestjs/common';
import type { Request } from 'express';
import type { InstitutionDirectory } from '@yilian/config';
import { apiKeyOf, FhirHttpError } from '@yilian/runtime';
import { PlatformAuth } from '../platform-auth';

export const CONSOLE_AUDITORS = Symbol('CONSOLE_AUDITORS');
/** The member institutions' credentials (the intake's directory), for their staff's sign-in. */
export const CONSOLE_INSTITUTIONS = Symbol('CONSOLE_INSTITUTIONS');

export type ConsoleRole = 'institution' | 'platform' | 'auditor';

/** Who an API key is, as the console needs to know it: the same keys as the API. */
export interface ConsolePrincipal {
  readonly role: ConsoleRole;
  /** The institution code, the platform client's or the auditor's name. */
  readonly name: string;
  readonly institution?: { readonly code: string; readonly name: string };
  /** SMART-style scopes the role holds today (until per-client scopes replace the roles). */
  readonly scopes: readonly string[];
}

const SCOPES: Readonly<Record<ConsoleRole, readonly string[]>> = {
  institution: [
    'system/ServiceRequest.crus',
    'system/Task.rus',
    'system/DiagnosticReport.rs',
    'system/ImagingStudy.rs',
    'system/Recognition.cu',
  ],
  platform: ['system/*.rs', 'system/Indicators.r'],
  auditor: ['system/AuditEvent.rs'],
};

/** One key, one principal: an institution (intake's directory), a platform client, or an
 * auditor. 401 when the key is none of them. */
@Injectable()
export class ConsoleAuth {
  constructor(
    @Inject(PlatformAuth) private readonly platform: PlatformAuth,
    @Optional() @Inject(CONSOLE_INSTITUTIONS) private readonly institutions?: InstitutionDirectory,
    @Optional() @Inject(CONSOLE_AUDITORS) private readonly auditors?: PlatformAuth,
  ) {}

  principal(req: Request): ConsolePrincipal {
    const found = this.institutions?.byApiKey(apiKeyOf(req));
    if (found) {
      const institution = { code: found.code, name: found.name };
      return { role: 'institution', name: found.code, institution, scopes: SCOPES.institution };
    }
    const auditor = this.auditors?.tryAuthenticate(req);
    if (auditor) return { role: 'auditor', name: auditor, scopes: SCOPES.auditor };
    return { role: 'platform', name: this.platform.authenticate(req), scopes: SCOPES.platform };
  }

  /** The principal when it holds the role, else 403 saying which role it needs. */
  require(req: Request, ...roles: ConsoleRole[]): ConsolePrincipal {
    const p = this.principal(req);
    if (!roles.includes(p.role))
      throw FhirHttpError.of(
        403,
        'forbidden',
        `this needs the ${roles.join(' or ')} role; the key is ${p.role} ${p.name}`,
      );
    return p;
  }
}
