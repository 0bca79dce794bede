import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';

/**
 * CORS for browser-based CDS clients (CDS Hooks 2.0 "Cross-Origin Resource Sharing"): every
 * answer of /cds-services — errors included — allows any origin, and a preflight (OPTIONS,
 * answered by CdsHooksController) names the methods and the request headers a client sends.
 * Any origin is safe here: the credential is a bearer header, never a cookie.
 */
@Injectable()
export class CdsCorsMiddleware implements NestMiddleware {
  use(_req: Request, res: Response, next: NextFunction): void {
    res.set({
      'Access-Control-Allow-Origin': '*',
      'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
      'Access-Control-Allow-Headers': 'Authorization, Content-Type, Accept, X-Purpose-Of-Use',
      'Access-Control-Max-Age': '600',
    });
    next();
  }
}
