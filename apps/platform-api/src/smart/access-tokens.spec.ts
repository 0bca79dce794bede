import { AccessTokens, ACCESS_TOKEN_SECONDS } from './access-tokens';
import { grantedScopes } from './backend-services';

describe('access tokens of POST /auth/token', () => {
  it('hold their grant until they expire, and only under the secret that signed them', () => {
    const now = Date.parse('2026-12-07T10:00:00Z');
    const shared = new AccessTokens('a-secret-shared-by-platform-api-processes');
    const { token } = shared.issue('bulk-client', ['system/*.read'], now);
    const other = new AccessTokens('a-secret-shared-by-platform-api-processes');
    expect(other.verify(token, now + 1_000)).toEqual({
      client: 'bulk-client',
      scopes: ['system/*.read'],
      expiresAt: now / 1000 + ACCESS_TOKEN_SECONDS,
    });
    expect(other.verify(token, now + ACCESS_TOKEN_SECONDS * 1000)).toEqual({
      refused: expect.stringMatching(/expired/),
    });
    expect(new AccessTokens().verify(token, now)).toEqual({
      refused: expect.stringMatching(/not one this hub issued/),
    });
  });
});

describe('scopes granted for a request', () => {
  it.each([
    [['system/*.read'], 'system/*.read', ['system/*.read']],
    [
      ['system/*.read'],
      'system/Patient.rs system/Observation.read',
      ['system/Patient.rs', 'system/Observation.read'],
    ],
    [['system/*.read'], 'system/AuditEvent.read system/*.write', []],
    [['system/*.read', 'system/AuditEvent.read'], 'system/AuditEvent.read', ['system/AuditEvent.read']],
    [['system/Observation.read'], 'system/*.read system/Observation.read', ['system/Observation.read']],
    [['system/*.read'], 'patient/*.read user/Observation.read launch', []],
  ])('allowed %j, asked %s → %j', (allowed, asked, granted) => {
    expect(grantedScopes(allowed, asked)).toEqual(granted);
  });
});
