import { Controller, Get, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { requestOrigin } from '@yilian/runtime';
import { PlatformAuth } from '../platform-auth';
import { BackendServicesTokens, TokenError } from './backend-services';
import { CLIENT_JWT_ALGORITHMS, ClientJwtVerifier } from './client-jwt';
import { TOKEN_PATH } from './urls';

/** SMART App Launch 2.x's discovery document, for backend services (the only launch the hub has). */
export function smartConfiguration(base: string) {
  return {
    token_endpoint: `${base}${TOKEN_PATH}`,
    token_endpoint_auth_methods_supported: ['private_key_jwt'],
    token_endpoint_auth_signing_alg_values_supported: [...CLIENT_JWT_ALGORITHMS],
    grant_types_supported: ['client_credentials'],
    scopes_supported: ['system/*.read', 'system/*.rs', 'system/AuditEvent.read'],
    capabilities: ['client-confidential-asymmetric'],
  };
}

/** SMART Backend Services for the read side's clients (docs/access.md): discovery and tokens. */
@Controller()
export class SmartController {
  private readonly tokens: BackendServicesTokens;

  constructor(@Inject(PlatformAuth) auth: PlatformAuth, @Inject(ClientJwtVerifier) jwts: ClientJwtVerifier) {
    this.tokens = new BackendServicesTokens(auth, jwts);
  }

  @Get(['.well-known/smart-configuration', 'fhir/.well-known/smart-configuration'])
  discovery(@Req() req: Request, @Res() res: Response): void {
    res
      .status(200)
      .type('application/json')
      .send(JSON.stringify(smartConfiguration(requestOrigin(req))));
  }

  @Post('auth/token')
  @HttpCode(200)
  async token(@Req() req: Request, @Res() res: Response): Promise<void> {
    res.set({ 'Cache-Control': 'no-store', Pragma: 'no-cache' }).type('application/json');
    try {
      if (!req.is('application/x-www-form-urlencoded'))
        throw new TokenError('invalid_request', 'the body must be application/x-www-form-urlencoded');
      const form = (req.body ?? {}) as Record<string, unknown>;
      const answer = await this.tokens.token(form, `${requestOrigin(req)}${TOKEN_PATH}`);
      res.status(200).send(JSON.stringify(answer));
    } catch (e) {
      if (!(e instanceof TokenError)) throw e;
      res.status(e.status).send(JSON.stringify({ error: e.error, error_description: e.description }));
    }
  }
}
