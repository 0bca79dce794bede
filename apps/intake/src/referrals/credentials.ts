import {
  type CanActivate,
  createParamDecorator,
  type ExecutionContext,
  Inject,
  Injectable,
} from '@nestjs/common';
import type { Request } from 'express';
import type { InstitutionDirectory } from '@yilian/config';
import { authenticateInstitution, INSTITUTIONS } from '@yilian/runtime';
import { ALLIANCE_OPERATORS, AllianceOperators } from '../alliance/alliance-operators';

const ACTOR = Symbol('yilian.actor');
type WithActor = Request & { [ACTOR]?: string };

/** The acting institution, from its API key (before the body is even read): 401 without one. */
@Injectable()
export class InstitutionGuard implements CanActivate {
  constructor(@Inject(INSTITUTIONS) private readonly institutions: InstitutionDirectory) {}

  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<WithActor>();
    req[ACTOR] = authenticateInstitution(req, this.institutions).code;
    return true;
  }
}

/** An alliance operator, from the operator API key: 401 / 403 otherwise. */
@Injectable()
export class OperatorGuard implements CanActivate {
  constructor(@Inject(ALLIANCE_OPERATORS) private readonly operators: AllianceOperators) {}

  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<WithActor>();
    req[ACTOR] = this.operators.authenticate(req);
    return true;
  }
}

/** The institution (or operator) the guard authenticated; never anything from the body. */
export const Actor = createParamDecorator((_data: unknown, context: ExecutionContext): string => {
  const actor = context.switchToHttp().getRequest<WithActor>()[ACTOR];
  if (!actor) throw new Error('Actor used on a route without InstitutionGuard or OperatorGuard');
  return actor;
});
