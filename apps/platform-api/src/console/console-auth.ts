import { Inject, Injectable, Optional } from '@nestjs/common';
import type { Request } from 'express';
import type { InstitutionDirectory } from '@yilian/config';
import { FhirHttpError } from '@yilian/runtime';
import { PlatformAuth } from '../platform-auth';

/** The member institutions' credentials (the intake's directory), for their staff's sign-in. */
export const CONSOLE_INSTITUTIONS = Symbol('CONSOLE_INSTITUTIONS');

export type ConsoleRole = 'institution' | 'platform' | 'auditor';

/** Who an API key is, as the console needs to know it: the same keys as the API. */
export interface ConsolePrincipal {
  readonly role: ConsoleRole;
  /** The institution code, the platform client's or the auditor's name. */
  readonly name: string;
  readonly institution?: { readonly code: string; readonly name: string };
  /** The client's SMART-style scopes (docs/access.md). */
  readonly scopes: readonly string[];
}

/** One key, one principal, as the read side's authentication knows it (PLATFORM_CLIENTS, the
 * auditors, each member institution's key): its role, its SMART scopes, and for an institution
 * its name. 401 when the key is none of them. */
@Injectable()
export class ConsoleAuth {
  constructor(
    @Inject(PlatformAuth) private readonly platform: PlatformAuth,
    @Optional() @Inject(CONSOLE_INSTITUTIONS) private readonly institutions?: InstitutionDirectory,
  ) {}

  principal(req: Request): ConsolePrincipal {
    const client = this.platform.client(req);
    if (client.role === 'institution' && client.institution) {
      const code = client.institution;
      const name = this.institutions?.institutions.find((i) => i.code === code)?.name ?? code;
      return { role: 'institution', name: code, institution: { code, name }, scopes: client.scopes };
    }
    return { role: client.role, name: client.name, scopes: client.scopes };
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
