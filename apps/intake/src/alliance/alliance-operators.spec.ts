import type { Request } from 'express';
import { hashApiKey } from '@yilian/config';
import { AllianceOperators } from './alliance-operators';

const request = (key?: string) => ({ headers: key ? { authorization: `Bearer ${key}` } : {} }) as Request;

describe('AllianceOperators', () => {
  const operators = AllianceOperators.fromEnv({
    YILIAN_ALLIANCE_OPERATORS: `wjw:${hashApiKey('op-key-1234567890')}`,
  });
  it('knows an operator by its key', () =>
    expect(operators.authenticate(request('op-key-1234567890'))).toBe('wjw'));
  it('answers 401 to another key and to none', () => {
    expect(() => operators.authenticate(request('key-h001'))).toThrow(
      expect.objectContaining({ status: 401 }),
    );
    expect(() => operators.authenticate(request())).toThrow(expect.objectContaining({ status: 401 }));
  });
  it('answers 403 when no operator is configured', () =>
    expect(() => AllianceOperators.fromEnv({}).authenticate(request('x'))).toThrow(
      expect.objectContaining({ status: 403, message: expect.stringMatching(/YILIAN_ALLIANCE_OPERATORS/) }),
    ));
  it('stops start-up on a malformed entry, naming the variable', () =>
    expect(() => AllianceOperators.fromEnv({ YILIAN_ALLIANCE_OPERATORS: 'wjw:nothex' })).toThrow(
      /YILIAN_ALLIANCE_OPERATORS/,
    ));
});
