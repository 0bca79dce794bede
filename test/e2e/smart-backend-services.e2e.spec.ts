/**
 * SMART Backend Services (SMART App Launch 2.x, "Backend Services"; required of a Bulk Data
 * server): a client registered with a JWK Set finds the token endpoint in the discovery document
 * and the CapabilityStatement, signs a JWT assertion (ES384, RS384) with its private key, gets an
 * access token for the scopes it may have, and reads and exports with it. Every refusal is the
 * RFC 6749 error the spec names. The assertions are made here with `jose`, as a client does.
 */
import { randomUUID } from 'node:crypto';
import Client from 'fhir-kit-client';
import { exportJWK, generateKeyPair, type KeyLike, SignJWT } from 'jose';
import type { fhir4 } from '@yilian/contracts';
import { hashApiKey } from '@yilian/config';
import { SAMPLE_RESIDENT_ID } from '@yilian/testing';
import { BulkDataClient } from './bulk-data-client';
import { eventually, KEYS, labReportBundleFor, postFhir, startTestHub } from './hub-harness';

type Hub = Awaited<ReturnType<typeof startTestHub>>;

interface Signer {
  readonly alg: 'ES384' | 'RS384';
  readonly kid: string;
  readonly privateKey: KeyLike;
  readonly publicJwk: Record<string, unknown>;
}

async function signer(alg: Signer['alg']): Promise<Signer> {
  const { privateKey, publicKey } = await generateKeyPair(alg);
  const kid = `${alg.toLowerCase()}-${randomUUID().slice(0, 8)}`;
  return { alg, kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg } };
}

describe('SMART Backend Services: tokens for signed assertions', () => {
  let hub: Hub;
  let es: Signer;
  let rs: Signer;
  let stranger: Signer;
  let tokenUrl: string;

  beforeAll(async () => {
    [es, rs, stranger] = await Promise.all([signer('ES384'), signer('RS384'), signer('ES384')]);
    const clients = [
      { name: 'regional-platform', apiKeySha256: hashApiKey(KEYS.platform), role: 'platform' },
      {
        name: 'bulk-client',
        apiKeySha256: hashApiKey('key-bulk-client-unused-0123456789'),
        role: 'platform',
        jwks: { keys: [es.publicJwk] },
      },
      {
        name: 'obs-reader',
        apiKeySha256: hashApiKey('key-obs-reader-unused-0123456789'),
        role: 'platform',
        scopes: ['system/Observation.read'],
        jwks: { keys: [rs.publicJwk] },
      },
    ];
    hub = await startTestHub('smart_backend', undefined, JSON.stringify(clients));
    const bundle = labReportBundleFor('L-SMART-1', SAMPLE_RESIDENT_ID);
    expect((await postFhir(hub, '', bundle)).status).toBeLessThan(300);
    const config = (await (await fetch(`${hub.httpUrl}/fhir/.well-known/smart-configuration`)).json()) as {
      token_endpoint: string;
    };
    tokenUrl = config.token_endpoint;
  });
  afterAll(async () => {
    await hub?.stop();
  });

  const assertion = (
    s: Signer,
    client: string,
    over: { aud?: string; exp?: number; jti?: string; kid?: string } = {},
  ) =>
    new SignJWT({ jti: over.jti ?? randomUUID() })
      .setProtectedHeader({ alg: s.alg, kid: over.kid ?? s.kid, typ: 'JWT' })
      .setIssuer(client)
      .setSubject(client)
      .setAudience(over.aud ?? tokenUrl)
      .setExpirationTime(over.exp ?? Math.floor(Date.now() / 1000) + 240)
      .sign(s.privateKey);

  async function requestToken(fields: Record<string, string>) {
    const res = await fetch(tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams(fields),
    });
    return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
  }
  const grant = async (jwt: string, scope: string) =>
    requestToken({
      grant_type: 'client_credentials',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: jwt,
      scope,
    });

  it('names its token endpoint in .well-known/smart-configuration and the CapabilityStatement’s security', async () => {
    const [root, fhirBase] = await Promise.all(
      ['/.well-known/smart-configuration', '/fhir/.well-known/smart-configuration'].map(async (p) =>
        (await fetch(`${hub.httpUrl}${p}`)).json(),
      ),
    );
    expect(root).toEqual(fhirBase);
    expect(fhirBase).toMatchObject({
      token_endpoint: `${hub.httpUrl}/auth/token`,
      token_endpoint_auth_methods_supported: ['private_key_jwt'],
      grant_types_supported: ['client_credentials'],
    });
    expect(
      (fhirBase as { token_endpoint_auth_signing_alg_values_supported: string[] })
        .token_endpoint_auth_signing_alg_values_supported,
    ).toEqual(expect.arrayContaining(['RS384', 'ES384']));
    const statement = (await new Client({
      baseUrl: `${hub.httpUrl}/fhir`,
    }).capabilityStatement()) as fhir4.CapabilityStatement;
    const security = statement.rest![0]!.security!;
    expect(security.service?.[0]?.coding?.[0]?.code).toBe('SMART-on-FHIR');
    // not the oauth-uris extension: it requires an authorize endpoint, which backend services lack
    expect(security.description).toContain(tokenUrl);
  });

  it('an ES384 assertion gets a token that reads the FHIR API and runs a Bulk Data export', async () => {
    const answer = await grant(await assertion(es, 'bulk-client'), 'system/*.read');
    expect(answer.status).toBe(200);
    expect(answer.headers.get('cache-control')).toBe('no-store');
    expect(answer.body).toMatchObject({ token_type: 'bearer', expires_in: 300, scope: 'system/*.read' });
    const token = answer.body['access_token'] as string;
    const fhir = new Client({
      baseUrl: `${hub.httpUrl}/fhir`,
      customHeaders: { Authorization: `Bearer ${token}` },
    });
    const reports = await eventually(
      async () =>
        (await fhir.search({
          resourceType: 'DiagnosticReport',
          searchParams: { _count: '10' },
        })) as fhir4.Bundle,
      (b) => (b.entry?.length ?? 0) >= 1,
    );
    expect(reports.entry!.map((e) => e.resource!.id)).toContain('H001.L-SMART-1');
    const bulk = new BulkDataClient(`${hub.httpUrl}/fhir`, token);
    const manifest = await bulk.poll(
      await bulk.kickOff('$export', { params: { _type: 'DiagnosticReport' } }),
    );
    expect(manifest.requiresAccessToken).toBe(true);
    const files = await bulk.downloadAll(manifest);
    expect(files.get('DiagnosticReport')?.map((r) => r['id'])).toContain('H001.L-SMART-1');
  });

  it('grants only what the client may read: an Observation-only client is refused DiagnosticReport (403)', async () => {
    const answer = await grant(
      await assertion(rs, 'obs-reader'),
      'system/Observation.read system/DiagnosticReport.read',
    );
    expect(answer.status).toBe(200);
    expect(answer.body['scope']).toBe('system/Observation.read');
    const headers = { Authorization: `Bearer ${answer.body['access_token'] as string}` };
    expect((await fetch(`${hub.httpUrl}/fhir/Observation?_count=1`, { headers })).status).toBe(200);
    const refused = await fetch(`${hub.httpUrl}/fhir/DiagnosticReport?_count=1`, { headers });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as fhir4.OperationOutcome).issue[0]!.diagnostics).toContain(
      'system/DiagnosticReport.read',
    );
    const none = await grant(await assertion(rs, 'obs-reader'), 'system/AuditEvent.read');
    expect([none.status, none.body['error']]).toEqual([400, 'invalid_scope']);
  });

  it.each([
    ['an assertion used twice (its jti)', 'replay'],
    ['aud another endpoint', 'aud'],
    ['an expired assertion', 'expired'],
    ['exp more than five minutes ahead', 'far'],
    ['signed with a key the client never registered', 'stranger'],
    ['an unknown client', 'unknown'],
  ])('refuses %s with invalid_client and says why', async (_name, kind) => {
    const now = Math.floor(Date.now() / 1000);
    const jwt =
      kind === 'aud'
        ? await assertion(es, 'bulk-client', { aud: 'https://elsewhere.example/token' })
        : kind === 'expired'
          ? await assertion(es, 'bulk-client', { exp: now - 120 })
          : kind === 'far'
            ? await assertion(es, 'bulk-client', { exp: now + 3_600 })
            : kind === 'stranger'
              ? await assertion(stranger, 'bulk-client', { kid: es.kid })
              : kind === 'unknown'
                ? await assertion(es, 'nobody')
                : await assertion(es, 'bulk-client', { jti: 'used-once' });
    if (kind === 'replay') expect((await grant(jwt, 'system/*.read')).status).toBe(200);
    const answer = await grant(jwt, 'system/*.read');
    expect([answer.status, answer.body['error']]).toEqual([400, 'invalid_client']);
    expect(answer.body['error_description']).toMatch(
      {
        replay: /already used/,
        aud: /aud must be/,
        expired: /expired/,
        far: /five minutes/,
        stranger: /signature|no key/,
        unknown: /no client nobody/,
      }[kind]!,
    );
  });

  it('refuses a wrong grant type, a missing assertion and a JSON body with the RFC 6749 errors', async () => {
    const jwt = await assertion(es, 'bulk-client');
    const password = await requestToken({
      grant_type: 'password',
      client_assertion: jwt,
      scope: 'system/*.read',
    });
    expect([password.status, password.body['error']]).toEqual([400, 'unsupported_grant_type']);
    const bare = await requestToken({ grant_type: 'client_credentials', scope: 'system/*.read' });
    expect([bare.status, bare.body['error']]).toEqual([400, 'invalid_request']);
    const json = await fetch(tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'client_credentials' }),
    });
    expect(json.status).toBe(400);
    expect(((await json.json()) as { error: string }).error).toBe('invalid_request');
  });

  it('answers a token altered or made up with 401 and an OperationOutcome', async () => {
    const answer = await grant(await assertion(es, 'bulk-client'), 'system/*.read');
    const token = answer.body['access_token'] as string;
    const altered = `${token.slice(0, -2)}${token.endsWith('AA') ? 'BB' : 'AA'}`;
    for (const bad of [altered, 'yat1.e30.x']) {
      const res = await fetch(`${hub.httpUrl}/fhir/DiagnosticReport`, {
        headers: { Authorization: `Bearer ${bad}` },
      });
      expect(res.status).toBe(401);
      expect(((await res.json()) as fhir4.OperationOutcome).issue[0]!.diagnostics).toMatch(
        /not one this hub issued/,
      );
    }
  });
});
