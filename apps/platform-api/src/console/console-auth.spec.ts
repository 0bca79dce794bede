import type { Request } from 'express';
import { hashApiKey, InstitutionDirectory, parseReadClients } from '@yilian/config';
import { FhirHttpError } from '@yilian/runtime';
import { PlatformAuth } from '../platform-auth';
import { ConsoleAuth } from './console-auth';

const withKey = (key?: string) => ({ headers: key ? { authorization: `Bearer ${key}` } : {} }) as Request;

describe('ConsoleAuth: one key, one principal', () => {
  const auth = new ConsoleAuth(
    new PlatformAuth(
      parseReadClients(
        `regional-platform:${hashApiKey('platform-key')},city-auditor:${hashApiKey('auditor-key')}:auditor,` +
          `institution-H001:${hashApiKey('h001-key')}:institution:H001`,
      ),
    ),
    new InstitutionDirectory([{ code: 'H001', name: '第一人民医院', apiKeySha256: hashApiKey('h001-key') }]),
  );

  it('tells an institution, the platform client and an auditor apart, each with its scopes', () => {
    expect(auth.principal(withKey('h001-key'))).toMatchObject({
      role: 'institution',
      name: 'H001',
      institution: { code: 'H001', name: '第一人民医院' },
    });
    expect(auth.principal(withKey('platform-key'))).toMatchObject({
      role: 'platform',
      name: 'regional-platform',
    });
    const auditor = auth.principal(withKey('auditor-key'));
    expect(auditor).toMatchObject({ role: 'auditor', name: 'city-auditor' });
    expect(auditor.scopes).toContain('system/AuditEvent.read');
    expect(auth.principal(withKey('h001-key')).scopes).not.toContain('system/AuditEvent.read');
  });

  it('answers 401 to no key or an unknown one, and 403 naming the role needed', () => {
    for (const key of [undefined, 'nobody']) {
      expect(() => auth.principal(withKey(key))).toThrow(FhirHttpError);
      try {
        auth.principal(withKey(key));
      } catch (e) {
        expect((e as FhirHttpError).status).toBe(401);
      }
    }
    try {
      auth.require(withKey('h001-key'), 'auditor');
      throw new Error('not refused');
    } catch (e) {
      expect((e as FhirHttpError).status).toBe(403);
      expect((e as FhirHttpError).message).toBe('this needs the auditor role; the key is institution H001');
    }
  });

  it('without institutions or auditors configured, knows only platform clients', () => {
    const platformOnly = new ConsoleAuth(
      new PlatformAuth(parseReadClients(`regional-platform:${hashApiKey('platform-key')}`)),
    );
    expect(() => platformOnly.principal(withKey('h001-key'))).toThrow('missing or unknown API key');
    expect(platformOnly.principal(withKey('platform-key')).role).toBe('platform');
  });
});
